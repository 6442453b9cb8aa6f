// The podman executor: each attempt a pod, each step a container of its own image in it, over the
// same attempt directories as the process executor (see ARCHITECTURE.md "Step execution").
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ExecutionHandle, ExecutionPlan, Executor, PlanContainer, Unsupported } from '../executor.ts';
import { attemptBook } from '../process/attempts.ts';
import { ownCreatedDirs } from '../process/beneath.ts';
import { POD_USER_NAMESPACE } from './args.ts';
import { effectiveCapabilities, type StepCapabilities } from './capabilities.ts';
import { cpuLimit, memoryLimit } from './quantity.ts';
import { startPodAttempt } from './attempt.ts';
import type { PodAttempt } from './attempt.ts';
import { podmanWith, probePodman } from './cli.ts';
import { dataDirKey, sweepLeftovers } from './sweep.ts';

/** Options of `createPodmanExecutor`. */
export interface PodmanExecutorOptions {
  /** kiln's data directory: attempts live in `<dataDir>/runs/…` (bound into the containers), kiln's containers.conf in `<dataDir>/podman/` */
  dataDir: string;
  /** podman binary (default: `podman` on PATH) */
  podman?: string;
  /** clock for snapshot timestamps (default: `() => new Date()`) */
  now?: () => Date;
  /** grace between SIGTERM and SIGKILL when a container is stopped (default 2000 ms; podman counts whole seconds) */
  graceMs?: number;
  /** the pods' network: 'outside' (default: user-mode NAT by slirp4netns) or 'none' (loopback only, shared by the pod) */
  network?: 'outside' | 'none';
  /** containers may be privileged when they ask (`--allow-privileged`; default false: such a step fails, named) */
  allowPrivileged?: boolean;
  /**
   * the capabilities containers get (`--step-capabilities`; default 'none'). 'kubernetes' is only
   * for pods in a user namespace of their own: check {@link ownUserNamespaceProblem} first
   */
  capabilities?: StepCapabilities;
  /** unique suffix of each pod's name (default: 6 random hex digits) */
  suffix?: () => string;
}

/** Why podman cannot run kiln's containers here (undefined when it can), with kiln's containers.conf under `dataDir`. */
export function podmanUnusable(dataDir: string, bin = 'podman'): string | undefined {
  return probePodman(podmanWith(resolve(dataDir), bin));
}

/**
 * Why this podman's pods would not run in a user namespace of their own, so that capabilities given
 * to their containers would be the host's (undefined when they do): as root, kiln maps every pod
 * (POD_USER_NAMESPACE, docs/decisions/0022); otherwise podman must be rootless, which `podman info`
 * tells (a podman reached as another user, e.g. a remote rootful service, is not).
 */
export function ownUserNamespaceProblem(dataDir: string, bin = 'podman', uid = process.getuid?.()): string | undefined {
  if (uid === 0) return undefined;
  const p = podmanWith(resolve(dataDir), bin);
  const r = spawnSync(p.bin, ['info', '--format', '{{.Host.Security.Rootless}}'], { env: p.env, encoding: 'utf8', timeout: 30_000 });
  if (r.status === 0 && r.stdout.trim() === 'true') return undefined;
  const why = r.status === 0 ? 'podman runs containers as root here (not rootless)' : `podman info failed: ${r.error?.message ?? (r.stderr.trim() || `exit ${r.status}`)}`;
  return `${why} while kiln runs as uid ${uid ?? '?'}: its pods would share the host's user namespace, and capabilities there are the host's`;
}

/** What in one container this executor refuses before starting. */
function checkContainer(c: PlanContainer, kind: 'step' | 'sidecar', allowPrivileged: boolean, capabilities: StepCapabilities): Unsupported[] {
  const out: Unsupported[] = [];
  const what = `${kind} ${c.name}`;
  if (c.privileged && !allowPrivileged) out.push({ what: `${what} securityContext.privileged`, why: 'not allowed by this executor (--allow-privileged)' });
  const caps = c.privileged ? [] : effectiveCapabilities(c, capabilities, allowPrivileged);
  if ('why' in caps) out.push({ what: `${what} securityContext.capabilities.${caps.field}`, why: caps.why });
  if (!c.image) out.push({ what: `${what} image`, why: 'a container needs an image' });
  for (const [field, q, conv] of [['cpu', c.limits?.cpu, cpuLimit], ['memory', c.limits?.memory, memoryLimit]] as const) {
    const r = q ? conv(q) : undefined;
    if (r && 'error' in r) out.push({ what: `${what} computeResources.limits.${field}`, why: r.error });
  }
  return out;
}

/** Creates the podman executor. It assumes podman works (see {@link podmanUnusable}). */
export function createPodmanExecutor(opts: PodmanExecutorOptions): Executor {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const { now = () => new Date(), graceMs = 2000, network = 'outside', allowPrivileged = false, capabilities = 'none' } = opts;
  const suffix = opts.suffix ?? (() => randomBytes(3).toString('hex'));
  const podman = podmanWith(dataDir, opts.podman);
  const key = dataDirKey(dataDir);
  // what a kiln killed outright on this data directory left running goes before the first pod
  const swept = sweepLeftovers(podman, key).then(() => undefined, () => undefined);
  // as root, each pod gets a user namespace whose root owns what kiln creates for the steps
  const userns = process.getuid?.() === 0 ? POD_USER_NAMESPACE : undefined;
  if (userns) ownCreatedDirs({ uid: userns.base, gid: userns.base });
  const deps = { dataDir, podman, now, graceMs, network, allowPrivileged, capabilities, dataDirKey: key, swept, present: new Map<string, number>(), userns };
  const attempts = new Map<string, PodAttempt>();
  return {
    name: 'podman',
    check: (plan: ExecutionPlan): Unsupported[] => [
      ...plan.steps.flatMap((c) => checkContainer(c, 'step', allowPrivileged, capabilities)),
      ...plan.sidecars.flatMap((c) => checkContainer(c, 'sidecar', allowPrivileged, capabilities)),
    ],
    start: function start(plan: ExecutionPlan, onChange: () => void): ExecutionHandle {
      const existing = attempts.get(plan.id);
      if (existing) {
        existing.listen(onChange);
        return existing;
      }
      const handle = startPodAttempt(deps, plan, suffix(), onChange);
      attempts.set(plan.id, handle);
      return handle;
    },
    get: (id: string) => attempts.get(id),
    notices: () => [],
    ...attemptBook(dataDir, attempts),
  };
}
