// The PipelineRun's status: task counts, the Succeeded condition with Tekton's reasons and
// messages (pipelinerunstate.go getPipelineTasksCount / GetPipelineConditionStatus),
// childReferences and skippedTasks.
import type { Condition } from '../../api/meta.ts';
import type { ChildStatusReference, SkippedTask } from '../../api/pipelinerun.types.ts';
import { SUCCEEDED } from '../../api/reasons.ts';
import { replace } from '../substitute.ts';
import type { ObservedChild } from './facts.types.ts';
import { SkipReason, type Judge } from './judge.ts';
import type { RunContext, TaskState } from './model.ts';
import { conditionOf, isCancelled, isFailure, isSuccessful, runFailed } from './runs.ts';
import { UNSUPPORTED } from './validate.ts';

/** PipelineRun condition reasons kiln writes (v1.PipelineRunReason, plus kiln's Unsupported). */
export const PipelineRunReason = {
  Running: 'Running',
  Succeeded: 'Succeeded',
  Completed: 'Completed',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
  Pending: 'PipelineRunPending',
  Timeout: 'PipelineRunTimeout',
  Stopping: 'PipelineRunStopping',
  CancelledRunningFinally: 'CancelledRunningFinally',
  StoppedRunningFinally: 'StoppedRunningFinally',
  Unsupported: UNSUPPORTED,
} as const;

/** How many tasks are in each state (a matrixed task counts once). */
export interface TaskCounts {
  succeeded: number;
  failed: number;
  ignoredFailed: number;
  cancelled: number;
  skipped: number;
  skippedDueToTimeout: number;
  incomplete: number;
}

const TIMEOUT_SKIPS: ReadonlySet<string> = new Set([SkipReason.PipelineTimeout, SkipReason.TasksTimeout, SkipReason.FinallyTimeout]);

/** Counts every task (tasks and finally) in Tekton's order of precedence. */
export function countTasks(ctx: RunContext, judge: Judge): TaskCounts {
  const c: TaskCounts = { succeeded: 0, failed: 0, ignoredFailed: 0, cancelled: 0, skipped: 0, skippedDueToTimeout: 0, incomplete: 0 };
  for (const t of ctx.tasks.values()) {
    const skip = judge.skip(t.name);
    if (isSuccessful(t.runs, judge.expectedRuns(t.name))) c.succeeded++;
    else if (isCancelled(t.runs)) c.cancelled++;
    else if (isFailure(t.runs)) judge.ignoredFailure(t.name) ? c.ignoredFailed++ : c.failed++;
    else if (skip !== undefined && TIMEOUT_SKIPS.has(skip)) { c.skipped++; c.skippedDueToTimeout++; }
    else if (skip !== undefined) c.skipped++;
    else c.incomplete++;
  }
  return c;
}

/** `Tasks Completed: N (Failed: F[ (Ignored: I)], Cancelled C), Skipped: S[, Incomplete: I]` */
export function countsMessage(c: TaskCounts, running: boolean): string {
  const completed = c.succeeded + c.failed + c.cancelled + c.ignoredFailed;
  const failed = c.failed + c.ignoredFailed;
  if (running) return `Tasks Completed: ${completed} (Failed: ${failed}, Cancelled ${c.cancelled}), Skipped: ${c.skipped}, Incomplete: ${c.incomplete}`;
  const f = c.ignoredFailed > 0 ? `${failed} (Ignored: ${c.ignoredFailed})` : String(failed);
  return `Tasks Completed: ${completed} (Failed: ${f}, Cancelled ${c.cancelled}), Skipped: ${c.skipped}`;
}

/** A condition's status, reason and message (the time is added by {@link withTime}). */
export type ConditionCore = Pick<Condition, 'status' | 'reason' | 'message'>;

/**
 * The Succeeded condition from the counts. All tasks done: Failed (a failure, or a task skipped
 * by a timeout) > Cancelled (graceful cancel/stop: `PipelineRun "<name>" was cancelled`; or a
 * cancelled task) > Completed (some skipped) > Succeeded. Still going: CancelledRunningFinally /
 * StoppedRunningFinally when requested, PipelineRunStopping once a task was cancelled or failed
 * with every finally task done, else Running. A failed child whose reason is `Unsupported` makes
 * a failed run `Unsupported` with that child's message.
 */
export function conditionFor(ctx: RunContext, judge: Judge, c: TaskCounts): ConditionCore {
  const graceful = ctx.specStatus === 'CancelledRunFinally' || ctx.specStatus === 'StoppedRunFinally';
  if (c.incomplete > 0) {
    let reason: string = PipelineRunReason.Running;
    if (ctx.specStatus === 'CancelledRunFinally') reason = PipelineRunReason.CancelledRunningFinally;
    else if (ctx.specStatus === 'StoppedRunFinally') reason = PipelineRunReason.StoppedRunningFinally;
    else if (c.cancelled > 0 || (c.failed > 0 && ctx.fin.every(judge.isDone))) reason = PipelineRunReason.Stopping;
    return { status: 'Unknown', reason, message: countsMessage(c, true) };
  }
  const message = countsMessage(c, false);
  let out: ConditionCore = { status: 'True', reason: c.skipped > 0 ? PipelineRunReason.Completed : PipelineRunReason.Succeeded, message };
  if (c.failed > 0 || c.skippedDueToTimeout > 0) out = { status: 'False', reason: PipelineRunReason.Failed, message };
  else if (graceful) out = { status: 'False', reason: PipelineRunReason.Cancelled, message: `PipelineRun "${ctx.id.name}" was cancelled` };
  else if (c.cancelled > 0) out = { status: 'False', reason: PipelineRunReason.Cancelled, message };
  const unsupported = unsupportedChild(ctx);
  if (out.status === 'False' && unsupported) out = { status: 'False', reason: UNSUPPORTED, message: conditionOf(unsupported)?.message ?? '' };
  return out;
}

function unsupportedChild(ctx: RunContext): ObservedChild | undefined {
  for (const t of ctx.tasks.values()) {
    const hit = t.runs.find((r) => runFailed(r) && conditionOf(r)?.reason === UNSUPPORTED);
    if (hit) return hit;
  }
  return undefined;
}

/** The condition with `lastTransitionTime`, kept from `prior` when nothing changed. */
export function withTime(core: ConditionCore, prior: Condition | undefined, nowIso: string): Condition {
  const same = prior && prior.status === core.status && prior.reason === core.reason && prior.message === core.message;
  return { type: SUCCEEDED, status: core.status, reason: core.reason, message: core.message, lastTransitionTime: same ? prior.lastTransitionTime : nowIso };
}

/** The string params of a child, as `params.<name>` replacements. */
function runParamStrings(run: ObservedChild): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of run.spec.params ?? []) if (typeof p.value === 'string') out.set(`params.${p.name}`, p.value);
  return out;
}

/**
 * The display name of one child: the task's displayName; for a matrixed task, the name of the
 * first `include` entry whose params the child has, else the displayName; both with the child's
 * params substituted.
 */
export function displayNameOf(t: TaskState, judge: Judge, run: ObservedChild): string | undefined {
  // substitution only fills fields the task has: without a displayName there is nothing to resolve
  if (!t.matrixed && !t.pt.displayName) return undefined;
  const pt = judge.resolved(t.name).pt;
  if (!t.matrixed) return pt.displayName || undefined;
  const params = runParamStrings(run);
  const include = (pt.matrix?.include ?? []).find((inc) => inc.name && (inc.params ?? []).every((p) => params.get(`params.${p.name}`) === p.value));
  const name = include?.name ?? pt.displayName;
  return name ? replace(name, params) : undefined;
}

/** `childReferences`: every child (TaskRun, or PipelineRun), tasks then finally, in spec and combination order. */
export function childReferences(ctx: RunContext, judge: Judge): ChildStatusReference[] {
  const prior = ctx.input.pipelineRun.status?.childReferences ?? [];
  const out: ChildStatusReference[] = [];
  for (const t of ctx.tasks.values()) {
    const when = t.pt.when?.length ? judge.resolved(t.name).pt.when : undefined;
    for (const run of t.runs) {
      const displayName = displayNameOf(t, judge, run);
      const ref: ChildStatusReference = {
        apiVersion: 'tekton.dev/v1',
        kind: run.kind ?? 'TaskRun',
        name: run.metadata.name ?? '',
        ...(displayName ? { displayName } : {}),
        pipelineTaskName: t.name,
      };
      if (when?.length) ref.whenExpressions = when;
      const before = prior[out.length];
      out.push(before && sameReference(before, ref) ? before : ref);
    }
  }
  // unchanged: the prior list itself, so that writing the status shares it rather than copying it
  return out.length === prior.length && out.every((r, i) => r === prior[i]) ? prior as ChildStatusReference[] : out;
}

/** The two references say the same (field order aside). */
function sameReference(a: ChildStatusReference, b: ChildStatusReference): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.displayName === b.displayName
    && a.pipelineTaskName === b.pipelineTaskName && Object.keys(a).length === Object.keys(b).length
    && (a.whenExpressions === b.whenExpressions || JSON.stringify(a.whenExpressions) === JSON.stringify(b.whenExpressions));
}

/**
 * `skippedTasks`: every skipped task with its reason; a DAG task carries its (substituted) when
 * expressions, a finally task only when they are why it was skipped.
 */
export function skippedTasks(ctx: RunContext, judge: Judge): SkippedTask[] {
  const out: SkippedTask[] = [];
  for (const t of ctx.tasks.values()) {
    const reason = judge.skip(t.name);
    if (reason === undefined) continue;
    const s: SkippedTask = { name: t.name, reason };
    const when = t.pt.when?.length ? judge.resolved(t.name).pt.when : undefined;
    if (when?.length && (!t.final || reason === SkipReason.When)) s.whenExpressions = when;
    out.push(s);
  }
  return out;
}
