// One PipelineTask (pipeline_types.go / pipeline_validation.go): ref or spec, params, matrix,
// when, retries/onError, timeout, workspaces.
import { checkDuration, duplicateNames, exactlyOneOf, fieldError, invalidValue, missingField } from './checks.ts';
import { CONFIG_DEFAULTS } from './config.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import { typeOfValue } from './param.types.ts';
import { validateParams } from './paramspec.validation.ts';
import type { Matrix, PipelineSpec, PipelineTask } from './pipeline.types.ts';
import { validateRef } from './ref.validation.ts';
import { validateTaskSpec } from './task.validation.ts';
import { isParamReference } from './vars.ts';
import { validateWhenExpressions } from './when.validation.ts';

export interface PipelineTaskOptions {
  /** validates a nested `pipelineSpec` (pipelines in pipelines) */
  validatePipelineSpec: (spec: PipelineSpec, path: string) => FieldError[];
  maxMatrixCombinations?: number;
}

const TASK_KINDS = new Set(['', 'Task', 'ClusterTask']);

/** Validates one PipelineTask at `path` (e.g. `spec.tasks[2]`); names and cross-task references are the Pipeline's job. */
export function validatePipelineTask(pt: PipelineTask, path: string, opts: PipelineTaskOptions): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...exactlyOneOf(pt as unknown as Record<string, unknown>, path, ['taskRef', 'taskSpec', 'pipelineRef', 'pipelineSpec']));
  if (pt.taskRef) errs.push(...taskRef(pt, path));
  if (pt.taskSpec) errs.push(...taskSpec(pt, path));
  if (pt.pipelineRef) errs.push(...validateRef(pt.pipelineRef, joinPath(path, 'pipelineRef')));
  if (pt.pipelineSpec) errs.push(...opts.validatePipelineSpec(pt.pipelineSpec, joinPath(path, 'pipelineSpec')));
  errs.push(...validateParams(pt.params, joinPath(path, 'params')));
  if (pt.matrix) errs.push(...validateMatrix(pt, path, opts.maxMatrixCombinations ?? CONFIG_DEFAULTS.maxMatrixCombinations));
  errs.push(...validateWhenExpressions(pt.when, joinPath(path, 'when')));
  errs.push(...retriesAndOnError(pt, path));
  errs.push(...checkDuration(pt.timeout, joinPath(path, 'timeout')).errors);
  (pt.workspaces ?? []).forEach((w, i) => { if (!w.name) errs.push(missingField(joinPath(joinPath(joinPath(path, 'workspaces'), i), 'name'))); });
  for (const [i, name] of duplicateNames(pt.workspaces)) {
    errs.push(fieldError(joinPath(joinPath(joinPath(path, 'workspaces'), i), 'name'), `workspace name "${name}" must be unique`));
  }
  return errs;
}

function taskRef(pt: PipelineTask, path: string): FieldError[] {
  const ref = pt.taskRef!;
  const p = joinPath(path, 'taskRef');
  if (ref.apiVersion || !TASK_KINDS.has(ref.kind ?? '')) {
    // a custom task: CustomRun, named by apiVersion + kind
    const errs: FieldError[] = [];
    if (!ref.kind) errs.push(invalidValue(joinPath(p, 'kind'), 'custom task ref must specify kind'));
    if (!ref.apiVersion) errs.push(invalidValue(joinPath(p, 'apiVersion'), 'custom task ref must specify apiVersion'));
    return errs;
  }
  return validateRef(ref, p);
}

function taskSpec(pt: PipelineTask, path: string): FieldError[] {
  const spec = pt.taskSpec!;
  const p = joinPath(path, 'taskSpec');
  const errs: FieldError[] = [];
  const hasSteps = (spec.steps?.length ?? 0) > 0;
  if (hasSteps) {
    if (spec.apiVersion) errs.push(fieldError(joinPath(p, 'apiVersion'), 'taskSpec.apiVersion cannot be specified when using taskSpec.steps'));
    if (spec.kind) errs.push(fieldError(joinPath(p, 'kind'), 'taskSpec.kind cannot be specified when using taskSpec.steps'));
  } else if (spec.apiVersion || spec.kind) {
    if (!spec.kind) errs.push(invalidValue(joinPath(p, 'kind'), 'custom task spec must specify kind'));
    if (!spec.apiVersion) errs.push(invalidValue(joinPath(p, 'apiVersion'), 'custom task spec must specify apiVersion'));
    return errs;
  }
  errs.push(...validateTaskSpec(spec, p));
  return errs;
}

function retriesAndOnError(pt: PipelineTask, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (pt.retries !== undefined && pt.retries < 0) errs.push(invalidValue(joinPath(path, 'retries'), `${pt.retries} should be >= 0`));
  if (pt.onError !== undefined && pt.onError !== 'continue' && pt.onError !== 'stopAndFail' && !isParamReference(pt.onError)) {
    errs.push(invalidValue(joinPath(path, 'onError'), pt.onError, 'PipelineTask onError must be either "continue" or "stopAndFail"'));
  }
  if (pt.onError === 'continue' && (pt.retries ?? 0) > 0) {
    errs.push(fieldError(joinPath(path, 'onError'), 'PipelineTask onError cannot be set to "continue" when retries is greater than 0'));
  }
  return errs;
}

/**
 * Matrix rules: params unique, array-valued (or a whole-array reference), not also in `params`;
 * include params are strings; at most `max` combinations.
 */
function validateMatrix(pt: PipelineTask, path: string, max: number): FieldError[] {
  const m = pt.matrix!;
  const mp = joinPath(path, 'matrix');
  const errs: FieldError[] = [];
  const taskParams = new Set((pt.params ?? []).map((p) => p.name));
  errs.push(...validateParams(m.params, joinPath(mp, 'params')));
  (m.params ?? []).forEach((p, i) => {
    const pp = joinPath(joinPath(mp, 'params'), i);
    if (p.value !== undefined && typeOfValue(p.value) === 'object') {
      errs.push(invalidValue(joinPath(pp, 'value'), 'object', 'matrix params must be arrays'));
    } else if (typeof p.value === 'string' && !/^\$\(.+\)$/.test(p.value)) {
      errs.push(invalidValue(joinPath(pp, 'value'), p.value, 'matrix params must be arrays (or a whole-array reference)'));
    }
    if (taskParams.has(p.name)) errs.push(fieldError(pp, `expected exactly one, got both: parameter "${p.name}" is in both matrix and params`));
  });
  (m.include ?? []).forEach((inc, i) => {
    const ip = joinPath(joinPath(mp, 'include'), i);
    errs.push(...validateParams(inc.params, joinPath(ip, 'params')));
    (inc.params ?? []).forEach((p, j) => {
      if (p.value !== undefined && typeof p.value !== 'string') {
        errs.push(invalidValue(joinPath(joinPath(joinPath(ip, 'params'), j), 'value'), typeOfValue(p.value), 'matrix include params must be strings'));
      }
    });
  });
  const count = countCombinations(m);
  if (count > max) errs.push(fieldError(mp, `expected 0 <= ${count} <= ${max}: too many matrix combinations`));
  return errs;
}

/** Combinations a matrix fans out to (literal arrays only; a reference counts as one). */
export function countCombinations(m: Matrix): number {
  const params = m.params ?? [];
  const include = m.include ?? [];
  if (params.length === 0) return include.length;
  const values = new Map(params.map((p) => [p.name, Array.isArray(p.value) ? p.value : undefined] as const));
  let count = params.reduce((n, p) => n * (Array.isArray(p.value) ? p.value.length : 1), 1);
  for (const inc of include) {
    // an include entry that sets a matrix param to a value the matrix lacks adds a combination
    const adds = (inc.params ?? []).some((p) => {
      const vals = values.get(p.name);
      return vals !== undefined && typeof p.value === 'string' && !vals.includes(p.value);
    });
    if (adds) count++;
  }
  return count;
}
