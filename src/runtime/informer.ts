// An informer keeps a local cache of one kind: list, then watch from the list's resourceVersion,
// applying each event to the cache and telling handlers. A watch that fails with Gone (410) is
// followed by a fresh list (handlers see the difference as adds, updates and deletes); a watch
// the store ends is resumed from the last resourceVersion seen; other failures are retried with
// backoff. Cached objects are frozen: handlers and readers must not mutate them.
import type { KObject } from '../api/meta.ts';
import { keyOf } from '../api/meta.ts';
import type { ResourceType, Store, Watch, WatchEvent } from '../store/store.ts';
import { StoreError } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import type { Logger } from './logger.ts';
import { consoleLogger } from './logger.ts';

export interface EventHandlers<T extends KObject = KObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KObject = KObject> {
  /** only this namespace (default: all) */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** told of every change, in order; errors they throw are logged */
  handlers?: EventHandlers<T> | EventHandlers<T>[];
  /** default consoleLogger */
  logger?: Logger;
  /** for retry delays (default realClock) */
  clock?: Clock;
  /** first delay before retrying a failed list/watch, in ms, doubling (default 100) */
  retryDelay?: number;
  /** largest retry delay, in ms (default 10 000) */
  maxRetryDelay?: number;
}

export interface Informer<T extends KObject = KObject> {
  readonly type: ResourceType;
  /** the cached object, or undefined */
  get(namespace: string, name: string): T | undefined;
  /** cached objects sorted by namespace/name; only `namespace` when given */
  list(namespace?: string): T[];
  /** true once the first list has been applied */
  hasSynced(): boolean;
  /** resolves once the first list has been applied (never, if stopped before) */
  readonly synced: Promise<void>;
  /** the resourceVersion the cache reflects */
  readonly resourceVersion: string;
  /** stops watching; resolves when the loop has ended */
  stop(): Promise<void>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function isGone(e: unknown): boolean {
  return e instanceof StoreError ? e.reason === 'Gone' : (e as { code?: unknown } | undefined)?.code === 410;
}

function describeType(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** Creates and starts an informer on `type` (defaults in InformerOptions). */
export function createInformer<T extends KObject = KObject>(store: Store, type: ResourceType, {
  namespace,
  labelSelector,
  fieldSelector,
  handlers = [],
  logger = consoleLogger,
  clock = realClock,
  retryDelay = 100,
  maxRetryDelay = 10_000,
}: InformerOptions<T> = {}): Informer<T> {
  const all = Array.isArray(handlers) ? handlers : [handlers];
  const filter = { namespace, labelSelector, fieldSelector };
  const what = describeType(type);
  const cache = new Map<string, T>();
  let lastRv = '';
  let synced = false;
  let stopped = false;
  let current: Watch | undefined;
  let wake: (() => void) | undefined;
  let resolveSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => { resolveSynced = resolve; });

  function notify(event: keyof EventHandlers<T>, a: T, b?: T): void {
    for (const h of all) {
      try {
        if (event === 'onUpdate') h.onUpdate?.(a, b!);
        else h[event]?.(a);
      } catch (e) {
        logger.error(`informer ${what}: ${event} handler failed`, { error: e });
      }
    }
  }

  function apply(ev: WatchEvent): void {
    const obj = deepFreeze(ev.object as T);
    lastRv = obj.metadata.resourceVersion ?? lastRv;
    if (ev.type === 'BOOKMARK') return;
    const key = keyOf(obj);
    const old = cache.get(key);
    if (ev.type === 'DELETED') {
      cache.delete(key);
      notify('onDelete', obj);
    } else {
      cache.set(key, obj);
      if (old) notify('onUpdate', old, obj);
      else notify('onAdd', obj);
    }
  }

  async function relist(): Promise<void> {
    const { items, resourceVersion } = await store.list<T>(type, filter);
    if (stopped) return;
    const fresh = new Map(items.map((o) => [keyOf(o), deepFreeze(o)] as const));
    for (const [key, old] of cache) {
      if (fresh.has(key)) continue;
      cache.delete(key);
      notify('onDelete', old);
    }
    for (const [key, obj] of fresh) {
      const old = cache.get(key);
      cache.set(key, obj);
      if (!old) notify('onAdd', obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) notify('onUpdate', old, obj);
    }
    lastRv = resourceVersion;
    if (!synced) {
      synced = true;
      resolveSynced();
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let handle: unknown;
      const finish = (): void => {
        if (wake === finish) wake = undefined;
        clock.clearTimeout(handle);
        resolve();
      };
      wake = finish;
      handle = clock.setTimeout(finish, ms);
    });
  }

  async function run(): Promise<void> {
    let needList = true;
    let failures = 0;
    const backoff = (): number => Math.min(retryDelay * 2 ** Math.max(0, failures - 1), maxRetryDelay);
    while (!stopped) {
      try {
        if (needList) {
          await relist();
          needList = false;
          if (stopped) break;
        }
        const w = (current = store.watch(type, { ...filter, resourceVersion: lastRv }));
        let seen = 0;
        for await (const ev of w) {
          if (stopped) break;
          apply(ev);
          seen++;
          failures = 0;
        }
        current = undefined;
        if (stopped) break;
        if (seen === 0) {
          failures++;
          await sleep(backoff());
        }
      } catch (e) {
        current = undefined;
        if (stopped) break;
        failures++;
        if (isGone(e)) {
          logger.info(`informer ${what}: resourceVersion ${lastRv} is gone, listing again`);
          needList = true;
          if (failures > 1) await sleep(backoff());
        } else {
          logger.error(`informer ${what}: ${needList ? 'list' : 'watch'} failed`, { error: e });
          await sleep(backoff());
        }
      }
    }
  }

  const done = run();

  return {
    type,
    get: (ns, name) => cache.get(`${type.namespaced ? ns : ''}/${name}`),
    list(ns) {
      const keys = [...cache.keys()].sort();
      const items = keys.map((k) => cache.get(k)!);
      return ns === undefined || ns === '' ? items : items.filter((o) => o.metadata.namespace === ns);
    },
    hasSynced: () => synced,
    synced: syncedPromise,
    get resourceVersion() { return lastRv; },
    async stop() {
      stopped = true;
      current?.stop();
      wake?.();
      await done;
    },
  };
}
