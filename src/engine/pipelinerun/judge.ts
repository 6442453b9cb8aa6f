// Tekton's PipelineRunFacts questions over one call's state: is a task skipped (and why), done,
// is the run stopping, are the DAG tasks done, what do finally tasks see as `$(tasks.…status)`
// (pipelinerunresolution.go Skip/IsFinallySkipped, pipelinerunstate.go).
import { TaskRunReason } from '../../api/reasons.ts';
import { fanOut, hasEmptyArray, isMatrixed, matrixTypeProblems } from './matrix.ts';
import type { RunContext, TaskState } from './model.ts';
import { finished, resolveTask, sharedReplacements, type Resolved, type SharedReplacements } from './resolve.ts';
import { conditionOf, isFailure, isPipelineRunChild, isSuccessful, reasonOf, runFailed } from './runs.ts';
import { passed } from './timeouts.ts';
import { evaluateWhenExpressions } from './when-cel.ts';

/** Tekton's skipping reasons (v1.SkippingReason). */
export const SkipReason = {
  When: 'When Expressions evaluated to false',
  ParentSkipped: 'Parent Tasks were skipped',
  Stopping: 'PipelineRun was stopping',
  GracefullyCancelled: 'PipelineRun was gracefully cancelled',
  GracefullyStopped: 'PipelineRun was gracefully stopped',
  MissingResults: 'Results were missing',
  PipelineTimeout: 'PipelineRun timeout has been reached',
  TasksTimeout: 'PipelineRun Tasks timeout has been reached',
  FinallyTimeout: 'PipelineRun Finally timeout has been reached',
  EmptyMatrix: 'Matrix Parameters have an empty array',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** Answers about the tasks of one call; every answer is memoised. */
export interface Judge {
  /** why a task will not run (DAG task: Skip; finally task: IsFinallySkipped), or undefined */
  skip(name: string): SkipReason | undefined;
  /** succeeded, failed, or skipped */
  isDone(name: string): boolean;
  /** every DAG task is done */
  dagDone(): boolean;
  /** a DAG task failed (not under onError: continue): nothing new is scheduled */
  stopping(): boolean;
  /** the task with everything known substituted */
  resolved(name: string): Resolved;
  /** how many TaskRuns the task should have (matrix combinations, else 1) */
  expectedRuns(name: string): number;
  /** a failure ignored under onError: continue */
  ignoredFailure(name: string): boolean;
  /** CEL when expressions that could not be evaluated */
  celErrors(): string[];
}

/** The onError of a task is `continue` (after params), and the failure is one kiln may ignore. */
function ignores(t: TaskState): boolean {
  return t.pt.onError === 'continue' && !t.runs.some((r) => runFailed(r) && conditionOf(r)?.reason === 'Unsupported');
}

/** Builds the {@link Judge} of a call. */
export function createJudge(ctx: RunContext): Judge {
  const skipMemo = new Map<string, SkipReason | undefined>();
  const resolvedMemo = new Map<string, Resolved>();
  const celErrors: string[] = [];
  let shared: SharedReplacements | undefined;
  let dagDoneMemo: boolean | undefined;
  let stoppingMemo: boolean | undefined;
  let statesMemo: Map<string, string> | undefined;

  const task = (name: string): TaskState => ctx.tasks.get(name)!;

  function resolved(name: string): Resolved {
    let r = resolvedMemo.get(name);
    if (!r) {
      shared ??= sharedReplacements(ctx);
      const t = task(name);
      r = resolveTask(ctx, t, shared, t.final && dagDone() ? finallyStates() : undefined);
      resolvedMemo.set(name, r);
    }
    return r;
  }

  function expectedRuns(name: string): number {
    if (!task(name).matrixed) return 1; // a plain task: no need to resolve it
    const m = resolved(name).pt.matrix;
    if (!isMatrixed(m) || matrixTypeProblems(name, m).length) return 1;
    return fanOut(m).length;
  }

  function isDone(name: string): boolean {
    const t = task(name);
    if (t.runs.length) return finished(t) && (isFailure(t.runs) || t.runs.length >= expectedRuns(name));
    return skip(name) !== undefined;
  }

  function dagDone(): boolean {
    dagDoneMemo ??= ctx.dag.every(isDone);
    return dagDoneMemo;
  }

  function stopping(): boolean {
    stoppingMemo ??= ctx.dag.some((n) => isFailure(task(n).runs) && !ignores(task(n)));
    return stoppingMemo;
  }

  /** A matrix param is an empty array (substitution only fills matrices the task has). */
  function emptyMatrix(name: string): boolean {
    return !!task(name).pt.matrix && hasEmptyArray(resolved(name).pt.matrix);
  }

  function whenSkips(name: string): boolean {
    const verdict = evaluateWhenExpressions(resolved(name).pt.when);
    if (verdict.celError) celErrors.push(verdict.celError);
    return !verdict.celError && !verdict.run;
  }

  function dagSkip(name: string): SkipReason | undefined {
    const t = task(name);
    // kiln checks the graceful requests before "stopping" (Tekton checks stopping first, so its
    // reason flips once the tasks it cancelled report back); the outcome is the same.
    if (ctx.specStatus === 'CancelledRunFinally') return SkipReason.GracefullyCancelled;
    if (ctx.specStatus === 'StoppedRunFinally') return SkipReason.GracefullyStopped;
    if (stopping()) return SkipReason.Stopping;
    const deps = ctx.graph.deps.get(name) ?? [];
    if (deps.some((p) => { const r = skip(p); return r !== undefined && r !== SkipReason.When; })) return SkipReason.ParentSkipped;
    if (deps.every(isDone)) {
      const r = resolved(name);
      if (r.missing.length) {
        const producer = r.missing[0].ref.task;
        if (t.pt.onError === 'continue' || skip(producer) === SkipReason.When) return SkipReason.MissingResults;
      }
      if (whenSkips(name)) return SkipReason.When;
      if (passed(ctx.deadlines.pipeline, ctx.now)) return SkipReason.PipelineTimeout;
      if (passed(ctx.deadlines.tasks, ctx.now)) return SkipReason.TasksTimeout;
    }
    if (emptyMatrix(name)) return SkipReason.EmptyMatrix;
    return undefined;
  }

  function finallySkip(name: string): SkipReason | undefined {
    if (!dagDone()) return undefined;
    if (resolved(name).missing.length) return SkipReason.MissingResults;
    if (whenSkips(name)) return SkipReason.When;
    if (passed(ctx.deadlines.pipeline, ctx.now)) return SkipReason.PipelineTimeout;
    if (passed(ctx.deadlines.finally, ctx.now)) return SkipReason.FinallyTimeout;
    if (emptyMatrix(name)) return SkipReason.EmptyMatrix;
    return undefined;
  }

  function skip(name: string): SkipReason | undefined {
    const t = task(name);
    if (t.runs.length) return undefined;
    if (!skipMemo.has(name)) {
      skipMemo.set(name, undefined); // a re-entrant call (never expected: the DAG is acyclic) sees "not skipped"
      skipMemo.set(name, t.final ? finallySkip(name) : dagSkip(name));
    }
    return skipMemo.get(name);
  }

  /** `tasks.<t>.status`, `tasks.<t>.reason` of every DAG task and `tasks.status`, for finally tasks. */
  function finallyStates(): Map<string, string> {
    if (statesMemo) return statesMemo;
    const out = new Map<string, string>();
    let aggregate = dagDone() ? 'Succeeded' : 'None';
    for (const name of ctx.dag) {
      const t = task(name);
      const status = isSuccessful(t.runs, 1) ? 'Succeeded' : isFailure(t.runs) ? 'Failed' : 'None';
      out.set(`tasks.${name}.status`, status);
      out.set(`tasks.${name}.reason`, t.runs.length ? reasonOf(t.runs, t.pt.onError === 'continue') : '');
      if (aggregate === 'None') continue;
      if (t.runs.some(runFailed)) aggregate = 'Failed';
      else if (aggregate !== 'Failed' && skip(name) !== undefined) aggregate = 'Completed';
    }
    out.set('tasks.status', aggregate);
    statesMemo = out;
    return out;
  }

  return {
    skip,
    isDone,
    dagDone,
    stopping,
    resolved,
    expectedRuns,
    ignoredFailure: (name) => isFailure(task(name).runs) && ignores(task(name)),
    celErrors: () => [...new Set(celErrors)],
  };
}

/** Child TaskRuns of a task whose failure is to be marked FailureIgnored (a child PipelineRun keeps its reason). */
export function failuresToIgnore(t: TaskState): string[] {
  if (!ignores(t)) return [];
  return t.runs.filter((r) => {
    const reason = conditionOf(r)?.reason;
    return !isPipelineRunChild(r) && runFailed(r) && reason !== TaskRunReason.FailureIgnored && reason !== TaskRunReason.Cancelled;
  }).map((r) => r.metadata.name ?? '');
}
