// Small shared checks for the *.validation.ts files: names, durations, one-of fields.
import { formatDuration, parseDuration } from './duration.ts';
import type { FieldError } from './errors.ts';

/** RFC 1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric, ≤ 63. */
export function isDNSLabel(s: string): boolean {
  return s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** RFC 1123 subdomain: dot-separated labels, ≤ 253 characters. */
export function isDNSSubdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every((part) => part !== '' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(part));
}

/** Kubernetes qualified name (`[prefix/]name`), as Tekton checks ref names. */
export function isQualifiedName(s: string): boolean {
  const slash = s.lastIndexOf('/');
  const name = slash < 0 ? s : s.slice(slash + 1);
  const prefix = slash < 0 ? undefined : s.slice(0, slash);
  if (prefix !== undefined && !isDNSSubdomain(prefix)) return false;
  return name.length > 0 && name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
}

/** An error at `path`. */
export function fieldError(path: string, message: string): FieldError {
  return { path, message };
}

/** `missing field(s)` at `path`. */
export function missingField(path: string): FieldError {
  return { path, message: 'missing field(s)' };
}

/** `invalid value: <value>` at `path`, with an optional explanation. */
export function invalidValue(path: string, value: unknown, details?: string): FieldError {
  const v = typeof value === 'string' ? value : JSON.stringify(value);
  return { path, message: details ? `invalid value: ${v}: ${details}` : `invalid value: ${v}` };
}

/**
 * Exactly one of `fields` (of the object at `path`) must be set: `expected exactly one, got both`
 * / `got neither`. Reported at `path` (`optional` allows none).
 */
export function exactlyOneOf(obj: Record<string, unknown>, path: string, fields: readonly string[], optional = false): FieldError[] {
  const set = fields.filter((f) => obj[f] !== undefined);
  if (set.length > 1) return [{ path, message: `expected exactly one, got both: ${set.join(', ')}` }];
  if (set.length === 0 && !optional) return [{ path, message: `expected exactly one, got neither: ${fields.join(', ')}` }];
  return [];
}

/**
 * A Go duration at `path` that must parse and be ≥ 0. Returns the errors and the parsed
 * milliseconds (undefined when absent or invalid).
 */
export function checkDuration(value: unknown, path: string): { errors: FieldError[]; ms?: number } {
  if (value === undefined) return { errors: [] };
  if (typeof value !== 'string') return { errors: [invalidValue(path, value, 'expected a duration such as "1h30m"')] };
  const ms = parseDuration(value);
  if (ms === undefined) return { errors: [invalidValue(path, value, 'not a valid duration (e.g. "1h30m", "10s", "500ms", "0")')] };
  if (ms < 0) return { errors: [invalidValue(path, `${formatDuration(ms)} should be >= 0`)] };
  return { errors: [], ms };
}

/** Names that appear more than once in `items[].name` (exact match), as [index, name] of the repeats. */
export function duplicateNames(items: ReadonlyArray<{ name?: unknown }> | undefined, fold = false): Array<[number, string]> {
  const seen = new Set<string>();
  const dups: Array<[number, string]> = [];
  (items ?? []).forEach((item, i) => {
    if (typeof item?.name !== 'string' || item.name === '') return;
    const key = fold ? item.name.toLowerCase() : item.name;
    if (seen.has(key)) dups.push([i, item.name]);
    seen.add(key);
  });
  return dups;
}
