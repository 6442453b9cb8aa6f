// Go's encoding/json where triggers can observe it: Marshal's output (sorted map keys, `<>&`
// escaped) and Unmarshal's error messages ("invalid character 'e' in literal true (expecting 'r')").

/** A value `goJsonMarshal` accepts: plain JSON data (objects, arrays, strings, numbers, booleans, null). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Go's `json.Marshal` of plain JSON data: compact, object keys sorted, HTML characters escaped. */
export function goJsonMarshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return goFloat(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return goQuoteJson(v);
  }
  if (Array.isArray(v)) return `[${v.map(goJsonMarshal).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort(compareUtf8);
  return `{${keys.map((k) => `${goQuoteJson(k)}:${goJsonMarshal(o[k])}`).join(',')}}`;
}

/** Go sorts map keys by their bytes; JS sorts UTF-16 units. They differ only above U+FFFF vs U+E000–U+FFFF. */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const ea = utf8.encode(a);
  const eb = utf8.encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i] - eb[i];
  return ea.length - eb.length;
}

const utf8 = new TextEncoder();

/** Go's float64 encoding: shortest representation, exponent form below 1e-6 and from 1e21 (as JS). */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf'}`);
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

/** A JSON string literal as Go writes it: `<`, `>`, `&`, U+2028, U+2029 and lone surrogates escaped. */
export function goQuoteJson(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += ch + s[++i];
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += '\\ufffd';
    } else if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

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
    i++;
    ws();
    if (at() === 0x7d) {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (at() !== 0x22) fail('looking for beginning of object key string');
      string();
      ws();
      if (at() !== 0x3a) fail('after object key');
      i++;
      value();
      ws();
      const c = at();
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x7d) {
        i++;
        return;
      }
      fail('after object key:value pair');
    }
  }
  function array(): void {
    i++;
    ws();
    if (at() === 0x5d) {
      i++;
      return;
    }
    for (;;) {
      value();
      ws();
      const c = at();
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x5d) {
        i++;
        return;
      }
      fail('after array element');
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
