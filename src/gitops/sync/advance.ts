// advance: the next step of a running sync operation, as gitops-engine's syncContext.Sync decides it: update
// running tasks from the live objects, wait while a multi-step sync has running tasks (or hooks run), fail
// into the SyncFail hooks when a task failed, else run the next phase/wave (prune, delete hooks before
// creation, apply by kind), and succeed when nothing is left.
import { HOOK_FINALIZER } from './annotations.ts';
import { CONFIRM_POLL_MS, POLL_MS, WAVE_DELAY_MS, type Action, type Step } from './actions.ts';
import { terminate } from './operation.ts';
import type { SyncPlan } from './plan.ts';
import {
  Results, isCompleted, isPending, isRunning, isSuccessful, isTerminal, label, objectRef, resultRef, view, waitingMessage, withPhase, withReasons, type TaskView,
} from './results.ts';
import type { Obj, OperationState, TaskPhase } from './types.ts';
import { healthOf, type HealthOptions } from '../health/health.ts';
import type { HealthStatus } from '../health/types.ts';

export interface AdvanceOptions {
  /** RFC 3339 time of this call (finishedAt) */
  now: string;
  /** the user confirmed the prunes waiting for it (`argocd.argoproj.io/deletion-approved` newer than startedAt) */
  pruneConfirmed?: boolean;
  /** Lua health customizations from argocd-cm */
  healthOptions?: HealthOptions;
  /** overrides the health check (tests, or a cached assessment) */
  health?: (live: Obj) => HealthStatus | undefined;
}

function metaOf(o: Obj | null): Obj {
  return (o?.metadata && typeof o.metadata === 'object' ? o.metadata : {}) as Obj;
}

/** A hook's phase from its health (gitops-engine getOperationPhase). */
function hookPhaseOf(h: HealthStatus | undefined, name: string): [TaskPhase, string] {
  if (!h) return ['Succeeded', `${name} created`];
  if (h.status === 'Degraded' || h.status === 'Unknown') return ['Failed', h.message ?? ''];
  if (h.status === 'Progressing' || h.status === 'Suspended') return ['Running', h.message ?? ''];
  if (h.status === 'Healthy') return ['Succeeded', h.message ?? ''];
  return ['Succeeded', `${name} created`];
}

class StepBuilder {
  readonly batches: Action[][] = [];
  private nextId = 0;
  batch(make: (id: () => number) => Action[]): void {
    const actions = make(() => this.nextId++);
    if (actions.length) this.batches.push(actions);
  }
}

/** The next step of `state` (see index.ts for the contract). Pure; never throws on user input. */
export function advance(plan: SyncPlan, state: OperationState, opts: AdvanceOptions): Step {
  if (isTerminal(state.phase)) return { state, batches: [], done: true };
  if (state.phase === 'Terminating') return terminate(plan, state, opts.now);
  const results = new Results(state.syncResult?.resources);
  const sb = new StepBuilder();
  const finish = (phase: 'Succeeded' | 'Failed' | 'Error', message: string): Step => ({ state: withPhase(state, results, phase, message, opts.now), batches: sb.batches, done: true });
  const running = (views: TaskView[], deletion: boolean, after = POLL_MS, message?: string): Step => ({
    state: withPhase(state, results, 'Running', message ?? waitingMessage(views, deletion), opts.now), batches: sb.batches, done: false, requeueAfterMs: after,
  });

  if (plan.invalid.length) {
    for (const { task, message } of plan.invalid) results.set(resultRef(task), 'SyncFailed', '', message);
    return finish('Failed', withReasons('one or more synchronization tasks are not valid', plan.invalid.map((i) => ({ task: i.task, status: 'SyncFailed', phase: '', message: i.message }))));
  }
  const health = opts.health ?? ((o: Obj) => healthOf(o, opts.healthOptions));
  let tasks = plan.tasks.map((t) => view(t, results));

  if (results.list.length === 0) {
    const ns = tasks.find((v) => !v.task.live && v.task.target && v.task.kind === 'Namespace' && v.task.group === '' && v.task.name === plan.namespace);
    if (ns) sb.batch((id) => [applyAction(id(), ns, plan.dryRun, 'namespace')]);
    let dry = tasks.filter((v) => v !== ns && v.task.target);
    if (plan.applyOutOfSyncOnly) dry = dry.filter((v) => v.task.isHook || !v.task.inSync);
    sb.batch((id) => applyByKind(id, dry, true, 'preflight'));
    if (ns) return running([], false, POLL_MS, 'one or more tasks are running');
  }

  for (const v of tasks) {
    if (!isRunning(v) || !v.task.live) continue;
    const h = health(v.task.live);
    if (v.task.isHook) {
      const [phase, message] = hookPhaseOf(h, v.task.name);
      results.set(resultRef(v.task), v.status, phase, message);
    } else if (!h || h.status === 'Healthy') results.set(resultRef(v.task), v.status, 'Succeeded', h?.message ?? '');
    else if (h.status === 'Degraded') results.set(resultRef(v.task), v.status, 'Failed', h.message ?? '');
  }
  tasks = plan.tasks.map((t) => view(t, results));

  const first = tasks[0], last = tasks[tasks.length - 1];
  const multiStep = !!first && (first.task.phase !== last.task.phase || first.task.wave !== last.task.wave);
  const runningTasks = tasks.filter((v) => (multiStep || v.task.isHook) && isRunning(v));
  if (runningTasks.length) {
    for (const v of runningTasks) {
      if (!v.task.live) results.set(resultRef(v.task), 'SyncFailed', 'Error', `Resource ${label(v.task)} is missing, it might have been deleted`);
    }
    return running(runningTasks, false);
  }
  const prunedPending = tasks.filter((v) => v.status === 'Pruned' && v.task.live && metaOf(v.task.live).deletionTimestamp);
  if (prunedPending.length) return running(prunedPending, true);

  const withFinalizer = (v: TaskView) => Array.isArray(metaOf(v.task.live).finalizers) && (metaOf(v.task.live).finalizers as unknown[]).includes(HOOK_FINALIZER);
  if (!plan.dryRun) {
    sb.batch((id) => tasks.filter((v) => v.task.isHook && isCompleted(v) && withFinalizer(v)).map((v) => finalizerAction(id(), v)));
  }
  const deletable = (policy: 'HookSucceeded' | 'HookFailed') =>
    tasks.filter((v) => v.task.isHook && v.task.live && !isRunning(v) && v.task.deletePolicies.includes(policy));
  const deleteHooks = (views: TaskView[], reason: 'HookSucceeded' | 'HookFailed') => {
    if (!plan.dryRun) sb.batch((id) => views.map((v) => deleteAction(id(), v, reason)));
  };

  const syncFail = tasks.filter((v) => v.task.phase === 'SyncFail');
  const rest = tasks.filter((v) => v.task.phase !== 'SyncFail');
  if (rest.some((v) => isCompleted(v) && !isSuccessful(v))) {
    deleteHooks(deletable('HookFailed'), 'HookFailed');
    const failed = rest.filter((v) => v.status === 'SyncFailed' || (isCompleted(v) && !isSuccessful(v)));
    return syncFailPhase(syncFail, withReasons('one or more synchronization tasks completed unsuccessfully', failed));
  }

  let pending = rest.filter(isPending);
  if (plan.applyOutOfSyncOnly) pending = pending.filter((v) => v.task.isHook || !v.task.target || !v.task.inSync);
  if (!pending.length) {
    deleteHooks(deletable('HookSucceeded'), 'HookSucceeded');
    return finish('Succeeded', 'successfully synced (no more tasks)');
  }
  const { phase, wave } = pending[0].task;
  const waveTasks = pending.filter((v) => v.task.phase === phase && v.task.wave === wave);
  const remaining = pending.length - waveTasks.length;
  const blocked = runTasks(waveTasks);
  if (blocked) return blocked;
  if (remaining === 0 && !waveTasks.some((v) => v.task.isHook)) {
    deleteHooks(deletable('HookSucceeded'), 'HookSucceeded');
    const step = running(waveTasks, false, WAVE_DELAY_MS, 'one or more tasks are running');
    return { ...step, onSuccess: { phase: 'Succeeded', message: 'successfully synced (all tasks run)' } };
  }
  return running(waveTasks, false, WAVE_DELAY_MS);

  /** Runs a wave (or the SyncFail hooks); returns a step when it must stop early (confirmation, deletions). */
  function runTasks(wave: TaskView[]): Step | undefined {
    const prunes = wave.filter((v) => !v.task.target);
    const creates = wave.filter((v) => v.task.target);
    if (!plan.dryRun) {
      sb.batch((id) => creates.filter((v) => v.task.isHook && v.task.live && withFinalizer(v)).map((v) => finalizerAction(id(), v)));
    }
    const toConfirm = prunes.filter((v) => v.task.prune?.requireConfirm && !v.task.prune.skip);
    if (toConfirm.length && !opts.pruneConfirmed) {
      const t = toConfirm[0].task;
      const more = toConfirm.length > 1 ? ` and ${toConfirm.length - 1} more resources` : '';
      const ref = objectRef(t);
      return running(toConfirm, true, CONFIRM_POLL_MS, `Waiting for pruning confirmation of ${ref.apiVersion}/${t.kind}/${t.name}${more}`);
    }
    sb.batch((id) => prunes.flatMap((v): Action[] => {
      const p = v.task.prune;
      if (p?.skip) results.set(resultRef(v.task), 'PruneSkipped', 'Succeeded', p.skip);
      else if (plan.dryRun) results.set(resultRef(v.task), 'Pruned', 'Succeeded', 'pruned (dry run)');
      else if (metaOf(v.task.live).deletionTimestamp) results.set(resultRef(v.task), 'Pruned', 'Succeeded', 'pruned');
      else return [{ id: id(), group: 0, type: 'prune', task: v.task.key, result: resultRef(v.task), ref: objectRef(v.task), propagationPolicy: p?.propagationPolicy ?? 'foreground' }];
      return [];
    }));
    const recreate = creates.filter((v) => v.task.isHook && v.task.live && v.task.deletePolicies.includes('BeforeHookCreation'));
    if (recreate.length && !plan.dryRun) {
      sb.batch((id) => recreate.map((v) => deleteAction(id(), v, 'BeforeHookCreation')));
      return running(recreate, true);
    }
    sb.batch((id) => applyByKind(id, creates, plan.dryRun, 'sync'));
    return undefined;
  }

  /** Starts the SyncFail hooks, or fails once they have all completed (gitops-engine executeSyncFailPhase). */
  function syncFailPhase(hooks: TaskView[], message: string): Step {
    if (!hooks.length) return finish('Failed', message);
    if (hooks.every(isCompleted)) {
      const failed = hooks.filter((v) => v.status === 'SyncFailed' || !isSuccessful(v));
      return finish('Failed', failed.length ? `${message}\n${withReasons('one or more SyncFail hooks failed', failed)}` : message);
    }
    const toStart = hooks.filter((v) => isPending(v));
    const blocked = runTasks(toStart);
    if (blocked) return blocked;
    return running(hooks.filter((v) => !isCompleted(v)), false, POLL_MS, `${message}; running SyncFail hooks`);
  }
}

function applyAction(id: number, v: TaskView, dryRun: boolean, stage: 'namespace' | 'preflight' | 'sync', group = 0): Action {
  const t = v.task;
  const options = t.apply ?? { serverSideApply: false, replace: false, force: false, validate: true, skipDryRunOnMissingResource: false };
  const object = t.target as Obj;
  return { id, group, type: 'apply', task: t.key, result: resultRef(t), object, dryRun, options: dryRun ? { ...options, serverSideApply: false } : options, stage, ...(t.origin ? { origin: t.origin } : {}) };
}

/** Applies in task order, one group per run of the same kind (gitops-engine waits between kinds, not within one). */
function applyByKind(id: () => number, views: TaskView[], dryRun: boolean, stage: 'preflight' | 'sync'): Action[] {
  let group = 0;
  return views.map((v, i) => {
    if (i > 0 && views[i - 1].task.kind !== v.task.kind) group++;
    return applyAction(id(), v, dryRun, stage, group);
  });
}

function deleteAction(id: number, v: TaskView, reason: 'BeforeHookCreation' | 'HookSucceeded' | 'HookFailed' | 'Terminate'): Action {
  return { id, group: 0, type: 'delete', task: v.task.key, result: resultRef(v.task), ref: objectRef(v.task), reason };
}

function finalizerAction(id: number, v: TaskView): Action {
  return { id, group: 0, type: 'removeFinalizer', task: v.task.key, result: resultRef(v.task), ref: objectRef(v.task), finalizer: HOOK_FINALIZER };
}
