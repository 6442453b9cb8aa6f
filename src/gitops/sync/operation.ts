// The life of an operation outside its steps: starting one, terminating it, recording it in history, and
// rolling back to a history entry.
import type { Action, Step } from './actions.ts';
import type { SyncPlan } from './plan.ts';
import { Results, isRunning, objectRef, resultRef, view, withPhase } from './results.ts';
import type { OperationState, RevisionHistory, Source, SyncOperation } from './types.ts';

export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** The initial operationState of a requested operation (phase Running, no results yet). */
export function startOperation(operation: SyncOperation, now: string, resolved: { revision: string; source?: Source; revisions?: string[]; sources?: Source[] }): OperationState {
  const syncResult: OperationState['syncResult'] = { resources: [], revision: resolved.revision };
  if (resolved.source) syncResult.source = resolved.source;
  if (resolved.revisions) syncResult.revisions = resolved.revisions;
  if (resolved.sources) syncResult.sources = resolved.sources;
  return { operation, phase: 'Running', message: '', syncResult, startedAt: now, retryCount: 0 };
}

/**
 * Terminating an operation (`argocd app terminate-op`): running hooks are deleted and marked Failed
 * "Terminated"; the operation ends Failed "Operation terminated".
 */
export function terminate(plan: SyncPlan, state: OperationState, now: string): Step {
  const results = new Results(state.syncResult?.resources);
  const actions: Action[] = [];
  for (const t of plan.tasks) {
    const v = view(t, results);
    if (!t.isHook || !isRunning(v)) continue;
    results.set(resultRef(t), v.status, 'Failed', 'Terminated');
    if (t.live) actions.push({ id: actions.length, group: 0, type: 'delete', task: t.key, result: resultRef(t), ref: objectRef(t), reason: 'Terminate' });
  }
  return { state: withPhase(state, results, 'Failed', 'Operation terminated', now), batches: actions.length ? [actions] : [], done: true };
}

/** Whether a finished operation goes into history: a successful sync of everything, not a dry run (selective syncs are not recorded). */
export function recordsHistory(state: OperationState): boolean {
  const s = state.operation.sync;
  return state.phase === 'Succeeded' && !s.dryRun && !s.resources?.length;
}

/** History with a new entry (id = last id + 1, from 0), keeping the newest `limit` entries (spec.revisionHistoryLimit, default 10). */
export function appendHistory(
  history: readonly RevisionHistory[] | undefined,
  state: OperationState,
  deployedAt: string,
  limit: number | undefined = DEFAULT_REVISION_HISTORY_LIMIT,
): RevisionHistory[] {
  const list = [...(history ?? [])];
  const id = list.length ? list[list.length - 1].id + 1 : 0;
  const r = state.syncResult;
  const entry: RevisionHistory = { id, deployedAt, deployStartedAt: state.startedAt };
  if (r?.sources?.length) {
    entry.revisions = r.revisions ?? [];
    entry.sources = r.sources;
  } else {
    entry.revision = r?.revision ?? state.operation.sync.revision ?? '';
    if (r?.source) entry.source = r.source;
  }
  if (state.operation.initiatedBy) entry.initiatedBy = state.operation.initiatedBy;
  list.push(entry);
  const keep = Math.max(0, limit ?? DEFAULT_REVISION_HISTORY_LIMIT);
  return list.length > keep ? list.slice(list.length - keep) : list;
}

export interface RollbackRequest {
  appName: string;
  /** spec.syncPolicy.automated is set (and not enabled: false) */
  automated: boolean;
  history: readonly RevisionHistory[] | undefined;
  id: number;
  prune?: boolean;
  dryRun?: boolean;
  initiatedBy?: SyncOperation['initiatedBy'];
}

/** The sync operation that rolls back to history entry `id`, or the reason it is refused. */
export function rollbackOperation(req: RollbackRequest): { operation: SyncOperation } | { error: string } {
  if (req.automated) return { error: `rollback cannot be initiated when auto-sync is enabled` };
  const entry = req.history?.find((h) => h.id === req.id);
  if (!entry) return { error: `application ${req.appName} does not have deployment with id ${req.id}` };
  const sync: SyncOperation['sync'] = { prune: !!req.prune, dryRun: !!req.dryRun };
  if (entry.sources?.length) {
    sync.revisions = entry.revisions ?? [];
    sync.sources = entry.sources;
  } else {
    sync.revision = entry.revision ?? '';
    if (entry.source) sync.source = entry.source;
  }
  return { operation: { sync, ...(req.initiatedBy ? { initiatedBy: req.initiatedBy } : {}) } };
}
