// Conversions between JSON data and CEL values, and CEL's equality for the sets/lists extensions.
import type { CelValue, CelInput } from '@bufbuild/cel';
import type { CelModules } from './load.ts';
import type { JsonValue } from '../gojson.ts';

/**
 * JSON data as CEL input: objects become maps, arrays lists, numbers doubles (as Go's
 * encoding/json decodes them). With `integers: 'int'`, integral numbers become CEL ints instead —
 * what a Go caller passing native `int`s gets (Tekton's own expression tests do that).
 */
export function celInputFromJson(v: unknown, opts: { integers?: 'double' | 'int' } = {}): CelInput {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return opts.integers === 'int' && Number.isInteger(v) ? BigInt(v) : v;
  if (typeof v !== 'object') return v as CelInput;
  if (v instanceof Uint8Array || v instanceof Map) return v as CelInput;
  if (Array.isArray(v)) return v.map((e) => celInputFromJson(e, opts));
  const m = new Map<string, CelInput>();
  for (const [k, e] of Object.entries(v)) m.set(k, celInputFromJson(e, opts));
  return m;
}

/** The standard base64 encoding of bytes (what Go's JSON encoder writes for []byte). */
export function bytesToBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/**
 * A CEL value as JSON data, as Tekton renders overlay results: ints and uints become numbers,
 * bytes base64 strings, maps objects (keys as strings), lists arrays, types their names.
 */
export function celToJson(lib: CelModules, v: CelValue): JsonValue {
  const { cel } = lib;
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (cel.isCelUint(v)) return Number(v.value);
  if (v instanceof Uint8Array) return bytesToBase64(v);
  if (cel.isCelList(v)) return [...v].map((e) => celToJson(lib, e));
  if (cel.isCelMap(v)) {
    const o: Record<string, JsonValue> = {};
    for (const [k, e] of v) o[cel.isCelUint(k) ? String(k.value) : String(k)] = celToJson(lib, e);
    return o;
  }
  if (cel.isCelType(v)) return v.name;
  return String(v);
}

/** A number-like CEL value as a JS number, or undefined. */
export function numeric(lib: CelModules, v: CelValue): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (lib.cel.isCelUint(v)) return v.value;
  return undefined;
}

/** Compares two numbers of any CEL numeric type: negative, 0, positive (NaN compares as unordered: NaN). */
export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** CEL's `==` with heterogeneous numeric equality, deep over lists and maps. */
export function celEquals(lib: CelModules, a: CelValue, b: CelValue): boolean {
  const { cel } = lib;
  const na = numeric(lib, a);
  const nb = numeric(lib, b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && compareNumbers(na, nb) === 0;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (cel.isCelList(a) || cel.isCelList(b)) {
    if (!cel.isCelList(a) || !cel.isCelList(b) || a.size !== b.size) return false;
    for (let i = 0; i < a.size; i++) if (!celEquals(lib, a.get(i) as CelValue, b.get(i) as CelValue)) return false;
    return true;
  }
  if (cel.isCelMap(a) || cel.isCelMap(b)) {
    if (!cel.isCelMap(a) || !cel.isCelMap(b) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k)) return false;
      if (!celEquals(lib, v, b.get(k) as CelValue)) return false;
    }
    return true;
  }
  if (cel.isCelType(a) || cel.isCelType(b)) return cel.isCelType(a) && cel.isCelType(b) && a.name === b.name;
  return a === b;
}
