// The git resolver (Tekton's `git`, clone mode): url + revision + pathInRepo (+ gitToken), fetched with
// the git CLI (any remote it reaches: https, ssh, git://, file://) as a shallow fetch into a
// bare repository per URL under the data dir; a commit already there is read without a fetch.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ResolverError, type Fetched, type ResolveContext, type Resolver } from './framework.ts';
import { configFor, type GitConfig } from './gitconfig.ts';
import { isLocal, rewriteUrl, type UrlRewrite } from './remote.ts';

export interface GitResolverOptions {
  /** bare repositories, one per URL, live here (e.g. `<dataDir>/resolution/git`) */
  cacheDir: string;
  /** revision when none is given (Tekton's `default-revision`: main) */
  defaultRevision?: string;
  /** url when none is given (Tekton's `default-url`; none by default) */
  defaultUrl?: string;
  /** remote URL prefixes served from elsewhere (stand-ins) */
  rewrites?: readonly UrlRewrite[];
  /** no network here: a remote beyond this machine is unsupported */
  offline?: boolean;
  /** the git executable (default `git`) */
  git?: string;
  /**
   * why a repository on this machine's filesystem (file:// or a path) may not be read, or undefined
   * when it may (default: any may — `kiln run`, the user's own machine; `kiln serve` allows only
   * what --allow-host-path allows)
   */
  localRepository?: (path: string) => string | undefined;
  /**
   * git may use the credentials of the user kiln runs as (~/.gitconfig, ~/.netrc, ~/.ssh, the ssh
   * agent). Default true (`kiln run`); `kiln serve` says false: whoever creates a run must not
   * fetch with the operator's keys
   */
  ambientCredentials?: boolean;
  /**
   * configurations by `configKey` (git-resolver-config: `default-url`, `default-revision`,
   * `fetch-timeout`); a request's configuration overrides defaultRevision and defaultUrl
   */
  configs?: Readonly<Record<string, GitConfig>>;
  /** the value of `key` in Secret `name` of `namespace` (the `gitToken` param); without it gitToken is refused */
  secretValue?(namespace: string, name: string, key: string): Promise<string | undefined>;
}

/** Tekton's default key of the token in the `gitToken` Secret. */
const DEFAULT_GIT_TOKEN_KEY = 'token';
/** The user name sent with a `gitToken` (HTTP Basic auth, as Tekton's clone sends it). */
const GIT_TOKEN_USER = 'git';

const COMMIT = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;
/** URL forms handed to git: scheme URLs of the transports allowed, scp-like ssh, absolute paths. */
const ALLOWED_URL = /^(https?|git|ssh|file):\/\/|^[A-Za-z0-9._-]+@[^/:]+:|^\//;

/** Tekton's git params with defaults: url, revision, pathInRepo (the API mode is gitapi.ts). */
export function gitParams(params: ReadonlyMap<string, string>, defaults: { revision?: string; url?: string } = {}): { url: string; revision: string; path: string } {
  if (params.get('repo')) {
    throw new ResolverError('\'repo\' selects the git resolver\'s API mode, which the clone mode does not serve (see withGitApiMode); use url', { unsupported: true });
  }
  const url = params.get('url') || defaults.url;
  const path = params.get('pathInRepo');
  const missing = [url ? '' : 'url', path ? '' : 'pathInRepo'].filter(Boolean);
  if (missing.length) throw new ResolverError(`missing required git resolver params: ${missing.join(', ')}`);
  if (!ALLOWED_URL.test(url!) || url!.startsWith('-')) throw new ResolverError(`url "${url}": only https, http, git, ssh and file URLs (or user@host:path) are fetched`);
  const revision = params.get('revision') || defaults.revision || 'main';
  if (revision.startsWith('-') || /\s|\.\.|[:^~?*[\\]/.test(revision)) throw new ResolverError(`revision "${revision}" is not a valid git revision`);
  return { url: url!, revision, path: path!.replace(/^\/+/, '') };
}

interface GitResult { stdout: string; stderr: string; code: number }

export function createGitResolver({ cacheDir, defaultRevision = 'main', defaultUrl, rewrites = [], offline = false, git = 'git', localRepository, ambientCredentials = true, configs = {}, secretValue }: GitResolverOptions): Resolver {
  /** one fetch at a time per repository (FETCH_HEAD is shared) */
  const locks = new Map<string, Promise<unknown>>();

  /** `auth`: an Authorization header for http(s) remotes, passed through the environment (never in argv) */
  function run(args: string[], signal: AbortSignal, auth?: string): Promise<GitResult> {
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true', GIT_CONFIG_NOSYSTEM: '1', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes' };
    if (!ambientCredentials) {
      // nothing of the user kiln runs as: an empty home (no ~/.gitconfig, ~/.netrc, ~/.git-credentials),
      // no ssh agent, no ssh keys or config
      const home = join(cacheDir, '.home');
      mkdirSync(home, { recursive: true, mode: 0o700 });
      Object.assign(env, { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_GLOBAL: '/dev/null', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -F /dev/null -o IdentityAgent=none -o IdentityFile=/dev/null -o IdentitiesOnly=yes' });
      delete env.SSH_AUTH_SOCK;
    }
    const safe = ['-c', 'protocol.ext.allow=never', '-c', 'credential.helper=', '-c', 'core.hooksPath=/dev/null'];
    if (auth) {
      env.KILN_GIT_AUTH_HEADER = auth;
      safe.push('--config-env=http.extraHeader=KILN_GIT_AUTH_HEADER');
    }
    return new Promise((resolve) => {
      execFile(git, [...safe, ...args], { env, signal, maxBuffer: 16 << 20, encoding: 'utf8' }, function done(err, stdout, stderr) {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ stdout, stderr: stderr || (err && code !== 0 && !stderr ? err.message : ''), code });
      });
    });
  }

  function locked<T>(key: string, f: () => Promise<T>): Promise<T> {
    const prev = locks.get(key) ?? Promise.resolve();
    const next = prev.then(f, f);
    locks.set(key, next.catch(() => undefined));
    return next;
  }

  /** `identity`: whose credentials fetch into it (a token's Secret), so commits fetched with one are never served to a request without it */
  async function repoFor(url: string, identity: string, signal: AbortSignal): Promise<string> {
    const dir = join(cacheDir, createHash('sha256').update(identity ? `${url}\0${identity}` : url).digest('hex').slice(0, 24));
    if (!existsSync(join(dir, 'HEAD'))) {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const r = await run(['init', '-q', '--bare', dir], signal);
      if (r.code) throw new Error(`git init ${dir}: ${r.stderr.trim()}`);
    }
    return dir;
  }

  /** The commit `revision` names: read from the cache when it is a commit already fetched, else fetched. */
  async function commitOf(repo: string, url: string, revision: string, signal: AbortSignal, auth?: string): Promise<string> {
    if (COMMIT.test(revision) && (await run(['-C', repo, 'cat-file', '-e', `${revision}^{commit}`], signal)).code === 0) return revision;
    const target = rewriteUrl(url, rewrites);
    if (offline && !isLocal(target)) {
      throw new ResolverError(`fetching ${target} needs the network, which this machine does not have (serve the repository on loopback and map the URL to it)`, { unsupported: true });
    }
    const fetched = await run(['-C', repo, 'fetch', '-q', '--depth', '1', '--no-tags', '--', target, revision], signal, auth);
    if (fetched.code) {
      const why = lastLine(fetched.stderr);
      if (/couldn't find remote ref|not our ref|no such remote ref|unadvertised object|upload-pack: not our ref/i.test(fetched.stderr)) {
        throw new ResolverError(`revision "${revision}" not found in ${url}: ${why}`);
      }
      throw new ResolverError(`git fetch ${url} ${revision} failed: ${why}`);
    }
    const head = await run(['-C', repo, 'rev-parse', 'FETCH_HEAD^{commit}'], signal);
    if (head.code) throw new ResolverError(`revision "${revision}" of ${url} is not a commit: ${lastLine(head.stderr)}`);
    return head.stdout.trim();
  }

  /** The `gitToken` param's token as an Authorization header, and whose it is; none without the param. */
  async function tokenAuth(params: ReadonlyMap<string, string>, namespace: string): Promise<{ header?: string; identity: string }> {
    const name = params.get('gitToken');
    if (!name) return { identity: '' };
    const key = params.get('gitTokenKey') || DEFAULT_GIT_TOKEN_KEY;
    const token = await secretValue?.(namespace, name, key);
    if (token === undefined) throw new ResolverError(`cannot get git token, secret "${name}" (key "${key}") not found in namespace "${namespace}"`);
    const basic = Buffer.from(`${GIT_TOKEN_USER}:${token.trim()}`).toString('base64');
    return { header: `Authorization: Basic ${basic}`, identity: `${namespace}/${name}/${key}/${createHash('sha256').update(token.trim()).digest('hex')}` };
  }

  async function fetch(params: ReadonlyMap<string, string>, ctx: ResolveContext): Promise<Fetched> {
    const config = configFor(configs, params);
    const { url, revision, path } = gitParams(params, { revision: config.defaultRevision || defaultRevision, url: config.defaultUrl || defaultUrl });
    const local = localPathOf(url);
    const refused = local !== undefined ? localRepository?.(local) : undefined;
    if (refused) throw new ResolverError(`url "${url}": ${refused}`);
    const auth = await tokenAuth(params, ctx.namespace);
    const repo = await repoFor(url, auth.identity, ctx.signal);
    const commit = await locked(repo, () => commitOf(repo, url, revision, ctx.signal, auth.header));
    const shown = await run(['-C', repo, 'show', `${commit}:${path}`], ctx.signal);
    if (shown.code) throw new ResolverError(`path "${path}" not found in ${url} at ${commit} (revision "${revision}"): ${lastLine(shown.stderr)}`);
    return {
      data: shown.stdout,
      refSource: { uri: `git+${url}`, digest: { sha1: commit }, entryPoint: params.get('pathInRepo') ?? path },
      source: `${url}@${commit}:${path}`,
    };
  }

  return {
    title: 'Git',
    immutable: (params) => COMMIT.test(params.get('revision') ?? ''),
    timeoutMs: (params) => configFor(configs, params).fetchTimeoutMs,
    fetch,
  };
}

/** The filesystem path a file:// URL or a bare absolute path names, else undefined. */
export function localPathOf(url: string): string | undefined {
  if (url.startsWith('/')) return url;
  if (!/^file:\/\//i.test(url)) return undefined;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url.slice('file://'.length);
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines[lines.length - 1] ?? 'failed';
}
