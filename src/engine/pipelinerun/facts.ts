// decide(): the pure PipelineRun engine. Given the run, its Pipeline, the referenced Tasks, its
// children and the clock, it answers what to create, what to cancel and what the status is, the
// way Tekton's PipelineRun reconciler and PipelineRunFacts do. Level-based: the same input gives
// the same decisions, and a child that exists (by name) is never created again. Children are
// TaskRuns, and child PipelineRuns for PipelineTasks that run a Pipeline (pipelines in pipelines).
import { CONFIG_DEFAULTS } from '../../api/config.ts';
import { formatDuration } from '../../api/duration.ts';
import type { Condition } from '../../api/meta.ts';
import type { PipelineRunStatus } from '../../api/pipelinerun.types.ts';
import { SUCCEEDED } from '../../api/reasons.ts';
import { assembleStatus, plainChildReferences } from './assemble.ts';
import { buildContext, deadlinesFor, identityOf, pipelineParamValues } from './context.ts';
import { runsPipeline } from './apply.ts';
import { pipelineRunFor, taskRunsFor } from './create.ts';
import type { ChildToCancel, Decisions, FactsInput, ObservedChild, PipelineRunStopStatus, PipelineRunToCreate, TaskRunToCreate } from './facts.types.ts';
import { createJudge, failuresToIgnore, type Judge } from './judge.ts';
import type { RunContext } from './model.ts';
import { usesCel } from './when-cel.ts';
import type { Graph } from '../../dag/dag.ts';
import type { ParamValue } from '../../api/param.types.ts';
import type { PipelineSpec } from '../../api/pipeline.types.ts';
import type { PipelineRunSpec } from '../../api/pipelinerun.types.ts';
import { pipelineResults } from './results.ts';
import { CANCELLED_MESSAGE, FAILED_MESSAGE, isPipelineRunChild, runCancellable, TIMEOUT_MESSAGE } from './runs.ts';
import { childReferences, conditionFor, countTasks, PipelineRunReason, skippedTasks, withTime, type ConditionCore } from './status.ts';
import { passed, untilNext } from './timeouts.ts';
import { validateBindings, validateGraph, validateParams, validateSpec, validateTaskRefs, validateTaskRunSpecs, type Failure, type RunIdentity } from './validate.ts';

export type {
  ChildToCancel, Decisions, FactsInput, ObservedChild, ObservedPipelineRun, ObservedTaskRun, PipelineRunToCancel, PipelineRunToCreate, TaskRunToCancel, TaskRunToCreate,
} from './facts.types.ts';

/** Options for {@link decide}; defaults are Tekton's `config-defaults`. */
export interface DecideOptions {
  /** `default-max-matrix-combinations-count`; default 256 */
  maxMatrixCombinations?: number;
}

function doneCondition(status: PipelineRunStatus | undefined): boolean {
  const c = status?.conditions?.find((x) => x.type === SUCCEEDED);
  return !!c && c.status !== 'Unknown';
}

function priorCondition(input: FactsInput): Condition | undefined {
  return input.pipelineRun.status?.conditions?.find((c) => c.type === SUCCEEDED);
}

/** The decisions for one PipelineRun now. Never throws; user problems become a failed condition. */
export function decide(input: FactsInput, opts: DecideOptions = {}): Decisions {
  const max = opts.maxMatrixCombinations ?? CONFIG_DEFAULTS.maxMatrixCombinations;
  const pr = input.pipelineRun;
  const prior = pr.status ?? {};
  if (doneCondition(prior)) return { create: [], cancel: [], status: prior };
  const id = identityOf(input);
  if (pr.spec.status === 'PipelineRunPending' && !prior.startTime) {
    return { create: [], cancel: [], status: assembleStatus(prior, { condition: withTime({ status: 'Unknown', reason: PipelineRunReason.Pending, message: `PipelineRun "${id.name}" is pending` }, priorCondition(input), input.nowIso) }) };
  }
  if (pr.spec.status === 'Cancelled') return cancelled(input);
  const checked = earlyChecks(input, id, max);
  if ('failure' in checked) return failedBeforeStart(input, checked.failure);
  const ctx = buildContext(input, id, checked.values, checked.graph, max);
  const refs = validateTaskRefs([...ctx.tasks.values()].map((t) => t.pt), input.tasks, id);
  if (refs) return failedBeforeStart(input, refs);
  const judge = createJudge(ctx);
  if (passed(ctx.deadlines.pipeline, ctx.now)) return timedOut(ctx, judge);
  return proceed(ctx, judge, max);
}

type Checked = { graph: Graph; values: ReadonlyMap<string, ParamValue> } | { failure: Failure };

/** The last early checks of a spec object, with what they depended on besides it. */
const checkedMemo = new WeakMap<PipelineSpec, { run: PipelineRunSpec; key: string; result: Checked }>();

/**
 * The checks made before anything is judged (spec, DAG, params, bindings, taskRunSpecs) and the
 * param values: they depend only on the spec, the run's spec and who it is, so for the same
 * objects (a controller keeps both across reconciles) the last answer is reused.
 */
function earlyChecks(input: FactsInput, id: RunIdentity, max: number): Checked {
  const spec = input.pipelineSpec;
  const run = input.pipelineRun.spec;
  if (usesCel(spec)) return checkAnew(input, id, max); // CEL syntax checks depend on CEL being loaded
  const key = JSON.stringify([id.namespace, id.name, id.pipelineName, max]);
  const memo = checkedMemo.get(spec);
  if (memo && memo.run === run && memo.key === key) return memo.result;
  const result = checkAnew(input, id, max);
  checkedMemo.set(spec, { run, key, result });
  return result;
}

function checkAnew(input: FactsInput, id: RunIdentity, max: number): Checked {
  const spec = input.pipelineSpec;
  const run = input.pipelineRun.spec;
  const preflight = validateSpec(spec, run, id, max);
  if (preflight) return { failure: preflight };
  const g = validateGraph(spec, id);
  if ('failure' in g) return g;
  const values = pipelineParamValues(input);
  const early = validateParams(spec, run.params ?? [], values, id) ?? validateBindings(spec, run, id) ?? validateTaskRunSpecs(spec, run, id);
  return early ? { failure: early } : { graph: g.graph, values };
}

/** The request that stops `c`: a TaskRun is cancelled, a child PipelineRun gets `specStatus`. */
function stopRequest(c: ObservedChild, message: string, specStatus: PipelineRunStopStatus = 'Cancelled'): ChildToCancel {
  const name = c.metadata.name ?? '';
  return isPipelineRunChild(c) ? { kind: 'PipelineRun', name, statusMessage: message, specStatus } : { name, statusMessage: message };
}

/** Cancels every unfinished child with `message`. */
function cancelAll(input: FactsInput, message: string): ChildToCancel[] {
  return input.children.filter((c) => runCancellable(c)).map((c) => stopRequest(c, message));
}

/** A terminal status from `core` (completionTime now). */
function finish(input: FactsInput, core: ConditionCore, extra: Partial<PipelineRunStatus> = {}): PipelineRunStatus {
  return assembleStatus(input.pipelineRun.status ?? {}, {
    condition: withTime(core, priorCondition(input), input.nowIso),
    startTime: input.pipelineRun.status?.startTime ?? input.nowIso,
    completionTime: input.nowIso,
    pipelineSpec: input.pipelineSpec,
    childReferences: plainChildReferences(input),
    ...extra,
  });
}

/** `spec.status: Cancelled`: cancel every child, run nothing (not even finally), fail now. */
function cancelled(input: FactsInput): Decisions {
  const name = input.pipelineRun.metadata.name ?? '';
  return {
    create: [],
    cancel: cancelAll(input, CANCELLED_MESSAGE),
    status: finish(input, { status: 'False', reason: PipelineRunReason.Cancelled, message: `PipelineRun "${name}" was cancelled` }),
  };
}

/** A failure found before anything could be scheduled (validation, missing Task, unsupported). */
function failedBeforeStart(input: FactsInput, f: Failure): Decisions {
  return { create: [], cancel: cancelAll(input, FAILED_MESSAGE), status: finish(input, { status: 'False', reason: f.reason, message: f.message }) };
}

/** `timeouts.pipeline` passed: cancel everything (finally too) and fail with PipelineRunTimeout. */
function timedOut(ctx: RunContext, judge: Judge): Decisions {
  const input = ctx.input;
  const core = { status: 'False' as const, reason: PipelineRunReason.Timeout, message: `PipelineRun "${ctx.id.name}" failed to finish within "${formatDuration(ctx.deadlines.pipelineMs)}"` };
  return {
    create: [],
    cancel: cancelAll(input, TIMEOUT_MESSAGE),
    status: finish(input, core, { childReferences: childReferences(ctx, judge), skippedTasks: skippedTasks(ctx, judge), finallyStartTime: input.pipelineRun.status?.finallyStartTime }),
  };
}

/** The TaskRuns and child PipelineRuns to create now, or the failure that ends the run instead. */
function schedule(ctx: RunContext, judge: Judge, max: number): { create: TaskRunToCreate[]; pipelineRuns: PipelineRunToCreate[]; failure?: Failure } {
  const existing = new Set(ctx.input.children.map((c) => c.metadata.name ?? ''));
  const create: TaskRunToCreate[] = [];
  const pipelineRuns: PipelineRunToCreate[] = [];
  const ready = (name: string) => {
    const t = ctx.tasks.get(name)!;
    if (judge.skip(name) !== undefined) return false;
    if (t.runs.length) return t.matrixed && t.runs.length < judge.expectedRuns(name) && !judge.stopping() && !ctx.specStatus;
    return t.final ? judge.dagDone() : (ctx.graph.deps.get(name) ?? []).every(judge.isDone);
  };
  for (const name of [...ctx.dag, ...ctx.fin]) {
    if (!ready(name)) continue;
    const t = ctx.tasks.get(name)!;
    const r = judge.resolved(name);
    if (r.missing.length) return { create: [], pipelineRuns: [], failure: { reason: 'InvalidTaskResultReference', message: `[User error] ${r.missing[0].message}` } };
    if (runsPipeline(t.pt)) {
      const p = pipelineRunFor(ctx, t, r, existing);
      if ('failure' in p) return { create: [], pipelineRuns: [], failure: p.failure };
      pipelineRuns.push(...p.create);
      continue;
    }
    const c = taskRunsFor(ctx, t, r, existing, max);
    if ('failure' in c) return { create: [], pipelineRuns: [], failure: c.failure };
    create.push(...c.create);
  }
  return { create, pipelineRuns };
}

/**
 * The running children to stop: timeouts of a section (Cancelled), or a graceful request for DAG
 * tasks: CancelledRunFinally cancels TaskRuns and passes CancelledRunFinally on to child
 * PipelineRuns; StoppedRunFinally lets TaskRuns finish and passes StoppedRunFinally on to child
 * PipelineRuns (which then finish their running tasks and run their finally tasks).
 */
function cancellations(ctx: RunContext): ChildToCancel[] {
  const out: ChildToCancel[] = [];
  const tasksTimedOut = passed(ctx.deadlines.tasks, ctx.now);
  const finallyTimedOut = passed(ctx.deadlines.finally, ctx.now);
  for (const t of ctx.tasks.values()) {
    let message: string | undefined;
    let specStatus: PipelineRunStopStatus = 'Cancelled';
    let pipelineRunsOnly = false;
    if (!t.final && tasksTimedOut) message = TIMEOUT_MESSAGE;
    else if (t.final && finallyTimedOut) message = TIMEOUT_MESSAGE;
    else if (!t.final && ctx.specStatus === 'CancelledRunFinally') { message = CANCELLED_MESSAGE; specStatus = 'CancelledRunFinally'; }
    else if (!t.final && ctx.specStatus === 'StoppedRunFinally') { message = CANCELLED_MESSAGE; specStatus = 'StoppedRunFinally'; pipelineRunsOnly = true; }
    if (!message) continue;
    for (const r of t.runs) {
      if (pipelineRunsOnly && !isPipelineRunChild(r)) continue;
      if (runCancellable(r, specStatus)) out.push(stopRequest(r, message, specStatus));
    }
  }
  return out;
}

/** A run in progress: schedule, cancel, count, and write the condition (and results when done). */
function proceed(ctx: RunContext, judge: Judge, max: number): Decisions {
  const input = ctx.input;
  const prior = input.pipelineRun.status ?? {};
  const counts = countTasks(ctx, judge);
  const finallyStartTime = prior.finallyStartTime ?? (judge.dagDone() && ctx.fin.length ? input.nowIso : undefined);
  // finally tasks created now get a timeout within the finally deadline that starts now
  const deadlines = finallyStartTime === prior.finallyStartTime ? ctx.deadlines : deadlinesFor(input, finallyStartTime);
  const scheduled = schedule({ ...ctx, deadlines }, judge, max);
  const celError = judge.celErrors()[0];
  const failure: Failure | undefined = celError
    ? { reason: 'CELEvaluationFailed', message: `[User error] Error evaluating CEL ${ctx.id.name}: ${celError}` }
    : scheduled.failure;
  const common = { childReferences: childReferences(ctx, judge), skippedTasks: skippedTasks(ctx, judge), finallyStartTime };
  if (failure) {
    return { create: [], cancel: cancelAll(input, FAILED_MESSAGE), status: finish(input, { status: 'False', reason: failure.reason, message: failure.message }, common) };
  }
  const ignoreFailures = [...ctx.tasks.values()].flatMap(failuresToIgnore);
  let core = conditionFor(ctx, judge, counts);
  const decisions: Decisions = { create: scheduled.create, cancel: cancellations(ctx), status: prior };
  if (scheduled.pipelineRuns.length) decisions.createPipelineRuns = scheduled.pipelineRuns;
  if (ignoreFailures.length) decisions.ignoreFailures = ignoreFailures;
  if (core.status === 'Unknown') {
    const next = untilNext([deadlines.pipeline, judge.dagDone() ? undefined : deadlines.tasks, deadlines.finally], ctx.now);
    if (next !== undefined) decisions.requeueAfterMs = next;
    decisions.status = assembleStatus(prior, {
      condition: withTime(core, priorCondition(input), input.nowIso),
      startTime: prior.startTime ?? input.nowIso,
      pipelineSpec: input.pipelineSpec,
      ...common,
    });
    return decisions;
  }
  const res = pipelineResults(ctx, input.pipelineSpec.results);
  if (res.failure) core = { status: 'False', reason: res.failure.reason, message: res.failure.message };
  decisions.status = finish(input, core, { ...common, results: res.results });
  return decisions;
}
