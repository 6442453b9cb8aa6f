// Drives the real CLI (bin/kiln.mjs) in a child process.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/kiln.mjs');

export interface CliResult { code: number | null; stdout: string; stderr: string; signal: NodeJS.Signals | null }

export interface KilnOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** called once the process is running, e.g. to send it a signal */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
  timeoutMs?: number;
}

/** Runs `kiln ARGS` with the same node as this test, returns exit code and output. */
export function kiln(args: string[], opts: KilnOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, signal });
    });
    opts.onSpawn?.(child);
  });
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'kiln-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `text` to `name` in a fresh temporary directory; returns its path. */
export function tempFile(name: string, text: string, dir = tempDir()): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
