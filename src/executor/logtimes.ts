// When each line of a step's log arrived at kiln, kept beside the log: `<containerName>.log.times`,
// one text line `<size> <microseconds since the epoch>` each time the log was seen to have grown to
// `size` bytes (so a line ending at byte offset E arrived at the first record with size ≥ E). The log
// files stay exactly what the step wrote; a log without its side file (written before kiln kept
// times) is read as before, its lines dated by the log file's last change.
import { watch, type FSWatcher } from 'node:fs';
import { appendFile, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The side file of a log file. */
export function timesFileOf(logFile: string): string {
  return `${logFile}.times`;
}

/** Microseconds since the epoch, from the high-resolution clock. */
export function epochMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * An instant as RFC 3339 with up to nanosecond digits, trailing zeros dropped (Go's RFC3339Nano, what
 * `kubectl logs --timestamps` prints): `2026-12-05T21:55:01.12Z`, `2026-12-05T21:55:01Z`.
 */
export function rfc3339Nano(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = `${String(ms % 1000).padStart(3, '0')}${String(micros % 1000).padStart(3, '0')}`.replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

export interface LogTimesRecorder {
  /** Records what was written up to now, stops watching, and waits for the side files' writes. */
  stop(): Promise<void>;
}

/**
 * Watches `logDir` (its `*.log` files) and appends a record to each log's side file whenever the log
 * has grown. Starts watching once the directory exists; an event lost is made up by a check every
 * `pollMs` and at `stop()` (which are all there is where the directory cannot be watched).
 */
export function recordLogTimes(logDir: string, { now = epochMicros, pollMs = 1000, retryMs = 20, watchDir = watch as (dir: string, o: { persistent: boolean }, fn: (ev: string, name: string | Buffer | null) => void) => FSWatcher } = {}): LogTimesRecorder {
  const sizes = new Map<string, number>();
  const writes = new Map<string, Promise<void>>();
  const due = new Set<string>();
  let watcher: FSWatcher | undefined;
  let stopped = false;
  let checking: Promise<void> | undefined;

  async function check(name: string): Promise<void> {
    const file = join(logDir, name);
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size <= (sizes.get(name) ?? 0)) return;
    sizes.set(name, size);
    const at = now();
    const prev = writes.get(name) ?? Promise.resolve();
    writes.set(name, prev.then(() => appendFile(timesFileOf(file), `${size} ${at}\n`)).catch(() => undefined));
  }
  function soon(name: string): void {
    if (!name.endsWith('.log') || stopped) return;
    due.add(name);
    // many writes between two turns of the event loop: one stat
    checking ??= new Promise<void>((r) => setImmediate(r)).then(async () => {
      const names = [...due];
      due.clear();
      checking = undefined;
      await Promise.all(names.map(check));
    });
  }
  async function all(): Promise<void> {
    const names = await readdir(logDir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.endsWith('.log')).map(check));
  }
  // without a watcher (no inotify, or its limit reached), the checks every pollMs are all there is
  let pollOnly = false;
  function start(): void {
    if (stopped || watcher) return;
    try {
      watcher = watchDir(logDir, { persistent: false }, (_ev, name) => { if (name) soon(String(name)); });
      watcher.on('error', () => { pollOnly = true; });
      void all();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') pollOnly = true;
      else {
        retry = setTimeout(start, retryMs);
        retry.unref?.();
      }
    }
  }
  let retry: ReturnType<typeof setTimeout> | undefined;
  const poll = setInterval(() => { if (watcher || pollOnly) void all(); }, pollMs);
  poll.unref?.();
  start();
  return {
    async stop() {
      stopped = true;
      clearInterval(poll);
      if (retry) clearTimeout(retry);
      watcher?.close();
      await checking;
      await all();
      await Promise.all(writes.values());
    },
  };
}

/** A log's arrival times, read from its side file as the reader moves through the log. */
export interface LogTimes {
  /**
   * When the bytes up to `end` had arrived (µs since the epoch); lines must be asked in order. A
   * number at once when the records read so far cover `end` (the usual case), else a promise.
   */
  at(end: number): number | Promise<number>;
}

/**
 * Arrival times of `logFile`'s lines. Past the last record (a side file not yet written, or none
 * at all) a line is dated by the log's last change; the side file is read again at most every
 * `refreshMs` for lines still being written.
 */
export function readLogTimes(logFile: string, { refreshMs = 25, clock = Date.now } = {}): LogTimes {
  const sizes: number[] = [];
  const times: number[] = [];
  let i = 0;
  let readTo = 0;
  let partial = '';
  let lastRefresh = -Infinity;
  let fallback = 0;
  async function refresh(): Promise<void> {
    lastRefresh = clock();
    let text = '';
    const fh = await open(timesFileOf(logFile), 'r').catch(() => undefined);
    if (fh) {
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (let n; (n = (await fh.read(buf, 0, buf.length, readTo)).bytesRead) > 0;) {
          text += buf.toString('latin1', 0, n);
          readTo += n;
        }
      } finally {
        await fh.close();
      }
    }
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const [s, t] = l.split(' ').map(Number);
      // a record out of order or unreadable is skipped: the times stay monotonic
      if (Number.isFinite(s) && Number.isFinite(t) && s > (sizes.at(-1) ?? 0) && t >= (times.at(-1) ?? 0)) {
        sizes.push(s);
        times.push(t);
      }
    }
    fallback = await stat(logFile).then((st) => Math.round(st.mtimeMs * 1000), () => 0);
  }
  async function later(end: number): Promise<number> {
    if (clock() - lastRefresh >= refreshMs) {
      await refresh();
      while (i < sizes.length && sizes[i] < end) i++;
      if (i < sizes.length) return times[i];
    }
    return Math.max(fallback, times.at(-1) ?? 0);
  }
  return {
    at(end) {
      while (i < sizes.length && sizes[i] < end) i++;
      return i < sizes.length ? times[i] : later(end);
    },
  };
}
