// HTTP header helpers with Go's net/http semantics: CanonicalMIMEHeaderKey and Header.Get.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's `textproto.CanonicalMIMEHeaderKey`: `x-github-event` → `X-Github-Event`. A key holding a
 * byte that is not a token character (a space, say) is returned unchanged, as Go does.
 */
export function canonicalHeaderKey(key: string): string {
  if (!TOKEN.test(key)) return key;
  let upper = true;
  let out = '';
  for (const c of key) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

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
