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

export interface ListResult<T extends KObject = KObject> {
  items: T[];
  /** the store's resourceVersion at the time of the list: watch from here */
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
export interface WatchEvent<T extends KObject = KObject> { type: WatchEventType; object: T }

export interface WatchOptions extends ListOptions {
  /** deliver events after this resourceVersion ('' or undefined: from now; '0': ADDED for all existing first) */
  resourceVersion?: string;
}

export interface Watch {
  /** stop the watch; the iterator ends */
  stop(): void;
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent>;
}

/** Error codes follow the Kubernetes Status reasons. */
export type StoreErrorReason = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Gone' | 'BadRequest';

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

export function isNotFound(e: unknown): boolean {
  return e instanceof StoreError && e.reason === 'NotFound';
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
 *   what the store still remembers fails with StoreError('Gone') (HTTP 410).
 */
export interface Store {
  get<T extends KObject = KObject>(type: ResourceType, namespace: string, name: string): Promise<T>;
  list<T extends KObject = KObject>(type: ResourceType, opts?: ListOptions): Promise<ListResult<T>>;
  create<T extends KObject = KObject>(type: ResourceType, obj: T): Promise<T>;
  update<T extends KObject = KObject>(type: ResourceType, obj: T): Promise<T>;
  updateStatus<T extends KObject = KObject>(type: ResourceType, obj: T): Promise<T>;
  delete(type: ResourceType, namespace: string, name: string): Promise<void>;
  watch(type: ResourceType, opts?: WatchOptions): Watch;
  close(): Promise<void>;
}
