// The embedded Store: Kubernetes object semantics over one SQLite file (node:sqlite, WAL mode).
// The rules (create/update/status/finalizers) come from objects.ts and the watch fan-out from
// watch.ts, exactly as in the memory store; this file owns storage, resourceVersions and the
// persisted event history.
//
// Layout (schema version 1, kept in PRAGMA user_version):
//   state      one row: the store's resourceVersion (the last one assigned)
//   objects    (type, namespace, name) → uid, resource_version, labels (JSON), body (the object as JSON)
//   owner_refs (owner_uid, type, namespace, name): who owns whom, for cascading deletes
//   events     resource_version → type, event, body, old_labels: the last `historySize` changes,
//              so a watch can resume from a resourceVersion after a restart
//
// Reads go to SQLite every time (no object cache); the only state held in memory is the
// resourceVersion counter and the event history the hub replays, both changed only after COMMIT.
// That is coherent because there is ONE writer: a single store instance per file. A second
// instance writing to the same file is detected at its next write (the persisted
// resourceVersion no longer matches) and that write fails; its watches would not see the other
// instance's changes. Readers in other processes (sqlite3 shell, backups) are fine under WAL.
import { chmodSync, closeSync, openSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { KObject } from '../api/meta.ts';
import type { ListPageOptions, ListResult, ResourceType, Store, Watch, WatchOptions } from './store.ts';
import { decodeContinue, encodeContinue, pageSize, type ContinueKey } from './paging.ts';
import { compileListFilter, selectsBeyondMetadata } from './selector.ts';
import type { Change } from './watch.ts';
import { createEventHub, deepFreeze } from './watch.ts';
import {
  alreadyExists, byNamespaceThenName, GENERATE_ATTEMPTS, isOwnedBy, markDeleting, namespaceFor, notFound, prepareCreate,
  prepareStatusUpdate, prepareUpdate, randomSuffix, typeKey, withResourceVersion,
} from './objects.ts';

export interface SqliteStoreOptions {
  /** the database file (created when missing; its directory must exist). `:memory:` works but keeps nothing. */
  path: string;
  /** clock for creationTimestamp and deletionTimestamp (default `() => new Date()`) */
  now?: () => Date;
  /** uid generator (default `crypto.randomUUID`) */
  uid?: () => string;
  /** generateName suffix generator (default 5 random characters from Kubernetes' alphabet) */
  nameSuffix?: () => string;
  /**
   * changes remembered (in the file, and replayed after a reopen) for watches resuming from a
   * resourceVersion (default 1000)
   */
  historySize?: number;
}

/** The schema this code writes; a file with a newer one is refused rather than misread. */
export const SQLITE_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  resource_version INTEGER NOT NULL
);
INSERT INTO state (id, resource_version) VALUES (1, 1);
CREATE TABLE objects (
  type TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  labels TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (type, namespace, name)
);
CREATE TABLE owner_refs (
  owner_uid TEXT NOT NULL,
  type TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (owner_uid, type, namespace, name)
) WITHOUT ROWID;
CREATE INDEX owner_refs_by_dependent ON owner_refs (type, namespace, name);
CREATE TABLE events (
  resource_version INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  event TEXT NOT NULL,
  body TEXT NOT NULL,
  old_labels TEXT
);
`;

interface KeyRow { namespace: string; name: string; labels: string }
interface ObjectRow extends KeyRow { body: string }
interface EventRow { resource_version: number; type: string; event: Change['type']; body: string; old_labels: string | null }
interface DependentRow { type: string; namespace: string; name: string }

/** One write transaction: the resourceVersions it assigned and the changes to publish after COMMIT. */
interface Tx {
  next: number;
  changes: Change[];
}

function ownerUids(obj: KObject | undefined): string {
  const uids = new Set<string>();
  for (const r of obj?.metadata.ownerReferences ?? []) if (r.uid) uids.add(r.uid);
  return [...uids].sort().join('\n');
}

/** What a selector can look at (name, namespace, labels) without parsing the body; other fields (an Event's involvedObject) need it. */
function selectable(row: KeyRow): KObject {
  return { apiVersion: '', kind: '', metadata: { name: row.name, namespace: row.namespace || undefined, labels: JSON.parse(row.labels) } };
}

/**
 * Makes the store's file private (0600) before SQLite opens it, creating it when missing: SQLite
 * gives the -wal and -shm files it creates the database file's mode. Those left by an earlier
 * kiln are made private too. (`:memory:` and `file:` URIs are left alone.)
 */
function privateFile(path: string): void {
  if (path === '' || path === ':memory:' || path.startsWith('file:')) return;
  closeSync(openSync(path, 'a', 0o600));
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/**
 * Opens (creating when missing) the store in the SQLite file `path`: WAL journal,
 * synchronous=NORMAL (a power loss may lose the last commits, never consistency). Every write,
 * cascading deletes included, is one `BEGIN IMMEDIATE … COMMIT`; watch events are published only
 * after COMMIT, so a failed or interrupted write leaves nothing behind and tells no watcher.
 * Single writer: one store instance per file (see the top of this file). Every object returned
 * is the caller's own copy; watch events share one frozen copy per version. As in the memory
 * store, the resourceVersion of a new file is 1 and the first write is 2.
 */
export function createSqliteStore({
  path,
  now = () => new Date(),
  uid = () => crypto.randomUUID(),
  nameSuffix = randomSuffix,
  historySize = 1000,
}: SqliteStoreOptions): Store {
  privateFile(path);
  const db = new DatabaseSync(path);
  let rv: number;
  let closed = false;
  const history: Change[] = [];
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    try {
      const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
      if (version === 0) db.exec(`${SCHEMA}\nPRAGMA user_version = ${SQLITE_SCHEMA_VERSION};`);
      else if (version !== SQLITE_SCHEMA_VERSION) {
        throw new Error(`${path}: store schema version ${version}, this kiln reads version ${SQLITE_SCHEMA_VERSION}`);
      }
      rv = Number((db.prepare('SELECT resource_version FROM state WHERE id = 1').get() as { resource_version: number }).resource_version);
      db.prepare('DELETE FROM events WHERE resource_version <= ?').run(rv - historySize);
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
    for (const row of db.prepare('SELECT * FROM events ORDER BY resource_version').all() as unknown as EventRow[]) {
      const object = deepFreeze(JSON.parse(row.body) as KObject);
      const change: Change = { rv: Number(row.resource_version), typeKey: row.type, type: row.event, object };
      if (row.old_labels !== null) {
        // a selector watch only needs the previous labels (name and namespace never change)
        change.old = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace, labels: JSON.parse(row.old_labels) } };
      }
      history.push(change);
    }
  } catch (e) {
    db.close();
    throw e;
  }

  // the newest forgotten resourceVersion: everything after it is in `events` (resourceVersions
  // are contiguous: every one assigned is one change)
  const compacted = history.length > 0 ? history[0].rv - 1 : rv === 1 ? 0 : rv;
  const hub = createEventHub({ historySize, compacted, current: () => rv });
  for (const change of history) hub.publish(change);
  history.length = 0;

  const selectRv = db.prepare('SELECT resource_version FROM state WHERE id = 1');
  const setRv = db.prepare('UPDATE state SET resource_version = ? WHERE id = 1');
  const getBody = db.prepare('SELECT body FROM objects WHERE type = ? AND namespace = ? AND name = ?');
  const insertObject = db.prepare('INSERT INTO objects (type, namespace, name, uid, resource_version, labels, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const updateObject = db.prepare('UPDATE objects SET resource_version = ?, labels = ?, body = ? WHERE type = ? AND namespace = ? AND name = ?');
  const deleteObjectRow = db.prepare('DELETE FROM objects WHERE type = ? AND namespace = ? AND name = ?');
  const listAll = db.prepare('SELECT namespace, name, labels, body FROM objects WHERE type = ? ORDER BY namespace, name');
  const listInNamespace = db.prepare('SELECT namespace, name, labels, body FROM objects WHERE type = ? AND namespace = ? ORDER BY name');
  // pages in key order (SQLite's: UTF-8 bytes), read from the primary key's index; the body is read for the page only
  const pageAll = db.prepare('SELECT namespace, name, labels FROM objects WHERE type = ? AND (namespace, name) > (?, ?) ORDER BY namespace, name LIMIT ?');
  const pageInNamespace = db.prepare('SELECT namespace, name, labels FROM objects WHERE type = ? AND namespace = ? AND name > ? ORDER BY name LIMIT ?');
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM objects WHERE type = ? AND (namespace, name) > (?, ?)');
  const countInNamespace = db.prepare('SELECT COUNT(*) AS n FROM objects WHERE type = ? AND namespace = ? AND name > ?');
  const insertRef = db.prepare('INSERT OR IGNORE INTO owner_refs (owner_uid, type, namespace, name) VALUES (?, ?, ?, ?)');
  const deleteRefs = db.prepare('DELETE FROM owner_refs WHERE type = ? AND namespace = ? AND name = ?');
  const selectDependents = db.prepare('SELECT type, namespace, name FROM owner_refs WHERE owner_uid = ? ORDER BY type, namespace, name');
  const insertEvent = db.prepare('INSERT INTO events (resource_version, type, event, body, old_labels) VALUES (?, ?, ?, ?, ?)');
  const trimEvents = db.prepare('DELETE FROM events WHERE resource_version <= ?');

  function read(tk: string, namespace: string, name: string): KObject | undefined {
    const row = getBody.get(tk, namespace, name) as { body: string } | undefined;
    return row && (JSON.parse(row.body) as KObject);
  }

  function rows(type: ResourceType, namespace: string): ObjectRow[] {
    const tk = typeKey(type);
    return (namespace ? listInNamespace.all(tk, namespace) : listAll.all(tk)) as unknown as ObjectRow[];
  }

  /**
   * One page of a list: the rows after `after` in key order, `limit` of those `match` accepts
   * (`selective`: labels or fields are asked for), then a continue token when one more matches,
   * with remainingItemCount when no selector makes counting a scan.
   */
  function page(tk: string, namespace: string, opts: { limit?: number; after?: ContinueKey; selective: boolean; onBody?: boolean; match: (o: KObject) => boolean }): ListResult {
    const fromNs = opts.after?.namespace ?? '';
    const fromName = opts.after?.name ?? '';
    const rowLimit = opts.selective || opts.limit === undefined ? -1 : opts.limit + 1; // -1: no LIMIT
    const scan = (namespace ? pageInNamespace.iterate(tk, namespace, fromName, rowLimit)
      : pageAll.iterate(tk, fromNs, fromName, rowLimit)) as Iterable<KeyRow>;
    const keys: KeyRow[] = [];
    let more = false;
    for (const row of scan) {
      if (opts.selective) {
        const candidate = opts.onBody ? JSON.parse((getBody.get(tk, row.namespace, row.name) as { body: string }).body) as KObject : selectable(row);
        if (!opts.match(candidate)) continue;
      }
      if (keys.length === opts.limit) {
        more = true;
        break;
      }
      keys.push(row);
    }
    const items = keys.map((k) => JSON.parse((getBody.get(tk, k.namespace, k.name) as { body: string }).body) as KObject);
    const firstRv = opts.after?.rv ?? rv;
    const result: ListResult = { items, resourceVersion: String(firstRv) };
    if (more) {
      const last = keys[keys.length - 1];
      result.continue = encodeContinue({ rv: firstRv, namespace: last.namespace, name: last.name });
      if (!opts.selective) {
        const count = namespace ? countInNamespace.get(tk, namespace, last.name) : countAll.get(tk, last.namespace, last.name);
        result.remainingItemCount = Number((count as { n: number }).n);
      }
    }
    return result;
  }

  /**
   * Runs `fn` as one IMMEDIATE transaction; on success commits, advances the resourceVersion and
   * publishes the changes; on any error rolls back and publishes nothing.
   */
  function write<R>(fn: (tx: Tx) => R): R {
    db.exec('BEGIN IMMEDIATE');
    const tx: Tx = { next: rv, changes: [] };
    let result: R;
    try {
      const persisted = Number((selectRv.get() as { resource_version: number }).resource_version);
      if (persisted !== rv) {
        throw new Error(`${path} was written by another store instance (resourceVersion ${persisted}, this one knows ${rv}): ` +
          'the SQLite store supports one writer per file');
      }
      result = fn(tx);
      if (tx.changes.length > 0) {
        setRv.run(tx.next);
        trimEvents.run(tx.next - historySize);
      }
      db.exec('COMMIT');
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
    rv = tx.next;
    for (const change of tx.changes) hub.publish(deepFreeze(change));
    return result;
  }

  /** Writes `obj` under the next resourceVersion and records the change; returns the stored JSON. */
  function commit(tx: Tx, tk: string, namespace: string, name: string, type: Change['type'], obj: KObject, old?: KObject): string {
    const next = ++tx.next;
    const stored = withResourceVersion(obj, next);
    const body = JSON.stringify(stored);
    const owners = ownerUids(stored);
    if (type === 'DELETED') {
      deleteObjectRow.run(tk, namespace, name);
      deleteRefs.run(tk, namespace, name);
    } else {
      const labels = JSON.stringify(stored.metadata.labels ?? {});
      if (type === 'ADDED') insertObject.run(tk, namespace, name, stored.metadata.uid ?? '', next, labels, body);
      else updateObject.run(next, labels, body, tk, namespace, name);
      if (type === 'ADDED' || owners !== ownerUids(old)) {
        if (type !== 'ADDED') deleteRefs.run(tk, namespace, name);
        if (owners) for (const owner of owners.split('\n')) insertRef.run(owner, tk, namespace, name);
      }
    }
    insertEvent.run(next, tk, type, body, old ? JSON.stringify(old.metadata.labels ?? {}) : null);
    tx.changes.push({ rv: next, typeKey: tk, type, object: stored, old });
    return body;
  }

  /** Removes an object, then deletes (or marks, when they have finalizers) everything it owns. */
  function remove(tx: Tx, tk: string, namespace: string, name: string, obj: KObject): string {
    const gone = commit(tx, tk, namespace, name, 'DELETED', obj);
    const owner = obj.metadata.uid;
    if (owner) {
      for (const dep of selectDependents.all(owner) as unknown as DependentRow[]) {
        const current = read(dep.type, dep.namespace, dep.name); // an earlier cascade may have changed it
        if (current && isOwnedBy(current, owner)) deleteObject(tx, dep.type, dep.namespace, dep.name, current);
      }
    }
    return gone;
  }

  function deleteObject(tx: Tx, tk: string, namespace: string, name: string, obj: KObject): void {
    if (obj.metadata.finalizers?.length) {
      if (!obj.metadata.deletionTimestamp) commit(tx, tk, namespace, name, 'MODIFIED', markDeleting(obj, now()), obj);
      return;
    }
    remove(tx, tk, namespace, name, obj);
  }

  function existing(type: ResourceType, namespace: string | undefined, name: string): { namespace: string; obj: KObject } {
    const ns = namespaceFor(type, namespace);
    const obj = read(typeKey(type), ns, name);
    if (!obj) throw notFound(type, name);
    return { namespace: ns, obj };
  }

  const store: Store = {
    async get<T extends KObject>(type: ResourceType, namespace: string, name: string): Promise<T> {
      return existing(type, namespace, name).obj as T;
    },

    async list<T extends KObject>(type: ResourceType, opts: ListPageOptions = {}): Promise<ListResult<T>> {
      const filter = type.namespaced ? opts : { ...opts, namespace: undefined };
      const match = compileListFilter(filter, type.kind);
      const selective = Boolean(opts.labelSelector?.trim() || opts.fieldSelector?.trim());
      const onBody = selectsBeyondMetadata(opts.fieldSelector, type.kind);
      const limit = pageSize(opts.limit);
      const after = opts.continue ? decodeContinue(opts.continue, rv) : undefined;
      if (limit !== undefined || after) {
        return page(typeKey(type), filter.namespace ?? '', { limit, after, selective, onBody, match }) as ListResult<T>;
      }
      const items: KObject[] = [];
      for (const row of rows(type, filter.namespace ?? '')) {
        const obj = onBody ? JSON.parse(row.body) as KObject : undefined;
        if (!selective || match(obj ?? selectable(row))) items.push(obj ?? JSON.parse(row.body) as KObject);
      }
      // SQLite orders by UTF-8 bytes, JavaScript by UTF-16 units: sort as the memory store does
      return { items: items.sort(byNamespaceThenName) as T[], resourceVersion: String(rv) };
    },

    async create<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const tk = typeKey(type);
      return write(function createTx(tx) {
        for (let attempt = 1; ; attempt++) {
          const next = prepareCreate(type, obj, { uid: uid(), now: now(), suffix: nameSuffix });
          const namespace = next.metadata.namespace ?? '';
          const name = next.metadata.name!;
          if (!getBody.get(tk, namespace, name)) return JSON.parse(commit(tx, tk, namespace, name, 'ADDED', next)) as T;
          if (obj.metadata?.name || attempt >= GENERATE_ATTEMPTS) throw alreadyExists(type, name);
        }
      });
    },

    async update<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const tk = typeKey(type);
      return write(function updateTx(tx) {
        const { namespace, obj: current } = existing(type, obj.metadata?.namespace, obj.metadata?.name ?? '');
        const name = current.metadata.name!;
        const plan = prepareUpdate(type, current, obj);
        if (plan.noop) return current as T;
        if (plan.remove) return JSON.parse(remove(tx, tk, namespace, name, plan.next)) as T;
        return JSON.parse(commit(tx, tk, namespace, name, 'MODIFIED', plan.next, current)) as T;
      });
    },

    async updateStatus<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const tk = typeKey(type);
      return write(function updateStatusTx(tx) {
        const { namespace, obj: current } = existing(type, obj.metadata?.namespace, obj.metadata?.name ?? '');
        const plan = prepareStatusUpdate(type, current, obj);
        if (plan.noop) return current as T;
        return JSON.parse(commit(tx, tk, namespace, current.metadata.name!, 'MODIFIED', plan.next, current)) as T;
      });
    },

    async delete(type: ResourceType, namespace: string, name: string): Promise<void> {
      write(function deleteTx(tx) {
        const { namespace: ns, obj } = existing(type, namespace, name);
        deleteObject(tx, typeKey(type), ns, name, obj);
      });
    },

    watch(type: ResourceType, opts: WatchOptions = {}): Watch {
      const match = compileListFilter(type.namespaced ? opts : { ...opts, namespace: undefined }, type.kind);
      return hub.watch({
        typeKey: typeKey(type),
        match,
        resourceVersion: opts.resourceVersion,
        snapshot: () => rows(type, '').map((row) => deepFreeze(JSON.parse(row.body) as KObject)).sort(byNamespaceThenName),
      });
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      hub.close();
      db.close();
    },
  };
  return store;
}
