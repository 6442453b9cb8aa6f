// What the benchmarks over a real `kiln serve --insecure-loopback-only` child process share: start
// it and wait until it serves, stop it cleanly, HTTP requests over a keep-alive agent, watches.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A timeout for Promise.race that does not keep the bench process alive once the race is over. */
export const deadline = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Nearest-rank percentile (q in 0..1). */
export function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export interface Reply { status: number; body: string }

/** One request over `agent`; `body` is sent as JSON; `onWrite` is called just before the request is written. */
export function call(agent: Agent, method: string, url: string, body?: string, headers: Record<string, string> = {}, onWrite?: () => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      agent,
      headers: body === undefined ? { accept: 'application/json', ...headers } : { accept: 'application/json', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    onWrite?.();
    req.end(body);
  });
}

/**
 * A watch of `path` (a collection) from its list's resourceVersion on: `onEvent` sees every event
 * as soon as its line is read. Resolves once the watch's response has started; the function it
 * resolves with ends the watch.
 */
export async function watchEvents(agent: Agent, base: string, path: string, onEvent: (type: string, object: any) => void): Promise<() => void> {
  const list = await call(agent, 'GET', `${base}${path}`);
  const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const watchAgent = new Agent({ keepAlive: false });
  const req = request(`${base}${path}?watch=true&resourceVersion=${rv}`, { agent: watchAgent });
  await new Promise<void>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      if (res.statusCode !== 200) reject(new Error(`watch ${path}: ${res.statusCode}`));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const ev = JSON.parse(buf.slice(0, nl)) as { type: string; object: any };
          buf = buf.slice(nl + 1);
          onEvent(ev.type, ev.object);
        }
      });
      resolve();
    });
    req.end();
  });
  return () => {
    req.destroy();
    watchAgent.destroy();
  };
}

export interface Server {
  child: ChildProcess;
  url: string;
  /** spawn → /readyz answered 200, ms */
  startMs: number;
  /** the error-level log lines and the tail of stderr, for error reports */
  stderr: () => string;
  /** resolves when kiln has logged `stopped` */
  stopped: Promise<void>;
}

/**
 * Starts `kiln serve` on `dataDir` (`nodeFlags` go to its node); resolves once /readyz answers ok
 * (polled over `agent`), with the time that took.
 */
export async function startServer(dataDir: string, agent: Agent, nodeFlags: readonly string[] = [], serveFlags: readonly string[] = []): Promise<Server> {
  const bin = join(import.meta.dirname, '../bin/kiln.mjs');
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, bin, 'serve', '--insecure-loopback-only', '--port', '0', '--data-dir', dataDir, ...serveFlags], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  // stderr carries a log line per request: keep the tail for error reports, fail on error-level lines
  let tail = '';
  const errors: string[] = [];
  let onStopped = () => {};
  const stopped = new Promise<void>((r) => (onStopped = r));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      tail = (tail + d).slice(-64 * 1024);
      for (const line of d.split('\n')) if (/"level":(50|60)\b/.test(line)) errors.push(line);
      const m = /kiln serving on (\S+)/.exec(tail);
      if (m) resolve(m[1]);
      if (/^stopped$/m.test(tail)) onStopped();
    });
    child.on('exit', (code, sig) => reject(new Error(`kiln serve exited (${code ?? sig}) before serving:\n${tail}`)));
  });
  for (;;) {
    const r = await call(agent, 'GET', `${url}/readyz`).catch(() => undefined);
    if (r?.status === 200) break;
    await sleep(5);
  }
  const stderr = () => (errors.length ? `error lines:\n${errors.slice(0, 20).join('\n')}\n` : '') + `stderr tail:\n${tail.slice(-4000)}`;
  return { child, url, startMs: performance.now() - t0, stderr, stopped };
}

/**
 * SIGTERM, then waits for kiln's `stopped` line (a clean shutdown; the bench fails on anything
 * else or on error-level log lines). The process itself may linger for the shutdown grace period
 * after that (a pending timer), so it is killed once it has said `stopped`.
 */
export async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null) throw new Error(`kiln serve had already exited (${s.child.exitCode}):\n${s.stderr()}`);
  const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
  s.child.kill('SIGTERM');
  const outcome = await Promise.race([s.stopped.then(() => 'stopped' as const), exited, deadline(20_000).then(() => 'timeout' as const)]);
  if (outcome === 'stopped') {
    if (await Promise.race([exited.then(() => true), deadline(500).then(() => false)]) === false) s.child.kill('SIGKILL');
    await exited;
  } else {
    if (outcome === 'timeout') s.child.kill('SIGKILL');
    throw new Error(`kiln serve did not stop cleanly on SIGTERM (${outcome}):\n${s.stderr()}`);
  }
  if (s.stderr().startsWith('error lines')) throw new Error(`kiln serve logged errors:\n${s.stderr()}`);
}
