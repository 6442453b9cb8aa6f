// Builds the {@link RunContext} of a call: the Pipeline's param values, every PipelineTask with
// params, context and `$(workspaces.<w>.bound)` substituted (ApplyParameters, ApplyContexts,
// ApplyWorkspaces, with propagation into inline taskSpecs), its children, the DAG, the deadlines.
import { CONFIG_DEFAULTS } from '../../api/config.ts';
import type { Graph } from '../../dag/dag.ts';
import type { ParamValue } from '../../api/param.types.ts';
import type { PipelineTask } from '../../api/pipeline.types.ts';
import { paramReplacements } from '../substitute.ts';
import { resolveParams } from '../params.ts';
import { applyToPipelineTask, SPEC_FIELDS } from './apply.ts';
import type { FactsInput, ObservedChild } from './facts.types.ts';
import { isMatrixed } from './matrix.ts';
import type { RunContext, TaskState } from './model.ts';
import { matrixTaskRunName, taskRunName } from './naming.ts';
import { deadlinesOf, type Deadlines } from './timeouts.ts';
import type { RunIdentity } from './validate.ts';

const GRACEFUL = new Set(['CancelledRunFinally', 'StoppedRunFinally']);

/** Who the run is, for names and messages. */
export function identityOf(input: FactsInput): RunIdentity {
  const m = input.pipelineRun.metadata;
  return { namespace: m.namespace ?? 'default', name: m.name ?? '', pipelineName: input.pipelineName };
}

/** The Pipeline's param values: run values over defaults; run params it does not declare are kept too. */
export function pipelineParamValues(input: FactsInput): Map<string, ParamValue> {
  return resolveParams(input.pipelineSpec.params ?? [], input.pipelineRun.spec.params ?? [], { propagate: true }).values;
}

/** `$(context.pipelineRun.*)`, `$(context.pipeline.name)` and `$(workspaces.<w>.bound)` of the run. */
export function runStrings(input: FactsInput, id: RunIdentity): Map<string, string> {
  const out = new Map<string, string>([
    ['context.pipelineRun.name', id.name],
    ['context.pipelineRun.namespace', id.namespace],
    ['context.pipelineRun.uid', input.pipelineRun.metadata.uid ?? ''],
    ['context.pipeline.name', id.pipelineName],
  ]);
  for (const w of input.pipelineSpec.workspaces ?? []) out.set(`workspaces.${w.name}.bound`, 'false');
  for (const b of input.pipelineRun.spec.workspaces ?? []) out.set(`workspaces.${b.name}.bound`, 'true');
  return out;
}

/**
 * A PipelineTask with the run's params, then its context strings, substituted. In an inline
 * taskSpec the Pipeline's params are visible without declaration, except those the PipelineTask
 * passes itself: those are left for the TaskRun (the inner scope wins).
 */
export function applyRun(pt: PipelineTask, values: ReadonlyMap<string, ParamValue>, strings: ReadonlyMap<string, string>, key = valuesKey(values, strings)): PipelineTask {
  // The same PipelineTask object with the same values gives the same result: remember it (a
  // controller that keeps its resolved spec across reconciles saves this work on every task).
  const memo = applied.get(pt);
  if (memo?.key === key) return memo.value;
  const value = applyRunUncached(pt, values, strings);
  applied.set(pt, { key, value });
  return value;
}

const applied = new WeakMap<PipelineTask, { key: string; value: PipelineTask }>();

/** Identifies the inputs of {@link applyRun} besides the task. */
export function valuesKey(values: ReadonlyMap<string, ParamValue>, strings: ReadonlyMap<string, string>): string {
  return JSON.stringify([[...values], [...strings]]);
}

function applyRunUncached(pt: PipelineTask, values: ReadonlyMap<string, ParamValue>, strings: ReadonlyMap<string, string>): PipelineTask {
  const passed = new Set((pt.params ?? []).map((p) => p.name));
  const visible = [...values].filter(([name]) => !passed.has(name));
  const withParams = applyToPipelineTask(pt, paramReplacements(values), SPEC_FIELDS, paramReplacements(visible));
  return applyToPipelineTask(withParams, { strings }, SPEC_FIELDS, { strings });
}

/** The children of one PipelineTask (by label, else by name), matrix ones in combination order. */
export function childrenOf(children: readonly ObservedChild[], pr: string, pt: PipelineTask, matrixed: boolean, maxCombinations: number): ObservedChild[] {
  const plain = taskRunName(pr, pt.name);
  const index = new Map<string, number>();
  if (matrixed) for (let i = 0; i < Math.max(maxCombinations, children.length); i++) index.set(matrixTaskRunName(pr, pt.name, i), i);
  const mine = children.filter((c) => {
    const label = c.metadata.labels?.['tekton.dev/pipelineTask'];
    if (label !== undefined) return label === pt.name;
    const name = c.metadata.name ?? '';
    return matrixed ? index.has(name) : name === plain;
  });
  if (!matrixed) return mine;
  const pos = (c: ObservedChild) => index.get(c.metadata.name ?? '') ?? Number.MAX_SAFE_INTEGER;
  return [...mine].sort((a, b) => pos(a) - pos(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** Everything a call needs, built once, for a spec that passed validation (`graph`: its DAG). */
export function buildContext(input: FactsInput, id: RunIdentity, values: ReadonlyMap<string, ParamValue>, graph: Graph, maxCombinations = CONFIG_DEFAULTS.maxMatrixCombinations): RunContext {
  const spec = input.pipelineSpec;
  const strings = runStrings(input, id);
  const tasks = new Map<string, TaskState>();
  const key = valuesKey(values, strings);
  // children grouped by their pipelineTask label once, instead of scanning all of them per task
  const byTask = new Map<string, ObservedChild[]>();
  const unlabelled: ObservedChild[] = [];
  for (const c of input.children) {
    const label = c.metadata.labels?.['tekton.dev/pipelineTask'];
    if (label === undefined) unlabelled.push(c);
    else {
      const group = byTask.get(label);
      if (group) group.push(c);
      else byTask.set(label, [c]);
    }
  }
  const add = (pt: PipelineTask, final: boolean) => {
    const matrixed = isMatrixed(pt.matrix);
    const candidates = unlabelled.length ? [...(byTask.get(pt.name) ?? []), ...unlabelled] : byTask.get(pt.name) ?? [];
    tasks.set(pt.name, { name: pt.name, final, pt: applyRun(pt, values, strings, key), runs: childrenOf(candidates, id.name, pt, matrixed, maxCombinations), matrixed });
  };
  for (const pt of spec.tasks ?? []) add(pt, false);
  for (const pt of spec.finally ?? []) add(pt, true);
  return {
    input,
    id,
    tasks,
    dag: (spec.tasks ?? []).map((t) => t.name),
    fin: (spec.finally ?? []).map((t) => t.name),
    graph,
    deadlines: deadlinesFor(input, input.pipelineRun.status?.finallyStartTime),
    params: values,
    specStatus: GRACEFUL.has(input.pipelineRun.spec.status ?? '') ? input.pipelineRun.spec.status : undefined,
    now: input.now,
  };
}

/** The run's deadlines: from its startTime (now when unset) and the given finallyStartTime. */
export function deadlinesFor(input: FactsInput, finallyStartTime: string | undefined): Deadlines {
  const start = Date.parse(input.pipelineRun.status?.startTime ?? input.nowIso);
  const finallyStart = finallyStartTime ? Date.parse(finallyStartTime) : undefined;
  return deadlinesOf(input.pipelineRun.spec.timeouts, Number.isNaN(start) ? input.now : start, finallyStart !== undefined && !Number.isNaN(finallyStart) ? finallyStart : undefined);
}
