// Starts one step or sidecar of an attempt as `podman run` in the attempt's pod, over the same
// host directories the process executor lays out (bound where Tekton mounts them), and removes it.
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanContainer } from '../executor.ts';
import { planMasker } from '../mask.ts';
import { appendBeneath, bindSourceBeneath, closeQuietly, fdPath, mkdirBeneath, writeBeneath } from '../process/beneath.ts';
import type { Dir, TrustedDirs } from '../process/beneath.ts';
import type { AttemptLayout } from '../process/layout.ts';
import { containerBinds, sandboxPath, workingDir } from '../process/prepare.ts';
import type { ContainerRole, HostTools } from '../process/prepare.ts';
import { bindFor } from '../process/sandbox.ts';
import type { Bind } from '../process/sandbox.ts';
import { writeOwnCredentials } from '../process/creds.ts';
import { scriptText } from '../process/script.ts';
import { startProcess } from '../process/spawn.ts';
import type { ProcessExit, RunningProcess } from '../process/spawn.ts';
import type { ExecutionPlan, ExecutionSnapshot } from '../executor.ts';
import { containerEnvPairs, envFileOf, podmanName, runArgs, LABEL_CONTAINER } from './args.ts';
import type { MountArg } from './args.ts';
import { podmanRun } from './cli.ts';
import { imageCommand, imageUser } from './image.ts';
import type { PresentImages } from './pull.ts';
import type { UserNamespace } from './args.ts';
import type { StepCapabilities } from './capabilities.ts';
import type { Podman } from './cli.ts';

/** Dependencies of an attempt, from the executor. */
export interface PodDeps {
  dataDir: string;
  podman: Podman;
  now: () => Date;
  /** how long a stopped container gets between SIGTERM and SIGKILL */
  graceMs: number;
  network: 'outside' | 'none';
  allowPrivileged: boolean;
  /** the capabilities containers get (`--step-capabilities`) */
  capabilities: StepCapabilities;
  /** the data directory's label value (LABEL_DATA_DIR) */
  dataDirKey: string;
  /** settles once the leftovers of an earlier kiln on this data directory are removed: pods wait for it */
  swept: Promise<void>;
  /** images this executor found present lately (pull.ts PresentImages) */
  present?: PresentImages;
  /** the pods' user namespace (args.ts), when kiln runs as root */
  userns?: UserNamespace;
}

/** The shared, mutable core of one running attempt. */
export interface PodRuntime {
  deps: PodDeps;
  plan: ExecutionPlan;
  state: ExecutionSnapshot;
  layout: AttemptLayout;
  /** volume name → host directory */
  volumes: ReadonlyMap<string, string>;
  trusted: TrustedDirs;
  pod: string;
  labels: Record<string, string>;
  /** set by cancel(): everything not yet started is skipped */
  stop?: { kind: 'cancelled' | 'timeout'; message: string };
  abort: AbortController;
  /** step containers a cancel() removes: name → their `podman run` */
  live: Map<string, RunningProcess>;
  changed(): void;
  ts(): string;
}

/** A started container: its podman name and the attached `podman run`. */
export interface Started { name: string; proc: RunningProcess }

/** The process executor's binds without its sandbox extras (no host busybox: images bring their own shell). */
const NO_SANDBOX: HostTools = { which: () => undefined, applets: () => new Set(), root: () => [], masks: [] };

/** The attempt's own directory as steps see it (`/tekton/…` in messages). */
export function attemptDir(rt: PodRuntime): Dir {
  return rt.trusted.dir(rt.layout.root, '/tekton');
}

/**
 * The host path podman binds for `b`: a volume's sub-directory is opened beneath the volume
 * without following a link (a claim is shared with earlier runs, whose steps could have planted
 * one) and named by its real path. podman binds by path, so a link swapped in between is not
 * excluded as it is with bwrap's --bind-fd.
 */
function bindSource(rt: PodRuntime, b: Bind): string {
  if (!b.beneath || b.beneath.kept || !b.beneath.rel) return b.src;
  const fd = bindSourceBeneath(rt.trusted.dir(b.beneath.root, ''), b.beneath.rel);
  try {
    return readlinkSync(fdPath(fd));
  } finally {
    closeQuietly(fd);
  }
}

/**
 * The binds with a /tekton/creds of the container's own when it runs as a user other than the
 * pods' root (runAsUser), as Tekton's per-step creds volumes: the shared one is root's, 0700. Only
 * where kiln maps the pods' ids (as root), so that it can hand the files to that user.
 */
function withOwnCredentials(rt: PodRuntime, c: PlanContainer, own: string, binds: Bind[]): Bind[] {
  const uid = c.runAs?.uid;
  const ns = rt.deps.userns;
  if (!ns || uid === undefined || uid === 0 || uid >= ns.size || !Object.keys(rt.plan.credentials ?? {}).length) return binds;
  const gid = c.runAs?.gid ?? 0;
  const rel = writeOwnCredentials(rt.layout, rt.plan, rt.trusted, own, { uid: ns.base + uid, gid: ns.base + (gid < ns.size ? gid : 0) });
  return binds.map((b) => (b.dest === '/tekton/creds' ? { ...b, src: join(rt.layout.root, rel), beneath: { root: rt.layout.root, rel, kept: true } } : b));
}

/** Opens in-container path `path` for appending on the host, beneath its bind; the caller closes the descriptor. */
function openTee(rt: PodRuntime, binds: readonly Bind[], field: string, path: string): number {
  const at = sandboxPath(path);
  const b = bindFor(binds, at);
  if (!b?.beneath || at === b.dest) throw new Error(`${field}.path ${path}: kiln can only write it in a workspace, a volume or under /tekton`);
  return appendBeneath(rt.trusted.dir(b.beneath.root, ''), join(b.beneath.rel, at.slice(b.dest.length + 1)));
}

/** Creates the working directory on the host when it lies in a bind (podman creates none it lacks). */
function makeWorkingDir(rt: PodRuntime, binds: readonly Bind[], wd: string): void {
  const b = bindFor(binds, wd);
  if (b?.beneath && wd !== b.dest && !b.readOnly) mkdirBeneath(rt.trusted.dir(b.beneath.root, ''), join(b.beneath.rel, wd.slice(b.dest.length + 1)));
}

/**
 * Starts container `planned` attached, its output into its log file; an error says why it cannot
 * start (`code` 125: podman's own failure, such as an image it cannot pull).
 */
export async function startContainer(rt: PodRuntime, planned: PlanContainer, role: ContainerRole): Promise<Started | { error: string; code?: number }> {
  let c = planned;
  if (c.script === undefined && !c.command?.length) {
    const r = await imageCommand(rt.deps.podman, c.image, c.args ?? []);
    if ('error' in r) return { error: r.error, code: 125 };
    c = { ...c, command: r.argv, args: [] };
  }
  // whether the image's user is root decides whether capabilities are granted (args.ts)
  const imageUserOf = rt.deps.capabilities === 'kubernetes' && !c.privileged && c.runAs?.uid === undefined ? await imageUser(rt.deps.podman, c.image) : undefined;
  const { binds: shared, errors } = containerBinds(NO_SANDBOX, { plan: rt.plan, layout: rt.layout, volumes: rt.volumes, trusted: rt.trusted }, c, role);
  if (errors.length) return { error: errors.join('; ') };
  const name = podmanName(rt.pod, c.containerName);
  const own = `${c.containerName}-${role.index}`;
  let binds = shared;
  try {
    binds = withOwnCredentials(rt, c, own, shared);
  } catch (e) {
    return { error: `/tekton/creds of ${c.containerName}: ${(e as Error).message}` };
  }
  const held: number[] = [];
  let args: string[] | { error: string };
  let passed: Record<string, string>;
  const tees: (string | undefined)[] = [];
  try {
    const mounts: MountArg[] = binds.map((b) => ({ src: bindSource(rt, b), dest: b.dest, readOnly: b.readOnly }));
    const wd = workingDir(c);
    makeWorkingDir(rt, binds, wd);
    if (c.script !== undefined) writeBeneath(attemptDir(rt), `scripts/${own}`, scriptText(c.script), 0o755);
    const env = envFileOf(containerEnvPairs(c.env));
    passed = env.passed;
    mkdirBeneath(rt.trusted.dir(rt.layout.root, ''), 'podman');
    writeBeneath(attemptDir(rt), `podman/${own}.env`, env.text, 0o600);
    for (const [field, path] of [['stdoutConfig', c.stdoutPath], ['stderrConfig', c.stderrPath]] as const) {
      const fd = path && role.kind === 'step' ? openTee(rt, binds, field, path) : undefined;
      if (fd !== undefined) held.push(fd);
      tees.push(fd === undefined ? undefined : fdPath(fd));
    }
    args = runArgs({
      pod: rt.pod, name, labels: { ...rt.labels, [LABEL_CONTAINER]: c.containerName }, container: c, mounts, workingDir: wd,
      envFile: join(rt.layout.root, 'podman', `${own}.env`), passEnv: Object.keys(passed),
      script: c.script !== undefined ? `/tekton/scripts/${own}` : undefined, allowPrivileged: rt.deps.allowPrivileged,
      capabilities: rt.deps.capabilities, imageUser: imageUserOf,
    });
  } catch (e) {
    held.forEach(closeQuietly);
    return { error: (e as Error).message };
  }
  if ('error' in args) {
    held.forEach(closeQuietly);
    return args;
  }
  const proc = await startProcess({
    argv: [rt.deps.podman.bin, ...args],
    env: { ...rt.deps.podman.env, ...passed },
    logFile: join(rt.layout.logs, `${c.containerName}.log`),
    stdoutTee: tees[0],
    stderrTee: tees[1],
    filter: planMasker(rt.plan)?.filter,
  }).finally(() => held.forEach(closeQuietly));
  return { name, proc };
}

/** `podman rm -f` of container `name` until its `podman run` has exited (it may not exist yet when asked); resolves with that exit. */
export async function removeContainer(rt: PodRuntime, s: Started, graceMs: number): Promise<ProcessExit> {
  let over = false;
  const exited = s.proc.exited.finally(() => { over = true; });
  const t = String(Math.floor(graceMs / 1000));
  while (!over) {
    await podmanRun(rt.deps.podman, ['rm', '--force', '--time', t, s.name]);
    if (!over) await Promise.race([exited, new Promise((r) => setTimeout(r, 250))]);
  }
  return exited;
}

/** Waits for a step container, removing it after `timeoutMs`; `timedOut` tells whether the timer fired. */
export async function waitContainer(rt: PodRuntime, s: Started, timeoutMs: number | undefined): Promise<{ exit: ProcessExit; timedOut: boolean }> {
  let timedOut = false;
  const timer = timeoutMs && timeoutMs > 0
    ? setTimeout(function stepTimeout() {
        timedOut = true;
        void removeContainer(rt, s, rt.deps.graceMs);
      }, timeoutMs)
    : undefined;
  const exit = await s.proc.exited;
  if (timer) clearTimeout(timer);
  return { exit, timedOut };
}
