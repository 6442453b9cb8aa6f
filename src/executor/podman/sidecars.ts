// Sidecars on podman: long-running containers in the attempt's pod (steps reach them on
// localhost), started before the first step, gated on their startup/readiness probes (run with
// `podman exec`), removed after the last step. Same rules as the process executor's sidecars.
import { appendFile } from 'node:fs/promises';
import type { ExecutionOutcome, PlanContainer, PlanProbe } from '../executor.ts';
import { StepReason } from '../../api/reasons.ts';
import { pause } from '../process/launch.ts';
import { DEFAULT_PROBE_PERIOD_MS, firstFailure } from '../process/sidecars.ts';
import { podmanRun } from './cli.ts';
import { removeContainer, startContainer } from './container.ts';
import type { PodRuntime, Started } from './container.ts';

/** Kubernetes' defaults: the time budget of a probe without periodMs is failureThreshold × 10 s. */
const K8S_PERIOD_MS = 10_000;
const K8S_FAILURE_THRESHOLD = 3;
const K8S_PROBE_TIMEOUT_MS = 1000;
/** What `podman exec` itself takes, beyond the probe's own timeout. */
const EXEC_OVERHEAD_MS = 10_000;
/** How often kiln asks whether a sidecar's container runs yet. */
const RUNNING_POLL_MS = 100;

/** Running sidecars of one attempt. */
export interface Sidecars {
  /** resolves when every sidecar is ready, or with the failure that prevents it */
  ready: Promise<ExecutionOutcome | undefined>;
  /** removes every sidecar container (SIGTERM, then SIGKILL after the grace) */
  stop(): Promise<void>;
}

interface Control { stopping: boolean; signal: AbortSignal; started: (Started | undefined)[] }

function sidecarFailed(c: PlanContainer, message: string): ExecutionOutcome {
  return { status: 'failed', reason: 'SidecarFailed', message: `sidecar "${c.name}" ${message}` };
}

/** Resolves true once container `name` runs, false when the attempt stops or `gone()` first. */
async function running(rt: PodRuntime, ctl: Control, name: string, gone: () => boolean): Promise<boolean> {
  for (;;) {
    if (rt.stop || ctl.stopping || gone()) return false;
    const r = await podmanRun(rt.deps.podman, ['container', 'inspect', '--format', '{{.State.Running}}', name]);
    if (r.code === 0 && r.stdout.trim() === 'true') return true;
    await pause(ctl.signal, RUNNING_POLL_MS);
  }
}

/** Runs `probe` in the container until it succeeds; 'failed' when a startup probe exhausts its failure budget. */
async function runProbe(rt: PodRuntime, ctl: Control, name: string, probe: PlanProbe, startup: boolean, gone: () => boolean): Promise<'ok' | 'failed' | 'gone'> {
  await pause(ctl.signal, probe.initialDelayMs ?? 0);
  const begin = Date.now();
  const threshold = probe.failureThreshold ?? K8S_FAILURE_THRESHOLD;
  let failures = 0;
  for (;;) {
    if (rt.stop || ctl.stopping || gone()) return 'gone';
    const r = await podmanRun(rt.deps.podman, ['exec', name, ...probe.command], (probe.timeoutMs ?? K8S_PROBE_TIMEOUT_MS) + EXEC_OVERHEAD_MS);
    if (r.code === 0) return 'ok';
    failures++;
    const budgetSpent = probe.periodMs !== undefined || Date.now() - begin >= threshold * K8S_PERIOD_MS;
    if (startup && failures >= threshold && budgetSpent) return 'failed';
    await pause(ctl.signal, probe.periodMs ?? DEFAULT_PROBE_PERIOD_MS);
  }
}

/** Starts sidecar `index` and resolves once it is ready (or with why it never will be). */
async function startOne(rt: PodRuntime, ctl: Control, index: number): Promise<ExecutionOutcome | undefined> {
  const c = rt.plan.sidecars[index];
  const s = rt.state.sidecars[index];
  if (rt.stop) return undefined;
  const started = await startContainer(rt, c, { kind: 'sidecar', index });
  if ('error' in started) {
    await appendFile(s.logFile, `kiln: ${started.error}\n`).catch(() => undefined);
    Object.assign(s, { phase: 'terminated', exitCode: 127, reason: StepReason.Error, message: started.error, startedAt: rt.ts(), finishedAt: rt.ts() });
    rt.changed();
    return sidecarFailed(c, started.error);
  }
  ctl.started[index] = started;
  Object.assign(s, { phase: 'running', startedAt: rt.ts() });
  rt.changed();
  let gone: { code: number } | undefined;
  const exited = started.proc.exited.then(function sidecarExited(exit) {
    gone = exit;
    // Tekton stops a sidecar by swapping in a no-op image that exits 0
    const stopped = ctl.stopping;
    Object.assign(s, { phase: 'terminated', exitCode: stopped ? 0 : exit.code, reason: stopped || exit.code === 0 ? StepReason.Completed : StepReason.Error, finishedAt: rt.ts(), ready: false });
    rt.changed();
    return 'gone' as const;
  });
  const isGone = () => gone !== undefined;
  if (await Promise.race([running(rt, ctl, started.name, isGone), exited]) === true) {
    for (const [probe, startup] of [[c.startupProbe, true], [c.readinessProbe, false]] as const) {
      if (!probe) continue;
      const r = await Promise.race([runProbe(rt, ctl, started.name, probe, startup, isGone), exited]);
      if (r === 'failed') return sidecarFailed(c, `failed its ${startup ? 'startup' : 'readiness'} probe ${probe.failureThreshold ?? K8S_FAILURE_THRESHOLD} times`);
      if (r === 'gone') break;
    }
  }
  if (gone) return gone.code === 0 || rt.stop || ctl.stopping ? undefined : sidecarFailed(c, `exited with code ${gone.code} before it was ready`);
  if (!rt.stop && !ctl.stopping) {
    s.ready = true;
    rt.changed();
  }
  return undefined;
}

/** Starts every sidecar of the attempt; `ready` settles when all are ready or one failed. */
export function startSidecars(rt: PodRuntime): Sidecars {
  const abort = new AbortController();
  const ctl: Control = { stopping: false, signal: AbortSignal.any([rt.abort.signal, abort.signal]), started: [] };
  const starts = rt.plan.sidecars.map((_, i) => startOne(rt, ctl, i));
  return {
    ready: firstFailure(starts),
    stop: async function stopSidecars(): Promise<void> {
      ctl.stopping = true;
      abort.abort();
      await Promise.allSettled(starts);
      await Promise.all(ctl.started.map((s) => s && removeContainer(rt, s, rt.deps.graceMs)));
    },
  };
}
