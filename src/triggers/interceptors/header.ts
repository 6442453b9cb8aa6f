// HTTP header helpers with Go's net/http semantics over Go-canonical keys (api/httpheader.ts).
import { canonicalHeaderKey } from '../../api/httpheader.ts';

/** The same headers under Go-canonical keys; values of keys that collide are concatenated. */
export function canonicalHeaders(header: Record<string, readonly string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(header)) {
    const ck = canonicalHeaderKey(k);
    const values = Array.isArray(v) ? v.map(String) : [String(v)];
    out[ck] = out[ck] ? [...out[ck], ...values] : values;
  }
  return out;
}

/** Go's `http.Header.Get`: the first value of the canonical key, or "" when absent. */
export function headerGet(header: Record<string, readonly string[]>, key: string): string {
  const v = header[canonicalHeaderKey(key)];
  return v && v.length ? v[0] : '';
}
