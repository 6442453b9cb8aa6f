// recordOutcomes: folds what the controller did (the outcomes of a step's actions) into the operation state.
import type { Outcome, Step } from './actions.ts';
import { Results, resultKey, withPhase, withReasons, type TaskView } from './results.ts';
import type { OperationState, ResourceResult, SyncTask } from './types.ts';

function asView(r: ResourceResult): TaskView {
  const task = { group: r.group, kind: r.kind, name: r.name } as SyncTask;
  return { task, status: r.status, phase: r.hookPhase, message: r.message };
}

/**
 * The state after the step's actions ran. Apply and prune outcomes become results (Synced + Running, or
 * Succeeded in a dry-run operation; Pruned; SyncFailed + Failed); a failed namespace creation or dry run fails
 * the operation; failed hook deletions and finalizer removals mark the hook Error. When every action ran and
 * none failed, the step's `onSuccess` applies. A finished step (`done`) keeps its phase: its batches are the
 * hook deletions of the delete policies. Outcomes for unknown ids are ignored.
 */
export function recordOutcomes(step: Step, outcomes: readonly Outcome[], now: string): OperationState {
  const state = step.state;
  const results = new Results(state.syncResult?.resources);
  const dryRunOp = !!state.operation.sync.dryRun;
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const failedNs: ResourceResult[] = [];
  const failedPreflight: ResourceResult[] = [];
  let failed = false, ran = 0, total = 0;
  for (const batch of step.batches) {
    for (const a of batch) {
      total++;
      const o = byId.get(a.id);
      if (!o) continue;
      ran++;
      const msg = o.message ?? '';
      const prev = results.get(resultKey(a.result));
      if (a.type === 'apply') {
        if (!o.ok) {
          failed = true;
          // the API names the field; the manifest's file:line names where to fix it
          results.set(a.result, 'SyncFailed', 'Failed', `${a.origin ? `${a.origin}: ` : ''}${msg || 'apply failed'}`);
          const r = results.get(resultKey(a.result)) as ResourceResult;
          if (a.stage === 'namespace') failedNs.push(r);
          if (a.stage === 'preflight') failedPreflight.push(r);
        } else if (!a.dryRun || a.stage !== 'preflight') {
          results.set(a.result, 'Synced', dryRunOp ? 'Succeeded' : 'Running', msg);
        }
      } else if (a.type === 'prune') {
        if (o.ok || o.notFound) results.set(a.result, 'Pruned', 'Succeeded', 'pruned');
        else {
          failed = true;
          results.set(a.result, 'SyncFailed', 'Failed', msg || 'prune failed');
        }
      } else if (!o.ok && !o.notFound) {
        failed = true;
        const what = a.type === 'delete' ? 'failed to delete resource' : 'failed to remove hook finalizer';
        results.set(a.result, prev?.status ?? '', 'Error', `${what}: ${msg}`);
      }
    }
  }
  if (failedNs.length) return withPhase(state, results, 'Failed', withReasons('the namespace failed to apply', failedNs.map(asView)), now);
  if (failedPreflight.length) {
    return withPhase(state, results, 'Failed', withReasons('one or more objects failed to apply (dry run)', failedPreflight.map(asView)), now);
  }
  if (step.onSuccess && !failed && ran === total) return withPhase(state, results, step.onSuccess.phase, step.onSuccess.message, now);
  return withPhase(state, results, state.phase, state.message, now);
}
