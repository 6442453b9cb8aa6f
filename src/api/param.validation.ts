// Param values checked against their declarations (types, required, enum, object keys).
import type { FieldError } from './errors.ts';
import type { Param, ParamSpec } from './param.types.ts';

export interface ParamCheckOptions {
  /** field path of the params list being checked, e.g. `spec.params` */
  path: string;
  /** accept params the spec does not declare (Tekton accepts extra params) */
  allowExtra?: boolean;
}

/**
 * Checks run-time `params` against `specs`: every required param (no default) supplied, the
 * value's shape matches the declared type, enum membership, object keys declared.
 * Returns every problem, each with the path of the offending param (e.g. `spec.params[2].value`).
 * STUB: to be implemented (owned by the engine work).
 */
export function validateParamValues(specs: ParamSpec[], params: Param[], opts: ParamCheckOptions): FieldError[] {
  void specs; void params; void opts;
  return [];
}
