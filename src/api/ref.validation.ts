// References to Tasks, Pipelines and StepActions: by name, or through a resolver with params.
import { fieldError, invalidValue, isQualifiedName, missingField } from './checks.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { Param } from './param.types.ts';
import { validateParams } from './paramspec.validation.ts';

export interface AnyRef { name?: string; resolver?: string; params?: Param[] }

/**
 * Checks a taskRef / pipelineRef / step `ref` at `path`: either `name` (a qualified name), or
 * `resolver` with optional `params` — not both; `params` need a `resolver`.
 */
export function validateRef(ref: AnyRef, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.resolver || ref.params !== undefined) {
    if (ref.resolver && ref.name) errs.push(fieldError(path, 'expected exactly one, got both: name, resolver'));
    if (ref.params !== undefined) {
      if (ref.name && !ref.resolver) errs.push(fieldError(path, 'expected exactly one, got both: name, params'));
      if (!ref.resolver) errs.push(missingField(joinPath(path, 'resolver')));
      errs.push(...validateParams(ref.params, joinPath(path, 'params')));
    }
  } else if (!ref.name) {
    errs.push(missingField(joinPath(path, 'name')));
  } else if (!isQualifiedName(ref.name)) {
    errs.push(invalidValue(joinPath(path, 'name'), ref.name, 'must be a valid Kubernetes name'));
  }
  return errs;
}
