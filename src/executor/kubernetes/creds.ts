// Credentials (Tekton's creds-init files, ExecutionPlan.credentials) in a Pod: their contents go
// into a Secret of their own made for the attempt (never into the Pod spec in clear), mounted only
// in `prepare`, which copies each file to /tekton/creds and /tekton/home (0600, directories 0700)
// before any sidecar or step starts. The Secret is owned by its Pod (garbage collected with it);
// the executor also deletes it when the attempt ends. A step running as another user (runAsUser
// not 0) cannot read root's 0600 files: as Tekton initialises each step's credentials for that
// step's user, `prepare` also writes a copy for each such step into a volume of the step's own
// (mounted at the step's /tekton/creds) and hands it to the step's user (`chown`, the one
// capability `prepare` then keeps; docs/decisions/0033). Pure.
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

/** The Pod volume of step `i`'s own credentials (when it runs as another user than root). */
export const stepCredsVolume = (i: number) => `tekton-internal-creds-${i}`;
/** Where `prepare` sees step `i`'s own credentials volume. */
export const stepCredsDir = (i: number) => `/tekton/creds-${i}`;

/** The steps that get a copy of the credentials of their own: index and user (runAsUser not 0). */
export function credsOwners(plan: ExecutionPlan): Array<{ index: number; uid: number; gid?: number }> {
  if (!files(plan).length) return [];
  return plan.steps.flatMap((c, index) => (c.runAs?.uid !== undefined && c.runAs.uid !== 0 ? [{ index, uid: c.runAs.uid, gid: c.runAs.gid }] : []));
}

/**
 * `prepare`'s lines copying each file to /tekton/creds and /tekton/home, and to the own directory
 * of each step running as another user, then given to that user (a subshell: its umask stays there).
 */
export function credsLines(plan: ExecutionPlan): string[] {
  const f = files(plan);
  if (!f.length) return [];
  const lines = ['(', 'umask 077'];
  const owners = credsOwners(plan);
  for (const [path] of f) {
    for (const to of ['/tekton/creds', '/tekton/home', ...owners.map((o) => stepCredsDir(o.index))]) {
      const dest = shQuote(`${to}/${path}`);
      const dir = path.includes('/') ? shQuote(`${to}/${path.slice(0, path.lastIndexOf('/'))}`) : undefined;
      if (dir) lines.push(`/bin/busybox mkdir -p ${dir}`);
      lines.push(`/bin/busybox cp ${shQuote(`${CREDS_SECRET_DIR}/${path}`)} ${dest}`, `/bin/busybox chmod 0600 ${dest}`);
    }
  }
  // the directory itself stays open as the shared one is (an emptyDir: the step may add files)
  for (const o of owners) lines.push(`/bin/busybox chown -R ${o.uid}${o.gid !== undefined ? `:${o.gid}` : ''} ${stepCredsDir(o.index)}`);
  lines.push(')');
  return lines;
}
