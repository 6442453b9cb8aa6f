// Delivery of the outbox to the sinks (`kiln serve --events-sink URL`, repeatable, and each
// namespace's own, see sinks.ts): at least once, in recording order, per sink. Each sink has its own worker that sends the oldest entry
// it has not delivered, retrying it with exponential backoff while the sink fails (network
// errors, 5xx, 408, 429), so no later event overtakes it (ordering per subject, and per chain);
// a sink that refuses an event for good (other 4xx) marks it Failed and moves on. Each outcome
// is written to the entry's status; entries not yet delivered to a sink are loaded again at start.
import { setTimeout as sleepMs } from 'node:timers/promises';
import { toHttp, type HttpMode } from '../../events/cloudevent.ts';
import type { Store } from '../../store/store.ts';
import { isConflict, isNotFound } from '../../store/store.ts';
import { byDeliveryOrder, OUTBOX, sinkName, type OutboxEntry, type SinkState } from './outbox.ts';
import type { SinkConfig } from './sinks.ts';

export type { SinkConfig };

/** What a POST to a sink gave: its HTTP status, or the error that kept it from answering. */
export type PostResult = { status: number } | { error: string };

export type Poster = (url: string, headers: Record<string, string>, body: string, signal: AbortSignal) => Promise<PostResult>;

/** POSTs with fetch (10 s timeout). */
export const fetchPost: Poster = async function fetchPost(url, headers, body, signal) {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

export interface DeliveryOptions {
  store: Store;
  /** the sinks of a namespace's events (the server's and the namespace's own) */
  sinksOf: (namespace: string) => readonly SinkConfig[];
  post?: Poster;
  /** first retry delay and the cap, ms (default 200 and 30 000) */
  baseDelay?: number;
  maxDelay?: number;
  now?: () => Date;
  /** each outcome, for metrics and logs */
  onOutcome?: (o: { sink: string; entry: OutboxEntry; outcome: 'delivered' | 'failed' | 'retry'; error?: string }) => void;
}

export interface Delivery {
  /** queues a newly recorded entry to every sink */
  add(entry: OutboxEntry): void;
  /** queues the given entries (the outbox as loaded at start) to the sinks that have not had them */
  addPending(entries: OutboxEntry[]): void;
  /** entries waiting per sink */
  pending(): Record<string, number>;
  /** resolves when every sink has nothing waiting */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

function retryable(r: PostResult): boolean {
  return 'error' in r || r.status >= 500 || r.status === 408 || r.status === 429;
}

interface Worker { url: string; mode: HttpMode; name: string; queue: OutboxEntry[]; wake: (() => void) | undefined; done: Promise<void> }

export function createDelivery({ store, sinksOf, post = fetchPost, baseDelay = 200, maxDelay = 30_000, now = () => new Date(), onOutcome }: DeliveryOptions): Delivery {
  const ac = new AbortController();
  /** one worker per sink (URL and mode), created when an entry first goes there */
  const byKey = new Map<string, Worker>();
  const workers: Worker[] = [];
  const idlers: Array<() => void> = [];
  /** status writes of one entry, one after the other (sinks report on the same object) */
  const writes = new Map<string, Promise<void>>();

  function checkIdle(): void {
    if (workers.every((w) => !w.queue.length)) for (const r of idlers.splice(0)) r();
  }

  /** the entry as last written, while more writes of it are queued (saves reading it again) */
  const written = new Map<string, OutboxEntry>();

  async function writeState(entry: OutboxEntry, state: SinkState, key: string): Promise<void> {
    const ns = entry.metadata.namespace ?? 'default';
    const name = entry.metadata.name ?? '';
    // first try with the entry as known (as recorded, or as this delivery last wrote it); a
    // conflict means someone else wrote it meanwhile: read it and try again
    let cur: OutboxEntry | undefined = written.get(key) ?? entry;
    for (let i = 0; i < 10; i++) {
      try {
        cur ??= await store.get<OutboxEntry>(OUTBOX, ns, name);
        const sinksNow = [...(cur.status?.sinks ?? []).filter((s) => s.sink !== state.sink), state];
        written.set(key, await store.updateStatus(OUTBOX, { ...cur, status: { ...cur.status, sinks: sinksNow } }));
        return;
      } catch (e) {
        cur = undefined;
        if (isNotFound(e)) return; // its run is gone, and the entry with it
        if (!isConflict(e)) throw e;
      }
    }
  }

  function record(entry: OutboxEntry, state: SinkState): Promise<void> {
    const key = `${entry.metadata.namespace}/${entry.metadata.name}`;
    const p = (writes.get(key) ?? Promise.resolve()).then(() => writeState(entry, state, key)).catch(() => undefined);
    writes.set(key, p);
    void p.then(() => {
      if (writes.get(key) !== p) return;
      writes.delete(key);
      written.delete(key);
    });
    return p;
  }

  function workersOf(entry: OutboxEntry): Worker[] {
    return sinksOf(entry.metadata.namespace ?? 'default').map(function workerOf(s) {
      const mode = s.mode ?? 'binary';
      const key = `${mode} ${s.url}`;
      let w = byKey.get(key);
      if (!w) {
        w = { url: s.url, mode, name: sinkName(s.url), queue: [], wake: undefined, done: Promise.resolve() };
        byKey.set(key, w);
        workers.push(w);
        if (!ac.signal.aborted) w.done = run(w);
      }
      return w;
    });
  }

  async function run(w: Worker): Promise<void> {
    let attempts = 0;
    while (!ac.signal.aborted) {
      const entry = w.queue[0];
      if (!entry) {
        checkIdle();
        await new Promise<void>((r) => (w.wake = r));
        w.wake = undefined;
        continue;
      }
      const m = toHttp(entry.spec.event, w.mode);
      const r = await post(w.url, m.headers, m.body, ac.signal);
      if (ac.signal.aborted) return;
      attempts++;
      const error = 'error' in r ? r.error : r.status >= 300 ? `HTTP ${r.status}` : undefined;
      if (error && retryable(r)) {
        onOutcome?.({ sink: w.name, entry, outcome: 'retry', error });
        await sleepMs(Math.min(maxDelay, baseDelay * 2 ** Math.min(attempts - 1, 20)), undefined, { signal: ac.signal }).catch(() => undefined);
        continue;
      }
      await record(entry, { sink: w.name, state: error ? 'Failed' : 'Delivered', attempts, at: now().toISOString(), lastError: error });
      onOutcome?.({ sink: w.name, entry, outcome: error ? 'failed' : 'delivered', error });
      w.queue.shift();
      attempts = 0;
    }
  }

  function enqueue(w: Worker, entry: OutboxEntry): void {
    w.queue.push(entry);
    w.wake?.();
  }

  return {
    add(entry) {
      for (const w of workersOf(entry)) enqueue(w, entry);
    },
    addPending(entries) {
      const todo = new Map<Worker, OutboxEntry[]>();
      for (const e of [...entries].sort(byDeliveryOrder)) {
        for (const w of workersOf(e)) {
          if (e.status?.sinks?.some((s) => s.sink === w.name)) continue;
          const list = todo.get(w);
          if (list) list.push(e);
          else todo.set(w, [e]);
        }
      }
      for (const [w, list] of todo) {
        w.queue.unshift(...list);
        w.wake?.();
      }
    },
    pending() {
      const out: Record<string, number> = {};
      for (const w of workers) out[w.name] = (out[w.name] ?? 0) + w.queue.length;
      return out;
    },
    idle() {
      if (workers.every((w) => !w.queue.length)) return Promise.resolve();
      return new Promise<void>((r) => idlers.push(r));
    },
    async stop() {
      ac.abort();
      for (const w of workers) w.wake?.();
      await Promise.all(workers.map((w) => w.done));
      await Promise.all(writes.values());
    },
  };
}
