// What kiln asks podman for, as argument lists (pure: no IO): the pod of one attempt and one
// `podman run` per step or sidecar, with the security flags, mounts, env, user and limits.
import type { EnvPair, ExecutionPlan, PlanContainer } from '../executor.ts';
import { capabilityArgs, effectiveCapabilities, runsAsRoot, type StepCapabilities } from './capabilities.ts';
import { cpuLimit, memoryLimit } from './quantity.ts';

/** Labels on every pod and container kiln creates (find leftovers with `podman ps -a --filter label=…`). */
export const LABEL_MANAGED = 'kiln.dev/managed-by';
export const LABEL_UID = 'kiln.dev/taskrun-uid';
export const LABEL_ATTEMPT = 'kiln.dev/attempt';
export const LABEL_CONTAINER = 'kiln.dev/container';
/** Which kiln (its data directory, hashed) made the pod or container: a restart removes its own leftovers only. */
export const LABEL_DATA_DIR = 'kiln.dev/data-dir';

/** A name podman accepts (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`), built from API names that may hold anything. */
export function podmanName(...parts: string[]): string {
  const s = parts.join('-').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return s.slice(0, 200) || 'kiln';
}

/** The labels of an attempt's pod and containers. */
export function attemptLabels(plan: Pick<ExecutionPlan, 'id' | 'taskRunUid'>, dataDirKey: string): Record<string, string> {
  return { [LABEL_MANAGED]: 'kiln', [LABEL_DATA_DIR]: dataDirKey, [LABEL_ATTEMPT]: plan.id, [LABEL_UID]: plan.taskRunUid ?? '' };
}

function labelArgs(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
}

/**
 * `podman pod create` of an attempt: its containers share the network (sidecars on localhost).
 * 'outside' is user-mode NAT (slirp4netns, as the process executor's): podman's bridge needs
 * /run/netns on a tmpfs and fails on hosts without one (measured: "unknown FS magic" on ext4).
 */
export function podCreateArgs(name: string, labels: Record<string, string>, network: 'outside' | 'none', hostname?: string, userns?: UserNamespace): string[] {
  return ['pod', 'create', '--name', name, ...(hostname ? ['--hostname', hostname] : []), ...(userns ? userNamespaceArgs(userns) : []), ...labelArgs(labels), '--network', network === 'none' ? 'none' : 'slirp4netns'];
}

/**
 * The user namespace of every pod when kiln runs as root: uid/gid n inside is base+n on the host —
 * ids no host account has — so a step that is root in its image, or any runAsUser, is an
 * unprivileged stranger to the host, even in a host file it reaches. kiln hands what it creates for
 * the steps to base (the containers' root). One map for all pods: podman keeps one id-shifted copy of
 * each image for it. (A map of several ranges, e.g. root onto the process executor's step user, is
 * what podman 4.3 cannot mount its pods' infra image with: measured.)
 */
export interface UserNamespace { base: number; size: number }
export const POD_USER_NAMESPACE: UserNamespace = { base: 1_200_000_000, size: 65_536 };

/** `--uidmap`/`--gidmap` of `u`: 0…size-1 → base…. */
export function userNamespaceArgs(u: UserNamespace): string[] {
  const map = `0:${u.base}:${u.size}`;
  return ['--uidmap', map, '--gidmap', map];
}

/**
 * The hostname steps see: the TaskRun's pod name as Kubernetes makes it (`<taskrun>-pod`), cut to
 * 63 characters as Kubernetes cuts a pod's hostname (a longer one is refused by sethostname).
 */
export function podHostname(taskRunName: string): string {
  const name = `${taskRunName}-pod`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
  return name.slice(0, 63).replace(/[-.]+$/, '') || 'kiln';
}

/** A bind mount of a host directory (or file) into the container. */
export interface MountArg { src: string; dest: string; readOnly?: boolean }

/** Everything `runArgs` needs about one container besides the plan's own fields. */
export interface RunSpec {
  pod: string;
  name: string;
  labels: Record<string, string>;
  container: PlanContainer;
  mounts: MountArg[];
  workingDir: string;
  /** host path of the env file (single-line values) */
  envFile?: string;
  /** env names podman takes from its own environment (values with a line break: an env file cannot hold them) */
  passEnv?: string[];
  /** in-container path of the step's script; runs instead of the image's entrypoint */
  script?: string;
  /** the executor allows privileged containers */
  allowPrivileged: boolean;
  /** the capabilities containers get (`--step-capabilities`; default 'none') */
  capabilities?: StepCapabilities;
  /** the image's USER, looked up when the container sets no runAsUser and capabilities are granted */
  imageUser?: string;
}

/** The container's env with Tekton's HOME; PATH stays the image's unless the step sets it. */
export function containerEnvPairs(env: readonly EnvPair[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of env) out.set(e.name, e.value);
  if (!out.has('HOME')) out.set('HOME', '/tekton/home');
  return out;
}

/** podman's env file for `env`: single-line values in it, the names of the others to pass through podman's environment. */
export function envFileOf(env: ReadonlyMap<string, string>): { text: string; passed: Record<string, string> } {
  const lines: string[] = [];
  const passed: Record<string, string> = {};
  for (const [k, v] of env) {
    if (/[\r\n]/.test(v)) passed[k] = v;
    else lines.push(`${k}=${v}`);
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', passed };
}

/** `--mount` for one bind; podman splits its value on commas, so a path holding one is refused. */
function mountArg(m: MountArg): string[] | { error: string } {
  const bad = [m.src, m.dest].find((p) => p.includes(','));
  if (bad !== undefined) return { error: `mount ${m.dest}: podman cannot bind a path containing a comma (${bad})` };
  return ['--mount', `type=bind,src=${m.src},dst=${m.dest}${m.readOnly ? ',ro' : ''}`];
}

/** Flags for user, group, limits and privilege; an error names the container and the field. */
function securityArgs(c: PlanContainer, allowPrivileged: boolean, capabilities: StepCapabilities, imageUser: string | undefined): string[] | { error: string } {
  const out: string[] = [];
  if (c.privileged) {
    if (!allowPrivileged) return { error: `${c.containerName}: securityContext.privileged is not allowed by this executor (kiln serve --allow-privileged)` };
    out.push('--privileged');
  } else {
    const caps = effectiveCapabilities(c, capabilities, allowPrivileged);
    if ('why' in caps) return { error: `${c.containerName}: securityContext.capabilities.${caps.field}: ${caps.why}` };
    // podman hands a user other than root what --cap-add names as ambient capabilities; on Kubernetes
    // such a user holds none (and with no-new-privileges can gain none): so neither here
    out.push(...capabilityArgs(runsAsRoot(c.runAs?.uid, imageUser) ? caps : []), '--security-opt', 'no-new-privileges');
  }
  const { uid, gid } = c.runAs ?? {};
  if (uid !== undefined) out.push('--user', gid !== undefined ? `${uid}:${gid}` : String(uid));
  else if (gid !== undefined) out.push('--group-add', String(gid));
  for (const [flag, q, conv] of [['--cpus', c.limits?.cpu, cpuLimit], ['--memory', c.limits?.memory, memoryLimit]] as const) {
    if (q === undefined || q === '') continue;
    const r = conv(q);
    if ('error' in r) return { error: `${c.containerName}: computeResources.limits: ${r.error}` };
    out.push(flag, r.value);
  }
  return out;
}

/**
 * `podman run` of one container, attached with the passthrough log driver (the container writes
 * straight into kiln's descriptors: stdout and stderr keep their order in one log file), removed
 * when it exits. Tekton's rules: a script runs instead of the entrypoint with `args`; `command`
 * replaces the image's ENTRYPOINT (and drops its CMD); otherwise `args`, if any, replace CMD.
 */
export function runArgs(spec: RunSpec): string[] | { error: string } {
  const c = spec.container;
  const sec = securityArgs(c, spec.allowPrivileged, spec.capabilities ?? 'none', spec.imageUser);
  if ('error' in sec) return sec;
  const out = ['run', '--rm', '--pod', spec.pod, '--name', spec.name, ...labelArgs(spec.labels), '--log-driver', 'passthrough', ...sec];
  for (const m of spec.mounts) {
    const a = mountArg(m);
    if ('error' in a) return a;
    out.push(...a);
  }
  // the image was made present by its policy before (pull.ts); Never must not pull even if it went since
  if (c.imagePullPolicy === 'Never') out.push('--pull', 'never');
  out.push('--workdir', spec.workingDir);
  if (spec.envFile) out.push('--env-file', spec.envFile);
  for (const name of spec.passEnv ?? []) out.push('--env', name);
  const entrypoint = spec.script ? [spec.script] : c.command?.length ? c.command : undefined;
  if (entrypoint) out.push('--entrypoint', JSON.stringify(entrypoint));
  out.push('--', c.image, ...(c.args ?? []));
  return out;
}
