// What the observed children of one PipelineTask say about it (pipelinerunresolution.go:
// isScheduled, isSuccessful, isFailure, isCancelled), matrix fan-out included. A child is a
// TaskRun or (pipelines in pipelines) a PipelineRun, judged alike by its Succeeded condition.
import type { Condition } from '../../api/meta.ts';
import { SUCCEEDED, TaskRunReason } from '../../api/reasons.ts';
import { CANCEL_MESSAGE_ANNOTATION, type ObservedChild, type ObservedPipelineRun, type PipelineRunStopStatus } from './facts.types.ts';

/** statusMessage of TaskRuns cancelled because the PipelineRun was cancelled. */
export const CANCELLED_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.';
/** statusMessage of TaskRuns cancelled because a PipelineRun timeout was reached. */
export const TIMEOUT_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has timed out.';
/** statusMessage of TaskRuns still running when the PipelineRun failed (kiln: nothing is left running). */
export const FAILED_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has failed.';

/** The child is a PipelineRun (a PipelineTask running a Pipeline). */
export function isPipelineRunChild(c: ObservedChild): c is ObservedPipelineRun {
  return c.kind === 'PipelineRun';
}

/** The Succeeded condition of a child. */
export function conditionOf(tr: ObservedChild): Condition | undefined {
  return tr.status?.conditions?.find((c) => c.type === SUCCEEDED);
}

/** True or False: finished (Unknown, e.g. Running or ToBeRetried, is not). */
export function runDone(tr: ObservedChild): boolean {
  const s = conditionOf(tr)?.status;
  return s === 'True' || s === 'False';
}

export function runSucceeded(tr: ObservedChild): boolean {
  return conditionOf(tr)?.status === 'True';
}

export function runFailed(tr: ObservedChild): boolean {
  return conditionOf(tr)?.status === 'False';
}

/** Why a child was asked to stop: a TaskRun's `spec.statusMessage`, a PipelineRun's annotation. */
export function cancelMessageOf(tr: ObservedChild): string | undefined {
  return isPipelineRunChild(tr) ? tr.metadata.annotations?.[CANCEL_MESSAGE_ANNOTATION] : tr.spec.statusMessage;
}

/**
 * Cancelled (not because of a timeout): a TaskRun cancelled because its PipelineRun timed out
 * counts as a failure, so the run ends Failed rather than Cancelled. A child PipelineRun is
 * cancelled when its reason is `Cancelled`.
 */
export function runCancelled(tr: ObservedChild): boolean {
  const c = conditionOf(tr);
  const reason = isPipelineRunChild(tr) ? 'Cancelled' : TaskRunReason.Cancelled;
  return c?.status === 'False' && c.reason === reason && cancelMessageOf(tr) !== TIMEOUT_MESSAGE;
}

const STOP_RANK: Record<string, number> = { StoppedRunFinally: 1, CancelledRunFinally: 2, Cancelled: 3 };

/**
 * A child that should receive a stop request: not finished and not already asked to stop (a
 * child PipelineRun: not already asked for `target` or something stronger; Cancelled >
 * CancelledRunFinally > StoppedRunFinally).
 */
export function runCancellable(tr: ObservedChild, target: PipelineRunStopStatus = 'Cancelled'): boolean {
  if (runDone(tr)) return false;
  if (!isPipelineRunChild(tr)) return tr.spec.status !== 'TaskRunCancelled';
  return (STOP_RANK[tr.spec.status ?? ''] ?? 0) < STOP_RANK[target];
}

/** At least one TaskRun exists. */
export function isScheduled(runs: readonly ObservedChild[]): boolean {
  return runs.length > 0;
}

/** Every expected TaskRun exists and succeeded. */
export function isSuccessful(runs: readonly ObservedChild[], expected = 1): boolean {
  return runs.length > 0 && runs.length >= expected && runs.every(runSucceeded);
}

/** Every TaskRun finished and one failed (cancellations included). */
export function isFailure(runs: readonly ObservedChild[]): boolean {
  return runs.length > 0 && runs.every(runDone) && runs.some(runFailed);
}

/** Every TaskRun finished and one was cancelled (not by a timeout). */
export function isCancelled(runs: readonly ObservedChild[]): boolean {
  return runs.length > 0 && runs.every(runDone) && runs.some(runCancelled);
}

/** The condition reason `$(tasks.<t>.reason)` shows: a failed TaskRun's, else the first one's. */
export function reasonOf(runs: readonly ObservedChild[], ignoreFailure: boolean): string {
  const failed = runs.find(runFailed);
  if (failed && ignoreFailure && !runCancelled(failed)) return TaskRunReason.FailureIgnored;
  return conditionOf(failed ?? runs[0])?.reason ?? '';
}
