// Task and step results (result_types.go / result_validation.go).
import { fieldError, invalidValue, missingField } from './checks.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { StepResult, TaskResult } from './param.types.ts';
import { OBJECT_PARAM_NAME } from './paramspec.validation.ts';

/** Result names (`resultref.go`). */
export const RESULT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const STEP_RESULT_REF = /^\$\(steps\.[^.]+\.results\.[^.)]+\)$/;

/**
 * Checks Task results (or step results) at `path`: name format, type string|array|object, object
 * results declare string `properties`, a `value` (Task results only) is a
 * `$(steps.<step>.results.<name>)` reference.
 */
export function validateResults(results: Array<TaskResult | StepResult> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (results ?? []).forEach((r, i) => {
    const rp = joinPath(path, i);
    if (!r.name) errs.push(missingField(joinPath(rp, 'name')));
    else if (!RESULT_NAME.test(r.name)) {
      errs.push(fieldError(joinPath(rp, 'name'),
        `invalid key name "${r.name}": must consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character`));
    }
    const type = r.type || (r.properties !== undefined ? 'object' : 'string');
    if (!['string', 'array', 'object'].includes(type)) errs.push(invalidValue(joinPath(rp, 'type'), type, 'must be one of string, array, object'));
    if (type === 'object') {
      if (r.properties === undefined) errs.push(missingField(joinPath(rp, 'properties')));
      for (const [key, prop] of Object.entries(r.properties ?? {})) {
        const kp = joinPath(joinPath(rp, 'properties'), key);
        if (!OBJECT_PARAM_NAME.test(key)) errs.push(fieldError(kp, `invalid key name "${key}"`));
        if (prop?.type !== undefined && prop.type !== 'string') errs.push(invalidValue(joinPath(kp, 'type'), prop.type, 'object keys can only be of type "string"'));
      }
    }
    if ('value' in r && r.value !== undefined) errs.push(...resultValue(r.value, joinPath(rp, 'value')));
  });
  return errs;
}

function resultValue(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string') return [fieldError(path, `invalid type: wanted string but got ${Array.isArray(v) ? 'array' : 'object'}`)];
  if (v !== '' && !STEP_RESULT_REF.test(v.trim())) {
    return [invalidValue(path, v, 'expected value to look like $(steps.<stepName>.results.<resultName>)')];
  }
  return [];
}
