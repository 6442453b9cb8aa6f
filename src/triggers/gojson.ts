// Go's encoding/json where triggers can observe it. Marshal's output, which Tekton Triggers'
// bindings and CEL's marshalJSON depend on, differs from JSON.stringify: map keys are sorted (byte
// order of their UTF-8), `<`, `>` and `&` are escaped as \u003c \u003e \u0026, U+2028 and U+2029
// are escaped, invalid UTF-16 (a lone surrogate) becomes \ufffd, -0 stays "-0", and NaN/±Inf are
// an error. Unmarshal's error messages: "invalid character 'e' in literal true (expecting 'r')".

/** A value `goMarshal` accepts: plain JSON data (objects, arrays, strings, numbers, booleans, null). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Go's json.Marshal of plain JSON data: compact, object keys sorted, HTML characters escaped. Throws on NaN/±Inf as Go does. */
export function goMarshal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string': return goQuote(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'number': return goNumber(value);
    case 'bigint': return value.toString();
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(goMarshal).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort(compareUTF8);
      return `{${keys.map((k) => `${goQuote(k)}:${goMarshal(obj[k])}`).join(',')}}`;
    }
    default: return 'null';
  }
}

/** A Go float64 as encoding/json writes it: shortest form, exponent below 1e-6 and from 1e21 (as JS); NaN and ±Inf throw Go's error. */
export function goNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf'}`);
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

const HEX = '0123456789abcdef';

/** A string as a Go JSON string literal, with the quotes. */
export function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { out += s[i] + s[i + 1]; i++; continue; }
    }
    if (c >= 0xd800 && c <= 0xdfff) { out += '\\ufffd'; continue; }
    switch (c) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += '\\\\'; continue;
      case 0x08: out += '\\b'; continue;
      case 0x0c: out += '\\f'; continue;
      case 0x0a: out += '\\n'; continue;
      case 0x0d: out += '\\r'; continue;
      case 0x09: out += '\\t'; continue;
      case 0x3c: case 0x3e: case 0x26: case 0x2028: case 0x2029:
        out += `\\u${c.toString(16).padStart(4, '0')}`; continue;
    }
    if (c < 0x20) out += `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
    else out += s[i];
  }
  return `${out}"`;
}

/**
 * Orders strings by their UTF-8 bytes, as Go sorts map keys: by code point, a lone surrogate
 * counting as U+FFFD (what it is encoded as). JS's default sort (UTF-16 units) differs above U+FFFF.
 */
export function compareUTF8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = scalarAt(a, i);
    const y = scalarAt(b, i);
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** The code point at UTF-16 index `i`, U+FFFD for a lone surrogate. */
function scalarAt(s: string, i: number): number {
  const c = s.codePointAt(i)!;
  return c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
}

const utf8 = new TextEncoder();

class GoJsonError extends Error {}

/** Go's `quoteChar`: how json error messages show the offending byte. */
function quoteChar(b: number): string {
  if (b === 0x27) return `'\\''`;
  if (b === 0x22) return `'"'`;
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 0x5c: '\\\\' };
  if (named[b]) return `'${named[b]}'`;
  if (b < 0x20 || b === 0x7f) return `'\\x${b.toString(16).padStart(2, '0')}'`;
  if (b < 0x7f) return `'${String.fromCharCode(b)}'`;
  if (b < 0xa0 || b === 0xad) return `'\\u${b.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(b)}'`;
}

/**
 * Go's syntax check of a JSON document (encoding/json's scanner): undefined when valid, else the
 * message Go gives, e.g. `invalid character 'e' in literal true (expecting 'r')` or
 * `unexpected end of JSON input`.
 */
export function goJsonSyntaxError(text: string): string | undefined {
  const s = utf8.encode(text);
  let i = 0;
  const at = (): number => {
    if (i >= s.length) throw new GoJsonError('unexpected end of JSON input');
    return s[i];
  };
  const fail = (context: string): never => {
    throw new GoJsonError(`invalid character ${quoteChar(s[i])} ${context}`);
  };
  const ws = (): void => {
    while (i < s.length && (s[i] === 0x20 || s[i] === 0x09 || s[i] === 0x0a || s[i] === 0x0d)) i++;
  };
  const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
  const digits = (): void => {
    while (i < s.length && isDigit(s[i])) i++;
  };
  function literal(word: string): void {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (at() !== word.charCodeAt(k)) fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    i++;
  }
  function number(): void {
    if (at() === 0x2d) {
      i++;
      if (!isDigit(at())) fail('in numeric literal');
    }
    if (at() === 0x30) i++;
    else digits();
    if (i < s.length && s[i] === 0x2e) {
      i++;
      if (!isDigit(at())) fail('after decimal point in numeric literal');
      digits();
    }
    if (i < s.length && (s[i] === 0x65 || s[i] === 0x45)) {
      i++;
      if (at() === 0x2b || at() === 0x2d) i++;
      if (!isDigit(at())) fail('in exponent of numeric literal');
      digits();
    }
  }
  function string(): void {
    i++;
    for (;;) {
      const c = at();
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        i++;
        const e = at();
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            const h = at();
            if (!(isDigit(h) || (h >= 0x61 && h <= 0x66) || (h >= 0x41 && h <= 0x46))) fail('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) fail('in string escape code');
      } else if (c < 0x20) fail('in string literal');
      i++;
    }
  }
  function value(): void {
    ws();
    const c = at();
    if (c === 0x7b) return object();
    if (c === 0x5b) return array();
    if (c === 0x22) return string();
    if (c === 0x2d || isDigit(c)) return number();
    if (c === 0x74) return literal('true');
    if (c === 0x66) return literal('false');
    if (c === 0x6e) return literal('null');
    fail('looking for beginning of value');
  }
  function object(): void {
    container(0x7d, 'after object key:value pair', () => {
      ws();
      if (at() !== 0x22) fail('looking for beginning of object key string');
      string();
      ws();
      if (at() !== 0x3a) fail('after object key');
      i++;
      value();
    });
  }
  function array(): void {
    container(0x5d, 'after array element', value);
  }
  /** `{…}` or `[…]` from its opening byte: members separated by `,` up to `close`. */
  function container(close: number, afterMember: string, member: () => void): void {
    i++;
    ws();
    if (at() === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      ws();
      const c = at();
      if (c !== 0x2c && c !== close) fail(afterMember);
      i++;
      if (c === close) return;
    }
  }
  try {
    value();
    ws();
    if (i < s.length) fail('after top-level value');
    return undefined;
  } catch (e) {
    if (e instanceof GoJsonError) return e.message;
    throw e;
  }
}

/**
 * Go's `json.Unmarshal(text, &map[string]interface{})`: the object, `{}` for `null`, or Go's
 * error (syntax, or `json: cannot unmarshal array into Go value of type map[string]interface {}`).
 */
export function goJsonUnmarshalObject(text: string): { value: Record<string, unknown> } | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: goJsonSyntaxError(text) ?? 'invalid JSON' };
  }
  if (v === null) return { value: {} };
  if (typeof v !== 'object' || Array.isArray(v)) {
    const kind = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
    return { error: `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}` };
  }
  return { value: v as Record<string, unknown> };
}
