// Image references and registry credentials as the docker/OCI tools spell them:
// `[host[:port]/]path[:tag][@sha256:<hex>]` (Docker Hub when no host is named), the scheme a
// registry is spoken to with (plain http on loopback, as Docker assumes), and the credentials a
// docker config (`~/.docker/config.json`, a kubernetes.io/dockerconfigjson Secret) holds for it.

/** A parsed image reference. */
export interface ImageRef {
  /** the registry host as written (`127.0.0.1:5000`, `ghcr.io`); `index.docker.io` for Docker Hub */
  registry: string;
  /** the repository path (`library/busybox` for Docker Hub's official images) */
  repository: string;
  tag?: string;
  /** `sha256:<hex>` when the reference pins a digest */
  digest?: string;
}

/** Docker Hub's registry name, as go-containerregistry (and so Tekton) records it. */
export const DOCKER_HUB = 'index.docker.io';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const PATH = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HOST = /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/** Parses an image reference; a string saying what is wrong when it is not one. */
export function parseImageRef(text: string): ImageRef | string {
  let rest = text.trim();
  if (!rest) return 'an image reference is empty';
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return `"${text}": the digest must be sha256: and 64 lowercase hex digits`;
  }
  let registry = DOCKER_HUB;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    if (!HOST.test(first)) return `"${text}": "${first}" is not a registry host`;
    registry = first === 'docker.io' || first === 'registry-1.docker.io' ? DOCKER_HUB : first;
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return `"${text}": "${tag}" is not a valid tag`;
  }
  if (!PATH.test(rest)) return `"${text}": "${rest}" is not a valid repository (lowercase letters, digits, separators . _ - and /)`;
  const repository = registry === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository`, the name Tekton records as a bundle's refSource uri. */
export function repositoryName(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The reference in full: `registry/repository[:tag][@digest]`. */
export function formatImageRef(ref: ImageRef): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host part without the port (brackets kept off IPv6). */
function hostname(registry: string): string {
  const m = /^\[([^\]]+)\]/.exec(registry);
  return m ? m[1] : registry.replace(/:\d+$/, '');
}

/** Whether the registry is on this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackRegistry(registry: string): boolean {
  const h = hostname(registry).toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** `http://` for a loopback registry (as Docker assumes for 127.0.0.0/8), else `https://`; Docker Hub's API host for index.docker.io. */
export function registryBaseUrl(registry: string): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  return `${isLoopbackRegistry(registry) ? 'http' : 'https'}://${registry}`;
}

/** A user name and password (or a token as password) for one registry. */
export interface Credentials { username: string; password: string }

type AuthEntry = { auth?: unknown; username?: unknown; password?: unknown; identitytoken?: unknown };

/** The registry a docker config key names: `https://index.docker.io/v1/` → `index.docker.io`. */
function keyRegistry(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return host === 'docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

/**
 * The credentials a docker config holds for `registry`: the `auths` map of config.json and
 * `.dockerconfigjson`, or the top-level map of the older `.dockercfg`. Each entry has `auth`
 * (base64 of `user:password`) or `username` + `password`. Undefined when none; throws on JSON
 * that is not a docker config. Credential helpers (`credHelpers`, `credsStore`) are not run.
 */
export function dockerConfigCredentials(json: string, registry: string): Credentials | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new Error(`not a docker config (JSON): ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a docker config: expected a JSON object');
  const top = parsed as Record<string, unknown>;
  const auths = (top.auths && typeof top.auths === 'object' ? top.auths : top) as Record<string, AuthEntry>;
  for (const [key, entry] of Object.entries(auths)) {
    if (keyRegistry(key) !== registry || !entry || typeof entry !== 'object') continue;
    if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username) return { username: entry.username, password: entry.password };
    if (typeof entry.auth === 'string' && entry.auth) {
      const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = plain.indexOf(':');
      if (i > 0) return { username: plain.slice(0, i), password: plain.slice(i + 1) };
    }
  }
  return undefined;
}
