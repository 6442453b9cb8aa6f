// Runs one container's process: detached in its own process group (so kill(-pid) reaches every
// descendant), stdout+stderr appended to its log file, optionally teed to stdoutPath/stderrPath.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open, mkdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { spawnOffThread, type Spawned } from './spawner.ts';

/** What to run and where its output goes. */
export interface ProcessSpec {
  argv: readonly string[];
  env: Record<string, string>;
  /** host working directory of the spawned process (bwrap sets the step's own with --chdir) */
  cwd?: string;
  /** host path of the log file (appended); undefined: discard output */
  logFile?: string;
  /** host paths that also receive stdout / stderr */
  stdoutTee?: string;
  stderrTee?: string;
  /** descriptors the process inherits as 3, 4, … (e.g. directories bwrap binds with --bind-fd) */
  fds?: readonly number[];
  /** run as this host uid / gid (supplementary groups dropped); default: kiln's own */
  uid?: number;
  gid?: number;
  /** a filter per output stream (e.g. secret masking): every byte of that stream goes through it */
  filter?: () => OutputFilter;
}

/** Rewrites one output stream as it is written; may hold back a tail until more comes or `end()`. */
export interface OutputFilter {
  write(chunk: Buffer): Buffer;
  end(): Buffer;
}

/** How a process ended: its exit code (128+n when killed by signal n), or a spawn error. */
export interface ProcessExit {
  code: number;
  signal?: string;
  /** set when the process could not be started (e.g. ENOENT) */
  error?: string;
}

/** A started process. */
export interface RunningProcess {
  readonly pid: number | undefined;
  /** resolves once the process exited and its output is flushed */
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves with the exit */
  stop(graceMs: number): Promise<ProcessExit>;
}

/** Sends `signal` to the process group `pid` (ignores groups that are gone). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function signalCode(signal: NodeJS.Signals | null): number {
  const n = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
  return n ? 128 + n : 1;
}

async function openAppend(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'a');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await mkdir(dirname(path), { recursive: true });
    return open(path, 'a');
  }
}

/**
 * Starts a process. Without tees both streams share one append-mode descriptor of the log file,
 * so lines keep their order at no cost to kiln; with a tee the stream is piped and copied.
 */
export async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  const ids = spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid ?? spec.uid };
  const extra = spec.fds ?? [];
  if (!spec.stdoutTee && !spec.stderrTee && !spec.filter) {
    const fd = spec.logFile ? openAppendSync(spec.logFile) : undefined;
    const out = fd ?? 'ignore';
    const off = spawnOffThread({ file: spec.argv[0], args: spec.argv.slice(1), env: spec.env, cwd: spec.cwd, out, err: out, fds: extra, ...ids });
    if (off) return startedOffThread(spec, fd, off);
    if (fd !== undefined) closeSync(fd);
  }
  const log = spec.logFile ? await openAppend(spec.logFile) : undefined;
  const tees = await Promise.all([spec.stdoutTee, spec.stderrTee].map((p) => (p ? openAppend(p) : undefined)));
  const piped = (i: 0 | 1) => tees[i] !== undefined || (spec.filter !== undefined && log !== undefined);
  const out = (i: 0 | 1): 'ignore' | 'pipe' | number => (piped(i) ? 'pipe' : log ? log.fd : 'ignore');
  let child;
  try {
    child = spawn(spec.argv[0], spec.argv.slice(1), {
      env: spec.env,
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', out(0), out(1), ...extra],
      ...ids,
    });
  } catch (e) {
    child = undefined;
    const message = (e as Error).message;
    if (log) await log.write(`kiln: cannot start ${spec.argv[0]}: ${message}\n`);
    await Promise.all([log, ...tees].map((h) => h?.close()));
    const exit = { code: 127, error: message };
    return { pid: undefined, exited: Promise.resolve(exit), stop: () => Promise.resolve(exit) };
  }
  const pid = child.pid;
  const pipes = [child.stdout, child.stderr].map(function copy(stream, i) {
    const tee = tees[i];
    if (!stream || !piped(i as 0 | 1)) return Promise.resolve();
    const filter = spec.filter?.();
    async function put(chunk: Buffer): Promise<void> {
      if (chunk.length === 0) return;
      if (tee) await tee.write(chunk);
      if (log) await log.write(chunk);
    }
    return (async function pump() {
      for await (const chunk of stream) await put(filter ? filter.write(chunk as Buffer) : (chunk as Buffer));
      if (filter) await put(filter.end());
    })();
  });
  const exited = new Promise<ProcessExit>(function wait(resolve) {
    let done = false;
    child.once('error', function onError(err) {
      if (done) return;
      done = true;
      resolve({ code: 127, error: err.message });
    });
    child.once('exit', function onExit(code, signal) {
      if (done) return;
      done = true;
      killGroup(pid, 'SIGKILL'); // the step is over: so is everything it left running
      resolve(code !== null ? { code } : { code: signalCode(signal), signal: signal ?? undefined });
    });
  }).then(async function flush(exit) {
    await Promise.allSettled(pipes);
    if (exit.error && log) await log.write(`kiln: cannot run ${spec.argv[0]}: ${exit.error}\n`).catch(() => undefined);
    await Promise.all([log, ...tees].map((h) => h?.close().catch(() => undefined)));
    return exit;
  });
  return { pid, exited, stop: stopper(pid, exited) };
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves with the exit. */
function stopper(pid: number | undefined, exited: Promise<ProcessExit>): (graceMs: number) => Promise<ProcessExit> {
  return function stop(graceMs) {
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    return exited.finally(() => clearTimeout(timer));
  };
}

/** Opens `path` for appending (creating its directory when missing); a plain descriptor, no round trip. */
function openAppendSync(path: string): number {
  try {
    return openSync(path, 'a');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'a');
  }
}

/**
 * The {@link RunningProcess} of a process the spawner thread started, its output straight into
 * the log descriptor `fd` (closed once the process is gone, with kiln's own line when it failed).
 */
async function startedOffThread(spec: ProcessSpec, fd: number | undefined, off: Spawned): Promise<RunningProcess> {
  const note = (line: string) => { if (fd !== undefined) appendLine(fd, line); };
  const started = await off.started;
  if ('thrown' in started) {
    note(`kiln: cannot start ${spec.argv[0]}: ${started.thrown}`);
    if (fd !== undefined) closeSync(fd);
    const exit = { code: 127, error: started.thrown };
    return { pid: undefined, exited: Promise.resolve(exit), stop: () => Promise.resolve(exit) };
  }
  const pid = started.pid;
  const exited = off.ended.then(function ended(end): ProcessExit {
    let exit: ProcessExit;
    if ('error' in end) {
      exit = { code: 127, error: end.error };
      note(`kiln: cannot run ${spec.argv[0]}: ${end.error}`);
    } else {
      killGroup(pid, 'SIGKILL'); // the step is over: so is everything it left running
      exit = end.code !== null ? { code: end.code } : { code: signalCode(end.signal), signal: end.signal ?? undefined };
    }
    if (fd !== undefined) closeSync(fd);
    return exit;
  });
  return { pid, exited, stop: stopper(pid, exited) };
}

function appendLine(fd: number, line: string): void {
  try {
    writeSync(fd, `${line}\n`);
  } catch {
    // the log is best effort here: the exit code tells the story
  }
}
