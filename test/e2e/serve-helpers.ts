// Starting `kiln serve` as a real process for end-to-end tests, and talking to it over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './helpers.ts';

export interface Served { child: ChildProcess; url: string; dataDir: string; stop(signal?: NodeJS.Signals): Promise<number | null> }

/** Starts `kiln serve` on a free port; resolves once it says where it listens. */
export function startServe(dataDir: string, extra: string[] = ['--insecure-loopback-only']): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, ...extra], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let err = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`kiln serve did not start: ${err}`)), 20_000);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // stderr is read to the end (a full pipe would block the server); kept only until it has started
    child.stderr!.on('data', (d) => {
      if (started) return;
      err += d;
      const m = /kiln serving on (\S+)/.exec(err);
      if (m) {
        started = true;
        clearTimeout(timer);
        resolve({ child, url: m[1], dataDir, stop: async (signal = 'SIGTERM') => { child.kill(signal); return exited; } });
      }
    });
    child.on('exit', (code) => reject(new Error(`kiln serve exited ${code}: ${err}`)));
  });
}

export async function api(s: Served, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

