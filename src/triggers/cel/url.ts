// Go's net/url as Tekton's parseURL() exposes it: url.Parse, then a map of scheme, host, path,
// rawQuery, fragment, query (values joined by ","), queryStrings (value lists) and auth.

/** What `<string>.parseURL()` returns. */
export interface ParsedURL {
  scheme: string;
  host: string;
  path: string;
  rawQuery: string;
  fragment: string;
  query: Record<string, string>;
  queryStrings: Record<string, string[]>;
  auth?: { username: string; password: string };
}

/** Go's `url.Unescape`; `plus` turns `+` into a space (query mode). Throws on a bad `%` escape. */
function unescape(s: string, plus: boolean): string {
  if (!s.includes('%') && !(plus && s.includes('+'))) return s;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (plus && c === '+') bytes.push(0x20);
    else bytes.push(...enc.encode(c));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** Go's `url.ParseQuery` (as `URL.Query()` uses it: malformed pairs are dropped). Keys keep first-seen order. */
export function parseQuery(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const part of raw.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    let key: string;
    let value: string;
    try {
      key = unescape(k, true);
      value = unescape(v, true);
    } catch {
      continue;
    }
    (out[key] ??= []).push(value);
  }
  return { ...out };
}

/** Go's `url.Parse` reduced to what parseURL() shows. Throws Go-like messages for malformed input. */
export function parseURL(raw: string): ParsedURL {
  let rest = raw;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = unescape(rest.slice(hash + 1), false);
    rest = rest.slice(0, hash);
  }
  if (/[\x00-\x1f\x7f]/.test(rest)) throw new Error(`parse ${JSON.stringify(raw)}: net/url: invalid control character in URL`);
  let scheme = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1].toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith(':')) {
    throw new Error(`parse ${JSON.stringify(raw)}: missing protocol scheme`);
  }
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let host = '';
  let auth: ParsedURL['auth'];
  if (rest.startsWith('//')) {
    const authorityEnd = rest.indexOf('/', 2);
    const authority = authorityEnd < 0 ? rest.slice(2) : rest.slice(2, authorityEnd);
    rest = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
    const at = authority.lastIndexOf('@');
    host = authority.slice(at + 1);
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(':');
      auth = colon < 0
        ? { username: unescape(userinfo, false), password: '' }
        : { username: unescape(userinfo.slice(0, colon), false), password: unescape(userinfo.slice(colon + 1), false) };
    }
    host = unescape(host, false);
  } else if (scheme !== '' && !rest.startsWith('/')) {
    // opaque URL (mailto:x): Go keeps it in Opaque, which parseURL() does not show
    rest = '';
  }
  const queryStrings = parseQuery(rawQuery);
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(queryStrings)) query[k] = v.join(',');
  const out: ParsedURL = { scheme, host, path: unescape(rest, false), rawQuery, fragment, query, queryStrings };
  if (auth) out.auth = auth;
  return out;
}
