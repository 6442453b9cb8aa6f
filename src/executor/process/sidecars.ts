// Sidecars: started before the first step, in their own sandboxes over the same directories,
// gated on their startup/readiness probes, stopped after the last step.
import { appendFile } from 'node:fs/promises';
import type { ExecutionOutcome, PlanContainer, PlanProbe } from '../executor.ts';
import { StepReason } from '../../api/reasons.ts';
import { launch, pause, waitWithTimeout } from './launch.ts';
import type { AttemptRuntime } from './launch.ts';
import { prepareContainer } from './prepare.ts';
import type { RunningProcess } from './spawn.ts';

/** Probe period when the plan gives none: a local exec is cheap, so poll each second. */
export const DEFAULT_PROBE_PERIOD_MS = 1000;
/** Kubernetes' defaults: the time budget of a probe without periodMs is failureThreshold × 10 s. */
const K8S_PERIOD_MS = 10_000;
const K8S_FAILURE_THRESHOLD = 3;
const K8S_PROBE_TIMEOUT_MS = 1000;

/** Running sidecars of one attempt. */
export interface Sidecars {
  /** resolves when every sidecar is ready, or with the failure that prevents it */
  ready: Promise<ExecutionOutcome | undefined>;
  /** stops every sidecar still running (SIGTERM, then SIGKILL after the grace) */
  stop(): Promise<void>;
}

/** Shared between the sidecars of one attempt: set when they are being stopped. */
interface Control {
  stopping: boolean;
  signal: AbortSignal;
  procs: (RunningProcess | undefined)[];
  /** probe processes in flight */
  probes: Set<RunningProcess>;
}

function sidecarFailed(c: PlanContainer, message: string): ExecutionOutcome {
  return { status: 'failed', reason: 'SidecarFailed', message: `sidecar "${c.name}" ${message}` };
}

/** Runs `probe` until it succeeds; 'failed' when a startup probe exhausts its failure budget. */
async function runProbe(rt: AttemptRuntime, ctl: Control, index: number, probe: PlanProbe, startup: boolean, gone: () => boolean): Promise<'ok' | 'failed' | 'gone'> {
  const c = rt.plan.sidecars[index];
  await pause(ctl.signal, probe.initialDelayMs ?? 0);
  const begin = Date.now();
  const threshold = probe.failureThreshold ?? K8S_FAILURE_THRESHOLD;
  let failures = 0;
  for (;;) {
    if (rt.stop || ctl.stopping || gone()) return 'gone';
    const p = prepareContainer(rt.deps.tools, rt.actx!, c, { kind: 'sidecar', index, command: probe.command });
    if (p.error) return 'failed';
    const proc = await launch(rt, p, { log: false });
    ctl.probes.add(proc);
    if (ctl.stopping) void proc.stop(rt.deps.graceMs);
    const { exit } = await waitWithTimeout(rt, proc, probe.timeoutMs ?? K8S_PROBE_TIMEOUT_MS);
    ctl.probes.delete(proc);
    if (exit.code === 0) return 'ok';
    failures++;
    const budgetSpent = probe.periodMs !== undefined || Date.now() - begin >= threshold * K8S_PERIOD_MS;
    if (startup && failures >= threshold && budgetSpent) return 'failed';
    await pause(ctl.signal, probe.periodMs ?? DEFAULT_PROBE_PERIOD_MS);
  }
}

/** How long a sidecar without probes runs before it counts as ready. */
export const NO_PROBE_SETTLE_MS = 250;

/** Starts sidecar `index` and resolves once it is ready (or with why it never will be). */
async function startOne(rt: AttemptRuntime, ctl: Control, index: number): Promise<ExecutionOutcome | undefined> {
  const c = rt.plan.sidecars[index];
  const s = rt.state.sidecars[index];
  const p = prepareContainer(rt.deps.tools, rt.actx!, c, { kind: 'sidecar', index });
  if (p.error) {
    await appendFile(p.logFile, `kiln: ${p.error}\n`).catch(() => undefined);
    Object.assign(s, { phase: 'terminated', exitCode: 127, reason: StepReason.Error, message: p.error, startedAt: rt.ts(), finishedAt: rt.ts() });
    rt.changed();
    return sidecarFailed(c, p.error);
  }
  const proc = await launch(rt, p, { track: false });
  ctl.procs[index] = proc;
  Object.assign(s, { phase: 'running', startedAt: rt.ts() });
  rt.changed();
  let gone: { code: number } | undefined;
  const exited = proc.exited.then(function sidecarExited(exit) {
    gone = exit;
    // Tekton stops a sidecar by swapping in a no-op image that exits 0
    const stopped = ctl.stopping;
    Object.assign(s, { phase: 'terminated', exitCode: stopped ? 0 : exit.code, reason: stopped || exit.code === 0 ? StepReason.Completed : StepReason.Error, finishedAt: rt.ts(), ready: false });
    rt.changed();
    return 'gone' as const;
  });
  for (const [probe, startup] of [[c.startupProbe, true], [c.readinessProbe, false]] as const) {
    if (!probe) continue;
    const r = await Promise.race([runProbe(rt, ctl, index, probe, startup, () => gone !== undefined), exited]);
    if (r === 'failed') return sidecarFailed(c, `failed its ${startup ? 'startup' : 'readiness'} probe ${probe.failureThreshold ?? K8S_FAILURE_THRESHOLD} times`);
    if (r === 'gone') break;
  }
  if (!c.startupProbe && !c.readinessProbe) {
    // No probe: Kubernetes calls a running container ready, which takes the kubelet a moment to
    // observe and report; give the sidecar that moment to do its start-up work.
    await Promise.race([new Promise((r) => setTimeout(r, NO_PROBE_SETTLE_MS)), exited]);
  }
  if (gone) return gone.code === 0 || rt.stop || ctl.stopping ? undefined : sidecarFailed(c, `exited with code ${gone.code} before it was ready`);
  if (!rt.stop && !ctl.stopping) {
    s.ready = true;
    rt.changed();
  }
  return undefined;
}

/** The first failure among `starts`, or undefined once all of them succeeded. */
export function firstFailure(starts: Promise<ExecutionOutcome | undefined>[]): Promise<ExecutionOutcome | undefined> {
  return new Promise(function settle(resolve) {
    let left = starts.length;
    if (left === 0) resolve(undefined);
    for (const start of starts) {
      start.then(
        (o) => (o ? resolve(o) : --left === 0 && resolve(undefined)),
        (e: Error) => resolve({ status: 'failed', reason: 'SidecarFailed', message: e.message }),
      );
    }
  });
}

/** Starts every sidecar of the attempt; `ready` settles when all are ready or one failed. */
export function startSidecars(rt: AttemptRuntime): Sidecars {
  const abort = new AbortController();
  const ctl: Control = { stopping: false, signal: AbortSignal.any([rt.abort.signal, abort.signal]), procs: [], probes: new Set() };
  const starts = rt.plan.sidecars.map((_, i) => startOne(rt, ctl, i));
  const ready = firstFailure(starts);
  return {
    ready,
    stop: async function stopSidecars(): Promise<void> {
      ctl.stopping = true;
      abort.abort();
      for (const p of ctl.probes) void p.stop(rt.deps.graceMs);
      await Promise.allSettled(starts);
      await Promise.all(ctl.procs.map((proc) => proc?.stop(rt.deps.graceMs)));
    },
  };
}
