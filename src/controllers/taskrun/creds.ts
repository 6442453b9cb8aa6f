// The credentials a TaskRun gets from its ServiceAccount, as Tekton's creds-init gives them: the
// account (`default` when unnamed) is read with its `secrets`, each Secret decoded (a missing one
// is skipped), and engine/creds.ts says which count and what files they become.
import type { Secret } from '../../api/core.types.ts';
import type { KObject } from '../../api/meta.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { SECRET, SERVICEACCOUNT } from '../../api/registry.ts';
import { credsInit } from '../../engine/creds.ts';
import type { CredSecret, CredsInit } from '../../engine/creds.ts';
import type { Store } from '../../store/store.ts';
import { orUndefined } from '../../store/store.ts';
import { decodeSecret } from './plan.ts';

/** Names in a ServiceAccount's `secrets` list (`[{name}]`), in order, each once. */
export function accountSecretNames(account: KObject | undefined): string[] {
  const list = (account as { secrets?: unknown } | undefined)?.secrets;
  const names = (Array.isArray(list) ? list : []).map((r) => (typeof r?.name === 'string' ? r.name : '')).filter(Boolean);
  return [...new Set(names)];
}

/** A Secret as creds-init reads it. */
export function credSecret(s: Secret): CredSecret {
  return { name: s.metadata.name ?? '', type: s.type, annotations: s.metadata.annotations ?? {}, data: decodeSecret(s) };
}

/** The run's creds-init files, the values to mask and what could not be read (see engine/creds.ts). */
export async function credentialsOf(run: TaskRun, store: Pick<Store, 'get'>): Promise<CredsInit> {
  const ns = run.metadata.namespace ?? 'default';
  const account = await orUndefined(store.get<KObject>(SERVICEACCOUNT, ns, run.spec.serviceAccountName || 'default'));
  const secrets: CredSecret[] = [];
  for (const n of accountSecretNames(account)) {
    const s = await orUndefined(store.get<Secret>(SECRET, ns, n));
    if (s) secrets.push(credSecret(s));
  }
  return credsInit(secrets);
}
