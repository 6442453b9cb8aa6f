// Test helpers for code built on the runtime: a fake clock and condition waits that never
// depend on wall-clock time.
import type { Clock } from './clock.ts';

export interface FakeClock extends Clock {
  /** moves time forward, running due timers in deadline order (timers they set run too if due) */
  advance(ms: number): void;
  /** how many timers are scheduled */
  readonly pending: number;
  /** the earliest deadline, or undefined */
  readonly next: number | undefined;
}

/** A clock that only moves on advance(); starts at `start` ms (default 0). */
export function createFakeClock(start = 0): FakeClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();

  function due(limit: number): number | undefined {
    let best: number | undefined;
    for (const [id, t] of timers) {
      if (t.at > limit) continue;
      if (best === undefined || t.at < timers.get(best)!.at) best = id;
    }
    return best;
  }

  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const target = now + ms;
      for (let id = due(target); id !== undefined; id = due(target)) {
        const t = timers.get(id)!;
        timers.delete(id);
        now = t.at;
        t.fn();
      }
      now = target;
    },
    get pending() { return timers.size; },
    get next() {
      let at: number | undefined;
      for (const t of timers.values()) if (at === undefined || t.at < at) at = t.at;
      return at;
    },
  };
}

/** Lets pending promise callbacks and I/O callbacks run (one macrotask turn). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits until `cond()` holds: checks after each macrotask turn, then (after 1000 turns) every 5 ms;
 * rejects after about 10 s of that. The limit is a hang guard for broken code, never a timing assumption.
 */
export async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (cond()) return;
    if (i < 1000) await flush();
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`until: ${what} did not hold`);
}
