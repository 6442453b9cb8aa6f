// Reading step logs back: one append-only file per container, `<logDir>/<containerName>.log`.
// Works while the run is going (follow) and long after it ended (logs are kept).
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { TaskRunStatus } from '../api/taskrun.types.ts';
import { createLineSplitter } from './linesplit.ts';
import { readLogTimes, rfc3339Nano } from './logtimes.ts';

/** A line of a step's log; `time` (RFC 3339, nanosecond digits) when asked with `timestamps`. */
export interface StepLogLine { step: string; line: string; time?: string }

export interface TailOptions {
  /** re-read the TaskRun's status (the source of truth for which step is where) */
  status: () => Promise<TaskRunStatus | undefined>;
  follow: boolean;
  signal?: AbortSignal;
  /** poll interval while following (default 25 ms) */
  pollMs?: number;
  /** give each line the time it arrived at kiln (from the log's side file, see logtimes.ts) */
  timestamps?: boolean;
}

/** Host path of a container's log file. */
export function logFileOf(logDir: string, containerName: string): string {
  return join(logDir, `${containerName}.log`);
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function finished(st: TaskRunStatus | undefined): boolean {
  return !!st?.conditions?.some((c) => c.type === 'Succeeded' && c.status !== 'Unknown');
}

/**
 * Lines of step `i`'s log with the byte offset each ends at (past its newline); with `follow`, until
 * the step has terminated. A line longer than 64 Ki characters comes in pieces of that size (see
 * linesplit.ts), so reading stays linear; a piece ends where the read that completed it did.
 */
async function* stepLines(path: string, i: number, opts: TailOptions, pollMs: number): AsyncGenerator<{ text: string; end: number }> {
  let fh = await openIfExists(path);
  // keeps a UTF-8 character split across reads (a chunk boundary or a write in progress) whole
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.alloc(64 * 1024);
  const lines = createLineSplitter();
  // file offsets just past each newline read and not yet given out (a newline byte is never part
  // of a multi-byte UTF-8 character, so the raw bytes tell where lines end)
  const ends: number[] = [];
  let pos = 0;
  let draining = false;
  try {
    for (;;) {
      fh ??= await openIfExists(path);
      const n = fh ? (await fh.read(buf, 0, buf.length, pos)).bytesRead : 0;
      if (n > 0) {
        for (let j = buf.indexOf(10); j >= 0 && j < n; j = buf.indexOf(10, j + 1)) ends.push(pos + j + 1);
        pos += n;
        const complete: boolean[] = [];
        const got = lines.push(decoder.write(buf.subarray(0, n)), complete);
        for (let k = 0; k < got.length; k++) yield { text: got[k], end: complete[k] ? ends.shift()! : pos };
        continue;
      }
      if (!opts.follow || draining || opts.signal?.aborted) break;
      const st = await opts.status();
      const cur = st?.steps?.[i];
      // the step is over: read once more, then move on
      if (!cur || cur.terminated || finished(st)) draining = true;
      else await sleep(pollMs);
    }
    for (const text of lines.push(decoder.end())) yield { text, end: pos };
    const rest = lines.end();
    if (rest) yield { text: rest, end: pos };
  } finally {
    // also when the caller stops reading early
    await fh?.close();
  }
}

/**
 * Yields every line of every step, in step order. With `follow`, waits for steps that have not
 * started yet and for lines still being written, until the run is finished.
 */
export async function* tailStepLogs(opts: TailOptions): AsyncGenerator<StepLogLine> {
  const pollMs = opts.pollMs ?? 25;
  let st = await opts.status();
  for (let i = 0; ; i++) {
    // wait until step i exists and has started (or the run is over)
    while (opts.follow && !opts.signal?.aborted && !finished(st) && !(st?.steps?.[i] && !st.steps[i].waiting) && st?.steps?.length !== i) {
      await sleep(pollMs);
      st = await opts.status();
    }
    const step = st?.steps?.[i];
    if (!step || !st?.logDir) return;
    const file = logFileOf(st.logDir, step.container);
    const times = opts.timestamps ? readLogTimes(file) : undefined;
    // many lines share a record: each time is formatted once
    let last = -1;
    let lastText = '';
    for await (const { text, end } of stepLines(file, i, opts, pollMs)) {
      if (!times) {
        yield { step: step.name, line: text };
        continue;
      }
      const t = times.at(end);
      const micros = typeof t === 'number' ? t : await t;
      if (micros !== last) [last, lastText] = [micros, rfc3339Nano(micros)];
      yield { step: step.name, line: text, time: lastText };
    }
    if (opts.follow) st = await opts.status();
  }
}
