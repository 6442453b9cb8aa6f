// Registry credentials of a TaskRun, as the kubelet finds them: the `kubernetes.io/dockerconfigjson`
// (or legacy `kubernetes.io/dockercfg`) Secrets named in the run's podTemplate `imagePullSecrets`
// and in its ServiceAccount's `imagePullSecrets`, merged into one docker config (`{"auths": …}`,
// the podTemplate's first: the first entry for a registry wins). Container executors hand it to
// their runtime; the process executor pulls nothing.
import type { Secret } from '../../api/core.types.ts';
import type { KObject } from '../../api/meta.ts';
import { isPlainObject } from '../../api/normalize.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { SECRET, SERVICEACCOUNT } from '../../api/registry.ts';
import type { Store } from '../../store/store.ts';
import { orUndefined } from '../../store/store.ts';

/** Names in an `imagePullSecrets` list (`[{name}]`), in order. */
export function pullSecretNames(v: unknown): string[] {
  return (Array.isArray(v) ? v : []).map((r) => (isPlainObject(r) && typeof r.name === 'string' ? r.name : '')).filter(Boolean);
}

/** The pull secrets a run names: its podTemplate's, then its ServiceAccount's, each once. */
export function runPullSecretNames(run: TaskRun, account: KObject | undefined): string[] {
  const names = [...pullSecretNames(run.spec.podTemplate?.['imagePullSecrets']), ...pullSecretNames((account as { imagePullSecrets?: unknown } | undefined)?.imagePullSecrets)];
  return [...new Set(names)];
}

function decoded(secret: Secret, key: string): string | undefined {
  const s = secret.stringData?.[key];
  if (s !== undefined) return s;
  const d = secret.data?.[key];
  return d === undefined ? undefined : Buffer.from(d, 'base64').toString('utf8');
}

/** The `auths` of one Secret, or why it has none (a wrong type, a missing key, JSON that is not a docker config). */
export function secretAuths(secret: Secret): { auths: Record<string, unknown> } | { error: string } {
  const name = `secret "${secret.metadata.name}"`;
  const [key, legacy] = secret.type === 'kubernetes.io/dockerconfigjson' ? ['.dockerconfigjson', false]
    : secret.type === 'kubernetes.io/dockercfg' ? ['.dockercfg', true] : [undefined, false];
  if (!key) return { error: `${name} is of type "${secret.type ?? 'Opaque'}", not kubernetes.io/dockerconfigjson` };
  const text = decoded(secret, key);
  if (text === undefined) return { error: `${name} has no ${key} key` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { error: `${name}: ${key} is not JSON (${(e as Error).message})` };
  }
  const auths = legacy ? parsed : isPlainObject(parsed) ? parsed.auths : undefined;
  if (!isPlainObject(auths)) return { error: `${name}: ${key} has no "auths" object` };
  return { auths };
}

/**
 * The merged docker config of `secrets` (found by name; a missing one is skipped, as the kubelet
 * does), or undefined when none gives credentials; `errors` names the Secrets that could not be read.
 */
export function mergeAuths(names: readonly string[], secrets: ReadonlyMap<string, Secret>): { config?: string; errors: string[] } {
  const auths: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const n of names) {
    const s = secrets.get(n);
    if (!s) continue;
    const a = secretAuths(s);
    if ('error' in a) errors.push(a.error);
    else for (const [registry, v] of Object.entries(a.auths)) if (!(registry in auths)) auths[registry] = v;
  }
  return { config: Object.keys(auths).length ? JSON.stringify({ auths }) : undefined, errors };
}

/** The run's registry credentials read from the store (its ServiceAccount, `default` when unnamed, and Secrets), or undefined. */
export async function registryAuthOf(run: TaskRun, store: Pick<Store, 'get'>): Promise<string | undefined> {
  const ns = run.metadata.namespace ?? 'default';
  const account = await orUndefined(store.get<KObject>(SERVICEACCOUNT, ns, run.spec.serviceAccountName || 'default'));
  const names = runPullSecretNames(run, account);
  const secrets = new Map<string, Secret>();
  for (const n of names) {
    const s = await orUndefined(store.get<Secret>(SECRET, ns, n));
    if (s) secrets.set(n, s);
  }
  return mergeAuths(names, secrets).config;
}
