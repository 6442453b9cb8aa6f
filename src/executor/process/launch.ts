// What an attempt's parts (steps, sidecars, probes) share: the live state and a way to start a
// prepared container that a concurrent cancel() can always reach.
import type { ExecutionPlan, ExecutionSnapshot } from '../executor.ts';
import { writeBeneath } from './beneath.ts';
import type { Dir } from './beneath.ts';
import { releasePrepared } from './prepare.ts';
import type { AttemptContext, HostTools, Prepared } from './prepare.ts';
import { startProcess } from './spawn.ts';
import type { ProcessExit, RunningProcess } from './spawn.ts';

/** Dependencies of an attempt, from the executor. */
export interface AttemptDeps {
  dataDir: string;
  tools: HostTools;
  now: () => Date;
  /** SIGTERM → SIGKILL grace when stopping a process group */
  graceMs: number;
  /** observer of every process started (benchmarks replay these outside kiln) */
  trace?: (spawned: SpawnTrace) => void;
}

/**
 * What was started: the exact argv (descriptor binds shown by path), environment and directory,
 * and the other descriptors it inherited (kiln-step-enter, namespaces) by number and host path.
 */
export interface SpawnTrace { argv: string[]; env: Record<string, string>; cwd: string; fds?: { fd: number; path: string }[] }

/** The shared, mutable core of one running attempt. */
export interface AttemptRuntime {
  deps: AttemptDeps;
  plan: ExecutionPlan;
  state: ExecutionSnapshot;
  actx?: AttemptContext;
  /** set by cancel(); everything not yet started is skipped once it is */
  stop?: { kind: 'cancelled' | 'timeout'; message: string };
  /** aborted by cancel(): interrupts waits (probe periods, delays) */
  abort: AbortController;
  /** processes a cancel() must stop (steps and probes; sidecars are stopped at the end) */
  live: Set<RunningProcess>;
  changed(): void;
  ts(): string;
}

/** Runs `fn`, logging instead of throwing; onChange listeners must not break an attempt. */
export function notify(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    process.emitWarning(`kiln executor: onChange threw: ${(e as Error).message}`);
  }
}

/** The attempt's own directory as steps see it (`/tekton/…` in messages): results, exit codes, scripts live beneath it. */
export function attemptDir(rt: AttemptRuntime): Dir {
  const { layout, trusted } = rt.actx!;
  return trusted.dir(layout.root, '/tekton');
}

/**
 * Writes the script, starts the process (tracked while it runs), then closes the descriptors
 * `p` held (the child has its own copies by then; bwrap closes each bound one after mounting it).
 */
export async function launch(rt: AttemptRuntime, p: Prepared, opts: { log?: boolean; track?: boolean } = {}): Promise<RunningProcess> {
  try {
    // synchronous: a small script, on the way from one step to the next (~20 µs)
    if (p.script) writeBeneath(attemptDir(rt), p.script.rel, p.script.text, 0o755);
    return await start(rt, p, opts);
  } finally {
    releasePrepared(p);
  }
}

/** `p.argv` with its descriptor binds shown by path (`--bind-fd 3 /w` → `--bind <host dir> /w`), so that a trace replays without kiln. */
export function replayableArgv(p: Pick<Prepared, 'argv' | 'fdPaths'>): string[] {
  const out: string[] = [];
  // bwrap's own options end at the first `--` after it (an nsenter prefix has a `--` of its own)
  const end = p.argv.indexOf('--', p.argv.findIndex((a) => a.endsWith('bwrap')));
  for (let i = 0; i < p.argv.length; i++) {
    const a = p.argv[i];
    const byFd = (a === '--bind-fd' || a === '--ro-bind-fd') && i < end;
    const path = byFd ? p.fdPaths?.[Number(p.argv[i + 1]) - 3] : undefined;
    if (path === undefined) {
      out.push(a);
      continue;
    }
    out.push(a === '--bind-fd' ? '--bind' : '--ro-bind', path, p.argv[i + 2]);
    i += 2;
  }
  return out;
}

/** The descriptors `p` passes that are not bwrap's binds (shown by path in {@link replayableArgv}), with their host paths. */
export function otherFds(p: Pick<Prepared, 'argv' | 'fdPaths'>): { fd: number; path: string }[] | undefined {
  const binds = new Set(p.argv.flatMap((a, i) => (a === '--bind-fd' || a === '--ro-bind-fd' ? [Number(p.argv[i + 1])] : [])));
  const out = (p.fdPaths ?? []).flatMap((path, i) => (path !== undefined && !binds.has(i + 3) ? [{ fd: i + 3, path }] : []));
  return out.length ? out : undefined;
}

async function start(rt: AttemptRuntime, p: Prepared, opts: { log?: boolean; track?: boolean }): Promise<RunningProcess> {
  if (rt.deps.trace) rt.deps.trace({ argv: replayableArgv(p), env: p.env, cwd: p.cwd ?? '/', fds: otherFds(p) });
  const proc = await startProcess({
    argv: p.argv,
    env: p.env,
    cwd: p.cwd ?? '/',
    logFile: opts.log === false ? undefined : p.logFile,
    stdoutTee: opts.log === false ? undefined : p.stdoutTee,
    stderrTee: opts.log === false ? undefined : p.stderrTee,
    filter: opts.log === false ? undefined : p.filter,
    fds: p.fds,
    uid: p.uid,
    gid: p.gid,
  });
  if (opts.track !== false) {
    rt.live.add(proc);
    void proc.exited.then(() => rt.live.delete(proc));
    if (rt.stop) void proc.stop(rt.deps.graceMs);
  }
  return proc;
}

/** Waits for `proc`, stopping it after `timeoutMs`; `timedOut` tells whether the timer fired. */
export async function waitWithTimeout(rt: AttemptRuntime, proc: RunningProcess, timeoutMs: number | undefined): Promise<{ exit: ProcessExit; timedOut: boolean }> {
  let timedOut = false;
  const timer = timeoutMs && timeoutMs > 0
    ? setTimeout(function stepTimeout() {
        timedOut = true;
        void proc.stop(rt.deps.graceMs);
      }, timeoutMs)
    : undefined;
  const exit = await proc.exited;
  if (timer) clearTimeout(timer);
  return { exit, timedOut };
}

/** Resolves after `ms` or when `signal` aborts, whichever is first. */
export function pause(signal: AbortSignal, ms: number): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise(function wait(resolve) {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
