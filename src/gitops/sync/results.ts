// Per-task results of a running operation (operationState.syncResult.resources), keyed as gitops-engine keys
// them (`group/kind/namespace/name:phase`), and the messages built from them.
import type { ObjectRef } from './actions.ts';
import type { OperationPhase, OperationState, ResourceResult, ResultCode, SyncTask, TaskPhase } from './types.ts';

export function resultKey(r: Pick<ResourceResult, 'group' | 'kind' | 'namespace' | 'name' | 'syncPhase'>): string {
  return `${r.group}/${r.kind}/${r.namespace}/${r.name}:${r.syncPhase}`;
}

/** The identity part of a result, from a task. */
export function resultRef(t: SyncTask): Omit<ResourceResult, 'status' | 'message' | 'hookPhase'> {
  return {
    group: t.group, version: t.version, kind: t.kind, namespace: t.namespace, name: t.name, syncPhase: t.phase,
    ...(t.isHook ? { hookType: t.phase } : {}), ...(t.target ? {} : { syncWave: t.ownWave }),
  };
}

export function objectRef(t: SyncTask): ObjectRef {
  return { apiVersion: t.group ? `${t.group}/${t.version}` : t.version, kind: t.kind, namespace: t.namespace, name: t.name };
}

/** Results in insertion order (Argo CD's `Order`), addressable by key. */
export class Results {
  readonly list: ResourceResult[];
  private readonly index = new Map<string, number>();

  constructor(initial: readonly ResourceResult[] = []) {
    this.list = initial.map((r) => ({ ...r }));
    this.list.forEach((r, i) => this.index.set(resultKey(r), i));
  }

  get(key: string): ResourceResult | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.list[i];
  }

  /** Sets a result; an empty message keeps the previous one (gitops-engine keeps the latest message). */
  set(ref: Omit<ResourceResult, 'status' | 'message' | 'hookPhase'>, status: ResultCode | '', hookPhase: TaskPhase, message: string): void {
    const key = resultKey(ref);
    const prev = this.get(key);
    const next: ResourceResult = { ...ref, status, hookPhase, message: message || prev?.message || '' };
    if (prev) this.list[this.index.get(key) as number] = next;
    else {
      this.index.set(key, this.list.length);
      this.list.push(next);
    }
  }
}

/** A task with its recorded outcome. */
export interface TaskView {
  task: SyncTask;
  status: ResultCode | '';
  phase: TaskPhase;
  message: string;
}

export function view(t: SyncTask, results: Results): TaskView {
  const r = results.get(t.key);
  return { task: t, status: r?.status ?? '', phase: r?.hookPhase ?? '', message: r?.message ?? '' };
}

export const isPending = (v: TaskView) => v.phase === '';
export const isRunning = (v: TaskView) => v.phase === 'Running' || v.phase === 'Terminating';
export const isCompleted = (v: TaskView) => v.phase === 'Succeeded' || v.phase === 'Failed' || v.phase === 'Error';
export const isSuccessful = (v: TaskView) => v.phase === 'Succeeded';

export function isTerminal(phase: OperationPhase): boolean {
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';
}

/** `group/kind/name` as Argo CD names a resource in its messages (the core group left out). */
export function label(t: Pick<SyncTask, 'group' | 'kind' | 'name'>): string {
  return `${t.group ? t.group + '/' : ''}${t.kind}/${t.name}`;
}

/** `<message>, reason: <resource>: <its message>, …` naming each failed resource. */
export function withReasons(message: string, failed: readonly TaskView[]): string {
  const reasons = [...new Set(failed.filter((v) => v.message).map((v) => `${label(v.task)}: ${v.message}`))];
  return reasons.length ? `${message}, reason: ${reasons.join('; ')}` : message;
}

/** "waiting for healthy state of X and N more resources" (gitops-engine setRunningPhase). */
export function waitingMessage(views: readonly TaskView[], deletion: boolean): string {
  if (!views.length) return '';
  const hooks = views.filter((v) => v.task.isHook);
  const resources = views.filter((v) => !v.task.isHook);
  let reason = hooks.length ? 'completion of hook' : 'healthy state of';
  if (deletion) reason = hooks.length ? 'deletion of hook' : 'deletion of';
  const first = (hooks[0] ?? resources[0]).task;
  const more = views.length - 1;
  return `waiting for ${reason} ${label(first)}${more > 0 ? ` and ${more} more ${resources.length ? 'resources' : 'hooks'}` : ''}`;
}

/** A copy of the state with new results, phase and message (finishedAt set when the phase is terminal). */
export function withPhase(state: OperationState, results: Results, phase: OperationPhase, message: string, now: string): OperationState {
  const syncResult = { ...(state.syncResult ?? { revision: '' }), resources: results.list };
  const next: OperationState = { ...state, phase, message, syncResult };
  if (isTerminal(phase)) next.finishedAt = isTerminal(state.phase) && state.finishedAt ? state.finishedAt : now;
  return next;
}
