// The DAG of a Pipeline's `tasks`: edges from `runAfter` and from every `$(tasks.X.results…)`
// reference in a PipelineTask's params, matrix, when expressions and displayName
// (v1.PipelineTask.Deps / PipelineTaskResultRefs).
import type { PipelineTask } from '../../api/pipeline.types.ts';
import type { ParamValue } from '../../api/param.types.ts';
import { expressionsIn, stringsOf } from '../../api/vars.ts';
import { buildGraph, type Graph, type GraphError } from '../../dag/dag.ts';

/** One `$(tasks.<t>.results.<r>…)` (or `$(finally.<t>.results.<r>…)`) reference. */
export interface ResultRef {
  scope: 'tasks' | 'finally';
  task: string;
  result: string;
  /** `*` or a number, from `…<r>[i]` / `…<r>[*]` */
  index?: string;
  /** object key, from `…<r>.<key>` */
  key?: string;
  /** the expression without `$(` `)` */
  expr: string;
}

const DOTTED = /^(tasks|finally)\.([^.[\]]+)\.results\.([^.[\]]+)(?:\[(\d+|\*)\])?(?:\.([^.[\]]+))?$/;
const BRACKET = /^(tasks|finally)\.([^.[\]]+)\.results\[(['"])(.+?)\3\](?:\[(\d+|\*)\])?(?:\.([^.[\]]+))?$/;

/** Parses a result reference expression (dotted or bracket form), or undefined. */
export function parseResultRef(expr: string): ResultRef | undefined {
  let m = DOTTED.exec(expr);
  if (m) return { scope: m[1] as ResultRef['scope'], task: m[2], result: m[3], index: m[4], key: m[5], expr };
  m = BRACKET.exec(expr);
  if (m) return { scope: m[1] as ResultRef['scope'], task: m[2], result: m[4], index: m[5], key: m[6], expr };
  return undefined;
}

/** Every result reference in the given texts, in order. */
export function resultRefsIn(texts: readonly string[]): ResultRef[] {
  const out: ResultRef[] = [];
  for (const t of texts) {
    for (const e of expressionsIn(t)) {
      const r = parseResultRef(e);
      if (r) out.push(r);
    }
  }
  return out;
}

function paramStrings(params: ReadonlyArray<{ value: ParamValue }> | undefined): string[] {
  return (params ?? []).flatMap((p) => stringsOf(p.value));
}

/** The strings of a PipelineTask that may reference results: params, matrix (params, include), when, displayName. */
export function pipelineTaskStrings(pt: PipelineTask): string[] {
  const out = [...paramStrings(pt.params), ...paramStrings(pt.matrix?.params)];
  for (const inc of pt.matrix?.include ?? []) out.push(...paramStrings(inc.params));
  for (const w of pt.when ?? []) {
    if (typeof w.input === 'string') out.push(w.input);
    out.push(...(w.values ?? []).filter((v) => typeof v === 'string'));
    if (typeof w.cel === 'string') out.push(w.cel);
  }
  if (typeof pt.displayName === 'string') out.push(pt.displayName);
  return out;
}

/** Result references of a PipelineTask (`tasks.` scope only). */
export function pipelineTaskResultRefs(pt: PipelineTask): ResultRef[] {
  return resultRefsIn(pipelineTaskStrings(pt)).filter((r) => r.scope === 'tasks');
}

/** The tasks a PipelineTask depends on: runAfter, then producers of the results it uses. */
export function taskDeps(pt: PipelineTask): string[] {
  return [...new Set([...(pt.runAfter ?? []), ...pipelineTaskResultRefs(pt).map((r) => r.task)])];
}

export type TaskGraphResult = { ok: true; graph: Graph } | { ok: false; message: string };

/** Builds the DAG of `tasks`; on failure, Tekton-like messages of every problem joined by `; `. */
export function buildTaskGraph(tasks: readonly PipelineTask[]): TaskGraphResult {
  const r = buildGraph(tasks.map((t) => ({ key: t.name, deps: taskDeps(t) })));
  if (r.ok) return r;
  return { ok: false, message: r.errors.map(graphErrorMessage).join('; ') };
}

function graphErrorMessage(e: GraphError): string {
  switch (e.kind) {
    case 'unknown-dependency':
      return `task ${e.key} depends on ${e.missing} but ${e.missing} wasn't present in Pipeline`;
    case 'duplicate':
      return `duplicate pipeline task name "${e.key}"`;
    default:
      return e.path && e.path.length === 2 ? `cycle detected; task "${e.key}" depends on itself` : e.message;
  }
}
