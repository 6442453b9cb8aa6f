// The test pod runner's `podman run` of one container of a Pod (test code, not product): the
// Pod's fields as podman flags, as a kubelet and its container runtime would apply them. Pure.
import { cpuLimit, memoryLimit } from '../../src/executor/podman/quantity.ts';

/** The part of a Pod's container this runner reads. */
export interface KubeContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: Array<{ name: string; value?: string }>;
  imagePullPolicy?: string;
  restartPolicy?: string;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>;
  resources?: { limits?: Record<string, string> };
  securityContext?: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    runAsUser?: number;
    runAsGroup?: number;
    seccompProfile?: { type?: string };
  };
  startupProbe?: KubeProbe;
  readinessProbe?: KubeProbe;
}

export interface KubeProbe { exec?: { command: string[] }; initialDelaySeconds?: number; periodSeconds?: number; timeoutSeconds?: number; failureThreshold?: number }

/** What `runArgs` needs besides the container. */
export interface RunContext {
  /** the podman pod */
  pod: string;
  /** the podman container's name */
  name: string;
  /** volume name → host directory */
  volumes: ReadonlyMap<string, string>;
  /** volumes every mount of is read-only (configMap, secret) */
  readOnlyVolumes?: ReadonlySet<string>;
  /** host file bound at /dev/termination-log */
  terminationLog: string;
}

/** A bind of host path `src` at `dest`. */
export interface HostBind { src: string; dest: string; readOnly: boolean }

/** The container's volume mounts as host binds (subPath joined to the volume's directory), or what is wrong. */
export function bindsOf(c: KubeContainer, volumes: ReadonlyMap<string, string>, readOnlyVolumes: ReadonlySet<string> = new Set()): HostBind[] | { error: string } {
  const out: HostBind[] = [];
  for (const [i, m] of (c.volumeMounts ?? []).entries()) {
    const dir = volumes.get(m.name);
    if (!dir) return { error: `spec.containers[${c.name}].volumeMounts[${i}]: volume "${m.name}" not found` };
    const sub = m.subPath ?? '';
    if (sub.split('/').includes('..') || sub.startsWith('/')) return { error: `spec.containers[${c.name}].volumeMounts[${i}].subPath: must be a relative path without ".."` };
    out.push({ src: sub ? `${dir}/${sub}` : dir, dest: m.mountPath, readOnly: m.readOnly === true || readOnlyVolumes.has(m.name) });
  }
  return out;
}

/** securityContext and resources as podman flags. */
function securityArgs(c: KubeContainer): string[] | { error: string } {
  const sc = c.securityContext ?? {};
  const out: string[] = [];
  if (sc.privileged) out.push('--privileged');
  else {
    for (const cap of sc.capabilities?.drop ?? []) out.push(`--cap-drop=${cap.toLowerCase()}`);
    for (const cap of sc.capabilities?.add ?? []) out.push(`--cap-add=${cap.toLowerCase()}`);
    if (sc.allowPrivilegeEscalation === false) out.push('--security-opt', 'no-new-privileges');
    if (sc.seccompProfile?.type === 'Unconfined') out.push('--security-opt', 'seccomp=unconfined');
  }
  if (sc.runAsUser !== undefined) out.push('--user', sc.runAsGroup !== undefined ? `${sc.runAsUser}:${sc.runAsGroup}` : String(sc.runAsUser));
  else if (sc.runAsGroup !== undefined) out.push('--group-add', String(sc.runAsGroup));
  for (const [flag, q, conv] of [['--cpus', c.resources?.limits?.cpu, cpuLimit], ['--memory', c.resources?.limits?.memory, memoryLimit]] as const) {
    if (!q) continue;
    const r = conv(q);
    if ('error' in r) return { error: `${c.name}: resources.limits: ${r.error}` };
    out.push(flag, r.value);
  }
  return out;
}

/**
 * `podman run` of container `c`, attached (its output goes to the runner's descriptors, one log
 * file for stdout and stderr in order) and removed when it ends. `command` replaces the image's
 * ENTRYPOINT, `args` its CMD, as Kubernetes does.
 */
export function runArgs(c: KubeContainer, ctx: RunContext): string[] | { error: string } {
  const sec = securityArgs(c);
  if ('error' in sec) return sec;
  const binds = bindsOf(c, ctx.volumes, ctx.readOnlyVolumes);
  if ('error' in binds) return binds;
  const out = ['run', '--rm', '--pod', ctx.pod, '--name', ctx.name, '--log-driver', 'passthrough', '--pull', 'never', ...sec];
  for (const b of [...binds, { src: ctx.terminationLog, dest: '/dev/termination-log', readOnly: false }]) {
    if (b.src.includes(',') || b.dest.includes(',')) return { error: `${c.name}: mount ${b.dest}: a path with a comma cannot be bound` };
    out.push('--mount', `type=bind,src=${b.src},dst=${b.dest}${b.readOnly ? ',ro' : ''}`);
  }
  if (c.workingDir) out.push('--workdir', c.workingDir);
  for (const e of c.env ?? []) out.push('--env', `${e.name}=${e.value ?? ''}`);
  if (c.command?.length) out.push('--entrypoint', JSON.stringify(c.command));
  out.push('--', c.image, ...(c.args ?? []));
  return out;
}
