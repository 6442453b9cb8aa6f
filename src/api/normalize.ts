// Field-name normalisation and shape checks against schema.ts, the way Go's encoding/json
// decodes: keys match case-insensitively and are rewritten to their canonical spelling; unknown
// keys are dropped (and reported); values of the wrong JSON type are reported and dropped.
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { ObjectSchema, Schema } from './schema.ts';

export interface NormalizeOptions {
  /** path of `value` within its object, e.g. `spec`; '' for the root */
  path?: string;
  /** accept the schema's v1beta1-only (`legacy`) fields */
  legacy?: boolean;
}

export interface NormalizeResult {
  /** the value with canonical keys, unknown fields and wrongly-typed values removed */
  value: unknown;
  /** unknown fields (callers decide: warning, or error under strict) */
  unknown: FieldError[];
  /** values of the wrong type */
  errors: FieldError[];
  /** harmless oddities: the same field given twice under different spellings */
  warnings: FieldError[];
}

/** Normalises `value` against `schema`; never throws. */
export function normalizeFields(value: unknown, schema: Schema, opts: NormalizeOptions = {}): NormalizeResult {
  const out: NormalizeResult = { value: undefined, unknown: [], errors: [], warnings: [] };
  out.value = walk(value, schema, opts.path ?? '', opts.legacy ?? false, out);
  return out;
}

const DROP = Symbol('drop');

function walk(v: unknown, s: Schema, path: string, legacy: boolean, out: NormalizeResult): unknown {
  switch (s.t) {
    case 'any':
      return v;
    case 'string':
      if (typeof v !== 'string') return mismatch(v, 'string', path, out);
      return s.canon?.find((c) => c.toLowerCase() === v.toLowerCase()) ?? v;
    case 'duration':
      return typeof v === 'string' ? v : mismatch(v, 'duration string (e.g. "1h30m")', path, out);
    case 'int':
      return Number.isInteger(v) ? v : mismatch(v, 'integer', path, out);
    case 'bool':
      return typeof v === 'boolean' ? v : mismatch(v, 'boolean', path, out);
    case 'intOrString':
      return typeof v === 'string' || typeof v === 'number' ? v : mismatch(v, 'integer or string', path, out);
    case 'paramValue':
      return paramValue(v, path, out);
    case 'stringMap':
      return stringMap(v, path, out);
    case 'list': {
      if (!Array.isArray(v)) return mismatch(v, 'list', path, out);
      return v.map((item, i) => {
        const r = item === null ? DROP : walk(item, s.of, joinPath(path, i), legacy, out);
        return r === DROP ? zeroOf(s.of) : r;
      });
    }
    case 'mapOf': {
      if (!isPlainObject(v)) return mismatch(v, 'map', path, out);
      const res: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const r = item === null ? zeroOf(s.of) : walk(item, s.of, joinPath(path, k), legacy, out);
        if (r !== DROP) res[k] = r;
      }
      return res;
    }
    case 'object':
      return object(v, s, path, legacy, out);
  }
}

function object(v: unknown, s: ObjectSchema, path: string, legacy: boolean, out: NormalizeResult): unknown {
  if (!isPlainObject(v)) return mismatch(v, 'object', path, out);
  const index = fieldIndex(s, legacy);
  const res: Record<string, unknown> = {};
  const spelledAs: Record<string, string> = {};
  for (const [key, item] of Object.entries(v)) {
    const canonical = Object.hasOwn(s.fields, key) || (legacy && s.legacy && Object.hasOwn(s.legacy, key))
      ? key
      : index.get(key.toLowerCase());
    if (canonical === undefined) {
      out.unknown.push({ path: joinPath(path, key), message: unknownFieldMessage(key, s, legacy) });
      continue;
    }
    if (item === null) continue; // JSON null: the field is absent
    if (Object.hasOwn(spelledAs, canonical)) {
      out.warnings.push({
        path: joinPath(path, key),
        message: `field "${key}" repeats "${spelledAs[canonical]}" (field names match case-insensitively); the last one wins`,
      });
    }
    spelledAs[canonical] = key;
    const fieldSchema = Object.hasOwn(s.fields, canonical) ? s.fields[canonical] : s.legacy![canonical];
    const r = walk(item, fieldSchema, joinPath(path, canonical), legacy, out);
    if (r !== DROP) res[canonical] = r;
  }
  return res;
}

const indexCache = new WeakMap<ObjectSchema, { v1: Map<string, string>; legacy: Map<string, string> }>();

/** lower-case name → canonical name, built once per schema node. */
function fieldIndex(s: ObjectSchema, legacy: boolean): Map<string, string> {
  let cached = indexCache.get(s);
  if (!cached) {
    const v1 = new Map(Object.keys(s.fields).map((k) => [k.toLowerCase(), k] as const));
    const withLegacy = new Map(v1);
    for (const k of Object.keys(s.legacy ?? {})) if (!withLegacy.has(k.toLowerCase())) withLegacy.set(k.toLowerCase(), k);
    cached = { v1, legacy: withLegacy };
    indexCache.set(s, cached);
  }
  return legacy ? cached.legacy : cached.v1;
}

function unknownFieldMessage(key: string, s: ObjectSchema, legacy: boolean): string {
  if (!legacy && s.legacy) {
    const old = Object.keys(s.legacy).find((k) => k.toLowerCase() === key.toLowerCase());
    if (old) return `unknown field "${key}" (it is a ${s.legacyNote ?? 'tekton.dev/v1beta1 field, not part of tekton.dev/v1'})`;
  }
  const names = [...Object.keys(s.fields), ...(legacy && s.legacy ? Object.keys(s.legacy) : [])];
  const hint = suggestField(key, names);
  return hint ? `unknown field "${key}"; did you mean "${hint}"?` : `unknown field "${key}"`;
}

/**
 * The field name meant by an unknown `key`: the same name written with `_`/`-` (`run_after` →
 * `runAfter`), else the closest by edit distance (`scirpt` → `script`), else a name the key
 * abbreviates or spells out part by part (`workdir` → `workingDir`, `workingDirectory` → `workingDir`).
 */
export function suggestField(key: string, names: readonly string[]): string | undefined {
  const squashed = squash(key);
  return names.find((n) => squash(n) === squashed)
    ?? suggest(key.replace(/[-_]/g, ''), names)
    ?? names.find((n) => abbreviates(key, n) || abbreviates(n, key));
}

function squash(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** camelCase / snake_case / kebab-case words, lower-cased: `workingDir` → ['working', 'dir']. */
function words(name: string): string[] {
  return name.split(/[-_]|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean).map((w) => w.toLowerCase());
}

/**
 * `short` is made of beginnings (3+ letters, or the whole word) of the words of `long`, in order,
 * at least two of them: `workdir` of `workingDir`, `imagepull` of `imagePullPolicy`.
 */
function abbreviates(short: string, long: string): boolean {
  const text = squash(short);
  const parts = words(long);
  if (text.length < 4 || parts.length < 2) return false;
  function from(at: number, part: number): boolean {
    if (at === text.length && part >= 2) return true; // later words left out: `imagePull` of `imagePullPolicy`
    if (part === parts.length) return false;
    const w = parts[part];
    for (let n = Math.min(w.length, text.length - at); n >= Math.min(3, w.length); n--) {
      if (text.slice(at, at + n) === w.slice(0, n) && from(at + n, part + 1)) return true;
    }
    return false;
  }
  return from(0, 0);
}

/** The closest candidate by edit distance (transpositions count 1), if close enough to be a typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDist) { best = c; bestDist = d; }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDist <= limit ? best : undefined;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** A ParamValue: string, list of strings or map of strings; numbers and booleans become their text (as Tekton's UnmarshalJSON does). */
function paramValue(v: unknown, path: string, out: NormalizeResult): unknown {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    return v.map((item, i) => scalarText(item, joinPath(path, i), out));
  }
  if (isPlainObject(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, scalarText(item, joinPath(path, k), out)]));
  }
  return mismatch(v, 'string, list of strings or map of strings', path, out);
}

function scalarText(v: unknown, path: string, out: NormalizeResult): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return '';
  mismatch(v, 'string', path, out);
  return '';
}

function stringMap(v: unknown, path: string, out: NormalizeResult): unknown {
  if (!isPlainObject(v)) return mismatch(v, 'map of strings', path, out);
  const res: Record<string, string> = {};
  for (const [k, item] of Object.entries(v)) {
    if (typeof item === 'string') res[k] = item;
    else if (item !== null) mismatch(item, 'string', joinPath(path, k), out);
  }
  return res;
}

function mismatch(v: unknown, expected: string, path: string, out: NormalizeResult): typeof DROP {
  out.errors.push({ path, message: `invalid type: expected ${expected}, got ${jsonType(v)}` });
  return DROP;
}

/** The JSON type name of a value: string, number, boolean, null, list, object. */
export function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'object' : typeof v;
}

function zeroOf(s: Schema): unknown {
  switch (s.t) {
    case 'object': case 'mapOf': case 'stringMap': return {};
    case 'list': return [];
    case 'int': return 0;
    case 'bool': return false;
    default: return '';
  }
}

/** A plain JSON object (not a list, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
