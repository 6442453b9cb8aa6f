// The Kubernetes JSONPath dialect (k8s.io/client-go/util/jsonpath) as Tekton Triggers uses it in
// bindings: one action `{.a.b}` over a JSON value, with fields (`\.` escapes a dot), `*`,
// `[n]`, `[-1:]`, slices `[s:e:step]`, `['key']`, `..` recursive descent and filters
// `[?(@.a == 'd')]` (==, !=, <, >, <=, >=, or existence). Missing keys are errors
// (AllowMissingKeys(false)). Unions (`[a,b]`) and `range`/`end` are not supported.

type Node =
  | { t: 'field'; name: string }
  | { t: 'wildcard' }
  | { t: 'recursive' }
  | { t: 'array'; params: [Param, Param, Param] }
  | { t: 'filter'; left: Node[]; right: Node[]; op: string }
  | { t: 'literal'; value: unknown };

interface Param { known: boolean; value: number; derived?: boolean }

/** An integer literal of a filter (Go compares it with a JSON number — a float — only with an error). */
class GoInt { readonly n: number; constructor(n: number) { this.n = n; } }

export class JSONPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JSONPathError';
  }
}

const SPACE = new Set([' ', '\t', '\r', '\n']);
const TERMINATORS = new Set(['.', ',', '[', ']', '$', '@', '{', '}']);
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const DICT_KEY = /^'([^']*)'$/;
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/s;

/** Parses the inside of one action (`.a.b[0]` of `{.a.b[0]}`); throws JSONPathError. */
export function parseAction(text: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  const peekIs = (s: string) => text.startsWith(s, pos);
  while (pos < text.length) {
    if (peekIs('[?(')) { pos = parseFilter(text, pos + 3, nodes); continue; }
    if (peekIs('..')) {
      nodes.push({ t: 'recursive' });
      pos += 2;
      if (pos < text.length && /[\p{L}\p{N}_]/u.test(text[pos])) pos = parseField(text, pos, nodes);
      continue;
    }
    const c = text[pos];
    if (c === ' ' || c === '@' || c === '$') { pos++; continue; }
    if (c === '[') { pos = parseArray(text, pos + 1, nodes); continue; }
    if (c === '.') { pos = parseField(text, pos + 1, nodes); continue; }
    if (c === '"' || c === "'") { pos = parseQuote(text, pos, nodes); continue; }
    if (c === '+' || c === '-' || /\d/.test(c)) { pos = parseNumber(text, pos, nodes); continue; }
    const bool = /^(true|false)\b/.exec(text.slice(pos));
    if (bool) { nodes.push({ t: 'literal', value: bool[1] === 'true' }); pos += bool[1].length; continue; }
    if (c === '\n') throw new JSONPathError('unclosed action');
    if (/[\p{L}\p{N}_]/u.test(c)) throw new JSONPathError(`unrecognized identifier ${/^[\p{L}\p{N}_]+/u.exec(text.slice(pos))![0]}`);
    throw new JSONPathError(`unrecognized character in action: ${JSON.stringify(c)}`);
  }
  return nodes;
}

/** A field name up to the next unescaped terminator; `\` escapes the next character and is dropped. */
function parseField(text: string, pos: number, nodes: Node[]): number {
  const start = pos;
  while (pos < text.length) {
    const c = text[pos];
    if (c === '\\') { pos += 2; continue; }
    if (SPACE.has(c) || TERMINATORS.has(c)) break;
    pos++;
  }
  const raw = text.slice(start, Math.min(pos, text.length));
  nodes.push(raw === '*' ? { t: 'wildcard' } : { t: 'field', name: raw.replaceAll('\\', '') });
  return pos;
}

function parseArray(text: string, pos: number, nodes: Node[]): number {
  const end = text.indexOf(']', pos);
  const nl = text.indexOf('\n', pos);
  if (end < 0 || (nl >= 0 && nl < end)) throw new JSONPathError('unterminated array');
  let inner = text.slice(pos, end);
  if (inner === '*') inner = ':';
  if (inner.split(',').length > 1) throw new JSONPathError(`unions are not supported: [${inner}]`);
  const key = DICT_KEY.exec(inner);
  if (key) {
    nodes.push({ t: 'field', name: key[1] });
    return end + 1;
  }
  const m = SLICE.exec(inner);
  if (!m) throw new JSONPathError(`invalid array index ${inner}`);
  const params: [Param, Param, Param] = [{ known: false, value: 0 }, { known: false, value: 0 }, { known: false, value: 0 }];
  for (let i = 0; i < 3; i++) {
    let v = m[i + 1];
    if (v !== undefined && v !== '') {
      if (i > 0) v = v.slice(1);
      if (i > 0 && v === '') params[i] = { known: false, value: 0 };
      else {
        const n = Number(v);
        if (!Number.isInteger(n)) throw new JSONPathError(`array index ${v} is not a number`);
        params[i] = { known: true, value: n };
      }
    } else if (i === 1) {
      params[i] = { known: true, value: params[0].value + 1, derived: true };
    }
  }
  nodes.push({ t: 'array', params });
  return end + 1;
}

function parseFilter(text: string, pos: number, nodes: Node[]): number {
  const start = pos;
  let begin = false;
  let end = false;
  let pair = '';
  for (;;) {
    if (pos >= text.length || text[pos] === '\n') throw new JSONPathError('unterminated filter');
    const c = text[pos++];
    if (c === '"' || c === "'") {
      if (!begin) { begin = true; pair = c; continue; }
      if (text[pos - 2] !== '\\' && c === pair) end = true;
    } else if (c === ')' && begin === end) {
      break;
    }
  }
  if (text[pos] !== ']') throw new JSONPathError('unclosed array expect ]');
  const inner = text.slice(start, pos - 1);
  const m = FILTER.exec(inner);
  if (!m) nodes.push({ t: 'filter', left: parseAction(inner), right: [], op: 'exists' });
  else nodes.push({ t: 'filter', left: parseAction(m[1]), right: parseAction(m[3]), op: m[2] });
  return pos + 1;
}

function parseQuote(text: string, pos: number, nodes: Node[]): number {
  const q = text[pos];
  let i = pos + 1;
  let value = '';
  for (;;) {
    if (i >= text.length) throw new JSONPathError('unterminated quoted string');
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) { value += text[i + 1]; i += 2; continue; }
    if (c === q) break;
    value += c;
    i++;
  }
  nodes.push({ t: 'literal', value });
  return i + 1;
}

function parseNumber(text: string, pos: number, nodes: Node[]): number {
  const m = /^[+-]?[0-9.]*/.exec(text.slice(pos))![0];
  if (m.includes('.')) {
    const f = Number(m);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(m) || Number.isNaN(f)) throw new JSONPathError(`cannot parse number ${m}`);
    nodes.push({ t: 'literal', value: f });
  } else {
    if (!/^[+-]?\d+$/.test(m)) throw new JSONPathError(`cannot parse number ${m}`);
    nodes.push({ t: 'literal', value: new GoInt(Number(m)) });
  }
  return pos + m.length;
}

// ---- evaluation --------------------------------------------------------------------------------

/** Evaluates parsed nodes against `root`; every match, in order. Throws JSONPathError. */
export function evaluate(root: unknown, nodes: readonly Node[]): unknown[] {
  let cur: unknown[] = [root];
  for (const node of nodes) cur = step(cur, node);
  return cur.map((v) => (v instanceof GoInt ? v.n : v));
}

function step(input: unknown[], node: Node): unknown[] {
  switch (node.t) {
    case 'field': return evalField(input, node.name);
    case 'wildcard': return input.flatMap(children);
    case 'recursive': return evalRecursive(input);
    case 'array': return input.flatMap((v) => evalArray(v, node.params));
    case 'filter': return input.flatMap((v) => evalFilter(v, node));
    case 'literal': return [node.value];
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt);
}

function evalField(input: unknown[], name: string): unknown[] {
  if (input.length === 0) return [];
  const out: unknown[] = [];
  for (const v of input) if (isMap(v) && Object.hasOwn(v, name)) out.push(v[name]);
  if (out.length === 0) throw new JSONPathError(`${name} is not found`);
  return out;
}

/** Values of a map (by sorted key: Go's order is random) or items of a list. */
function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.keys(v).sort().map((k) => v[k]);
  return [];
}

function evalRecursive(input: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of input) {
    const kids = children(v);
    if (kids.length) out.push(v, ...evalRecursive(kids));
  }
  return out;
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (isMap(v)) return 'map[string]interface {}';
  return 'interface {}';
}

function evalArray(v: unknown, p: readonly [Param, Param, Param]): unknown[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new JSONPathError(`${goTypeName(v)} is not array or slice`);
  const len = v.length;
  let start = p[0].known ? p[0].value : 0;
  if (start < 0) start += len;
  let end = p[1].known ? p[1].value : len;
  if (end < 0 || (end === 0 && p[1].derived)) end += len;
  if (end === start) return [];
  if (start >= len || start < 0) throw new JSONPathError(`array index out of bounds: index ${start}, length ${len}`);
  if (end > len || end < 0) throw new JSONPathError(`array index out of bounds: index ${end - 1}, length ${len}`);
  if (start > end) throw new JSONPathError(`starting index ${start} is greater than ending index ${end}`);
  let stride = 1;
  if (p[2].known) {
    if (p[2].value <= 0) throw new JSONPathError('step must be > 0');
    stride = p[2].value;
  }
  const out: unknown[] = [];
  for (let i = start; i < end; i += stride) out.push(v[i]);
  return out;
}

function evalFilter(v: unknown, node: Extract<Node, { t: 'filter' }>): unknown[] {
  if (!Array.isArray(v)) throw new JSONPathError(`${goTypeName(v)} is not array or slice and cannot be filtered`);
  const out: unknown[] = [];
  for (const item of v) {
    let lefts: unknown[];
    try {
      lefts = evalNodes([item], node.left);
    } catch (e) {
      if (node.op === 'exists') continue;
      throw e;
    }
    if (node.op === 'exists') { if (lefts.length) out.push(item); continue; }
    if (lefts.length === 0) continue;
    if (lefts.length > 1) throw new JSONPathError('can only compare one element at a time');
    const rights = evalNodes([item], node.right);
    if (rights.length === 0) continue;
    if (rights.length > 1) throw new JSONPathError('can only compare one element at a time');
    if (compare(lefts[0], rights[0], node.op)) out.push(item);
  }
  return out;
}

function evalNodes(input: unknown[], nodes: readonly Node[]): unknown[] {
  let cur = input;
  for (const n of nodes) cur = step(cur, n);
  return cur;
}

type Kind = 'string' | 'float' | 'int' | 'bool';

function kindOf(v: unknown): Kind | undefined {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'boolean') return 'bool';
  return undefined;
}

/** Go text/template's eq/ne/lt/le/gt/ge: same basic kinds only. */
function compare(a: unknown, b: unknown, op: string): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (!ka || !kb) throw new JSONPathError('invalid type for comparison');
  if (ka !== kb) throw new JSONPathError('incompatible types for comparison');
  const x = a instanceof GoInt ? a.n : a as string | number | boolean;
  const y = b instanceof GoInt ? b.n : b as string | number | boolean;
  switch (op) {
    case '==': return x === y;
    case '!=': return x !== y;
  }
  if (ka === 'bool') throw new JSONPathError('invalid type for comparison');
  switch (op) {
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
    default: throw new JSONPathError(`unrecognized filter operator ${op}`);
  }
}
