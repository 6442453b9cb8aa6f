// An in-memory Store with full Kubernetes semantics: for tests and one-shot runs.
import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../api/meta.ts';
import type { ListPageOptions, ListResult, ResourceType, Store, Watch, WatchOptions } from './store.ts';
import { cutPage, decodeContinue, pageSize } from './paging.ts';
import { compileListFilter } from './selector.ts';
import type { Change } from './watch.ts';
import { createEventHub } from './watch.ts';
import {
  alreadyExists, byNamespaceThenName, conflict, GENERATE_ATTEMPTS, isOwnedBy, jsonCopy, markDeleting, namespaceFor, notFound, objectKey, prepareCreate,
  prepareUpdate, randomSuffix, typeKey, withResourceVersion,
} from './objects.ts';

export interface MemoryStoreOptions {
  /** clock for creationTimestamp and deletionTimestamp (default `() => new Date()`) */
  now?: () => Date;
  /** uid generator (default `crypto.randomUUID`) */
  uid?: () => string;
  /** generateName suffix generator (default 5 random characters from Kubernetes' alphabet) */
  nameSuffix?: () => string;
  /** changes remembered for watches resuming from a resourceVersion (default 1000) */
  historySize?: number;
}

/**
 * Every object a memory store froze: JSON-normal and immutable, so a later write that hands one
 * back (a status built from a cached object) may keep it as it is instead of copying it.
 */
const stored = new WeakSet<object>();

/** Freezes `value` and everything it holds, remembering each object as the store's own. */
function freezeStored<T>(value: T): T {
  if (value && typeof value === 'object' && !stored.has(value)) {
    Object.freeze(value);
    stored.add(value);
    for (const v of Object.values(value)) freezeStored(v);
  }
  return value;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * What `jsonCopy(value)` gives, except that objects the store froze are kept as they are (they
 * are JSON-normal already and cannot change): a status rewritten with most of it unchanged costs
 * only its new parts.
 */
function normalised<T>(value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? value + 0 : null) as T; // -0 → 0, as JSON does
  if (!value || typeof value !== 'object' || stored.has(value)) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      out[i] = v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : normalised(v);
    }
    return out as T;
  }
  if (!isPlain(value)) return jsonCopy(value);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out[k] = normalised(v);
  }
  return out as T;
}

/** The caller's own copy of a stored (JSON-normal) object: a plain deep clone, no JSON round trip. */
function copyOut<T>(value: T): T {
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyOut(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) out[k] = copyOut((value as Record<string, unknown>)[k]);
  return out as T;
}

/**
 * Creates an empty in-memory store. Every object returned is a deep copy (watch events: one frozen
 * copy per version, shared by the watchers); stored objects are
 * never mutated in place (a change stores a new object), so watch history can share them.
 * Status given on create is kept. The store's resourceVersion starts at 1: the first write is 2.
 */
export function createMemoryStore({
  now = () => new Date(),
  uid = () => crypto.randomUUID(),
  nameSuffix = randomSuffix,
  historySize = 1000,
}: MemoryStoreOptions = {}): Store {
  /** typeKey → objectKey → object */
  const tables = new Map<string, Map<string, KObject>>();
  let rv = 1;
  const hub = createEventHub({ historySize, current: () => rv });

  function table(type: ResourceType): Map<string, KObject> {
    const key = typeKey(type);
    let t = tables.get(key);
    if (!t) tables.set(key, (t = new Map()));
    return t;
  }

  function lookup(type: ResourceType, namespace: string | undefined, name: string): { key: string; obj: KObject } {
    const key = objectKey(namespaceFor(type, namespace), name);
    const obj = table(type).get(key);
    if (!obj) throw notFound(type, name);
    return { key, obj };
  }

  /** Stores `obj` under a new resourceVersion and publishes the change. */
  function commit(tk: string, key: string, type: Change['type'], obj: KObject, old?: KObject): KObject {
    // frozen: never mutated in place, and watchers can be handed it without a copy
    const frozen = freezeStored(withResourceVersion(obj, ++rv));
    const t = tables.get(tk)!;
    if (type === 'DELETED') t.delete(key);
    else t.set(key, frozen);
    hub.publish({ rv, typeKey: tk, type, object: frozen, old });
    return frozen;
  }

  /** Removes an object, then deletes (or marks, when they have finalizers) everything it owns. */
  function remove(tk: string, key: string, obj: KObject): KObject {
    const gone = commit(tk, key, 'DELETED', obj);
    const uidOf = obj.metadata.uid;
    if (uidOf) {
      const dependents: Array<[string, string, KObject]> = [];
      for (const [depTk, t] of tables) {
        for (const [depKey, dep] of t) if (isOwnedBy(dep, uidOf)) dependents.push([depTk, depKey, dep]);
      }
      for (const [depTk, depKey, dep] of dependents) {
        if (tables.get(depTk)?.get(depKey) === dep) deleteObject(depTk, depKey, dep);
      }
    }
    return gone;
  }

  function deleteObject(tk: string, key: string, obj: KObject): void {
    if (obj.metadata.finalizers?.length) {
      if (!obj.metadata.deletionTimestamp) commit(tk, key, 'MODIFIED', markDeleting(obj, now()), obj);
      return;
    }
    remove(tk, key, obj);
  }

  const store: Store = {
    async get<T extends KObject>(type: ResourceType, namespace: string, name: string): Promise<T> {
      return copyOut(lookup(type, namespace, name).obj) as T;
    },

    async list<T extends KObject>(type: ResourceType, opts: ListPageOptions = {}): Promise<ListResult<T>> {
      const match = compileListFilter(type.namespaced ? opts : { ...opts, namespace: undefined }, type.kind);
      const limit = pageSize(opts.limit);
      const after = opts.continue ? decodeContinue(opts.continue, rv) : undefined;
      const items = [...table(type).values()].filter(match).sort(byNamespaceThenName);
      const page = cutPage(items, { limit, after, rv });
      return { ...page, items: copyOut(page.items) as T[] };
    },

    async create<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const t = table(type);
      for (let attempt = 1; ; attempt++) {
        const next = prepareCreate(type, obj, { uid: uid(), now: now(), suffix: nameSuffix });
        const key = objectKey(next.metadata.namespace ?? '', next.metadata.name!);
        if (!t.has(key)) return copyOut(commit(typeKey(type), key, 'ADDED', next)) as T;
        if (obj.metadata?.name || attempt >= GENERATE_ATTEMPTS) throw alreadyExists(type, next.metadata.name!);
      }
    },

    async update<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const { key, obj: current } = lookup(type, obj.metadata?.namespace, obj.metadata?.name ?? '');
      const plan = prepareUpdate(type, current, obj);
      if (plan.noop) return copyOut(current) as T;
      const tk = typeKey(type);
      if (plan.remove) return copyOut(remove(tk, key, plan.next)) as T;
      return copyOut(commit(tk, key, 'MODIFIED', plan.next, current)) as T;
    },

    async updateStatus<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const { key, obj: current } = lookup(type, obj.metadata?.namespace, obj.metadata?.name ?? '');
      // prepareStatusUpdate's rule, with the unchanged parts of the status kept rather than copied
      const given = obj.metadata?.resourceVersion;
      if (given && given !== current.metadata.resourceVersion) throw conflict(type, current.metadata.name ?? '');
      const next = { ...current };
      const status = normalised(obj.status);
      if (status === undefined) delete next.status;
      else next.status = status;
      if (isDeepStrictEqual(current.status, next.status)) return copyOut(current) as T;
      return copyOut(commit(typeKey(type), key, 'MODIFIED', next, current)) as T;
    },

    async delete(type: ResourceType, namespace: string, name: string): Promise<void> {
      const { key, obj } = lookup(type, namespace, name);
      deleteObject(typeKey(type), key, obj);
    },

    watch(type: ResourceType, opts: WatchOptions = {}): Watch {
      const match = compileListFilter(type.namespaced ? opts : { ...opts, namespace: undefined }, type.kind);
      return hub.watch({
        typeKey: typeKey(type),
        match,
        resourceVersion: opts.resourceVersion,
        snapshot: () => [...table(type).values()].sort(byNamespaceThenName),
      });
    },

    async close(): Promise<void> {
      hub.close();
    },
  };
  return store;
}
