// Small JSON helpers for the diff: deep copy, deep equality, plain-object test, removal at a path.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JObj = { [k: string]: Json };

export function isObj(v: unknown): v is JObj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Deep equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Removes `obj.a.b…` in place; true when something was removed. */
export function removeAt(obj: unknown, path: readonly string[]): boolean {
  let cur: unknown = obj;
  for (const p of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else return false;
  }
  const last = path[path.length - 1];
  if (Array.isArray(cur)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= cur.length) return false;
    cur.splice(i, 1);
    return true;
  }
  if (isObj(cur) && Object.hasOwn(cur, last)) {
    delete cur[last];
    return true;
  }
  return false;
}

/** A JSON pointer (RFC 6901) as path segments; throws on one that does not start with `/`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(pointer)} must start with "/"`);
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
