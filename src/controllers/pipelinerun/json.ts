// Equality of two values as JSON would write them, without writing them: objects shared between
// the two (a status rebuilt around its unchanged parts) are equal at once.

/** True when `JSON.stringify` of both would describe the same value (key order aside). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return absent(a) && absent(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, bb[i] ?? null)) return false;
    return true;
  }
  if (hasToJSON(a) || hasToJSON(b)) return JSON.stringify(a) === JSON.stringify(b);
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(ao)) {
    if (absent(ao[k])) continue;
    n++;
    if (!sameJson(ao[k], bo[k])) return false;
  }
  for (const k of Object.keys(bo)) if (!absent(bo[k])) n--;
  return n === 0;
}

/** Left out of an object by JSON (undefined, functions, symbols). */
function absent(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function hasToJSON(v: object): boolean {
  return typeof (v as { toJSON?: unknown }).toJSON === 'function';
}
