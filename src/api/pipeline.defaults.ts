// Defaults for Pipelines (pipeline_defaults.go): param/result types, taskRef kind, inline specs,
// workspace bindings.
import type { ParamType } from './param.types.ts';
import { typeOfValue } from './param.types.ts';
import type { Pipeline, PipelineResult, PipelineSpec, PipelineTask } from './pipeline.types.ts';
import { defaultParamSpec, defaultTaskSpec } from './task.defaults.ts';
import { defaultTaskRef } from './taskrun.defaults.ts';

/**
 * A PipelineTask with `taskRef.kind` defaulted, its inline `taskSpec`/`pipelineSpec` defaulted and
 * each workspace binding's `workspace` defaulted to its `name`.
 */
export function defaultPipelineTask(pt: PipelineTask): PipelineTask {
  const out: PipelineTask = { ...pt };
  if (pt.taskRef) out.taskRef = defaultTaskRef(pt.taskRef);
  if (pt.taskSpec && !pt.taskSpec.apiVersion && !pt.taskSpec.kind) out.taskSpec = defaultTaskSpec(pt.taskSpec);
  if (pt.pipelineSpec) out.pipelineSpec = defaultPipelineSpec(pt.pipelineSpec);
  if (pt.workspaces) out.workspaces = pt.workspaces.map((w) => ({ ...w, workspace: w.workspace || w.name }));
  return out;
}

/** A pipeline result's type: explicit, else from the shape of its value. */
export function defaultPipelineResult(r: PipelineResult): PipelineResult {
  const type: ParamType = r.type || (r.value === undefined ? 'string' : typeOfValue(r.value));
  return { ...r, type };
}

/** A PipelineSpec with params, results, tasks and finally tasks defaulted. */
export function defaultPipelineSpec(spec: PipelineSpec): PipelineSpec {
  const out: PipelineSpec = { ...spec };
  if (spec.params) out.params = spec.params.map(defaultParamSpec);
  if (spec.results) out.results = spec.results.map(defaultPipelineResult);
  if (spec.tasks) out.tasks = spec.tasks.map(defaultPipelineTask);
  if (spec.finally) out.finally = spec.finally.map(defaultPipelineTask);
  return out;
}

/** A Pipeline with its spec defaulted; returns a new object. */
export function defaultPipeline(p: Pipeline): Pipeline {
  return { ...p, spec: defaultPipelineSpec(p.spec ?? {}) };
}
