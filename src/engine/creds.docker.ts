// Registry credentials as Tekton's creds-init writes them (pkg/credentials/dockercreds): one
// `.docker/config.json` merged from `kubernetes.io/dockercfg` Secrets, then
// `kubernetes.io/dockerconfigjson` Secrets, then basic-auth Secrets annotated `tekton.dev/docker-*`
// (a later source wins for a registry). Each entry keeps username, password, auth and email.

/** One `tekton.dev/docker-*` annotation of a basic-auth Secret. */
export interface BasicDockerEntry { secret: string; url: string; username: string; password: string }

/** A docker config source: the JSON text of a Secret's `.dockercfg` or `.dockerconfigjson` key. */
export interface DockerConfigSource { secret: string; key: '.dockercfg' | '.dockerconfigjson'; text: string }

/** One registry's credentials, in the field order Tekton writes them. */
interface AuthEntry { username?: string; password?: string; auth: string; email?: string }

/** Standard base64 of the UTF-8 bytes of `s`. */
export function base64(s: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** JSON as Go's encoding/json writes it: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(v: unknown): string {
  const esc: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => esc[c]);
}

/** The entry as Tekton's reader keeps it (other fields are dropped), or why it cannot be read. */
function entryOf(v: unknown, where: string): AuthEntry | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${where} is not an object`;
  const o = v as Record<string, unknown>;
  const out: AuthEntry = { auth: '' };
  for (const k of ['username', 'password', 'auth', 'email'] as const) {
    const x = o[k];
    if (x === undefined || x === null) continue;
    if (typeof x !== 'string') return `${where}.${k} is not a string`;
    out[k] = x;
  }
  const { username, password, auth, email } = out;
  return { ...(username ? { username } : {}), ...(password ? { password } : {}), auth, ...(email ? { email } : {}) };
}

/** The registries of one source, or an error naming the Secret and what is wrong. */
function authsOf(src: DockerConfigSource): Map<string, AuthEntry> | string {
  const what = `secret "${src.secret}": ${src.key}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(src.text);
  } catch (e) {
    return `${what} is not JSON (${(e as Error).message})`;
  }
  const auths = src.key === '.dockercfg' ? parsed : (parsed as { auths?: unknown } | null)?.auths ?? {};
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) return `${what} has no "auths" object`;
  const out = new Map<string, AuthEntry>();
  for (const [registry, v] of Object.entries(auths)) {
    const e = entryOf(v, `${what}: "${registry}"`);
    if (typeof e === 'string') return e;
    out.set(registry, e);
  }
  return out;
}

/**
 * `.docker/config.json` (`{"auths":{…}}`, registries sorted as Go's encoder writes a map) of the
 * sources and basic entries, or no file when none gives a registry; `errors` names what could not be read.
 */
export function dockerFiles(sources: readonly DockerConfigSource[], basic: readonly BasicDockerEntry[]): { files: Record<string, string>; errors: string[] } {
  const errors: string[] = [];
  const auths = new Map<string, AuthEntry>();
  const ordered = [...sources.filter((s) => s.key === '.dockercfg'), ...sources.filter((s) => s.key === '.dockerconfigjson')];
  for (const src of ordered) {
    const got = authsOf(src);
    if (typeof got === 'string') errors.push(got);
    else for (const [k, v] of got) auths.set(k, v);
  }
  const seen = new Set<string>();
  for (const b of basic) {
    if (seen.has(b.url)) {
      errors.push(`secret "${b.secret}": more than one basic-auth Secret annotated tekton.dev/docker-* for ${b.url}`);
      continue;
    }
    seen.add(b.url);
    auths.set(b.url, { username: b.username, password: b.password, auth: base64(`${b.username}:${b.password}`), email: 'not@val.id' });
  }
  if (auths.size === 0) return { files: {}, errors };
  const sorted = Object.fromEntries([...auths].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: { '.docker/config.json': goJson({ auths: sorted }) }, errors };
}
