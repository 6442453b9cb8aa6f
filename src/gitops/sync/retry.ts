// Retrying a failed sync operation with backoff, as Argo CD's application controller does: a Failed or
// Error operation goes back to Running with retryCount+1 while the limit allows, and restarts (results
// cleared) once its backoff has passed.
import { parseDuration } from '../../api/duration.ts';
import type { OperationState, RetryBackoff, RetryStrategy } from './types.ts';

export const DEFAULT_BACKOFF = { duration: '5s', factor: 2, maxDuration: '3m' } as const;
/** Automated syncs retry 5 times unless spec.syncPolicy.retry says otherwise. */
export const AUTOMATED_RETRY_LIMIT = 5;

/** A duration as Argo CD reads it: a bare integer is seconds, else a Go duration. */
export function parseBackoffDuration(s: string | undefined, field: string): { ms: number } | { error: string } {
  if (s === undefined || s === '') return { error: `${field}: empty` };
  if (/^\d+$/.test(s.trim())) return { ms: Number(s.trim()) * 1000 };
  const ms = parseDuration(s.trim());
  return ms === undefined ? { error: `${field}: unable to parse "${s}" as a duration` } : { ms };
}

/**
 * The wait before retry number `attempt` + 1 (attempt 0 = the first retry): duration × factor^attempt, capped at
 * maxDuration (when > 0). Defaults 5s, 2, 3m: 5s, 10s, 20s, 40s, 80s, 160s, 180s…
 */
export function retryDelay(attempt: number, backoff: RetryBackoff = {}): { ms: number } | { error: string } {
  const d = parseBackoffDuration(backoff.duration ?? DEFAULT_BACKOFF.duration, 'retry.backoff.duration');
  if ('error' in d) return d;
  const max = parseBackoffDuration(backoff.maxDuration ?? DEFAULT_BACKOFF.maxDuration, 'retry.backoff.maxDuration');
  if ('error' in max) return max;
  const factor = backoff.factor ?? DEFAULT_BACKOFF.factor;
  if (!Number.isFinite(factor) || factor < 0) return { error: `retry.backoff.factor: ${factor} is not a non-negative number` };
  const wait = d.ms * Math.pow(factor, Math.max(0, attempt));
  return { ms: max.ms > 0 ? Math.min(wait, max.ms) : wait };
}

function kitchen(iso: string): string {
  const t = new Date(iso);
  const h = t.getUTCHours(), m = t.getUTCMinutes();
  return `${h % 12 || 12}:${String(m).padStart(2, '0')}${h < 12 ? 'AM' : 'PM'}`;
}

/** Whether a finished operation is retried: Failed or Error, not terminated, retryCount below the limit (< 0 = unlimited). */
export function shouldRetry(state: OperationState, terminated = false): boolean {
  const limit = state.operation.retry?.limit ?? 0;
  const count = state.retryCount ?? 0;
  return (state.phase === 'Failed' || state.phase === 'Error') && !terminated && (limit < 0 || count < limit);
}

/**
 * Called once an operation reaches Failed/Error: either schedules a retry (phase Running, retryCount+1,
 * finishedAt kept as the time of the failure, message "… Retrying attempt #N at 3:04PM.") or leaves it failed
 * (message "… (retried N times)." when it had been retried).
 */
export function onOperationFailed(state: OperationState, now: string, terminated = false): { state: OperationState; retryAt?: string } {
  if (state.phase !== 'Failed' && state.phase !== 'Error') return { state };
  if (shouldRetry(state, terminated)) {
    const count = state.retryCount ?? 0;
    const delay = retryDelay(count, state.operation.retry?.backoff);
    if ('error' in delay) return { state: { ...state, phase: 'Failed', message: `${state.message} (failed to retry: ${delay.error})` } };
    const retryAt = new Date(Date.parse(now) + delay.ms).toISOString();
    return {
      state: { ...state, phase: 'Running', finishedAt: now, retryCount: count + 1, message: `${state.message}. Retrying attempt #${count + 1} at ${kitchen(retryAt)}.` },
      retryAt,
    };
  }
  const count = state.retryCount ?? 0;
  return { state: count > 0 ? { ...state, message: `${state.message} (retried ${count} times).` } : state };
}

/** For a Running operation waiting to retry (finishedAt set): how long until it may restart (0 = now). */
export function retryWaitMs(state: OperationState, now: string): number {
  if (state.phase !== 'Running' || !state.finishedAt || !state.retryCount) return 0;
  const delay = retryDelay(state.retryCount - 1, state.operation.retry?.backoff);
  const ms = 'error' in delay ? 0 : delay.ms;
  return Math.max(0, Date.parse(state.finishedAt) + ms - Date.parse(now));
}

/** The retry attempt's fresh start: results (syncResult.resources), message and finishedAt cleared (the revision too with retry.refresh). */
export function restartForRetry(state: OperationState): OperationState {
  const next: OperationState = { ...state, message: '' };
  delete next.finishedAt;
  if (state.syncResult) next.syncResult = { ...state.syncResult, resources: [] };
  if (state.operation.retry?.refresh) next.operation = { ...state.operation, sync: { ...state.operation.sync, revision: '' } };
  return next;
}

/** The retry strategy of an operation: the app's spec.syncPolicy.retry, else 5 retries for automated syncs. */
export function retryStrategyFor(spec: RetryStrategy | undefined, automated: boolean): RetryStrategy | undefined {
  return spec ?? (automated ? { limit: AUTOMATED_RETRY_LIMIT } : undefined);
}
