// The size of a JSON value as JSON text and its nesting, measured without recursion and without
// building the text, stopping early once a cap is passed: what bounds a patch while it applies.

/** A JSON value's text length and nesting. */
export interface JsonMeasure {
  /**
   * length of JSON.stringify(value) in UTF-16 code units (exact up to the cap; once over the cap,
   * some number above it: measuring stopped there)
   */
  size: number;
  /** containers on the deepest path: 0 for a scalar, 1 for `{}` or `[]`, 2 for `{"a":[]}` */
  depth: number;
}

/** The text length of a scalar (string, number, boolean, null) as JSON. */
export function scalarSize(v: unknown): number {
  if (typeof v === 'string') return JSON.stringify(v).length;
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v).length : 4;
  if (typeof v === 'boolean') return v ? 4 : 5;
  return 4; // null (undefined does not occur in decoded JSON)
}

/** What one member adds to its container's text besides its value: `"key":` and a comma. */
export function memberOverhead(key: string | undefined): number {
  return key === undefined ? 1 : JSON.stringify(key).length + 2;
}

/**
 * Measures `value` (see JsonMeasure); stops as soon as the size passes `cap` (default: no cap), so
 * the cost is bounded by the cap whatever the value's size.
 */
export function measureJson(value: unknown, cap = Infinity): JsonMeasure {
  let size = 0;
  let depth = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0 && size <= cap) {
    const [v, above] = stack.pop()!;
    if (v === null || typeof v !== 'object') {
      size += scalarSize(v);
      continue;
    }
    const d = above + 1;
    if (d > depth) depth = d;
    if (Array.isArray(v)) {
      size += 2 + Math.max(0, v.length - 1);
      for (const x of v) stack.push([x, d]);
    } else {
      const keys = Object.keys(v);
      size += 2 + Math.max(0, keys.length - 1);
      for (const k of keys) {
        size += JSON.stringify(k).length + 1;
        stack.push([(v as Record<string, unknown>)[k], d]);
      }
    }
  }
  return { size, depth };
}
