// An in-memory Store with full Kubernetes semantics: for tests and one-shot runs.
import type { KObject } from '../api/meta.ts';
import type { ListOptions, ListResult, ResourceType, Store, Watch, WatchOptions } from './store.ts';
import { compileListFilter } from './selector.ts';
import type { Change } from './watch.ts';
import { createEventHub, deepFreeze } from './watch.ts';
import {
  alreadyExists, byNamespaceThenName, GENERATE_ATTEMPTS, isOwnedBy, jsonCopy, markDeleting, namespaceFor, notFound, objectKey, prepareCreate,
  prepareStatusUpdate, prepareUpdate, randomSuffix, typeKey, withResourceVersion,
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
  const hub = createEventHub({ historySize });
  let rv = 1;

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
    const stored = deepFreeze(withResourceVersion(obj, ++rv));
    const t = tables.get(tk)!;
    if (type === 'DELETED') t.delete(key);
    else t.set(key, stored);
    hub.publish({ rv, typeKey: tk, type, object: stored, old });
    return stored;
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
      return jsonCopy(lookup(type, namespace, name).obj) as T;
    },

    async list<T extends KObject>(type: ResourceType, opts: ListOptions = {}): Promise<ListResult<T>> {
      const match = compileListFilter(type.namespaced ? opts : { ...opts, namespace: undefined });
      const items = [...table(type).values()].filter(match).sort(byNamespaceThenName);
      return { items: jsonCopy(items) as T[], resourceVersion: String(rv) };
    },

    async create<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const t = table(type);
      for (let attempt = 1; ; attempt++) {
        const next = prepareCreate(type, obj, { uid: uid(), now: now(), suffix: nameSuffix });
        const key = objectKey(next.metadata.namespace ?? '', next.metadata.name!);
        if (!t.has(key)) return jsonCopy(commit(typeKey(type), key, 'ADDED', next)) as T;
        if (obj.metadata?.name || attempt >= GENERATE_ATTEMPTS) throw alreadyExists(type, next.metadata.name!);
      }
    },

    async update<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const { key, obj: current } = lookup(type, obj.metadata?.namespace, obj.metadata?.name ?? '');
      const plan = prepareUpdate(type, current, obj);
      if (plan.noop) return jsonCopy(current) as T;
      const tk = typeKey(type);
      if (plan.remove) return jsonCopy(remove(tk, key, plan.next)) as T;
      return jsonCopy(commit(tk, key, 'MODIFIED', plan.next, current)) as T;
    },

    async updateStatus<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const { key, obj: current } = lookup(type, obj.metadata?.namespace, obj.metadata?.name ?? '');
      const plan = prepareStatusUpdate(type, current, obj);
      if (plan.noop) return jsonCopy(current) as T;
      return jsonCopy(commit(typeKey(type), key, 'MODIFIED', plan.next, current)) as T;
    },

    async delete(type: ResourceType, namespace: string, name: string): Promise<void> {
      const { key, obj } = lookup(type, namespace, name);
      deleteObject(typeKey(type), key, obj);
    },

    watch(type: ResourceType, opts: WatchOptions = {}): Watch {
      const match = compileListFilter(type.namespaced ? opts : { ...opts, namespace: undefined });
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
