// Literal substitution into a PipelineTask, stage by stage as Tekton does
// (pkg/reconciler/pipelinerun/resources/apply.go: ApplyParameters, ApplyContexts, ApplyWorkspaces,
// ApplyPipelineTaskContexts, ApplyTaskResults, ApplyPipelineTaskStateContext, PropagateResults).
import type { EmbeddedTask, PipelineTask } from '../../api/pipeline.types.ts';
import type { Param } from '../../api/param.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import { replace, replaceAll, replaceParamValue, replaceWhen, type Replacements } from '../substitute.ts';

/** The PipelineTask fields a stage substitutes into. */
export type TaskField = 'params' | 'matrix' | 'when' | 'taskRef' | 'displayName' | 'subPath' | 'onError';

/** ApplyReplacements (params, contexts, workspaces): every field. */
export const SPEC_FIELDS: readonly TaskField[] = ['params', 'matrix', 'when', 'taskRef', 'displayName', 'subPath', 'onError'];
/** ApplyPipelineTaskContexts (`context.pipelineTask.retries`, matrix lengths). */
export const CONTEXT_FIELDS: readonly TaskField[] = ['params', 'matrix', 'displayName'];
/** ApplyTaskResults and ApplyPipelineTaskStateContext (`tasks.<t>.status` …). */
export const RESULT_FIELDS: readonly TaskField[] = ['params', 'matrix', 'when', 'taskRef', 'displayName'];

function replaceParams(params: readonly Param[] | undefined, reps: Replacements): Param[] | undefined {
  return params?.map((p) => ({ ...p, value: replaceParamValue(p.value, reps) }));
}

/**
 * Substitutes `reps` into the chosen fields of a PipelineTask: params (whole array/object
 * references become arrays/objects), matrix params (arrays, not objects) and include params
 * (strings), when (input, values with array expansion, cel), taskRef name and params,
 * (and pipelineRef name), displayName, workspaces' subPath, onError. With `taskSpec`, an inline (non-custom) taskSpec is
 * substituted too (Tekton's propagation into embedded specs). Returns a new PipelineTask.
 */
export function applyToPipelineTask(pt: PipelineTask, reps: Replacements, fields: readonly TaskField[], taskSpec?: Replacements): PipelineTask {
  const has = new Set(fields);
  const s = reps.strings;
  const out: PipelineTask = { ...pt };
  if (has.has('params') && pt.params) out.params = replaceParams(pt.params, reps);
  if (has.has('matrix') && pt.matrix) {
    out.matrix = { ...pt.matrix };
    if (pt.matrix.params) out.matrix.params = replaceParams(pt.matrix.params, { strings: s, arrays: reps.arrays });
    if (pt.matrix.include) out.matrix.include = pt.matrix.include.map((inc) => ({ ...inc, ...(inc.params ? { params: replaceParams(inc.params, { strings: s }) } : {}) }));
  }
  if (has.has('when') && pt.when) out.when = replaceWhen(pt.when, s, reps.arrays);
  if (has.has('taskRef') && pt.taskRef) {
    out.taskRef = { ...pt.taskRef };
    if (pt.taskRef.name !== undefined) out.taskRef.name = replace(pt.taskRef.name, s);
    if (pt.taskRef.params) out.taskRef.params = replaceParams(pt.taskRef.params, reps);
  }
  if (has.has('taskRef') && pt.pipelineRef?.name !== undefined) out.pipelineRef = { ...pt.pipelineRef, name: replace(pt.pipelineRef.name, s) };
  if (has.has('displayName') && pt.displayName !== undefined) out.displayName = replace(pt.displayName, s);
  if (has.has('subPath') && pt.workspaces) {
    out.workspaces = pt.workspaces.map((w) => (w.subPath === undefined ? { ...w } : { ...w, subPath: replace(w.subPath, s) }));
  }
  if (has.has('onError') && pt.onError !== undefined) out.onError = replace(pt.onError, s);
  if (taskSpec && isInlineTaskSpec(pt.taskSpec)) out.taskSpec = applyToEmbedded(pt.taskSpec, taskSpec);
  return out;
}

/** The PipelineTask runs a Pipeline (`pipelineRef`/`pipelineSpec`: a child PipelineRun, Tekton §11). */
export function runsPipeline(pt: PipelineTask): boolean {
  return !!(pt.pipelineRef || pt.pipelineSpec);
}

/** An embedded spec with steps (not a custom task's apiVersion/kind/spec). */
export function isInlineTaskSpec(ts: EmbeddedTask | undefined): ts is EmbeddedTask {
  return !!ts && !(ts.apiVersion || ts.kind);
}

/** The TaskSpec part of an embedded task (without metadata and custom-task fields). */
export function embeddedTaskSpec(ts: EmbeddedTask): TaskSpec {
  const { metadata: _m, apiVersion: _a, kind: _k, spec: _s, ...rest } = ts;
  return { ...rest, steps: rest.steps ?? [] };
}

function applyToEmbedded(ts: EmbeddedTask, reps: Replacements): EmbeddedTask {
  const { metadata, apiVersion, kind, spec } = ts;
  const replaced = replaceAll(embeddedTaskSpec(ts), reps);
  const out: EmbeddedTask = { ...replaced };
  if (metadata !== undefined) out.metadata = metadata;
  if (apiVersion !== undefined) out.apiVersion = apiVersion;
  if (kind !== undefined) out.kind = kind;
  if (spec !== undefined) out.spec = spec;
  return out;
}
