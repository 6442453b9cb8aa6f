// Label and field selectors with Kubernetes syntax, shared by every Store and the HTTP server.
//   labels: `a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j,k>5,l<3` (comma = AND)
//   fields: `metadata.name=x,metadata.namespace!=y`; core/v1 Events also take Kubernetes' own
//   fields (`involvedObject.name=x,involvedObject.kind=PipelineRun,…`, what `kubectl describe` asks for);
//   PipelineRuns and TaskRuns take what a run list filters on (see runfields.ts)
import type { KObject } from '../api/meta.ts';
import { RUN_FIELDS, type FieldOf } from './runfields.ts';
import type { ListOptions } from './store.ts';
import { StoreError } from './store.ts';

/** `exists` is a bare `key`, `!` is `!key`; `gt`/`lt` compare integers as Kubernetes does. */
export type LabelOperator = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** one value for `=`, `!=`, `gt`, `lt`; one or more for `in`/`notin`; none for `exists`/`!` */
  values: string[];
}

/** Requirements that must all hold; empty matches everything. */
export type LabelSelector = readonly LabelRequirement[];

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export type FieldSelector = readonly FieldRequirement[];

/** Fields a field selector may name for any kind (what Kubernetes supports for custom resources). */
export const SELECTABLE_FIELDS: readonly string[] = ['metadata.name', 'metadata.namespace'];

/**
 * Fields some kinds select on besides SELECTABLE_FIELDS, each with the path of its value, as the
 * Kubernetes API server has them (core/v1 Event: `source` is `source.component`).
 */
const KIND_FIELDS: Readonly<Record<string, Readonly<Record<string, readonly string[] | FieldOf>>>> = {
  Event: {
    'involvedObject.kind': ['involvedObject', 'kind'],
    'involvedObject.namespace': ['involvedObject', 'namespace'],
    'involvedObject.name': ['involvedObject', 'name'],
    'involvedObject.uid': ['involvedObject', 'uid'],
    'involvedObject.apiVersion': ['involvedObject', 'apiVersion'],
    'involvedObject.resourceVersion': ['involvedObject', 'resourceVersion'],
    'involvedObject.fieldPath': ['involvedObject', 'fieldPath'],
    reason: ['reason'],
    reportingComponent: ['reportingComponent'],
    source: ['source', 'component'],
    type: ['type'],
  },
  ...RUN_FIELDS,
};

/** The fields a field selector may name for `kind` (undefined: SELECTABLE_FIELDS only). */
export function selectableFields(kind?: string): readonly string[] {
  const extra = kind !== undefined && Object.hasOwn(KIND_FIELDS, kind) ? Object.keys(KIND_FIELDS[kind]) : [];
  return [...SELECTABLE_FIELDS, ...extra];
}

type Token =
  | { kind: 'id'; text: string }
  | { kind: 'op'; text: '!' | '=' | '==' | '!=' | '(' | ')' | ',' | '>' | '<' }
  | { kind: 'end'; text: '' };

const SPECIAL = /[\s,()!=<>]/;

function badSelector(input: string, why: string): StoreError {
  return new StoreError('BadRequest', `unable to parse requirement: invalid selector ${JSON.stringify(input)}: ${why}`);
}

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) { i++; continue; }
    const two = input.slice(i, i + 2);
    if (two === '==' || two === '!=') { out.push({ kind: 'op', text: two }); i += 2; continue; }
    if (c === '!' || c === '=' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<') {
      out.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && !SPECIAL.test(input[j])) j++;
    out.push({ kind: 'id', text: input.slice(i, j) });
    i = j;
  }
  out.push({ kind: 'end', text: '' });
  return out;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key: `[prefix/]name`, prefix a DNS subdomain (≤253), name ≤63 alphanumerics with `-_.` inside. */
export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return NAME.test(key);
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && NAME.test(name);
}

/** A label value: empty, or ≤63 alphanumerics with `-_.` inside. */
export function isValidLabelValue(value: string): boolean {
  return value === '' || NAME.test(value);
}

/**
 * Parses a Kubernetes label selector. '' (or only spaces) selects everything.
 * Throws StoreError('BadRequest') naming the problem.
 */
export function parseLabelSelector(input: string = ''): LabelSelector {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token => tokens[pos];
  const next = (): Token => tokens[pos++];

  function expectKey(): string {
    const t = next();
    if (t.kind !== 'id') throw badSelector(input, `found '${t.text}', expected: identifier`);
    if (!isValidLabelKey(t.text)) throw badSelector(input, `invalid label key ${JSON.stringify(t.text)}`);
    return t.text;
  }

  function value(text: string): string {
    if (!isValidLabelValue(text)) throw badSelector(input, `invalid label value ${JSON.stringify(text)}`);
    return text;
  }

  function exactValue(): string {
    const t = peek();
    if (t.kind === 'end' || t.text === ',') return '';
    if (t.kind !== 'id') throw badSelector(input, `found '${t.text}', expected: identifier`);
    pos++;
    return value(t.text);
  }

  function valueSet(): string[] {
    const open = next();
    if (open.text !== '(') throw badSelector(input, `found '${open.text}', expected: '('`);
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = next();
      if (t.kind === 'id' && expectValue) { values.push(value(t.text)); expectValue = false; continue; }
      if (t.text === ',') { if (expectValue) values.push(''); expectValue = true; continue; }
      if (t.text === ')') { if (expectValue && values.length > 0) values.push(''); break; }
      throw badSelector(input, `found '${t.text}', expected: ',', ')' or identifier`);
    }
    if (values.length === 0) throw badSelector(input, `for 'in', 'notin' operators, values set can't be empty`);
    return [...new Set(values)].sort();
  }

  function integer(): string {
    const t = next();
    if (t.kind !== 'id' || !/^-?\d+$/.test(t.text)) throw badSelector(input, `for 'gt', 'lt' operators, the value must be an integer`);
    return t.text;
  }

  function requirement(): LabelRequirement {
    if (peek().text === '!') {
      pos++;
      return { key: expectKey(), operator: '!', values: [] };
    }
    const key = expectKey();
    const t = peek();
    if (t.kind === 'end' || t.text === ',') return { key, operator: 'exists', values: [] };
    pos++;
    switch (t.text) {
      case '=': case '==': return { key, operator: '=', values: [exactValue()] };
      case '!=': return { key, operator: '!=', values: [exactValue()] };
      case 'in': return { key, operator: 'in', values: valueSet() };
      case 'notin': return { key, operator: 'notin', values: valueSet() };
      case '>': return { key, operator: 'gt', values: [integer()] };
      case '<': return { key, operator: 'lt', values: [integer()] };
      default: throw badSelector(input, `found '${t.text}', expected: '=', '!=', '==', 'in', 'notin', '>', '<'`);
    }
  }

  if (peek().kind === 'end') return [];
  const out: LabelRequirement[] = [];
  for (;;) {
    out.push(requirement());
    const t = next();
    if (t.kind === 'end') return out;
    if (t.text !== ',') throw badSelector(input, `found '${t.text}', expected: ','`);
  }
}

/** True when `labels` satisfy every requirement (missing labels satisfy only `!`, `!=` and `notin`). */
export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = (k: string): boolean => labels !== undefined && Object.hasOwn(labels, k);
  return selector.every(function matchRequirement(r) {
    const v = has(r.key) ? labels![r.key] : undefined;
    switch (r.operator) {
      case 'exists': return v !== undefined;
      case '!': return v === undefined;
      case '=': return v === r.values[0];
      case '!=': return v !== r.values[0];
      case 'in': return v !== undefined && r.values.includes(v);
      case 'notin': return v === undefined || !r.values.includes(v);
      case 'gt': return v !== undefined && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0]);
      case 'lt': return v !== undefined && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0]);
    }
  });
}

/** Formats a selector back to its canonical string (`a=b,c in (x,y),!d`). */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.map(function formatRequirement(r) {
    switch (r.operator) {
      case 'exists': return r.key;
      case '!': return `!${r.key}`;
      case 'in': case 'notin': return `${r.key} ${r.operator} (${r.values.join(',')})`;
      case 'gt': return `${r.key}>${r.values[0]}`;
      case 'lt': return `${r.key}<${r.values[0]}`;
      default: return `${r.key}${r.operator}${r.values[0]}`;
    }
  }).join(',');
}

/** `{a: 'b', c: 'd'}` → `a=b,c=d` (a selector for exactly these labels). */
export function labelSelectorFromSet(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

function splitUnescaped(input: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '\\' && i + 1 < input.length) { cur += c + input[++i]; continue; }
    if (c === sep) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Splits `field<op>value` at the first unescaped operator; the value must not hold another unescaped `=`/`!`. */
function splitTerm(term: string): { field: string; operator: '=' | '!='; raw: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === '\\') { i++; continue; }
    if (c !== '=' && c !== '!') continue;
    const op = term.slice(i, i + 2) === '==' || term.slice(i, i + 2) === '!=' ? term.slice(i, i + 2) : c;
    if (op === '!') return undefined;
    return { field: term.slice(0, i).trim(), operator: op === '!=' ? '!=' : '=', raw: term.slice(i + op.length).trim() };
  }
  return undefined;
}

function unescapeValue(raw: string): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      const n = raw[++i];
      if (n !== '\\' && n !== ',' && n !== '=') return undefined;
      out += n;
    } else if (c === '=' || c === '!' || c === ',') {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Parses a field selector (`field=value`, `field==value`, `field!=value`, comma = AND; `\,` `\=` `\\`
 * escape). Only the fields of `selectableFields(kind)` are accepted. Throws StoreError('BadRequest').
 */
export function parseFieldSelector(input: string = '', kind?: string): FieldSelector {
  if (input.trim() === '') return [];
  const allowed = selectableFields(kind);
  return splitUnescaped(input, ',').map(function parseTerm(term): FieldRequirement {
    const parts = splitTerm(term);
    const value = parts && unescapeValue(parts.raw);
    if (!parts || value === undefined || parts.field === '') {
      throw new StoreError('BadRequest', `invalid field selector ${JSON.stringify(input)}: invalid term ${JSON.stringify(term)}`);
    }
    if (!allowed.includes(parts.field)) {
      throw new StoreError('BadRequest', `field label not supported: ${parts.field}`);
    }
    return { field: parts.field, operator: parts.operator, value };
  });
}

/**
 * True when a (valid) field selector names a field beyond metadata.name/namespace: matching it
 * needs the whole object, not only what a store indexes (name, namespace, labels).
 */
export function selectsBeyondMetadata(fieldSelector: string | undefined, kind?: string): boolean {
  return parseFieldSelector(fieldSelector ?? '', kind).some((r) => !SELECTABLE_FIELDS.includes(r.field));
}

/** The value a field selector compares: '' when the field is absent or not a string. */
function fieldValue(obj: KObject, field: string): string {
  if (field === 'metadata.name') return obj.metadata.name ?? '';
  if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
  const path = Object.hasOwn(KIND_FIELDS, obj.kind) && Object.hasOwn(KIND_FIELDS[obj.kind], field) ? KIND_FIELDS[obj.kind][field] : undefined;
  if (typeof path === 'function') return path(obj);
  let v: unknown = obj;
  for (const k of path ?? []) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return path && typeof v === 'string' ? v : '';
}

/** True when `obj` satisfies every field requirement. */
export function matchesFields(selector: FieldSelector, obj: KObject): boolean {
  return selector.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === '='));
}

/**
 * Compiles the filter of a list or watch of `kind`: namespace ('' or undefined: all), label and
 * field selectors (the kind's own fields too, see selectableFields). Throws
 * StoreError('BadRequest') for a bad selector, so call it before doing any work.
 */
export function compileListFilter(opts: ListOptions = {}, kind?: string): (obj: KObject) => boolean {
  const labels = parseLabelSelector(opts.labelSelector ?? '');
  const fields = parseFieldSelector(opts.fieldSelector ?? '', kind);
  const namespace = opts.namespace || undefined;
  return function listFilter(obj) {
    if (namespace !== undefined && (obj.metadata.namespace ?? '') !== namespace) return false;
    return matchesLabels(labels, obj.metadata.labels) && matchesFields(fields, obj);
  };
}
