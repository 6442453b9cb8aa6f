// Declared params (ParamSpec) and supplied params (Param) — the rules of param_types.go that
// do not need the values' declarations (those are in param.validation.ts).
import { duplicateNames, fieldError, invalidValue, missingField } from './checks.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import { jsonType } from './normalize.ts';
import type { Param, ParamSpec } from './param.types.ts';
import { typeOfValue } from './param.types.ts';
import { inferParamType } from './task.defaults.ts';

/** String/array param names. */
export const PARAM_NAME = /^[_a-zA-Z][_a-zA-Z0-9.-]*$/;
/** Object param names and object keys (no dots). */
export const OBJECT_PARAM_NAME = /^[_a-zA-Z][_a-zA-Z0-9-]*$/;
const TYPES = ['string', 'array', 'object'];

/**
 * Checks declared params at `path` (e.g. `spec.params`): names present, well-formed and unique
 * (case-insensitively); type string|array|object; default of the declared type; object params
 * declare `properties` of type string; enum only on strings, without repeats, containing the default.
 */
export function validateParamSpecs(specs: ParamSpec[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (specs ?? []).forEach((p, i) => errs.push(...validateParamSpec(p, joinPath(path, i))));
  for (const [i, name] of duplicateNames(specs, true)) {
    errs.push(fieldError(joinPath(joinPath(path, i), 'name'), `parameter appears more than once: "${name}" (names are case-insensitive)`));
  }
  return errs;
}

function validateParamSpec(p: ParamSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = inferParamType(p);
  if (!p.name) errs.push(missingField(joinPath(path, 'name')));
  else if (!(type === 'object' ? OBJECT_PARAM_NAME : PARAM_NAME).test(p.name)) {
    errs.push(fieldError(joinPath(path, 'name'), `invalid key name "${p.name}": must match ${type === 'object' ? OBJECT_PARAM_NAME.source : PARAM_NAME.source}`));
  }
  if (!TYPES.includes(type)) errs.push(invalidValue(joinPath(path, 'type'), type, 'must be one of string, array, object'));
  if (p.default !== undefined && TYPES.includes(type)) {
    const dt = typeOfValue(p.default);
    if (dt !== type) errs.push(fieldError(joinPath(path, 'default'), `"${type}" type does not match default value's type: "${dt}"`));
  }
  if (type === 'object') errs.push(...objectProperties(p, path));
  else if (p.properties !== undefined) errs.push(fieldError(joinPath(path, 'properties'), `properties can only be set on "object" params, not "${type}"`));
  if (p.enum !== undefined) errs.push(...enumValues(p, type, path));
  return errs;
}

function objectProperties(p: ParamSpec, path: string): FieldError[] {
  if (p.properties === undefined) return [missingField(joinPath(path, 'properties'))];
  const errs: FieldError[] = [];
  for (const [key, prop] of Object.entries(p.properties)) {
    const kp = joinPath(joinPath(path, 'properties'), key);
    if (!OBJECT_PARAM_NAME.test(key)) errs.push(fieldError(kp, `invalid key name "${key}": must match ${OBJECT_PARAM_NAME.source}`));
    if (prop?.type !== undefined && prop.type !== 'string') errs.push(invalidValue(joinPath(kp, 'type'), prop.type, 'object keys can only be of type "string"'));
  }
  return errs;
}

function enumValues(p: ParamSpec, type: string, path: string): FieldError[] {
  const ep = joinPath(path, 'enum');
  if (type !== 'string') return [fieldError(ep, `enum can only be set with "string" type param, not "${type}"`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (p.enum ?? []).forEach((v, i) => {
    if (seen.has(v)) errs.push(fieldError(joinPath(ep, i), `duplicate enum value "${v}"`));
    seen.add(v);
  });
  if (typeof p.default === 'string' && p.enum!.length > 0 && !seen.has(p.default)) {
    errs.push(fieldError(joinPath(path, 'default'), `param default value "${p.default}" not in the enum list`));
  }
  return errs;
}

/**
 * Checks supplied params at `path` (e.g. `spec.params`, `spec.tasks[0].params`): each has a
 * name and a value, and names are unique.
 */
export function validateParams(params: Param[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (params ?? []).forEach((p, i) => {
    const pp = joinPath(path, i);
    if (!p.name) errs.push(missingField(joinPath(pp, 'name')));
    if (p.value === undefined) errs.push(missingField(joinPath(pp, 'value')));
    else if (typeof p.value !== 'string' && typeof p.value !== 'object') errs.push(invalidValue(joinPath(pp, 'value'), jsonType(p.value)));
  });
  for (const [i, name] of duplicateNames(params)) {
    errs.push(fieldError(joinPath(joinPath(path, i), 'name'), `parameter names must be unique, the parameter "${name}" is also defined earlier`));
  }
  return errs;
}
