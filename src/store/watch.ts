// In-process watch fan-out with a bounded history of changes, for backends that own their
// writes (memory, sqlite): publish every committed change in resourceVersion order, open watches
// from a resourceVersion, get StoreError('Gone') when that version is no longer remembered, or is
// newer than the store's (a watch that would wait for versions the store has not reached).
import type { KObject } from '../api/meta.ts';
import type { Watch, WatchEvent } from './store.ts';
import { StoreError } from './store.ts';
import { jsonCopy } from './objects.ts';

/** One committed change. `old` (for MODIFIED) lets selector watches see objects enter and leave. */
export interface Change {
  rv: number;
  typeKey: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KObject;
  old?: KObject;
}

export interface WatchRequest {
  typeKey: string;
  /** the watch's namespace/label/field filter */
  match: (obj: KObject) => boolean;
  /** '' or undefined: from now; '0': ADDED for `snapshot()` first; otherwise after this version */
  resourceVersion?: string;
  /** the current objects of the kind, for resourceVersion '0' */
  snapshot: () => KObject[];
}

export interface EventHub {
  /** records a change (objects must never be mutated afterwards) and delivers it to matching watches */
  publish(change: Change): void;
  /** opens a watch; throws StoreError('Gone') or ('BadRequest') synchronously */
  watch(req: WatchRequest): Watch;
  /** ends every watch; later watches end at once */
  close(): void;
  /** the newest resourceVersion that is no longer remembered (0: none forgotten yet) */
  readonly compacted: number;
}

export interface EventHubOptions {
  /** how many changes to remember for watches that resume (default 1000) */
  historySize?: number;
  /** copies each delivered object, so watchers cannot mutate shared state (default: a JSON round trip) */
  copy?: (obj: KObject) => KObject;
  /**
   * The newest resourceVersion already forgotten when the hub starts (default 0), for a backend
   * that reloads persisted history (sqlite): watches from before it are Gone.
   */
  compacted?: number;
  /**
   * The store's current resourceVersion: a watch from a newer one fails with StoreError('Gone')
   * `Too large resource version: X, current: Y` (default: not checked).
   */
  current?: () => number;
}

/**
 * What a change looks like through a filter, as the Kubernetes watch cache reports it: an object
 * modified into the filter is ADDED, out of it DELETED; changes outside the filter are dropped.
 */
export function eventThrough(change: Change, match: (obj: KObject) => boolean): WatchEvent | undefined {
  const now = match(change.object);
  if (change.type !== 'MODIFIED') return now ? { type: change.type, object: change.object } : undefined;
  const before = change.old === undefined || match(change.old);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: change.object };
  return before ? { type: 'DELETED', object: change.object } : undefined;
}

interface Channel {
  watch: Watch;
  push(ev: WatchEvent): void;
  end(): void;
}

/** A single-consumer async queue of events that ends on stop(). */
function createChannel(copy: (obj: KObject) => KObject, onEnd: () => void): Channel {
  const buffer: WatchEvent[] = [];
  let waiting: ((r: IteratorResult<WatchEvent>) => void) | undefined;
  let ended = false;

  function push(ev: WatchEvent): void {
    if (ended) return;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: { type: ev.type, object: copy(ev.object) }, done: false });
    } else {
      buffer.push(ev);
    }
  }

  function end(): void {
    if (ended) return;
    ended = true;
    buffer.length = 0;
    onEnd();
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  const iterator: AsyncIterator<WatchEvent> = {
    next: function nextEvent() {
      const ev = buffer.shift();
      if (ev) return Promise.resolve({ value: { type: ev.type, object: copy(ev.object) }, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => { waiting = resolve; });
    },
    return: function returnEvents() {
      end();
      return Promise.resolve({ value: undefined, done: true });
    },
  };

  return {
    push,
    end,
    watch: {
      stop: end,
      [Symbol.asyncIterator]: () => iterator,
    },
  };
}

function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw new StoreError('BadRequest', `invalid resourceVersion ${JSON.stringify(rv)}: must be a decimal number`);
  return Number(rv);
}

/** Creates the fan-out and its history (see EventHubOptions for defaults). */
/**
 * The default event copy: one deep copy per stored version, frozen and shared by every watcher
 * (watchers only read; a PipelineRun with hundreds of tasks has a large status, and copying it
 * once per watcher per change dominated pipeline scheduling).
 */
export function sharedFrozenCopy(): (obj: KObject) => KObject {
  const copies = new WeakMap<KObject, KObject>();
  return function frozenCopy(obj) {
    if (Object.isFrozen(obj) && Object.isFrozen(obj.metadata)) return obj; // a frozen stored object is shared as is
    let c = copies.get(obj);
    if (!c) {
      c = deepFreeze(jsonCopy(obj));
      copies.set(obj, c);
    }
    return c;
  };
}

/** Freezes `value` and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function createEventHub({ historySize = 1000, copy = sharedFrozenCopy(), compacted: initiallyCompacted = 0, current }: EventHubOptions = {}): EventHub {
  const history: Change[] = [];
  let compacted = initiallyCompacted;
  let closed = false;
  const watchers = new Map<string, Set<{ match: (obj: KObject) => boolean; channel: Channel }>>();

  function publish(change: Change): void {
    history.push(change);
    while (history.length > historySize) compacted = history.shift()!.rv;
    for (const w of watchers.get(change.typeKey) ?? []) {
      const ev = eventThrough(change, w.match);
      if (ev) w.channel.push(ev);
    }
  }

  function watch(req: WatchRequest): Watch {
    const rv = req.resourceVersion;
    const from = rv && rv !== '0' ? parseResourceVersion(rv) : undefined;
    if (from !== undefined && from < compacted) {
      throw new StoreError('Gone', `too old resource version: ${from} (${compacted})`);
    }
    // kube-apiserver's answer too: waiting for a version the store may never reach would hang the client
    const now = current?.();
    if (from !== undefined && now !== undefined && from > now) {
      throw new StoreError('Gone', `Too large resource version: ${from}, current: ${now}`);
    }
    const set = watchers.get(req.typeKey) ?? new Set();
    watchers.set(req.typeKey, set);
    const entry = { match: req.match, channel: createChannel(copy, () => set.delete(entry)) };
    if (closed) {
      entry.channel.end();
      return entry.channel.watch;
    }
    set.add(entry);
    if (rv === '0') {
      for (const object of req.snapshot()) if (req.match(object)) entry.channel.push({ type: 'ADDED', object });
    } else if (from !== undefined) {
      for (const change of history) {
        if (change.rv <= from || change.typeKey !== req.typeKey) continue;
        const ev = eventThrough(change, req.match);
        if (ev) entry.channel.push(ev);
      }
    }
    return entry.channel.watch;
  }

  function close(): void {
    closed = true;
    for (const set of watchers.values()) for (const w of [...set]) w.channel.end();
  }

  return {
    publish,
    watch,
    close,
    get compacted() { return compacted; },
  };
}
