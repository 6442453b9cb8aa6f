// A TaskRun attempt's Pod (podspec.ts) read back: each step's state from its init container's
// status and the wrapper's termination message, sidecars' readiness, the attempt's outcome from
// the Pod's phase, and the results the `report` container printed on its log. Pure.
import { StepReason } from '../../api/reasons.ts';
import { goDuration } from '../process/attempt.ts';
import type { ContainerSnapshot, ExecutionOutcome, ExecutionPlan, PlanContainer } from '../executor.ts';
import { parseTermination } from './wrapper.ts';

/** The part of a Pod's status read here (as the API returns it). */
export interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
}
export interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode?: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
  };
}

/** Image problems the kubelet reports while a container waits: the attempt fails with Tekton's reason. */
const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);

/** One step's snapshot from its init container's status. */
function stepState(c: PlanContainer, st: ContainerStatus | undefined, logFile: string): ContainerSnapshot {
  const base: ContainerSnapshot = { name: c.name, containerName: c.containerName, phase: 'waiting', logFile };
  const s = st?.state;
  if (s?.running) return { ...base, phase: 'running', startedAt: s.running.startedAt };
  const t = s?.terminated;
  if (!t) return s?.waiting?.message ? { ...base, message: s.waiting.message } : base;
  const times = { startedAt: t.startedAt, finishedAt: t.finishedAt };
  const term = parseTermination(t.message);
  if (term?.skipped) return { ...base, ...times, phase: 'terminated', exitCode: 0, reason: StepReason.Skipped };
  // the wrapper's own code; without its message the container itself ended (killed, OOM, no shell)
  const code = term?.exitCode ?? t.exitCode ?? 1;
  const reason = term?.timedOut ? StepReason.TimeoutExceeded
    : code === 0 ? StepReason.Completed
    : c.onError === 'continue' ? StepReason.Continued : StepReason.Error;
  const message = term?.timedOut
    ? `"${c.containerName}" exited because the step exceeded the specified timeout limit; step timeout ${goDuration(c.timeoutMs ?? 0)}`
    : !term && t.reason && t.reason !== 'Completed' ? `${t.reason}${t.message ? `: ${t.message}` : ''}` : undefined;
  return { ...base, ...times, phase: 'terminated', exitCode: code, reason, ...(message ? { message } : {}) };
}

/**
 * A step of a Pod that failed as a whole (its deadline, an eviction): one that never started is
 * skipped; at the deadline, one the kubelet killed (running, or ended without the wrapper's
 * message) timed out — as the other executors report an attempt's timeout.
 */
function stoppedStep(s: ContainerSnapshot, st: ContainerStatus | undefined, deadline: boolean): ContainerSnapshot {
  if (s.phase === 'waiting') return { ...s, phase: 'terminated', exitCode: 0, reason: StepReason.Skipped };
  const t = st?.state?.terminated;
  const killed = s.phase === 'running' || (t !== undefined && parseTermination(t.message) === undefined);
  if (!deadline || !killed) return s;
  const { message: _kubelet, ...rest } = s;
  return { ...rest, phase: 'terminated', exitCode: t?.exitCode ?? 1, reason: StepReason.TimeoutExceeded, ...(t?.finishedAt ? { finishedAt: t.finishedAt } : {}) };
}

/**
 * The steps of an attempt stopped by kiln (`cancel`): the running one Cancelled or
 * TimeoutExceeded, the rest skipped. At a timeout, the step the attempt was on when time ran out
 * timed out even when its container had not started yet (the Pod still starting, as Tekton
 * marks its waiting steps with the timeout), unless an earlier step had already failed.
 */
export function stopSteps(steps: readonly ContainerSnapshot[], kind: 'cancelled' | 'timeout', at: string): ContainerSnapshot[] {
  let current = kind === 'timeout';
  return steps.map((c) => {
    if (c.phase === 'terminated') {
      if (c.reason === StepReason.Error || c.reason === StepReason.TimeoutExceeded) current = false;
      return c;
    }
    const on = c.phase === 'running' || current;
    current = false;
    if (!on) return { ...c, phase: 'terminated', exitCode: 0, reason: StepReason.Skipped };
    return { ...c, phase: 'terminated', exitCode: 1, reason: kind === 'timeout' ? StepReason.TimeoutExceeded : StepReason.Cancelled, finishedAt: at };
  });
}

/** Steps and sidecars as the Pod's status shows them; `logFile(c)` names where kiln keeps each log. */
export function containersOf(plan: ExecutionPlan, status: PodStatus, logFile: (c: PlanContainer) => string): { steps: ContainerSnapshot[]; sidecars: ContainerSnapshot[] } {
  const byName = new Map((status.initContainerStatuses ?? []).map((s) => [s.name, s]));
  const deadline = status.phase === 'Failed' && status.reason === 'DeadlineExceeded';
  // at the deadline, the step the Pod was on times out even if its container had not started
  let current = deadline;
  const steps = plan.steps.map((c) => {
    const s = stepState(c, byName.get(c.containerName), logFile(c));
    if (status.phase !== 'Failed') return s;
    const r = stoppedStep(s, byName.get(c.containerName), deadline);
    if (s.phase === 'waiting' && current) Object.assign(r, { reason: StepReason.TimeoutExceeded, exitCode: 1 });
    if (r.reason !== StepReason.Completed && r.reason !== StepReason.Continued) current = false;
    return r;
  });
  const sidecars = plan.sidecars.map((c): ContainerSnapshot => {
    const st = byName.get(c.containerName);
    const base: ContainerSnapshot = { name: c.name, containerName: c.containerName, phase: 'waiting', logFile: logFile(c) };
    if (st?.state?.running) return { ...base, phase: 'running', startedAt: st.state.running.startedAt, ready: st.started === true || st.ready === true };
    const t = st?.state?.terminated;
    return t ? { ...base, phase: 'terminated', exitCode: t.exitCode, reason: t.reason, startedAt: t.startedAt, finishedAt: t.finishedAt } : base;
  });
  return { steps, sidecars };
}

/**
 * The attempt's outcome once the Pod shows one, else undefined: an image that cannot be pulled,
 * the deadline (the attempt's timeout), a Pod lost or evicted (the kubelet's reason), or the steps'.
 */
export function outcomeOf(plan: ExecutionPlan, podName: string, status: PodStatus, steps: readonly ContainerSnapshot[]): ExecutionOutcome | undefined {
  const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  for (const st of all) {
    const w = st.state?.waiting;
    if (!w?.reason || !PULL_FAILURES.has(w.reason)) continue;
    const c = [...plan.steps, ...plan.sidecars].find((x) => x.containerName === st.name);
    const kind = plan.sidecars.includes(c!) ? 'sidecar' : 'step';
    const what = c ? `the ${kind} "${c.name}"` : `the container "${st.name}"`;
    const image = c?.image ?? '';
    return { status: 'failed', reason: 'ImagePullFailed', message: `${what} in TaskRun "${plan.taskRunName}" failed to pull the image "${image}". The pod errored with the message: "${w.message ?? w.reason}."`, ...(c && kind === 'step' ? { step: c.name } : {}) };
  }
  if (status.phase === 'Failed' && status.reason === 'DeadlineExceeded') {
    return { status: 'timeout', message: `TaskRun "${plan.taskRunName}" failed to finish within "${goDuration(plan.timeoutMs ?? 0)}"` };
  }
  if (status.phase === 'Failed') {
    return { status: 'failed', reason: 'PodCreationFailed', message: `pod ${podName} failed${status.reason ? ` (${status.reason})` : ''}${status.message ? `: ${status.message}` : ''}` };
  }
  if (status.phase !== 'Succeeded') return undefined;
  const failed = steps.find((s, i) => s.phase === 'terminated' && (s.reason === StepReason.Error || (s.reason === StepReason.TimeoutExceeded && plan.steps[i].onError !== 'continue')));
  if (failed) return { status: 'failed', reason: 'StepFailed', message: `"${failed.containerName}" exited with code ${failed.exitCode ?? 1}`, step: failed.name };
  return { status: 'succeeded' };
}

/** What the `report` container printed: task results, step results by step, artifacts (raw text). */
export interface Reported { results: Record<string, string>; stepResults: Record<string, Record<string, string>>; artifacts?: string }

/** Parses the report's log; lines that are not its own are ignored. */
export function parseReport(log: string, plan: ExecutionPlan): Reported {
  const out: Reported = { results: {}, stepResults: {} };
  const stepOf = new Map(plan.steps.map((c) => [c.containerName, c.name]));
  for (const line of log.split('\n')) {
    const m = /^kiln-(result|step-result|artifacts) (\S+) ([A-Za-z0-9+/=]*)$/.exec(line);
    if (!m) continue;
    const text = Buffer.from(m[3], 'base64').toString('utf8');
    if (m[1] === 'result') out.results[m[2]] = text;
    else if (m[1] === 'artifacts') out.artifacts = text;
    else {
      const [container, name] = m[2].split('/', 2);
      const step = stepOf.get(container);
      if (step && name) (out.stepResults[step] ??= {})[name] = text;
    }
  }
  return out;
}
