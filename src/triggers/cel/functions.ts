// Tekton Triggers' CEL functions (pkg/interceptors/cel/triggers.go) and the cel-go extension
// functions Tekton enables that @bufbuild/cel does not ship (lists, sets, math, base64, string
// reverse). @bufbuild/cel's own `ext` strings library provides the rest of ext.Strings().
import { parse as parseYaml } from 'yaml';
import type { CelFunc, CelValue, CelMap, CelList, CelInput } from '@bufbuild/cel';
import type { CelModules } from './load.ts';
import { celEquals, celInputFromJson, celToJson, compareNumbers, numeric, bytesToBase64 } from './values.ts';
import { goJsonUnmarshalObject, goMarshal } from '../gojson.ts';
import { parseURL } from './url.ts';
import { compileGoRegexp, goReplaceAll } from './regex.ts';
import { canonicalHeaderKey } from '../../api/httpheader.ts';
import { constantTimeEqual } from '../interceptors/signature.ts';

/** What compareSecret sees of the secrets: the value, undefined when missing, or `pending` when not fetched yet. */
export type SecretView = (secretName: string, secretKey: string) => string | undefined | typeof PENDING;

export const PENDING = Symbol('secret pending');

/** Thrown by compareSecret for a secret not fetched yet: the evaluator fetches it and evaluates again. */
export class SecretPending extends Error {}

/** Where compareSecret reads secrets during one synchronous evaluation. */
export interface SecretSlot {
  current?: SecretView;
}

/** The functions of the trigger CEL environment, beyond @bufbuild/cel's standard library. */
export function triggerFunctions(lib: CelModules, secrets: SecretSlot): CelFunc[] {
  return [...tektonFunctions(lib, secrets), ...listFunctions(lib), ...setFunctions(lib), ...mathFunctions(lib), ...encoderFunctions(lib), ...stringExtras(lib)];
}

/** Converts a map to http.Header as cel-go's ConvertToNative does: every value must be a list of strings. */
function toHeader(lib: CelModules, m: CelMap): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of m) {
    if (typeof k !== 'string') throw new Error(`failed to convert to http.Header: unsupported key type`);
    if (!lib.cel.isCelList(v)) throw new Error(`failed to convert to http.Header: type conversion error from '${typeName(lib, v)}' to '[]string'`);
    const values: string[] = [];
    for (const e of v) {
      if (typeof e !== 'string') throw new Error(`failed to convert to http.Header: type conversion error from '${typeName(lib, e)}' to 'string'`);
      values.push(e);
    }
    out.set(k, values);
  }
  return out;
}

function headerGet(h: Map<string, string[]>, name: string): string {
  return h.get(canonicalHeaderKey(name))?.[0] ?? '';
}

function typeName(lib: CelModules, v: CelValue): string {
  return lib.cel.celType(v).name;
}

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

function tektonFunctions(lib: CelModules, secrets: SecretSlot): CelFunc[] {
  const { celMethod, CelScalar, mapType, listType } = lib.cel;
  const { STRING, INT, BOOL, DYN } = CelScalar;
  const MAP = mapType(STRING, DYN);
  const LIST = listType(DYN);
  function compareSecret(this: string, secretKey: string, secretName: string): boolean {
    const view = secrets.current;
    const token = view ? view(secretName, secretKey) : undefined;
    if (token === PENDING) throw new SecretPending(`secret ${secretName} not fetched yet`);
    if (token === undefined) {
      throw new Error(`failed to find secret 'v1beta1.SecretRef{SecretKey:${JSON.stringify(secretKey)}, SecretName:${JSON.stringify(secretName)}}' in compareSecret: secret not found`);
    }
    return constantTimeEqual(token, this);
  }
  function marshalJSON(this: CelValue): string {
    return goMarshal(celToJson(lib, this));
  }
  return [
    celMethod('match', MAP, [STRING, STRING], BOOL, function match(name, value) {
      return headerGet(toHeader(lib, this), name) === value;
    }),
    celMethod('canonical', MAP, [STRING], STRING, function canonical(name) {
      return headerGet(toHeader(lib, this), name);
    }),
    celMethod('truncate', STRING, [INT], STRING, function truncate(n) {
      if (n < 0n) throw new Error(`truncate: negative length ${n}`);
      const bytes = utf8.encode(this);
      return bytes.length <= n ? this : utf8Decode.decode(bytes.subarray(0, Number(n)));
    }),
    celMethod('compareSecret', STRING, [STRING, STRING], BOOL, compareSecret),
    celMethod('compareSecret', STRING, [STRING, STRING, STRING], BOOL, function compareSecretNs(key, name) {
      // Tekton ignores the namespace argument: secrets always come from the trigger's namespace.
      return compareSecret.call(this, key, name);
    }),
    celMethod('parseJSON', STRING, [], MAP, function parseJSON() {
      const r = goJsonUnmarshalObject(this);
      if ('error' in r) throw new Error(`failed to decode '${this}' in parseJSON: ${r.error}`);
      return celInputFromJson(r.value) as CelMap;
    }),
    celMethod('parseYAML', STRING, [], MAP, function parseYAML() {
      let v: unknown;
      try {
        v = parseYaml(this);
      } catch (e) {
        throw new Error(`failed to decode '${this}' in parseYAML: error converting YAML to JSON: ${(e as Error).message}`);
      }
      if (v === null || v === undefined) v = {};
      if (typeof v !== 'object' || Array.isArray(v) || v instanceof Map) {
        const kind = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
        throw new Error(`failed to decode '${this}' in parseYAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
      }
      return celInputFromJson(JSON.parse(JSON.stringify(v))) as CelMap;
    }),
    celMethod('parseURL', STRING, [], MAP, function parseUrl() {
      try {
        return celInputFromJson(parseURL(this)) as CelMap;
      } catch (e) {
        throw new Error(`failed to decode '${this}' in parseURL: ${(e as Error).message}`);
      }
    }),
    celMethod('marshalJSON', MAP, [], STRING, marshalJSON),
    celMethod('marshalJSON', LIST, [], STRING, marshalJSON),
    celMethod('first', LIST, [], DYN, function first() {
      return this.size ? (this.get(0) as CelInput) : null;
    }),
    celMethod('last', LIST, [], DYN, function last() {
      return this.size ? (this.get(this.size - 1) as CelInput) : null;
    }),
    celMethod('translate', STRING, [STRING, STRING], STRING, function translate(regex, repl) {
      return goReplaceAll(this, compileGoRegexp(regex), repl);
    }),
  ];
}

function listFunctions(lib: CelModules): CelFunc[] {
  const { celMethod, celFunc, CelScalar, listType } = lib.cel;
  const { INT, DYN } = CelScalar;
  const LIST = listType(DYN);
  const flatten = (l: CelList, depth: number): CelInput[] => {
    const out: CelInput[] = [];
    for (const e of l) {
      if (depth > 0 && lib.cel.isCelList(e)) out.push(...flatten(e, depth - 1));
      else out.push(e as CelInput);
    }
    return out;
  };
  const sortKey = (v: CelValue): CelValue => {
    if (typeof v === 'string' || typeof v === 'boolean' || numeric(lib, v) !== undefined || v instanceof Uint8Array) return v;
    throw new Error(`list elements must be comparable: ${typeName(lib, v)}`);
  };
  const compare = (a: CelValue, b: CelValue): number => {
    const na = numeric(lib, a);
    const nb = numeric(lib, b);
    if (na !== undefined && nb !== undefined) return compareNumbers(na, nb);
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
    throw new Error(`list elements must have the same type`);
  };
  return [
    celMethod('slice', LIST, [INT, INT], LIST, function slice(start, end) {
      if (start < 0n || end < 0n) throw new Error(`cannot slice(${start}, ${end}), negative indexes not supported`);
      if (start > end) throw new Error(`cannot slice(${start}, ${end}), start index must be less than or equal to end index`);
      if (end > BigInt(this.size)) throw new Error(`cannot slice(${start}, ${end}), list is length ${this.size}`);
      return [...this].slice(Number(start), Number(end)) as CelInput[];
    }),
    celMethod('flatten', LIST, [], LIST, function flattenOne() {
      return flatten(this, 1);
    }),
    celMethod('flatten', LIST, [INT], LIST, function flattenN(depth) {
      if (depth < 0n) throw new Error('level must be non-negative');
      return flatten(this, Number(depth));
    }),
    celMethod('distinct', LIST, [], LIST, function distinct() {
      const out: CelValue[] = [];
      for (const e of this) if (!out.some((o) => celEquals(lib, o, e))) out.push(e);
      return out as CelInput[];
    }),
    celMethod('reverse', LIST, [], LIST, function reverse() {
      return [...this].reverse() as CelInput[];
    }),
    celMethod('sort', LIST, [], LIST, function sort() {
      return [...this].map(sortKey).sort(compare) as CelInput[];
    }),
    celFunc('lists.range', [INT], LIST, function range(n) {
      const out: bigint[] = [];
      for (let i = 0n; i < n; i++) out.push(i);
      return out;
    }),
  ];
}

function setFunctions(lib: CelModules): CelFunc[] {
  const { celFunc, CelScalar, listType } = lib.cel;
  const LIST = listType(CelScalar.DYN);
  const has = (l: CelList, v: CelValue): boolean => [...l].some((e) => celEquals(lib, e, v));
  const contains = (a: CelList, b: CelList): boolean => [...b].every((e) => has(a, e));
  return [
    celFunc('sets.contains', [LIST, LIST], CelScalar.BOOL, contains),
    celFunc('sets.equivalent', [LIST, LIST], CelScalar.BOOL, (a, b) => contains(a, b) && contains(b, a)),
    celFunc('sets.intersects', [LIST, LIST], CelScalar.BOOL, (a, b) => [...b].some((e) => has(a, e))),
  ];
}

function mathFunctions(lib: CelModules): CelFunc[] {
  const { celFunc, CelScalar, listType } = lib.cel;
  const { INT, UINT, DOUBLE, BOOL, DYN } = CelScalar;
  const LIST = listType(DYN);
  const pick = (name: string, values: CelValue[], sign: number): CelInput => {
    if (values.length === 0) throw new Error(`${name}(list) argument must not be empty`);
    let best: CelValue | undefined;
    for (const v of values) {
      const n = numeric(lib, v);
      if (n === undefined) throw new Error(`${name}: no such overload: ${typeName(lib, v)}`);
      if (best === undefined || compareNumbers(n, numeric(lib, best) as number) * sign > 0) best = v;
    }
    return best as CelInput;
  };
  const variadic = (name: string, sign: number): CelFunc[] => {
    const out: CelFunc[] = [
      celFunc(name, [LIST], DYN, (l) => pick(name, [...l], sign)),
    ];
    for (let arity = 1; arity <= 8; arity++) {
      const args = Array.from({ length: arity }, () => DYN);
      out.push(celFunc(name, args, DYN, (...vals: CelValue[]) => {
        if (arity === 1 && lib.cel.isCelList(vals[0])) return pick(name, [...vals[0]], sign);
        return pick(name, vals, sign);
      }));
    }
    return out;
  };
  const dbl = (name: string, f: (x: number) => number): CelFunc => celFunc(`math.${name}`, [DOUBLE], DOUBLE, f);
  const bitInt = (name: string, f: (a: bigint, b: bigint) => bigint): CelFunc => celFunc(`math.${name}`, [INT, INT], INT, (a, b) => BigInt.asIntN(64, f(a, b)));
  const { celUint } = lib.cel;
  return [
    ...variadic('math.greatest', 1),
    ...variadic('math.least', -1),
    dbl('ceil', Math.ceil),
    dbl('floor', Math.floor),
    dbl('round', (x) => (x < 0 ? -Math.round(-x) : Math.round(x))),
    dbl('trunc', Math.trunc),
    dbl('sqrt', Math.sqrt),
    celFunc('math.sqrt', [INT], DOUBLE, (x) => Math.sqrt(Number(x))),
    celFunc('math.abs', [DOUBLE], DOUBLE, Math.abs),
    celFunc('math.abs', [INT], INT, (x) => {
      if (x === -(2n ** 63n)) throw new Error('integer overflow');
      return x < 0n ? -x : x;
    }),
    celFunc('math.abs', [UINT], UINT, (x) => x),
    celFunc('math.sign', [DOUBLE], DOUBLE, (x) => (Number.isNaN(x) ? NaN : Math.sign(x))),
    celFunc('math.sign', [INT], INT, (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n)),
    celFunc('math.sign', [UINT], UINT, (x) => celUint(x.value > 0n ? 1n : 0n)),
    celFunc('math.isInf', [DOUBLE], BOOL, (x) => x === Infinity || x === -Infinity),
    celFunc('math.isNaN', [DOUBLE], BOOL, (x) => Number.isNaN(x)),
    celFunc('math.isFinite', [DOUBLE], BOOL, (x) => Number.isFinite(x)),
    bitInt('bitAnd', (a, b) => a & b),
    bitInt('bitOr', (a, b) => a | b),
    bitInt('bitXor', (a, b) => a ^ b),
    celFunc('math.bitNot', [INT], INT, (a) => ~a),
    celFunc('math.bitShiftLeft', [INT, INT], INT, (a, n) => {
      if (n < 0n) throw new Error(`math.bitShiftLeft() negative offset: ${n}`);
      return n > 63n ? 0n : BigInt.asIntN(64, a << n);
    }),
    celFunc('math.bitShiftRight', [INT, INT], INT, (a, n) => {
      if (n < 0n) throw new Error(`math.bitShiftRight() negative offset: ${n}`);
      return n > 63n ? 0n : BigInt.asIntN(64, BigInt.asUintN(64, a) >> n);
    }),
  ];
}

const BASE64 = /^[A-Za-z0-9+/]*$/;

/** cel-go's base64.decode: standard encoding, padded or not; invalid input is an error. */
function decodeBase64(s: string): Uint8Array {
  const body = s.replace(/={1,2}$/, '');
  const padded = s.length !== body.length;
  if (!BASE64.test(body) || body.length % 4 === 1 || (padded && s.length % 4 !== 0)) {
    const at = [...s].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    throw new Error(`illegal base64 data at input byte ${at >= 0 ? at : s.length}`);
  }
  return new Uint8Array(Buffer.from(body, 'base64'));
}

function encoderFunctions(lib: CelModules): CelFunc[] {
  const { celFunc, CelScalar } = lib.cel;
  return [
    celFunc('base64.decode', [CelScalar.STRING], CelScalar.BYTES, decodeBase64),
    celFunc('base64.encode', [CelScalar.BYTES], CelScalar.STRING, bytesToBase64),
  ];
}

function stringExtras(lib: CelModules): CelFunc[] {
  const { celMethod, CelScalar } = lib.cel;
  return [
    celMethod('reverse', CelScalar.STRING, [], CelScalar.STRING, function reverse() {
      return [...this].reverse().join('');
    }),
  ];
}
