// What the observed child TaskRuns of one PipelineTask say about it (pipelinerunresolution.go:
// isScheduled, isSuccessful, isFailure, isCancelled), matrix fan-out included.
import type { Condition } from '../../api/meta.ts';
import { SUCCEEDED, TaskRunReason } from '../../api/reasons.ts';
import type { ObservedTaskRun } from './facts.types.ts';

/** statusMessage of TaskRuns cancelled because the PipelineRun was cancelled. */
export const CANCELLED_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.';
/** statusMessage of TaskRuns cancelled because a PipelineRun timeout was reached. */
export const TIMEOUT_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has timed out.';
/** statusMessage of TaskRuns still running when the PipelineRun failed (kiln: nothing is left running). */
export const FAILED_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has failed.';

/** The Succeeded condition of a child. */
export function conditionOf(tr: ObservedTaskRun): Condition | undefined {
  return tr.status?.conditions?.find((c) => c.type === SUCCEEDED);
}

/** True or False: finished (Unknown, e.g. Running or ToBeRetried, is not). */
export function runDone(tr: ObservedTaskRun): boolean {
  const s = conditionOf(tr)?.status;
  return s === 'True' || s === 'False';
}

export function runSucceeded(tr: ObservedTaskRun): boolean {
  return conditionOf(tr)?.status === 'True';
}

export function runFailed(tr: ObservedTaskRun): boolean {
  return conditionOf(tr)?.status === 'False';
}

/**
 * Cancelled (not because of a timeout): a TaskRun cancelled because its PipelineRun timed out
 * counts as a failure, so the run ends Failed rather than Cancelled.
 */
export function runCancelled(tr: ObservedTaskRun): boolean {
  const c = conditionOf(tr);
  return c?.status === 'False' && c.reason === TaskRunReason.Cancelled && tr.spec.statusMessage !== TIMEOUT_MESSAGE;
}

/** A child that should receive a cancel request: not finished and not already asked to stop. */
export function runCancellable(tr: ObservedTaskRun): boolean {
  return !runDone(tr) && tr.spec.status !== 'TaskRunCancelled';
}

/** At least one TaskRun exists. */
export function isScheduled(runs: readonly ObservedTaskRun[]): boolean {
  return runs.length > 0;
}

/** Every expected TaskRun exists and succeeded. */
export function isSuccessful(runs: readonly ObservedTaskRun[], expected = 1): boolean {
  return runs.length > 0 && runs.length >= expected && runs.every(runSucceeded);
}

/** Every TaskRun finished and one failed (cancellations included). */
export function isFailure(runs: readonly ObservedTaskRun[]): boolean {
  return runs.length > 0 && runs.every(runDone) && runs.some(runFailed);
}

/** Every TaskRun finished and one was cancelled (not by a timeout). */
export function isCancelled(runs: readonly ObservedTaskRun[]): boolean {
  return runs.length > 0 && runs.every(runDone) && runs.some(runCancelled);
}

/** The condition reason `$(tasks.<t>.reason)` shows: a failed TaskRun's, else the first one's. */
export function reasonOf(runs: readonly ObservedTaskRun[], ignoreFailure: boolean): string {
  const failed = runs.find(runFailed);
  if (failed && ignoreFailure && !runCancelled(failed)) return TaskRunReason.FailureIgnored;
  return conditionOf(failed ?? runs[0])?.reason ?? '';
}
