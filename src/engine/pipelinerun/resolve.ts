// Results of finished PipelineTasks and their substitution into the tasks that consume them
// (resultrefresolution.go ResolveResultRefs, apply.go ApplyTaskResults / PropagateResults,
// ApplyPipelineTaskContexts for `$(context.pipelineTask.retries)` and matrix lengths).
import type { PipelineTask } from '../../api/pipeline.types.ts';
import { typeOfValue, type ParamValue } from '../../api/param.types.ts';
import { layered, type ReplacementMaps } from '../substitute.ts';
import { applyToPipelineTask, CONTEXT_FIELDS, RESULT_FIELDS, runsPipeline } from './apply.ts';
import { pipelineTaskResultRefs, type ResultRef } from './graph.ts';
import type { RunContext, TaskState } from './model.ts';
import { isSuccessful, runDone } from './runs.ts';

/** A result reference that cannot be resolved, with Tekton's message. */
export interface MissingRef { ref: ResultRef; message: string }

/** A PipelineTask ready to be judged or created: every known variable substituted. */
export interface Resolved {
  pt: PipelineTask;
  /** result references whose producer was skipped or did not write the value */
  missing: MissingRef[];
}

function emptyMaps(): ReplacementMaps {
  return { strings: new Map(), arrays: new Map(), objects: new Map() };
}

/** Every child of the task has finished (the task succeeded or failed). */
export function finished(t: TaskState | undefined): boolean {
  return !!t && t.runs.length > 0 && t.runs.every(runDone);
}

/**
 * The results of a finished task: a plain task's from its TaskRun; a matrixed task's string
 * results gathered into arrays in combination order; none for a task running a Pipeline (child
 * PipelineRun results are not propagated, Tekton §11). Undefined when it has not finished.
 */
export function taskResults(t: TaskState | undefined): Map<string, ParamValue> | undefined {
  if (!t || !finished(t)) return undefined;
  const out = new Map<string, ParamValue>();
  if (runsPipeline(t.pt)) return out;
  if (!t.matrixed) {
    for (const r of t.runs[0].status?.results ?? []) out.set(r.name, r.value);
    return out;
  }
  for (const run of t.runs) {
    for (const r of run.status?.results ?? []) {
      const acc = (out.get(r.name) as string[] | undefined) ?? [];
      acc.push(typeof r.value === 'string' ? r.value : JSON.stringify(r.value));
      out.set(r.name, acc);
    }
  }
  return out;
}

/** The value one reference denotes, or why it is missing. */
export function lookupRef(ref: ResultRef, results: Map<string, ParamValue> | undefined): { value: ParamValue } | { missing: string } {
  const invalid = 'Invalid task result reference: ';
  const value = results?.get(ref.result);
  if (value === undefined) return { missing: `${invalid}Could not find result with name ${ref.result} for task ${ref.task}` };
  if (ref.key !== undefined) {
    if (typeOfValue(value) === 'object' && ref.key in (value as Record<string, string>)) return { value: (value as Record<string, string>)[ref.key] };
    return { missing: `${invalid}Could not find key ${ref.key} in object result ${ref.result} of task ${ref.task}` };
  }
  if (ref.index !== undefined && ref.index !== '*') {
    const i = Number(ref.index);
    if (Array.isArray(value) && i < value.length) return { value: value[i] };
    const size = Array.isArray(value) ? value.length : 0;
    return { missing: `${invalid}Array Result Index ${i} for Task ${ref.task} Result ${ref.result} is out of bound of size ${size}` };
  }
  return { value };
}

/** Adds the replacement for one resolved reference, under exactly the text it was written as. */
function addRef(maps: ReplacementMaps, ref: ResultRef, value: ParamValue): void {
  const base = ref.expr.endsWith('[*]') ? ref.expr.slice(0, -3) : ref.expr;
  if (Array.isArray(value)) {
    maps.arrays.set(base, value);
    maps.arrays.set(ref.expr, value);
  } else if (typeof value === 'object') {
    maps.objects.set(base, value);
  } else {
    maps.strings.set(ref.expr, value);
  }
}

/** Replacements for `refs` from finished producers, and the references that cannot be resolved. */
export function resultReplacements(ctx: RunContext, refs: readonly ResultRef[]): { maps: ReplacementMaps; missing: MissingRef[] } {
  const maps = emptyMaps();
  const missing: MissingRef[] = [];
  for (const ref of refs) {
    const r = lookupRef(ref, taskResults(ctx.tasks.get(ref.task)));
    if ('missing' in r) missing.push({ ref, message: r.missing });
    else addRef(maps, ref, r.value);
  }
  return { maps, missing };
}

interface Artifact { name?: string; values?: unknown[] }

/**
 * `$(tasks.<t>.inputs.<a>)` / `$(tasks.<t>.outputs.<a>)` (alpha artifacts): the JSON of the
 * artifact's values, from `status.artifacts` of successful tasks' (first) TaskRun, when recorded.
 */
export function artifactStrings(ctx: RunContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of ctx.tasks.values()) {
    if (t.final || runsPipeline(t.pt) || !isSuccessful(t.runs)) continue;
    const artifacts = (t.runs[0].status as { artifacts?: { inputs?: Artifact[]; outputs?: Artifact[] } } | undefined)?.artifacts;
    for (const dir of ['inputs', 'outputs'] as const) {
      for (const a of artifacts?.[dir] ?? []) if (a?.name) out.set(`tasks.${t.name}.${dir}.${a.name}`, JSON.stringify(a.values ?? []));
    }
  }
  return out;
}

/**
 * Results of every successful task, for inline taskSpecs (PropagateResults): strings, arrays
 * (also `[i]`) and object keys, under `tasks.<t>.results.<r>`; artifacts too.
 */
export function propagatedResults(ctx: RunContext, artifacts: ReadonlyMap<string, string> = artifactStrings(ctx)): ReplacementMaps {
  const maps = emptyMaps();
  for (const [k, v] of artifacts) maps.strings.set(k, v);
  for (const t of ctx.tasks.values()) {
    if (t.final || !isSuccessful(t.runs)) continue;
    for (const [name, value] of taskResults(t) ?? []) {
      const key = `tasks.${t.name}.results.${name}`;
      if (Array.isArray(value)) {
        maps.arrays.set(key, value);
        value.forEach((v, i) => maps.strings.set(`${key}[${i}]`, v));
      } else if (typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) maps.strings.set(`${key}.${k}`, v);
      } else {
        maps.strings.set(key, value);
      }
    }
  }
  return maps;
}

/** Replacements every task shares in one call: propagated results, artifacts and matrix lengths. */
export interface SharedReplacements {
  propagated: ReplacementMaps;
  artifacts: Map<string, string>;
  matrix: Map<string, string>;
}

/** `$(tasks.<t>.matrix.length)` / `$(tasks.<t>.matrix.<r>.length)` of every matrixed task that has TaskRuns. */
export function matrixContext(ctx: RunContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of ctx.tasks.values()) {
    if (!t.matrixed || t.runs.length === 0) continue;
    out.set(`tasks.${t.name}.matrix.length`, String(t.runs.length));
    const counts = new Map<string, number>();
    for (const run of t.runs) for (const r of run.status?.results ?? []) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
    for (const [r, n] of counts) out.set(`tasks.${t.name}.matrix.${r}.length`, String(n));
  }
  return out;
}

/** Computes the {@link SharedReplacements} of a call. */
export function sharedReplacements(ctx: RunContext): SharedReplacements {
  const artifacts = artifactStrings(ctx);
  return { propagated: propagatedResults(ctx, artifacts), artifacts, matrix: matrixContext(ctx) };
}

/**
 * A task with everything known substituted: `$(context.pipelineTask.retries)` and matrix lengths
 * (params, matrix, displayName), results of finished producers (params, matrix, when, taskRef,
 * displayName; results of successful tasks into an inline taskSpec), then `states` (finally
 * tasks: `tasks.<t>.status|reason`, `tasks.status`). `missing` lists unresolvable references.
 */
export function resolveTask(ctx: RunContext, t: TaskState, shared: SharedReplacements, states?: ReadonlyMap<string, string>): Resolved {
  const context = layered(new Map([['context.pipelineTask.retries', String(t.pt.retries ?? 0)]]), shared.matrix);
  let pt = applyToPipelineTask(t.pt, { strings: context }, CONTEXT_FIELDS);
  const { maps, missing } = resultReplacements(ctx, pipelineTaskResultRefs(t.pt));
  for (const [k, v] of shared.artifacts) maps.strings.set(k, v);
  pt = applyToPipelineTask(pt, maps, RESULT_FIELDS, shared.propagated);
  if (states) pt = applyToPipelineTask(pt, { strings: states }, RESULT_FIELDS);
  return { pt, missing };
}
