// Credentials (Tekton's creds-init files, ExecutionPlan.credentials) in a Pod: their contents go
// into a Secret of their own made for the attempt (never into the Pod spec in clear), mounted only
// in `prepare`, which copies each file to /tekton/creds and /tekton/home (0600, directories 0700)
// before any sidecar or step starts. The Secret is owned by its Pod (garbage collected with it);
// the executor also deletes it when the attempt ends. Pure.
import { shQuote } from '../process/script.ts';
import type { ExecutionPlan } from '../executor.ts';

type Obj = Record<string, unknown>;

/** Where `prepare` sees the Secret. */
export const CREDS_SECRET_DIR = '/tekton/creds-secret';
/** The Pod volume of the credentials Secret. */
export const CREDS_VOLUME = 'tekton-internal-creds-secret';

/** The credentials Secret of Pod `podName`'s attempt. */
export const credsSecretName = (podName: string) => `${podName}-creds`;

/** The files of `plan.credentials` as they can go into a Pod: relative paths without `..`. */
function files(plan: ExecutionPlan): Array<[string, string]> {
  return Object.entries(plan.credentials ?? {}).filter(([p]) => p !== '' && !p.startsWith('/') && !p.split('/').some((x) => x === '..' || x === '.' || x === ''));
}

/** Credentials paths a Pod cannot hold (absolute, empty, or with `..`). */
export function badCredentialPaths(plan: ExecutionPlan): string[] {
  const ok = new Set(files(plan).map(([p]) => p));
  return Object.keys(plan.credentials ?? {}).filter((p) => !ok.has(p));
}

/** The Secret holding the attempt's credentials (keys c0, c1, …), owned by its Pod (`podUid`), or undefined without any. */
export function credsSecret(plan: ExecutionPlan, podName: string, labels: Readonly<Record<string, string>>, podUid?: string): Obj | undefined {
  const f = files(plan);
  if (!f.length) return undefined;
  const owner = podUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: podName, uid: podUid }] } : {};
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name: credsSecretName(podName), namespace: plan.namespace, labels, ...owner },
    data: Object.fromEntries(f.map(([, content], i) => [`c${i}`, Buffer.from(content).toString('base64')])),
  };
}

/** The Pod volume of the credentials Secret, or undefined without credentials. */
export function credsVolume(plan: ExecutionPlan, podName: string): Obj | undefined {
  const f = files(plan);
  if (!f.length) return undefined;
  return { name: CREDS_VOLUME, secret: { secretName: credsSecretName(podName), defaultMode: 0o400, items: f.map(([path], i) => ({ key: `c${i}`, path })) } };
}

/** `prepare`'s lines copying each file to /tekton/creds and /tekton/home (a subshell: its umask stays there). */
export function credsLines(plan: ExecutionPlan): string[] {
  const f = files(plan);
  if (!f.length) return [];
  const lines = ['(', 'umask 077'];
  for (const [path] of f) {
    for (const to of ['/tekton/creds', '/tekton/home']) {
      const dest = shQuote(`${to}/${path}`);
      const dir = path.includes('/') ? shQuote(`${to}/${path.slice(0, path.lastIndexOf('/'))}`) : undefined;
      if (dir) lines.push(`/bin/busybox mkdir -p ${dir}`);
      lines.push(`/bin/busybox cp ${shQuote(`${CREDS_SECRET_DIR}/${path}`)} ${dest}`, `/bin/busybox chmod 0600 ${dest}`);
    }
  }
  lines.push(')');
  return lines;
}
