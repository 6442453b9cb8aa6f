// The git resolver's API mode (Tekton's `git` with `org` + `repo`): one file read through an SCM
// provider's API with a token from a Secret, the revision resolved to its commit, the repository's
// clone URL recorded as provenance. `withGitApiMode` puts it beside the clone mode under one `git`.
import { ResolverError, type Fetched, type ResolveContext, type Resolver } from './framework.ts';
import { readLimited } from './http.ts';
import { isLocal, rewriteUrl, type UrlRewrite } from './remote.ts';
import { configFor, type GitConfig } from './gitconfig.ts';
import { scmDriver, type ScmCall, type ScmDriver, type ScmTarget } from './scm.ts';

/** Server-wide settings, as Tekton's `git-resolver-config` names them. */
export interface GitApiConfig {
  /** `scm-type` when a request names none (default `github`) */
  scmType?: string;
  /** `server-url` when a request names none (default '': github.com's or gitlab.com's API) */
  serverURL?: string;
  /**
   * `api-token-secret-name` / `-key` (default `token`) / `-namespace` (default `default`): the token
   * of requests that name none; sent only to the server-wide scmType and serverURL
   */
  tokenSecret?: { name: string; key?: string; namespace?: string };
  /** `default-org` when a request names none */
  defaultOrg?: string;
  /** `default-revision` (default `main`) */
  defaultRevision?: string;
}

/** Settings by the keys of Tekton's `git-resolver-config` (`scm-type`, `server-url`, `api-token-secret-name`, …). */
export function gitApiConfigOf(keys: Readonly<Record<string, string>> = {}): GitApiConfig {
  const k = (name: string) => keys[name] || undefined;
  const name = k('api-token-secret-name');
  return {
    scmType: k('scm-type'),
    serverURL: k('server-url'),
    tokenSecret: name ? { name, key: k('api-token-secret-key'), namespace: k('api-token-secret-namespace') } : undefined,
    defaultOrg: k('default-org'),
    defaultRevision: k('default-revision'),
  };
}

export interface GitApiResolverOptions extends GitApiConfig {
  /** the value of `key` in Secret `name` of `namespace`, or undefined when either is absent */
  secretValue(namespace: string, name: string, key: string): Promise<string | undefined>;
  /** API URL prefixes served from elsewhere (stand-ins) */
  rewrites?: readonly UrlRewrite[];
  /** no network here: an API beyond this machine is unsupported */
  offline?: boolean;
  /** API answers larger than this fail (default 4 MiB) */
  maxBytes?: number;
  /** configurations by `configKey` (git-resolver-config's `<id>.` keys); when given, they replace the settings above */
  configs?: Readonly<Record<string, GitConfig>>;
}

/** Tekton's default key of the token in the `token` Secret. */
export const DEFAULT_TOKEN_KEY = 'token';

export interface GitApiRequest extends ScmTarget {
  scmType: string;
  serverURL: string;
  /** where the token is: the request's own Secret, or the server-wide one */
  token: { namespace: string; name: string; key: string; serverWide: boolean };
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const dotSegment = (s: string) => s.split('/').some((x) => x === '.' || x === '..');

/** Tekton's API-mode params with the server-wide defaults; throws ResolverError naming what is wrong. */
export function gitApiParams(params: ReadonlyMap<string, string>, namespace: string, config: GitApiConfig = {}): GitApiRequest {
  const repo = params.get('repo') ?? '';
  const org = params.get('org') || config.defaultOrg || '';
  if (!org) throw new ResolverError("'org' is required when 'repo' is specified");
  if (!params.get('pathInRepo')) throw new ResolverError('missing required git resolver params: pathInRepo');
  const path = params.get('pathInRepo')!.replace(/^\/+/, '');
  const revision = params.get('revision') || config.defaultRevision || 'main';
  if (!NAME.test(repo) || dotSegment(repo)) throw new ResolverError(`repo "${repo}" is not a repository name`);
  if (!org.split('/').every((s) => NAME.test(s)) || dotSegment(org)) throw new ResolverError(`org "${org}" is not an organization (or group/subgroup) name`);
  if (dotSegment(path) || /[\0-\x1f]/.test(path)) throw new ResolverError(`pathInRepo "${path}" must not hold "." or ".." segments or control characters`);
  if (/[\0-\x20]|\.\./.test(revision) || revision.startsWith('/')) throw new ResolverError(`revision "${revision}" is not a valid git revision`);
  const scmType = params.get('scmType') || config.scmType || 'github';
  const serverURL = params.get('serverURL') || (scmType === (config.scmType || 'github') ? config.serverURL : '') || '';
  if (serverURL && !/^https?:\/\/[^/]/i.test(serverURL)) throw new ResolverError(`serverURL "${serverURL}" must be an http or https URL`);
  const token = params.get('token')
    ? { namespace, name: params.get('token')!, key: params.get('tokenKey') || DEFAULT_TOKEN_KEY, serverWide: false }
    : config.tokenSecret?.name
      ? { namespace: config.tokenSecret.namespace || 'default', name: config.tokenSecret.name, key: config.tokenSecret.key || DEFAULT_TOKEN_KEY, serverWide: true }
      : undefined;
  if (!token) throw new ResolverError("cannot get API token, required when specifying 'repo' param: give the 'token' param (a Secret of the run's namespace) or configure a server-wide api-token-secret-name");
  return { org, repo, path, revision, scmType, serverURL, token };
}

function statusLine(res: Response): string {
  return `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
}

const HINTS: Record<number, string> = {
  401: 'the token was refused',
  403: 'the token may not read it, or the rate limit is spent',
  404: 'the repository, the path or the revision does not exist, or the token cannot see it',
};

export function createGitApiResolver({ secretValue, rewrites = [], offline = false, maxBytes = 4 << 20, configs, ...settings }: GitApiResolverOptions): Resolver {
  const configOf = (params: ReadonlyMap<string, string>): GitConfig => (configs ? configFor(configs, params) : settings);

  async function call<T>(c: ScmCall<T>, reading: string, headers: Record<string, string>, where: string, signal: AbortSignal): Promise<T> {
    const fail = (why: string) => new ResolverError(`couldn't fetch ${reading} (${where}): ${why}`);
    let res: Response;
    let url = c.url;
    // redirects are followed on the same origin only: the token must not go anywhere else
    for (let hops = 0; ; hops++) {
      try {
        res = await fetch(url, { headers: { 'user-agent': 'kiln', ...headers }, signal, redirect: 'manual' });
      } catch (e) {
        throw fail(`error reaching ${url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
      }
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      if (location === null) break;
      const next = new URL(location, url);
      if (next.origin !== new URL(url).origin || hops === 3) throw fail(`${url} redirects to ${next.href}, which kiln does not follow with the token`);
      url = next.href;
    }
    const text = (await readLimited(res, url, maxBytes)).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw fail(res.ok ? `${url} answered ${statusLine(res)} with a body that is not JSON` : `${url} answered ${statusLine(res)}`);
    }
    if (!res.ok) {
      const said = (body as { message?: unknown })?.message;
      throw fail(`${url} answered ${statusLine(res)}${typeof said === 'string' ? ` (${said.slice(0, 200)})` : ''}${HINTS[res.status] ? `: ${HINTS[res.status]}` : ''}`);
    }
    const read = c.read(body);
    if (read && typeof read === 'object' && 'error' in read) throw fail(read.error);
    return read as T;
  }

  async function fetchApi(params: ReadonlyMap<string, string>, ctx: ResolveContext): Promise<Fetched> {
    const config = configOf(params);
    const req = gitApiParams(params, ctx.namespace, config);
    const driver = scmDriver(req.scmType);
    if ('error' in driver) throw new ResolverError(driver.error, { unsupported: driver.unsupported });
    const base = driver.apiBase(req.serverURL);
    if (req.token.serverWide) checkServerWide(driver, base, config);
    const target = rewriteUrl(base, rewrites);
    if (offline && !isLocal(target)) {
      throw new ResolverError(`the ${driver.title} API at ${base} needs the network, which this machine does not have (serve it on loopback and map the URL to it)`, { unsupported: true });
    }
    const { namespace, name, key } = req.token;
    const token = await secretValue(namespace, name, key);
    if (token === undefined) throw new ResolverError(`cannot get API token, secret "${name}" (key "${key}") not found in namespace "${namespace}"`);
    const headers = driver.authorization(token.trim());
    const where = `${driver.title} ${req.org}/${req.repo}, path "${req.path}", revision "${req.revision}"`;
    const calls = driver.calls(target, req);
    const settled = await Promise.allSettled([
      call(calls.file, 'resource content', headers, where, ctx.signal),
      calls.commit ? call(calls.commit, `the commit sha for the ref ${req.revision}`, headers, where, ctx.signal) : Promise.resolve(undefined),
      call(calls.repository, 'repository', headers, where, ctx.signal),
    ]);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const [file, commit, cloneUrl] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [{ data: string; path: string; commit?: string }, string | undefined, string];
    const sha = commit ?? file.commit!;
    return {
      data: file.data,
      refSource: { uri: `git+${cloneUrl}`, digest: { sha1: sha }, entryPoint: file.path },
      source: `${cloneUrl}@${sha}:${file.path}`,
    };
  }

  /** The server-wide token goes to the server-wide API only, never to a serverURL a run names. */
  function checkServerWide(driver: ScmDriver, base: string, config: GitConfig): void {
    const configured = scmDriver(config.scmType || 'github');
    if ('error' in configured || configured !== driver || configured.apiBase(config.serverURL ?? '') !== base) {
      throw new ResolverError(`the server-wide API token is sent only to the configured ${'error' in configured ? 'server' : `${configured.title} API at ${configured.apiBase(config.serverURL ?? '')}`}; give the 'token' param to use ${driver.title} at ${base}`);
    }
  }

  return { title: 'Git', fetch: fetchApi, timeoutMs: (params) => configOf(params).fetchTimeoutMs };
}

const COMMIT = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/**
 * One `git` resolver with both of Tekton's modes: `repo` (with `org`) reads through the SCM API,
 * otherwise `url` is cloned; both at once are refused. A commit revision is cached in either mode.
 */
export function withGitApiMode(clone: Resolver, api: Resolver): Resolver {
  return {
    title: 'Git',
    immutable: (params) => COMMIT.test(params.get('revision') ?? ''),
    timeoutMs(params) {
      try {
        return (params.get('repo') ? api : clone).timeoutMs?.(params);
      } catch {
        return undefined; // a configKey not configured: fetch says so
      }
    },
    async fetch(params, ctx) {
      if (!params.get('repo')) return clone.fetch(params, ctx);
      if (params.get('url')) throw new ResolverError("cannot specify both 'url' and 'repo'");
      return api.fetch(params, ctx);
    },
  };
}
