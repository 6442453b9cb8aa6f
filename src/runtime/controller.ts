// The controller loop (controller-runtime): informers turn store changes into keys on a
// de-duplicating work queue; N workers take keys and call the reconciler; the result decides
// what happens to the key. Only this loop touches the queue.
//   returned {requeueAfter: ms} → reconciled again after ms (backoff reset)
//   returned nothing            → done until the next event (backoff reset)
//   thrown TerminalError        → logged, not retried
//   thrown anything else        → logged, retried with per-key exponential backoff
import diagnostics from 'node:diagnostics_channel';
import type { KObject } from '../api/meta.ts';
import type { ResourceType, Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import type { Informer } from './informer.ts';
import { createInformer } from './informer.ts';
import type { Logger } from './logger.ts';
import { consoleLogger } from './logger.ts';
import { selfRequest } from './owners.ts';
import type { Reconciler, Request } from './result.ts';
import { isTerminalError, requestFromKey, requestKey } from './result.ts';
import type { WorkQueue } from './workqueue.ts';
import { createWorkQueue } from './workqueue.ts';

/** How a reconcile ended: done, requeued after a delay, failed (retried with backoff), failed for good. */
export type ReconcileOutcome = 'success' | 'requeue' | 'error' | 'terminal';

/** What RECONCILE_CHANNEL publishes after each reconcile (metrics subscribe; no subscriber, no cost). */
export interface ReconcileReport { controller: string; seconds: number; outcome: ReconcileOutcome }

/** The node:diagnostics_channel name each reconcile is reported on. */
export const RECONCILE_CHANNEL = 'kiln:reconcile';
const reconcileChannel = diagnostics.channel(RECONCILE_CHANNEL);

/** A secondary kind whose changes wake objects of the primary kind (see ownerRequests). */
export interface WatchSpec {
  type: ResourceType;
  mapToRequests(obj: KObject): Request[];
  /** which updates wake the mapped requests (default: every update); adds and deletes always do */
  updatePredicate?(oldObj: KObject, newObj: KObject): boolean;
}

export interface ControllerOptions {
  /** names the controller in logs */
  name: string;
  store: Store;
  /** the primary kind: each of its changes enqueues the object's own key */
  type: ResourceType;
  reconciler: Reconciler;
  /** concurrent reconciles, never two for the same key (default 1) */
  workers?: number;
  /** secondary kinds (default none) */
  watches?: WatchSpec[];
  /** which updates of the primary kind wake its reconciler (default: every update) */
  updatePredicate?(oldObj: KObject, newObj: KObject): boolean;
  /** only watch this namespace (default all) */
  namespace?: string;
  /** default consoleLogger */
  logger?: Logger;
  /** clock for requeues, backoff and informer retries (default realClock) */
  clock?: Clock;
  /** backoff of failed reconciles, in ms (defaults 5 and 30 000) */
  baseDelay?: number;
  maxDelay?: number;
  /**
   * Several replicas share the work (default: this process does all of it): a key is reconciled
   * only when its cached object is this replica's (or is not cached: a deletion, handled from
   * local state), and every cached object is requeued when ownership may have changed.
   */
  shard?: ControllerShard;
}

/** How a controller learns which objects are its replica's. */
export interface ControllerShard {
  /** whether this replica reconciles `obj`, a cached object of the primary kind */
  owns(obj: KObject): boolean;
  /** `listener` runs whenever ownership may have changed; returns an unsubscribe */
  onChange(listener: () => void): () => void;
}

export interface Controller {
  readonly name: string;
  /** the primary kind's informer, once started */
  readonly informer: Informer | undefined;
  /** the informer of the primary or a watched kind (its cache is what reconcilers should read), once started */
  informerFor(type: ResourceType): Informer | undefined;
  /** starts informers, waits for their first list, then starts the workers */
  start(): Promise<void>;
  /** stops informers and workers; resolves once in-flight reconciles have finished */
  stop(): Promise<void>;
  /** queues a reconcile of `req` (an external trigger); before start it runs once workers start */
  enqueue(req: Request): void;
  /**
   * Resolves when the controller has started, nothing is queued or running, and no failed key
   * waits for its retry (keys waiting for a `requeueAfter` do not count). Watch events caused by
   * a reconcile are counted when the store delivers them before the next macrotask, as in-process
   * stores do. Resolves at once after stop().
   */
  idle(): Promise<void>;
}

/** Creates a controller (defaults in ControllerOptions); nothing runs until start(). */
export function createController({
  name,
  store,
  type,
  reconciler,
  workers = 1,
  watches = [],
  updatePredicate,
  namespace,
  logger = consoleLogger,
  clock = realClock,
  baseDelay,
  maxDelay,
  shard,
}: ControllerOptions): Controller {
  const queue: WorkQueue = createWorkQueue({ baseDelay, maxDelay, clock });
  const informers: Informer[] = [];
  const running: Promise<void>[] = [];
  /** keys whose last reconcile failed and that have not been handed out since */
  const retrying = new Set<string>();
  let inFlight = 0;
  let state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => { markReady = resolve; });
  const idleWaiters: Array<() => void> = [];
  let idleCheckScheduled = false;
  let unsubscribeShard: (() => void) | undefined;

  /** Whether this replica reconciles `key` (always, unsharded). */
  function ownsKey(key: string): boolean {
    if (!shard) return true;
    const { namespace: ns, name: n } = requestFromKey(key);
    const obj = informers[0]?.get(ns, n);
    return !obj || shard.owns(obj);
  }

  /** Membership changed: every cached object is queued again, and the workers keep the ones now owned. */
  function requeueAll(): void {
    for (const obj of informers[0]?.list() ?? []) queue.add(requestKey({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' }));
  }

  /** Enqueues the requests `map` gives for `objs`, each key once (an update maps old and new). */
  function mapper(map: (obj: KObject) => Request[], what: string): (...objs: KObject[]) => void {
    return function enqueueMapped(...objs) {
      const keys = new Set<string>();
      for (const obj of objs) {
        try {
          for (const r of map(obj)) keys.add(requestKey(r));
        } catch (e) {
          logger.error(`controller ${name}: mapping a ${what} to requests failed`, { error: e, object: obj.metadata.name });
        }
      }
      for (const key of keys) queue.add(key);
    };
  }

  /** How changes of one kind turn into requests: a mapping and which updates count. */
  interface Route { map: (obj: KObject) => Request[]; updatePredicate?: WatchSpec['updatePredicate'] }

  /** One informer (one cache) per kind, however many routes watch it (e.g. the primary kind also watched for owners). */
  function startInformers(routes: Array<Route & { type: ResourceType }>): void {
    const byType = new Map<string, { type: ResourceType; routes: Route[] }>();
    for (const r of routes) {
      const k = `${r.type.group}/${r.type.plural}`;
      const entry = byType.get(k) ?? { type: r.type, routes: [] };
      entry.routes.push(r);
      byType.set(k, entry);
    }
    for (const { type: t, routes: rs } of byType.values()) {
      const enqueues = rs.map((r) => ({ enqueue: mapper(r.map, t.kind), updatePredicate: r.updatePredicate }));
      const onAddOrDelete = (obj: KObject) => { for (const e of enqueues) e.enqueue(obj); };
      const onUpdate = (oldObj: KObject, newObj: KObject) => {
        for (const e of enqueues) if (!e.updatePredicate || e.updatePredicate(oldObj, newObj)) e.enqueue(oldObj, newObj);
      };
      informers.push(createInformer(store, t, {
        namespace,
        logger,
        clock,
        handlers: { onAdd: onAddOrDelete, onUpdate, onDelete: onAddOrDelete },
      }));
    }
  }

  function isIdle(): boolean {
    return state === 'stopped' || (state === 'running' && queue.length === 0 && inFlight === 0 && retrying.size === 0);
  }

  function resolveIdle(): void {
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  /** Checks after the current macrotask, so events already delivered by the store are queued first. */
  function scheduleIdleCheck(): void {
    if (idleCheckScheduled || idleWaiters.length === 0) return;
    idleCheckScheduled = true;
    setImmediate(function idleCheck() {
      idleCheckScheduled = false;
      if (isIdle()) resolveIdle();
    });
  }

  async function reconcileKey(key: string): Promise<void> {
    const observed = reconcileChannel.hasSubscribers ? performance.now() : undefined;
    const report = (outcome: ReconcileOutcome) => {
      if (observed !== undefined) reconcileChannel.publish({ controller: name, seconds: (performance.now() - observed) / 1000, outcome } satisfies ReconcileReport);
    };
    try {
      const result = await reconciler.reconcile(requestFromKey(key));
      queue.forget(key);
      if (result && result.requeueAfter !== undefined && result.requeueAfter > 0) queue.addAfter(key, result.requeueAfter);
      report(result && result.requeueAfter ? 'requeue' : 'success');
    } catch (e) {
      report(isTerminalError(e) ? 'terminal' : 'error');
      if (isTerminalError(e)) {
        queue.forget(key);
        logger.error(`controller ${name}: reconcile ${key} failed terminally, not retrying`, { controller: name, key, error: e });
        return;
      }
      const retries = queue.numRequeues(key) + 1;
      logger.error(`controller ${name}: reconcile ${key} failed, retry ${retries}`, { controller: name, key, error: e, retries });
      retrying.add(key);
      queue.addRateLimited(key);
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      retrying.delete(key);
      if (!ownsKey(key)) {
        queue.forget(key);
        queue.done(key);
        scheduleIdleCheck();
        continue;
      }
      inFlight++;
      try {
        await reconcileKey(key);
      } finally {
        inFlight--;
        queue.done(key);
        scheduleIdleCheck();
      }
    }
  }

  const controller: Controller = {
    name,
    get informer() { return informers[0]; },
    informerFor: (t) => informers.find((i) => i.type.group === t.group && i.type.plural === t.plural),

    async start() {
      if (state !== 'new') throw new Error(`controller ${name}: start() called twice`);
      state = 'starting';
      startInformers([{ type, map: selfRequest, updatePredicate }, ...watches.map((w) => ({ type: w.type, map: w.mapToRequests, updatePredicate: w.updatePredicate }))]);
      await Promise.race([Promise.all(informers.map((i) => i.synced)), ready]);
      if (state !== 'starting') return;
      state = 'running';
      unsubscribeShard = shard?.onChange(requeueAll);
      for (let i = 0; i < Math.max(1, workers); i++) running.push(worker());
      markReady();
    },

    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      unsubscribeShard?.();
      queue.shutdown();
      markReady();
      await Promise.all(informers.map((i) => i.stop()));
      await Promise.all(running);
      resolveIdle();
    },

    enqueue(req) {
      queue.add(requestKey(req));
    },

    async idle() {
      await ready;
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        scheduleIdleCheck();
      });
    },
  };
  return controller;
}
