// TriggerBinding params from an event, as Tekton Triggers resolves them (pkg/template/event.go,
// jsonpath.go): every `$(…)` in a param value is a relaxed Kubernetes JSONPath over the event
// object `{header, body, extensions, context: {eventID}}`; the result is rendered as Go does
// (a string JSON-escaped without its quotes, anything else Go-marshalled JSON, several matches a
// JSON array) and replaces the expression's text. A failing expression falls back to the
// TriggerTemplate's default of the same param name.
import { canonicalHeaderKey } from '../api/httpheader.ts';
import type { BindingParam, TriggerTemplateParam } from '../api/triggers.types.ts';
import { goMarshal, goQuote } from './gojson.ts';
import { evaluate, JSONPathError, parseAction } from './jsonpath.ts';

/** What bindings read from one event. */
export interface BindingEvent {
  /** the parsed JSON body (null or absent when the body was empty) */
  body?: unknown;
  /** the raw body; when given it is parsed here (and `body` ignored): empty → null, not JSON → every `$(…)` fails */
  rawBody?: string;
  /** header values by name (canonicalised here; several values are joined with ',') */
  header?: Record<string, string | string[]>;
  /** what the interceptors added */
  extensions?: Record<string, unknown>;
  eventID?: string;
}

/** The object `$(…)` expressions run against. */
export interface EventObject {
  header: Record<string, string>;
  body: unknown;
  extensions: Record<string, unknown>;
  context: { eventID: string };
}

export interface ResolvedParam { name: string; value: string }

/** The event object, or an Error when the raw body is not JSON. */
export function newEvent(ev: BindingEvent): EventObject | Error {
  let body: unknown = ev.body ?? null;
  if (ev.rawBody !== undefined) {
    try {
      body = ev.rawBody === '' ? null : JSON.parse(ev.rawBody);
    } catch (e) {
      return new Error(`failed to unmarshal request body: ${(e as Error).message}`);
    }
  }
  const header: Record<string, string> = {};
  for (const [k, v] of Object.entries(ev.header ?? {})) {
    const key = canonicalHeaderKey(k);
    const joined = Array.isArray(v) ? v.join(',') : v;
    header[key] = Object.hasOwn(header, key) ? `${header[key]},${joined}` : joined;
  }
  return { header, body, extensions: ev.extensions ?? {}, context: { eventID: ev.eventID ?? '' } };
}

/**
 * Every `$(…)` of `value`: for each `$(`, the text up to the first unbalanced `)` (nested
 * parentheses allowed; an unterminated one is skipped). `expressions` have the key of
 * `$(header.<key>)` canonicalised; `originals` are the texts as written (what gets replaced).
 */
export function findTektonExpressions(value: string): { expressions: string[]; originals: string[] } {
  const expressions: string[] = [];
  const originals: string[] = [];
  if (!value.includes('$(')) return { expressions, originals };
  for (const piece of value.split('$(').slice(1)) {
    let open = 0;
    for (let i = 0; i < piece.length; i++) {
      if (piece[i] === '(') open++;
      else if (piece[i] === ')' && --open < 0) {
        const inner = piece.slice(0, i);
        originals.push(`$(${inner})`);
        expressions.push(`$(${canonicalHeaderExpression(inner)})`);
        break;
      }
    }
  }
  return { expressions, originals };
}

function canonicalHeaderExpression(inner: string): string {
  return inner.startsWith('header.') ? `header.${canonicalHeaderKey(inner.slice('header.'.length))}` : inner;
}

const TEKTON_VAR = /\$\(?([^)]+)\)/;
const RELAXED = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/**
 * `$(a.b)`, `$(.a.b)`, `$({a.b})`, `$({.a.b})` → `{.a.b}`; `$()` → ''. Throws when the
 * expression is not wrapped in `$()` or its inside is not one of those forms.
 */
export function tektonJSONPathExpression(expr: string): string {
  if (!TEKTON_VAR.test(expr)) throw new JSONPathError('expression not wrapped in $()');
  let inner = expr.startsWith('$(') ? expr.slice(2) : expr;
  if (inner.endsWith(')')) inner = inner.slice(0, -1);
  if (inner === '') return '';
  const m = RELAXED.exec(inner);
  if (!m) throw new JSONPathError("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] || m[2]}}`;
}

/** One `$(…)` expression evaluated against `input` and rendered as Tekton does. Throws on a bad or missing path. */
export function parseJSONPath(input: unknown, expr: string): string {
  const path = tektonJSONPathExpression(expr);
  if (path === '') return '';
  const results = evaluate(input, parseAction(path.slice(1, -1)));
  return results.length === 1 ? textValue(results[0]) : goMarshal(results);
}

/** A single result: a string JSON-escaped without its quotes, null `null`, anything else Go JSON. */
export function textValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v).slice(1, -1);
  return goMarshal(v);
}

/**
 * Replaces the expressions of each param's value with their results (in order; each result
 * replaces every occurrence of its text). A param whose expression fails takes the template
 * default of the same name when `defaults` has one, else the whole call throws, naming the param.
 * Returns the binding params in order, then the defaults no binding set (in template order).
 */
export function applyEventValuesToParams(params: readonly BindingParam[], ev: BindingEvent, defaults: readonly TriggerTemplateParam[] = []): ResolvedParam[] {
  const event = newEvent(ev);
  const values = new Map<string, string>();
  for (const d of defaults) if (typeof d.default === 'string') values.set(d.name, d.default);
  const bound: string[] = [];
  for (const p of params) {
    const value = resolveValue(p, event);
    if (value instanceof Error) {
      if (values.has(p.name)) { bound.push(p.name); continue; }
      throw new Error(`failed to replace JSONPath value for param ${p.name}: ${p.value}: ${value.message}`);
    }
    values.set(p.name, value);
    bound.push(p.name);
  }
  const order = [...new Set([...bound, ...values.keys()])];
  return order.map((name) => ({ name, value: values.get(name)! }));
}

function resolveValue(p: BindingParam, event: EventObject | Error): string | Error {
  let value = p.value ?? '';
  const { expressions, originals } = findTektonExpressions(value);
  if (expressions.length && event instanceof Error) return event;
  for (let i = 0; i < expressions.length; i++) {
    try {
      value = value.split(originals[i]).join(parseJSONPath(event, expressions[i]));
    } catch (e) {
      return e as Error;
    }
  }
  return value;
}

/**
 * The params of one trigger: `params` are all its bindings' params (refs already resolved, in
 * binding order), `templateParams` the TriggerTemplate's `spec.params`. Throws "duplicate param
 * name: <name>" when two bindings set the same param, and when an expression fails for a param
 * without a template default ("failed to replace JSONPath value for param <name>: <value>: <why>").
 */
export function resolveBindingParams(params: readonly BindingParam[], templateParams: readonly TriggerTemplateParam[], ev: BindingEvent): ResolvedParam[] {
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) throw new Error(`duplicate param name: ${p.name}`);
    seen.add(p.name);
  }
  return applyEventValuesToParams(params, ev, templateParams);
}
