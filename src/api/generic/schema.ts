// A CRD's structural OpenAPI v3 schema applied to an object, as kube-apiserver does: defaults filled
// in, unknown fields found (the caller prunes them silently, warns, or refuses them by
// fieldValidation), then every value checked (type, nullable, required, enum, pattern, bounds,
// lengths, items, properties, additionalProperties, allOf/anyOf/oneOf/not), each error naming its
// field path. x-kubernetes-preserve-unknown-fields keeps what the schema does not list;
// x-kubernetes-int-or-string takes either; x-kubernetes-embedded-resource keeps apiVersion, kind
// and metadata. Pure.
import type { FieldError } from '../errors.ts';
import { joinPath } from '../errors.ts';
import { isPlainObject } from '../normalize.ts';

type Node = Record<string, unknown>;

export interface SchemaResult {
  /** the value with defaults applied and unknown fields removed */
  value: unknown;
  /** values that break the schema */
  errors: FieldError[];
  /** fields the schema does not know (already removed from `value`) */
  unknown: FieldError[];
}

const node = (v: unknown): Node => (isPlainObject(v) ? v : {});

/** The JSON type name Kubernetes uses in its messages. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function fits(type: unknown, v: unknown): boolean {
  switch (type) {
    case 'object': return isPlainObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);
const invalid = (path: string, v: unknown, why: string): FieldError => ({ path, message: `Invalid value: ${shown(v)}: ${why}`, severity: 'error' });

/**
 * Applies `schema` to `value` at `path` (the object root is ''). At the root, apiVersion, kind
 * and metadata are kept and not checked (metadata is the caller's).
 */
export function applySchema(value: unknown, schema: unknown, path = ''): SchemaResult {
  const errors: FieldError[] = [];
  const unknown: FieldError[] = [];
  const out = walk(value, node(schema), path, path === '');
  return { value: out, errors, unknown };

  function walk(v: unknown, s: Node, at: string, root = false, embedded = false): unknown {
    if (v === null) {
      if (s.nullable !== true && s.type !== undefined) errors.push(invalid(at || '<root>', v, `${at || '<root>'} in body must be of type ${String(s.type)}: "null"`));
      return v;
    }
    const intOrString = s['x-kubernetes-int-or-string'] === true;
    if (intOrString ? !(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v))) : !fits(s.type, v)) {
      errors.push(invalid(at || '<root>', v, `${at || '<root>'} in body must be of type ${intOrString ? 'integer or string' : String(s.type)}: "${typeName(v)}"`));
      return v;
    }
    let result = v;
    if (isPlainObject(v)) result = walkObject(v, s, at, root || embedded || s['x-kubernetes-embedded-resource'] === true);
    else if (Array.isArray(v) && s.items !== undefined) result = v.map((x, i) => walk(x, node(s.items), joinPath(at, i)));
    checkValue(result, s, at);
    for (const sub of ['allOf', 'anyOf', 'oneOf', 'not'] as const) if (s[sub] !== undefined) checkCombined(result, s, sub, at);
    return result;
  }

  function walkObject(v: Record<string, unknown>, s: Node, at: string, keepMeta: boolean): Record<string, unknown> {
    const props = node(s.properties);
    const extra = s.additionalProperties;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = joinPath(at, k);
      if (keepMeta && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) out[k] = x;
      else if (Object.hasOwn(props, k)) out[k] = walk(x, node(props[k]), p);
      else if (isPlainObject(extra)) out[k] = walk(x, extra, p);
      else if (preserve || extra === true) out[k] = x;
      else unknown.push({ path: p, message: `unknown field "${p}"`, severity: 'error' });
    }
    for (const [k, ps] of Object.entries(props)) {
      if (out[k] === undefined && isPlainObject(ps) && ps.default !== undefined) out[k] = structuredClone(ps.default);
    }
    for (const r of Array.isArray(s.required) ? s.required : []) {
      if (typeof r === 'string' && out[r] === undefined) errors.push({ path: joinPath(at, r), message: 'Required value', severity: 'error' });
    }
    return out;
  }

  function checkValue(v: unknown, s: Node, at: string): void {
    const where = at || '<root>';
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      errors.push({ path: where, message: `Unsupported value: ${shown(v)}: supported values: ${s.enum.map(shown).join(', ')}`, severity: 'error' });
    }
    if (typeof v === 'string') {
      if (typeof s.pattern === 'string' && !matches(s.pattern, v)) errors.push(invalid(where, v, `${where} in body should match '${s.pattern}'`));
      const n = [...v].length;
      if (typeof s.maxLength === 'number' && n > s.maxLength) errors.push({ path: where, message: `Too long: may not be more than ${s.maxLength} bytes`, severity: 'error' });
      if (typeof s.minLength === 'number' && n < s.minLength) errors.push(invalid(where, v, `${where} in body should be at least ${s.minLength} chars long`));
    }
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum)) {
        errors.push(invalid(where, v, `${where} in body should be greater than ${s.exclusiveMinimum === true ? '' : 'or equal to '}${s.minimum}`));
      }
      if (typeof s.maximum === 'number' && (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum)) {
        errors.push(invalid(where, v, `${where} in body should be less than ${s.exclusiveMaximum === true ? '' : 'or equal to '}${s.maximum}`));
      }
      if (typeof s.multipleOf === 'number' && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) errors.push(invalid(where, v, `${where} in body should be a multiple of ${s.multipleOf}`));
    }
    if (Array.isArray(v)) {
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) errors.push({ path: where, message: `Too many: ${v.length}: must have at most ${s.maxItems} items`, severity: 'error' });
      if (typeof s.minItems === 'number' && v.length < s.minItems) errors.push(invalid(where, v.length, `${where} in body should have at least ${s.minItems} items`));
      if (s.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) errors.push(invalid(where, v, `${where} in body shouldn't contain duplicates`));
    }
    if (isPlainObject(v)) {
      const n = Object.keys(v).length;
      if (typeof s.maxProperties === 'number' && n > s.maxProperties) errors.push({ path: where, message: `Too many: ${n}: must have at most ${s.maxProperties} items`, severity: 'error' });
      if (typeof s.minProperties === 'number' && n < s.minProperties) errors.push(invalid(where, n, `${where} in body should have at least ${s.minProperties} properties`));
    }
  }

  /** allOf/anyOf/oneOf/not: the value (already walked) against each branch, without pruning by them. */
  function checkCombined(v: unknown, s: Node, sub: 'allOf' | 'anyOf' | 'oneOf' | 'not', at: string): void {
    const where = at || '<root>';
    const branches = sub === 'not' ? [node(s.not)] : (Array.isArray(s[sub]) ? s[sub] : []).map(node);
    const passing = branches.map((b) => validateOnly(v, b, at));
    if (sub === 'allOf') for (const errs of passing) errors.push(...errs);
    else if (sub === 'anyOf' && !passing.some((e) => e.length === 0)) errors.push(invalid(where, v, `${where} in body must match at least one schema in anyOf`));
    else if (sub === 'oneOf' && passing.filter((e) => e.length === 0).length !== 1) errors.push(invalid(where, v, `${where} in body must match exactly one schema in oneOf`));
    else if (sub === 'not' && passing[0].length === 0) errors.push(invalid(where, v, `${where} in body must not match the schema in not`));
  }
}

/** The errors of `v` against `s` alone (branches of allOf & co. prune nothing: their unknown fields are not reported). */
function validateOnly(v: unknown, s: Node, at: string): FieldError[] {
  return applySchema(v, s, at).errors;
}

/** ECMAScript regex test of an OpenAPI pattern; a pattern that does not compile matches nothing. */
function matches(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(v);
  } catch {
    return false;
  }
}
