// Fork/exec off the event loop: a worker thread that spawns processes and reports their exit.
// Node's spawn is synchronous and costs ~1–2 ms of the calling thread (fork of a large process);
// run on kiln's one thread for every step, that was the biggest single cost of scheduling a
// pipeline. The worker receives what to run (descriptors are shared by every thread of the
// process, so the log file opened here is inherited as is) and answers with the pid, then the exit.
import { Worker } from 'node:worker_threads';

/** What the worker spawns: detached (own process group), stdin ignored, stdout/stderr to fds. */
export interface SpawnRequest {
  file: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd?: string;
  out: number | 'ignore';
  err: number | 'ignore';
  /** inherited as descriptors 3, 4, … */
  fds?: readonly number[];
  uid?: number;
  gid?: number;
}

/** The worker's answers about one process. */
export interface Spawned {
  /** resolves once the fork/exec was attempted: the pid, or why spawn refused (a synchronous throw) */
  started: Promise<{ pid: number | undefined } | { thrown: string }>;
  /** resolves with the exit (code or signal), or the 'error' event's message (e.g. ENOENT) */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: string }>;
}

// CommonJS run by the worker (eval: no file to locate, in sources or in a built package).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { spawn } = require('node:child_process');
parentPort.on('message', function onRequest(m) {
  let child;
  try {
    const ids = m.uid === undefined ? {} : { uid: m.uid, gid: m.gid };
    child = spawn(m.file, m.args, { env: m.env, cwd: m.cwd, detached: true, stdio: ['ignore', m.out, m.err, ...(m.fds || [])], ...ids });
  } catch (e) {
    parentPort.postMessage({ id: m.id, thrown: e.message });
    return;
  }
  parentPort.postMessage({ id: m.id, pid: child.pid });
  let done = false;
  child.once('error', function onError(e) {
    if (done) return;
    done = true;
    parentPort.postMessage({ id: m.id, error: e.message });
  });
  child.once('exit', function onExit(code, signal) {
    if (done) return;
    done = true;
    parentPort.postMessage({ id: m.id, code, signal });
  });
});
`;

interface Pending {
  start: (v: { pid: number | undefined } | { thrown: string }) => void;
  end: (v: { code: number | null; signal: NodeJS.Signals | null } | { error: string }) => void;
}

type Reply = { id: number; pid?: number; thrown?: string; error?: string; code?: number | null; signal?: NodeJS.Signals | null };

/** The worker's state: booting (callers spawn in their own thread meanwhile), ready, or unusable. */
let worker: Worker | undefined;
let ready = false;
let broken = false;
let nextId = 0;
/** spawns asked for before the worker was started */
let requests = 0;

/**
 * Spawns made in the caller's thread before the worker is started: starting it (and stopping it
 * at exit) costs ~20 ms, which a one-step `kiln run` would notice and only longer runs repay.
 */
const BOOT_AFTER = 8;
const pending = new Map<number, Pending>();

function boot(): void {
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, name: 'kiln-spawner', stdout: false, stderr: false });
  } catch {
    broken = true;
    return;
  }
  worker.once('online', () => { ready = true; });
  worker.on('message', function onReply(m: Reply) {
    const p = pending.get(m.id);
    if (!p) return;
    if (m.thrown !== undefined) {
      p.start({ thrown: m.thrown });
      settle(m.id);
    } else if ('pid' in m) {
      p.start({ pid: m.pid });
    } else {
      p.end(m.error !== undefined ? { error: m.error } : { code: m.code ?? null, signal: m.signal ?? null });
      settle(m.id);
    }
  });
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the spawner thread exited')));
  worker.unref(); // only outstanding processes keep kiln alive, as child processes of its own would
}

/** The worker is gone: every process it was watching is reported as lost, new ones spawn in-thread. */
function fail(e: Error): void {
  broken = true;
  ready = false;
  worker = undefined;
  for (const [id, p] of pending) {
    p.start({ thrown: e.message });
    p.end({ error: e.message });
    pending.delete(id);
  }
}

function settle(id: number): void {
  pending.delete(id);
  if (pending.size === 0) worker?.unref();
}

/**
 * Spawns in the worker, or returns undefined when it is not available (not started yet: the
 * {@link BOOT_AFTER}th call starts it; still starting; or failed to start): the caller then
 * spawns in its own thread.
 */
export function spawnOffThread(req: SpawnRequest): Spawned | undefined {
  if (!worker && !broken && ++requests >= BOOT_AFTER) boot();
  if (!ready || !worker) return undefined;
  const id = ++nextId;
  let start!: Pending['start'];
  let end!: Pending['end'];
  const started = new Promise<Parameters<Pending['start']>[0]>((r) => { start = r; });
  const ended = new Promise<Parameters<Pending['end']>[0]>((r) => { end = r; });
  pending.set(id, { start, end });
  if (pending.size === 1) worker.ref();
  worker.postMessage({ id, ...req });
  return { started, ended };
}
