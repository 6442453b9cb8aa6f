// Param values checked against their declarations (types, required, enum, object keys).
import { joinPath, type FieldError } from './errors.ts';
import { typeOfValue, type Param, type ParamSpec, type ParamType, type ParamValue } from './param.types.ts';

export interface ParamCheckOptions {
  /** field path of the params list being checked, e.g. `spec.params` */
  path: string;
  /** accept params the spec does not declare (Tekton accepts extra params) */
  allowExtra?: boolean;
}

/** Tekton's reason for each kind of problem (`ExtraParameter` is kiln's, for `allowExtra: false`). */
export type ParamProblemReason =
  | 'ParameterMissing'
  | 'ParameterTypeMismatch'
  | 'InvalidParamValue'
  | 'ObjectParameterMissKeys'
  | 'ExtraParameter';

/** One problem; `index` is the offending entry of `params` (absent for missing params). */
export interface ParamProblem {
  reason: ParamProblemReason;
  /** `value` or `name`: which field of `params[index]` is wrong */
  field?: 'value' | 'name';
  index?: number;
  /** the params concerned (one, or every missing one) */
  names: string[];
  message: string;
}

/** The declared type: explicit `type` > `properties` present ⇒ object > type of `default` > string. */
export function paramTypeOf(spec: ParamSpec): ParamType {
  if (spec.type) return spec.type;
  if (spec.properties) return 'object';
  if (spec.default !== undefined) return typeOfValue(spec.default);
  return 'string';
}

const WHOLE_REFERENCE = /^\$\([^()]+\)$/;

/** A string that is exactly one `$(…)` reference: its type is only known once substituted. */
export function isWholeReference(v: ParamValue): boolean {
  return typeof v === 'string' && WHOLE_REFERENCE.test(v);
}

/**
 * Every problem of `params` against `specs`, in a stable order: per param in input order (type,
 * enum, object keys), then undeclared params, then one entry for all missing required params.
 * A string value that is exactly one `$(…)` reference is not type-checked (resolved later).
 */
export function paramProblems(specs: readonly ParamSpec[], params: readonly Param[], allowExtra = true): ParamProblem[] {
  const out: ParamProblem[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  params.forEach((p, index) => {
    const spec = byName.get(p.name);
    if (!spec) {
      if (!allowExtra) out.push({ reason: 'ExtraParameter', field: 'name', index, names: [p.name], message: `parameter "${p.name}" is not declared` });
      return;
    }
    if (isWholeReference(p.value)) return;
    out.push(...valueProblems(spec, p.value).map((message) => ({ ...message, field: 'value' as const, index, names: [p.name] })));
  });
  const given = new Set(params.map((p) => p.name));
  const missing = specs.filter((s) => s.default === undefined && !given.has(s.name)).map((s) => s.name);
  if (missing.length) out.push({ reason: 'ParameterMissing', names: missing, message: `missing parameter(s): ${missing.join(', ')}` });
  return out;
}

/** Problems of one value against its declaration (reason + message, no path). */
export function valueProblems(spec: ParamSpec, value: ParamValue): Array<{ reason: ParamProblemReason; message: string }> {
  const want = paramTypeOf(spec);
  const got = typeOfValue(value);
  if (want !== got) return [{ reason: 'ParameterTypeMismatch', message: `expected type "${want}", got "${got}"` }];
  const out: Array<{ reason: ParamProblemReason; message: string }> = [];
  if (got === 'string' && spec.enum?.length && !spec.enum.includes(value as string)) {
    out.push({ reason: 'InvalidParamValue', message: `value "${value as string}" is not in the enum [${spec.enum.join(' ')}]` });
  }
  if (got === 'object') out.push(...objectKeyProblems(spec, value as Record<string, string>));
  return out;
}

function objectKeyProblems(spec: ParamSpec, value: Record<string, string>): Array<{ reason: ParamProblemReason; message: string }> {
  const out: Array<{ reason: ParamProblemReason; message: string }> = [];
  const declared = Object.keys(spec.properties ?? {});
  const extra = Object.keys(value).filter((k) => !declared.includes(k));
  if (extra.length) out.push({ reason: 'InvalidParamValue', message: `key(s) not declared in properties: ${extra.join(', ')}` });
  const fromDefault = typeof spec.default === 'object' && !Array.isArray(spec.default) ? spec.default : {};
  const missing = declared.filter((k) => !(k in value) && !(k in fromDefault));
  if (missing.length) out.push({ reason: 'ObjectParameterMissKeys', message: `missing key(s) declared in properties: ${missing.join(', ')}` });
  return out;
}

/**
 * Checks run-time `params` against `specs`: every required param (no default) supplied, the
 * value's shape matches the declared type, enum membership, object keys declared (keys missing
 * from the value but present in the default are fine).
 * Returns every problem, each with the path of the offending param (e.g. `spec.params[2].value`);
 * missing params are reported once at `path`: `missing parameter(s): x, y`.
 */
export function validateParamValues(specs: ParamSpec[], params: Param[], opts: ParamCheckOptions): FieldError[] {
  return paramProblems(specs ?? [], params ?? [], opts.allowExtra ?? false).map((p) => ({
    path: p.index === undefined ? opts.path : joinPath(joinPath(opts.path, p.index), p.field ?? 'value'),
    message: p.message,
  }));
}
