// Lenient readers over unstructured objects: a missing or mistyped field reads as absent, never throws.
import type { Obj } from './types.ts';

/** The value at `path` under `o`, or undefined when any step is missing or not an object. */
export function at(o: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** A number (numeric strings too, as Go's converter reads int-or-string counts), else `dflt`. */
export function num(v: unknown, dflt = 0): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return dflt;
}

/** A number when present and numeric, else undefined (Go's `*int32` nil). */
export function optNum(v: unknown): number | undefined {
  return v === undefined || v === null ? undefined : typeof v === 'number' ? v : Number.isFinite(Number(v)) && v !== '' ? Number(v) : undefined;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function objs(v: unknown): Obj[] {
  return arr(v).filter((x): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/** The first condition of `type` in status.conditions. */
export function condition(o: unknown, type: string): Obj | undefined {
  return objs(at(o, 'status', 'conditions')).find((c) => c.type === type);
}

/** The API group of an object's apiVersion ('' for the core group). */
export function groupOf(o: unknown): string {
  const av = str(at(o, 'apiVersion'));
  const i = av.indexOf('/');
  return i < 0 ? '' : av.slice(0, i);
}

export function versionOf(o: unknown): string {
  const av = str(at(o, 'apiVersion'));
  return av.slice(av.indexOf('/') + 1);
}
