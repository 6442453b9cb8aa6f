// A de-duplicating, rate-limited work queue of string keys (`namespace/name`), after client-go's:
// - a key is queued at most once, however often it is added;
// - a key being processed is never handed out again until done(); adding it meanwhile marks it
//   dirty, and done() queues it again;
// - addAfter waits on the injected clock; addRateLimited backs off per key (base·2^failures, capped)
//   until forget(key).
// Unlike client-go, add() cancels a pending delayed add of the same key (the key runs now, and its
// reconcile decides again whether to wait), and shutdown() drops queued keys.
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';

export interface WorkQueueOptions {
  /** first backoff of addRateLimited, in ms (default 5) */
  baseDelay?: number;
  /** largest backoff, in ms (default 30 000) */
  maxDelay?: number;
  /** time source for addAfter/addRateLimited (default realClock) */
  clock?: Clock;
}

export interface WorkQueue {
  /** queues `key` now (no-op when already queued, or after shutdown) */
  add(key: string): void;
  /** queues `key` after `ms`; an earlier pending deadline for the key wins; no-op when already queued */
  addAfter(key: string, ms: number): void;
  /** queues `key` after its backoff, then doubles the backoff */
  addRateLimited(key: string): void;
  /** resets the key's backoff (after a success, or when giving up) */
  forget(key: string): void;
  /** how many times addRateLimited was called since the last forget */
  numRequeues(key: string): number;
  /** the next key, marked as processing; undefined once the queue is shut down */
  get(): Promise<string | undefined>;
  /** ends processing of `key`; queues it again if it was added meanwhile */
  done(key: string): void;
  /** stops handing out keys: pending and future get() resolve undefined; timers are cleared */
  shutdown(): void;
  readonly shuttingDown: boolean;
  /** keys ready to be handed out */
  readonly length: number;
  /** keys handed out and not yet done */
  readonly processing: number;
  /** keys waiting for a timer */
  readonly waiting: number;
}

/** Creates a work queue (defaults in WorkQueueOptions). */
export function createWorkQueue({ baseDelay = 5, maxDelay = 30_000, clock = realClock }: WorkQueueOptions = {}): WorkQueue {
  const ready: string[] = [];
  /** keys that need processing: ready ones, and processing ones added again */
  const dirty = new Set<string>();
  const active = new Set<string>();
  const timers = new Map<string, { at: number; handle: unknown }>();
  const failures = new Map<string, number>();
  const getters: Array<(key: string | undefined) => void> = [];
  let shut = false;

  function handOut(key: string): void {
    const getter = getters.shift();
    if (!getter) {
      ready.push(key);
      return;
    }
    dirty.delete(key);
    active.add(key);
    getter(key);
  }

  function cancelTimer(key: string): void {
    const t = timers.get(key);
    if (t) {
      clock.clearTimeout(t.handle);
      timers.delete(key);
    }
  }

  function add(key: string): void {
    if (shut) return;
    cancelTimer(key);
    if (dirty.has(key)) return;
    dirty.add(key);
    if (!active.has(key)) handOut(key);
  }

  function addAfter(key: string, ms: number): void {
    if (shut || dirty.has(key)) return;
    if (ms <= 0) {
      add(key);
      return;
    }
    const at = clock.now() + ms;
    const existing = timers.get(key);
    if (existing && existing.at <= at) return;
    cancelTimer(key);
    const handle = clock.setTimeout(function delayedAdd() {
      timers.delete(key);
      add(key);
    }, ms);
    timers.set(key, { at, handle });
  }

  function addRateLimited(key: string): void {
    const n = failures.get(key) ?? 0;
    failures.set(key, n + 1);
    addAfter(key, Math.min(baseDelay * 2 ** n, maxDelay));
  }

  function get(): Promise<string | undefined> {
    if (shut) return Promise.resolve(undefined);
    const key = ready.shift();
    if (key === undefined) return new Promise((resolve) => getters.push(resolve));
    dirty.delete(key);
    active.add(key);
    return Promise.resolve(key);
  }

  function done(key: string): void {
    active.delete(key);
    if (!shut && dirty.has(key)) handOut(key);
  }

  function shutdown(): void {
    shut = true;
    for (const key of [...timers.keys()]) cancelTimer(key);
    ready.length = 0;
    dirty.clear();
    for (const getter of getters.splice(0)) getter(undefined);
  }

  return {
    add,
    addAfter,
    addRateLimited,
    forget: (key) => { failures.delete(key); },
    numRequeues: (key) => failures.get(key) ?? 0,
    get,
    done,
    shutdown,
    get shuttingDown() { return shut; },
    get length() { return ready.length; },
    get processing() { return active.size; },
    get waiting() { return timers.size; },
  };
}
