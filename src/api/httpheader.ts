// HTTP header names as Go canonicalises them (net/textproto.CanonicalMIMEHeaderKey): Tekton
// Triggers looks headers up by canonical key, so `x-github-event` and `X-GitHub-Event` both
// become `X-Github-Event`.

/** Characters Go accepts in a header field name (RFC 7230 token characters). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*$/;

/**
 * The canonical form of a header name: the first letter and every letter after a hyphen upper
 * case, the rest lower case. A name with a space or any non-token character (also non-ASCII) is
 * returned unchanged, as Go does.
 */
export function canonicalHeaderKey(name: string): string {
  if (!TOKEN.test(name)) return name;
  let out = '';
  let upper = true;
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}
