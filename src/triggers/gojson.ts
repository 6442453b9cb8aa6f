// JSON text exactly as Go's encoding/json Marshal writes it, which Tekton Triggers' bindings
// output and CEL's marshalJSON depend on. It differs from JSON.stringify: map keys are sorted
// (byte order of their UTF-8), `<`, `>` and `&` are escaped as \u003c \u003e \u0026, U+2028 and
// U+2029 are escaped, invalid UTF-16 (a lone surrogate) becomes \ufffd, and -0 stays "-0".

/** Go's json.Marshal of a JSON value (objects, arrays, strings, numbers, booleans, null). */
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

/** A Go float64 as encoding/json writes it (shortest form; exponent below 1e-6 and from 1e21, as JS). */
export function goNumber(n: number): string {
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

/** Orders strings by their UTF-8 bytes (= by code points), as Go sorts map keys. */
export function compareUTF8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
