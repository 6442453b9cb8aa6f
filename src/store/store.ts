// The Store: Kubernetes object semantics over any backend (memory, sqlite, a real cluster).
import type { KObject } from '../api/meta.ts';

/** Identifies a kind in the store: the API group/version's resource plural, e.g. `tekton.dev/taskruns`. */
export interface ResourceType {
  /** '' for core/v1 */
  group: string;
  /** lower-case plural, e.g. `taskruns` */
  plural: string;
  kind: string;
  namespaced: boolean;
}

export interface ListOptions {
  namespace?: string;
  /** Kubernetes label selector syntax: `a=b,c!=d,e in (x,y),f,!g` */
  labelSelector?: string;
  /** `metadata.name=x,metadata.namespace=y` */
  fieldSelector?: string;
}

/** What list() takes: the filter, and a page of it (Kubernetes' `limit` and `continue`). */
export interface ListPageOptions extends ListOptions {
  /** at most this many items, and a `continue` when more remain (default, 0 or negative: every item) */
  limit?: number;
  /** the `continue` of the previous page (same filter): the items after its last one */
  continue?: string;
}

export interface ListResult<T extends KObject = KObject> {
  items: T[];
  /**
   * the store's resourceVersion at the time of the list: watch from here. A continued page
   * carries the first page's, so a watch from it misses no change made while paging.
   */
  resourceVersion: string;
  /** set when more items match than `limit` gave: pass it as `continue` for the next page */
  continue?: string;
  /** with `continue`: how many items remain after this page, when the store knows it cheaply */
  remainingItemCount?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
export interface WatchEvent<T extends KObject = KObject> { type: WatchEventType; object: T }

export interface WatchOptions extends ListOptions {
  /** deliver events after this resourceVersion ('' or undefined: from now; '0': ADDED for all existing first) */
  resourceVersion?: string;
}

/** A single-consumer stream of events; it ends after stop() or the store's close(). */
export interface Watch {
  /** stop the watch; the iterator ends */
  stop(): void;
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent>;
}

/** Error codes follow the Kubernetes Status reasons. */
export type StoreErrorReason = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Gone' | 'BadRequest';

/** The one error class of every Store; `code` is the HTTP status the server answers with. */
export class StoreError extends Error {
  readonly reason: StoreErrorReason;
  readonly code: number;
  constructor(reason: StoreErrorReason, message: string) {
    super(message);
    this.name = 'StoreError';
    this.reason = reason;
    this.code = { NotFound: 404, AlreadyExists: 409, Conflict: 409, Invalid: 422, Gone: 410, BadRequest: 400 }[reason];
  }
}

/** True for StoreError('NotFound'). */
export function isNotFound(e: unknown): boolean {
  return e instanceof StoreError && e.reason === 'NotFound';
}
/** True for StoreError('Conflict') (a stale resourceVersion): re-read and retry. */
/** The object `get` resolves to, or undefined when it does not exist; other errors are thrown. */
export async function orUndefined<T>(get: Promise<T>): Promise<T | undefined> {
  try {
    return await get;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export function isConflict(e: unknown): boolean {
  return e instanceof StoreError && e.reason === 'Conflict';
}

/**
 * Kubernetes semantics every implementation honours (tested by store/suite.ts):
 * - create assigns uid, resourceVersion (monotonic across the store, decimal string),
 *   creationTimestamp, generation=1, and metadata.name from generateName when name is empty;
 *   namespace defaults to 'default' for namespaced kinds; 409 AlreadyExists on a duplicate.
 * - update replaces metadata+spec (not status); with metadata.resourceVersion set it must match
 *   (409 Conflict otherwise); generation increments only when spec (or other non-status,
 *   non-metadata content) changes.
 * - updateStatus replaces status only (same resourceVersion rule); never bumps generation.
 * - delete: with finalizers present it only sets deletionTimestamp (object stays until the last
 *   finalizer is removed by update); otherwise the object is removed, and every object whose
 *   ownerReferences name its uid is deleted too (cascading, recursively).
 * - watch delivers ADDED/MODIFIED/DELETED in resourceVersion order; a resourceVersion older than
 *   what the store still remembers fails with StoreError('Gone') (HTTP 410). Watched objects are
 *   read-only: an implementation may share one frozen copy among watchers.
 * Also pinned down by the suite:
 * - an update/updateStatus that changes nothing returns the stored object as it is: same
 *   resourceVersion, no watch event (so rewriting an identical status cannot loop a controller).
 * - update that removes the last finalizer of an object being deleted deletes it (one DELETED
 *   event); adding a finalizer to an object being deleted is Invalid.
 * - list items are sorted by namespace, then name; list's resourceVersion covers every item.
 * - list pages (limit/continue): every item matching when the first page was read and still
 *   there when its page is read comes exactly once, in key order (namespace, then name); a page is
 *   read from the store's current state (no snapshot is kept: an item created behind the last
 *   key is not listed, one created ahead of it is), and carries the first page's resourceVersion,
 *   so a watch from it replays every change made meanwhile. A continue token is never too old;
 *   a malformed one, or one from a resourceVersion the store has not reached, is BadRequest.
 * - a DELETED event carries the object's last state with the deletion's resourceVersion.
 * - a watch with selectors reports an object modified into the selection as ADDED and out of it
 *   as DELETED, as the Kubernetes watch cache does.
 * - watch() reports Gone or BadRequest either by throwing or from the iterator's first next();
 *   callers (the informer) handle both.
 * - every object returned (get, list, create, update, watch events) is the caller's own copy.
 */
export interface Store {
  get<T extends KObject = KObject>(type: ResourceType, namespace: string, name: string): Promise<T>;
  list<T extends KObject = KObject>(type: ResourceType, opts?: ListPageOptions): Promise<ListResult<T>>;
  create<T extends KObject = KObject>(type: ResourceType, obj: T): Promise<T>;
  update<T extends KObject = KObject>(type: ResourceType, obj: T): Promise<T>;
  updateStatus<T extends KObject = KObject>(type: ResourceType, obj: T): Promise<T>;
  delete(type: ResourceType, namespace: string, name: string): Promise<void>;
  watch(type: ResourceType, opts?: WatchOptions): Watch;
  close(): Promise<void>;
}
