// Test helpers: a git repository made from files, served by `git daemon` on loopback.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ID = ['-c', 'user.email=test@kiln.invalid', '-c', 'user.name=kiln test', '-c', 'commit.gpgsign=false'];

export interface TestRepo {
  /** the repository's directory (non-bare, branch main) */
  dir: string;
  /** commits `files` (path → content) on the current branch; returns the commit */
  commit(files: Record<string, string>, message?: string): string;
  git(...args: string[]): string;
}

/** A fresh repository with branch main under `parent` (default: a new temporary directory). */
export function makeRepo(name = 'repo', parent = mkdtempSync(join(tmpdir(), 'kiln-git-'))): TestRepo {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', [...ID, '-C', dir, ...args], { encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  return {
    dir,
    git,
    commit(files, message = 'change') {
      for (const [p, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), text);
      }
      git('add', '-A');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`git daemon exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`git daemon did not listen on ${port}`);
}

export interface GitDaemon { url: string; stop(): Promise<void> }

/** `git daemon` serving every repository under `baseDir` at git://127.0.0.1:<port>/<name>. */
export async function startGitDaemon(baseDir: string): Promise<GitDaemon> {
  const port = await freePort();
  const child = spawn('git', ['daemon', '--reuseaddr', '--export-all', `--base-path=${baseDir}`, '--listen=127.0.0.1', `--port=${port}`, baseDir], { stdio: 'ignore' });
  await waitForPort(port, child);
  return {
    url: `git://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
