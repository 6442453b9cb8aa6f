// The git source of GitOps: remote repositories fetched with the git CLI into a cache keyed by URL
// (one bare repository each), revisions resolved as Argo CD resolves targetRevision (HEAD or empty,
// a branch, a tag, a full or short commit SHA), and a commit checked out once into its own
// directory. Git never reads the machine's configuration or credentials, never prompts, and every
// command has a timeout; credentials reach it through the environment of that one command only.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoCredential } from '../types.ts';

export interface GitSourceOptions {
  /** Where the bare repositories and checkouts live (created if missing). */
  cacheDir: string;
  /** The git binary (default `git` on PATH). */
  git?: string;
  /** Milliseconds a git command may take (default 120 s). */
  timeoutMs?: number;
  /** How long a branch/tag/HEAD resolution is reused without fetching (default 0: always fetch). */
  revisionCacheMs?: number;
  now?: () => number;
}

export interface GitSource {
  /** The commit `targetRevision` names in `repoURL` now (fetching the repository into the cache). */
  resolve(repoURL: string, targetRevision: string | undefined, cred?: RepoCredential, opts?: ResolveOptions): Promise<{ commit: string }>;
  /** Forgets cached resolutions of `repoURL` (a push was announced). */
  invalidate(repoURL: string): void;
  /** A directory holding the files of `commit` (checked out once; read-only for callers). */
  checkout(repoURL: string, commit: string, cred?: RepoCredential): Promise<string>;
}

/**
 * How current a resolution must be: `fresh` — from a fetch that started after this call;
 * `freshAfter` — from a fetch that started at or after that time (a refresh asked for then: the
 * many Applications one push refreshes share a few fetches); neither — the revision cache may answer.
 */
export interface ResolveOptions { fresh?: boolean; freshAfter?: number }

/** A git failure with the repository and what was asked, and git's own last line. */
export class GitSourceError extends Error {}

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;

export function createGitSource(opts: GitSourceOptions): GitSource {
  const git = opts.git ?? 'git';
  const timeout = opts.timeoutMs ?? 120_000;
  const queues = new Map<string, Promise<unknown>>();
  const now = opts.now ?? Date.now;
  /** repo URL → when it was last fetched; a fetch answers every revision of the repository at once */
  const fetchedAt = new Map<string, number>();
  /** repo URL → ref or commit asked → the commit it named at the last fetch (null: none); dropped by every fetch */
  const parsed = new Map<string, Map<string, string | null>>();

  /** Runs `fn` after every earlier call for the same repository (fetches into one bare repo never overlap). */
  function serial<T>(url: string, fn: () => Promise<T>): Promise<T> {
    const prev = queues.get(url) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    queues.set(url, settled);
    void settled.then(() => { if (queues.get(url) === settled) queues.delete(url); });
    return next;
  }

  const bareOf = (url: string) => join(opts.cacheDir, 'repos', createHash('sha256').update(url).digest('hex').slice(0, 32) + '.git');

  async function run(args: string[], cred: RepoCredential | undefined, cwd?: string): Promise<string> {
    const env = await gitEnv(opts.cacheDir, cred);
    try {
      return await new Promise<string>((resolvePromise, reject) => {
        execFile(git, args, { cwd, env: env.vars, timeout, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
          if (err) {
            const lastLine = String(stderr).trim().split('\n').filter(Boolean).pop() ?? err.message;
            reject(new GitSourceError(err.killed ? `git ${args[0]} timed out after ${timeout / 1000}s` : lastLine));
          } else resolvePromise(stdout);
        });
      });
    } finally {
      await env.cleanup();
    }
  }

  async function ensureBare(url: string): Promise<string> {
    const bare = bareOf(url);
    if (!(await exists(join(bare, 'HEAD')))) {
      await mkdir(join(opts.cacheDir, 'repos'), { recursive: true, mode: 0o700 });
      await run(['init', '--bare', '--quiet', bare], undefined);
    }
    return bare;
  }

  async function fetch(url: string, cred: RepoCredential | undefined): Promise<string> {
    const bare = await ensureBare(url);
    parsed.delete(url); // refs move: what was parsed before is answered again after this fetch
    await run(['--git-dir', bare, 'fetch', '--quiet', '--force', '--prune', '--tags', '--', url,
      '+refs/heads/*:refs/heads/*', '+HEAD:refs/kiln/remote-head'], cred).catch(async (err) => {
      // An empty repository, or one whose HEAD names no branch, has no HEAD to fetch: fetch the rest.
      if (!/HEAD/.test(String(err.message))) throw err;
      parsed.delete(url);
      await run(['--git-dir', bare, 'fetch', '--quiet', '--force', '--prune', '--tags', '--', url, '+refs/heads/*:refs/heads/*'], cred);
    });
    return bare;
  }

  async function revParse(bare: string, rev: string): Promise<string | undefined> {
    try {
      return (await run(['--git-dir', bare, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], undefined)).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** rev-parse of `rev` in the bare repository of `url`, remembered until the next fetch of it. */
  async function cachedRevParse(url: string, bare: string, rev: string): Promise<string | undefined> {
    let m = parsed.get(url);
    if (!m) parsed.set(url, (m = new Map()));
    const known = m.get(rev);
    if (known !== undefined) return known ?? undefined;
    const commit = await revParse(bare, rev);
    m.set(rev, commit ?? null);
    return commit;
  }

  async function resolve(repoURL: string, targetRevision: string | undefined, cred?: RepoCredential, ro: ResolveOptions = {}): Promise<{ commit: string }> {
    checkURL(repoURL);
    const rev = (targetRevision ?? '').trim();
    if (rev.startsWith('-')) throw new GitSourceError(`repository ${repoURL}: revision ${JSON.stringify(rev)} is not a revision`);
    const requested = ro.freshAfter ?? now();
    return serial(repoURL, async () => {
      const bare = bareOf(repoURL);
      if (FULL_SHA.test(rev) && (await exists(join(bare, 'HEAD'))) && (await cachedRevParse(repoURL, bare, rev))) return { commit: rev };
      const last = fetchedAt.get(repoURL);
      // a fetch that started after this call was made (or after freshAfter) answers it too; else a recent one within the cache time
      const cacheMay = !ro.fresh && ro.freshAfter === undefined;
      const recent = last !== undefined && (last >= requested || (cacheMay && now() - last < (opts.revisionCacheMs ?? 0)));
      const fetchNow = async () => {
        const started = now();
        try {
          await fetch(repoURL, cred);
        } catch (err) {
          throw new GitSourceError(`repository ${repoURL}: ${(err as Error).message}`);
        }
        fetchedAt.set(repoURL, started);
      };
      if (!recent) await fetchNow();
      const candidates = rev === '' || rev === 'HEAD' ? ['refs/kiln/remote-head']
        : [`refs/heads/${rev}`, `refs/tags/${rev}`, ...(SHORT_SHA.test(rev) || FULL_SHA.test(rev) ? [rev] : [])];
      const lookup = async () => {
        for (const c of candidates) {
          const commit = await cachedRevParse(repoURL, bare, c);
          if (commit) return commit;
        }
        return undefined;
      };
      let commit = await lookup();
      // unknown to a cached fetch: it may be new (a branch pushed since), so ask the remote before saying no
      if (!commit && recent) { await fetchNow(); commit = await lookup(); }
      if (commit) return { commit };
      throw new GitSourceError(`repository ${repoURL}: revision ${rev || 'HEAD'} not found`);
    });
  }

  async function checkout(repoURL: string, commit: string, cred?: RepoCredential): Promise<string> {
    if (!FULL_SHA.test(commit)) throw new GitSourceError(`checkout needs a full commit SHA, not ${JSON.stringify(commit)}`);
    const dir = join(opts.cacheDir, 'checkouts', commit);
    if (await exists(dir)) return dir;
    return serial(repoURL, async () => {
      if (await exists(dir)) return dir;
      const bare = bareOf(repoURL);
      if (!(await exists(join(bare, 'HEAD'))) || !(await revParse(bare, commit))) await fetch(repoURL, cred);
      await mkdir(join(opts.cacheDir, 'checkouts'), { recursive: true, mode: 0o700 });
      const tmp = await mkdtemp(join(opts.cacheDir, 'checkouts', '.tmp-'));
      try {
        await runIndexed(git, bare, tmp, commit, timeout);
        await rename(tmp, dir);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        if (await exists(dir)) return dir;
        throw new GitSourceError(`repository ${repoURL}: checkout of ${commit}: ${(err as Error).message}`);
      }
      return dir;
    });
  }

  return { resolve, checkout, invalidate: (url) => { fetchedAt.delete(url); parsed.delete(url); } };
}

/** Writes the files of `commit` into `workTree` with an index of its own (the bare repository keeps none). */
function runIndexed(git: string, bare: string, workTree: string, commit: string, timeout: number): Promise<void> {
  const env = { ...baseEnv(workTree), GIT_INDEX_FILE: join(workTree, '.git-index') };
  return new Promise((resolvePromise, reject) => {
    execFile(git, ['--git-dir', bare, '--work-tree', workTree, 'checkout', '--quiet', '--force', commit, '--', '.'],
      { env, timeout, encoding: 'utf8' }, (err, _out, stderr) => {
        if (err) { reject(new Error(String(stderr).trim() || err.message)); return; }
        rm(join(workTree, '.git-index'), { force: true }).then(() => resolvePromise(), reject);
      });
  });
}

/** Only remotes git reaches by URL: no options in disguise, no `ext::` transports. */
function checkURL(url: string): void {
  if (!url || url.startsWith('-') || /^ext::/i.test(url) || /[\0\n]/.test(url)) throw new GitSourceError(`repository URL ${JSON.stringify(url)} is not a repository URL`);
}

/** The environment every git command gets: nothing from the machine's configuration, no prompts. */
function baseEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/dev/null',
    LANG: 'C',
  };
}

/** The environment for one command, with `cred` in an askpass script / key file removed afterwards. */
async function gitEnv(cacheDir: string, cred: RepoCredential | undefined): Promise<{ vars: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(cacheDir, '.cred-'));
  const vars = baseEnv(dir);
  const cleanup = () => rm(dir, { recursive: true, force: true });
  if (!cred) return { vars, cleanup };
  let knownHosts = '/dev/null';
  if (cred.knownHosts) {
    knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, cred.knownHosts.endsWith('\n') ? cred.knownHosts : cred.knownHosts + '\n', { mode: 0o600 });
    vars.GIT_SSH_COMMAND = `ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile='${knownHosts}'`;
  }
  if (cred.password !== undefined || cred.username !== undefined) {
    const askpass = join(dir, 'askpass');
    await writeFile(askpass, '#!/bin/sh\ncase "$1" in\n  Username*) printf \'%s\\n\' "$KILN_GIT_USERNAME" ;;\n  *) printf \'%s\\n\' "$KILN_GIT_PASSWORD" ;;\nesac\n', { mode: 0o700 });
    vars.GIT_ASKPASS = askpass;
    vars.KILN_GIT_USERNAME = cred.username || (cred.password ? 'x-access-token' : '');
    vars.KILN_GIT_PASSWORD = cred.password ?? '';
  }
  if (cred.insecure) vars.GIT_SSL_NO_VERIFY = 'true';
  if (cred.sshPrivateKey) {
    const key = join(dir, 'key');
    await writeFile(key, cred.sshPrivateKey.endsWith('\n') ? cred.sshPrivateKey : cred.sshPrivateKey + '\n', { mode: 0o600 });
    await chmod(key, 0o600);
    vars.GIT_SSH_COMMAND = `ssh -i '${key}' -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile='${knownHosts}' -o StrictHostKeyChecking=${cred.insecure ? 'no' : 'yes'}`;
  }
  return { vars, cleanup };
}

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true; } catch { return false; }
}
