// Pure mapping from an executor snapshot to TaskRun status, with Tekton's reasons and messages.
import type { Condition } from '../../api/meta.ts';
import type { ResultValue } from '../../api/param.types.ts';
import type { StepState, SidecarState, TaskRunStatus } from '../../api/taskrun.types.ts';
import { TaskRunReason, StepReason, SUCCEEDED } from '../../api/reasons.ts';
import type { ContainerSnapshot, ExecutionSnapshot } from '../../executor/executor.ts';

export const MSG_RUNNING = 'Not all Steps in the Task have finished executing';
export const MSG_SUCCEEDED = 'All Steps have completed executing';

/** Go's time.Duration String(): 1h0m0s, 10s, 500ms, 1.5s. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = +(totalS % 60).toFixed(3);
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

export function condition(status: Condition['status'], reason: string, message: string, now: string): Condition {
  return { type: SUCCEEDED, status, reason, message, lastTransitionTime: now };
}

/** The Succeeded condition of a status, if any. */
export function succeededCondition(status: TaskRunStatus | undefined): Condition | undefined {
  return status?.conditions?.find((c) => c.type === SUCCEEDED);
}

export function isDone(status: TaskRunStatus | undefined): boolean {
  const c = succeededCondition(status);
  return !!c && c.status !== 'Unknown';
}

/** Sets the Succeeded condition, keeping lastTransitionTime when nothing changed. */
export function withCondition(status: TaskRunStatus, c: Condition): TaskRunStatus {
  const old = succeededCondition(status);
  const same = old && old.status === c.status && old.reason === c.reason && old.message === c.message;
  return { ...status, conditions: [same ? old : c] };
}

function stepState(c: ContainerSnapshot): StepState {
  const base: StepState = { name: c.name, container: c.containerName };
  if (c.phase === 'waiting') return { ...base, waiting: { reason: 'PodInitializing' } };
  if (c.phase === 'running') return { ...base, running: { startedAt: c.startedAt } };
  const reason = c.reason ?? (c.exitCode === 0 ? StepReason.Completed : StepReason.Error);
  const out: StepState = {
    ...base,
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: reason === StepReason.Continued ? 'Error' : reason,
      message: c.message,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
    },
    terminationReason: reason,
  };
  if (c.results && Object.keys(c.results).length) {
    out.results = Object.entries(c.results).map(([name, value]) => ({ name, type: 'string', value }));
  }
  return out;
}

function sidecarState(c: ContainerSnapshot): SidecarState {
  const base: SidecarState = { name: c.name, container: c.containerName, ready: c.ready };
  if (c.phase === 'terminated') return { ...base, terminated: { exitCode: c.exitCode ?? 0, reason: c.reason, startedAt: c.startedAt, finishedAt: c.finishedAt } };
  if (c.phase === 'running') return { ...base, running: { startedAt: c.startedAt } };
  return base;
}

/** Step and sidecar states of a snapshot as TaskRun status fields. */
export function containerStatus(snap: ExecutionSnapshot): Pick<TaskRunStatus, 'steps' | 'sidecars' | 'logDir'> {
  return { steps: snap.steps.map(stepState), sidecars: snap.sidecars.map(sidecarState), logDir: snap.logDir };
}

export interface FinalInput {
  taskRunName: string;
  timeoutMs: number | undefined;
  statusMessage?: string;
  results: ResultValue[];
  resultErrors: string[];
  now: string;
  /** the machine has no network: a registry it could not reach makes the run Unsupported, not Failed */
  offline?: boolean;
}

/** A pull refused because the registry could not be reached at all (name lookup, connection). */
const UNREACHABLE = /no such host|dial tcp|network is unreachable|connection refused|temporary failure in name resolution|ENOTFOUND|EAI_AGAIN|ENETUNREACH|ECONNREFUSED/i;

/** The terminal condition for a finished attempt. */
export function finalCondition(snap: ExecutionSnapshot, input: FinalInput): Condition {
  const o = snap.outcome!;
  const { now } = input;
  switch (o.status) {
    case 'succeeded':
      if (input.resultErrors.length) return condition('False', TaskRunReason.Failed, input.resultErrors.join('; '), now);
      return condition('True', TaskRunReason.Succeeded, MSG_SUCCEEDED, now);
    case 'timeout':
      return condition('False', TaskRunReason.Timeout, `TaskRun "${input.taskRunName}" failed to finish within "${formatGoDuration(input.timeoutMs ?? 0)}"`, now);
    case 'cancelled':
      return condition('False', TaskRunReason.Cancelled, `TaskRun "${input.taskRunName}" was cancelled. ${input.statusMessage ?? o.message}`.trim(), now);
    case 'failed':
      if (o.reason === 'ImagePullFailed' && input.offline && UNREACHABLE.test(o.message)) {
        return condition('False', TaskRunReason.Unsupported, `needs the network, which this machine does not have: ${o.message}`, now);
      }
      return condition('False', o.reason === 'ImagePullFailed' ? TaskRunReason.ImagePullFailed : TaskRunReason.Failed, o.message, now);
  }
}
