// Kubernetes object semantics as pure functions over plain objects, so every Store backend
// (memory, sqlite) computes create/update/updateStatus the same way. Backends own storage,
// resourceVersions and events; these functions decide what the next object is.
import { isDeepStrictEqual } from 'node:util';
import { randomInt } from 'node:crypto';
import type { KObject, ObjectMeta } from '../api/meta.ts';
import type { ResourceType } from './store.ts';
import { StoreError } from './store.ts';

/** `group/plural`: a kind's key inside a store ('' group for core kinds: `/configmaps`). */
export function typeKey(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

/** `plural.group` as Kubernetes names a resource in messages, e.g. `taskruns.tekton.dev`. */
export function resourceName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** The namespace an object of `type` lives in: '' for cluster-scoped kinds, 'default' when unset. */
export function namespaceFor(type: ResourceType, namespace: string | undefined): string {
  return type.namespaced ? namespace || 'default' : '';
}

/** `namespace/name` (`/name` for cluster-scoped kinds). */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function notFound(type: ResourceType, name: string): StoreError {
  return new StoreError('NotFound', `${resourceName(type)} "${name}" not found`);
}

export function alreadyExists(type: ResourceType, name: string): StoreError {
  return new StoreError('AlreadyExists', `${resourceName(type)} "${name}" already exists`);
}

export function conflict(type: ResourceType, name: string): StoreError {
  return new StoreError('Conflict', `Operation cannot be fulfilled on ${resourceName(type)} "${name}": ` +
    'the object has been modified; please apply your changes to the latest version and try again');
}

/** The alphabet Kubernetes draws generateName suffixes from (no vowels, no confusable digits). */
export const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** How much of generateName a generated name keeps: 58 characters, so that with the suffix it is a DNS label (Kubernetes' maxGeneratedNameLength). */
export const MAX_GENERATED_NAME_BASE = 58;

/** A random 5-character suffix for generateName, as Kubernetes makes them. */
export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return s;
}

/** RFC 3339 with second precision, as Kubernetes writes timestamps: `2024-05-01T10:00:00Z`. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A JSON-normalised deep copy: what a backend that serialises objects would store. */
export function jsonCopy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** The order of list items (and of watch snapshots): by namespace, then name (UTF-16 code units). */
export function byNamespaceThenName(a: KObject, b: KObject): number {
  const na = a.metadata.namespace ?? '';
  const nb = b.metadata.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  const ma = a.metadata.name ?? '';
  const mb = b.metadata.name ?? '';
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

/** Whether `obj` lists `uid` among its ownerReferences. */
export function isOwnedBy(obj: KObject, uid: string): boolean {
  return obj.metadata.ownerReferences?.some((r) => r.uid === uid) ?? false;
}

function withoutMetaStatus(obj: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** True when anything other than metadata and status differs: what bumps metadata.generation. */
export function generationChanged(prev: KObject, next: KObject): boolean {
  return !isDeepStrictEqual(withoutMetaStatus(prev), withoutMetaStatus(next));
}

function compact(meta: ObjectMeta): ObjectMeta {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) out[k] = v;
  return out as ObjectMeta;
}

function validateName(name: string): void {
  if (name === '.' || name === '..' || /[/%]/.test(name)) {
    throw new StoreError('Invalid', `metadata.name: Invalid value: ${JSON.stringify(name)}: may not be '.', '..' or contain '/' or '%'`);
  }
}

/** Attempts at drawing a free generateName before giving up with AlreadyExists (as Kubernetes retries). */
export const GENERATE_ATTEMPTS = 8;

export interface CreateContext {
  uid: string;
  now: Date;
  /** draws a generateName suffix */
  suffix: () => string;
}

/**
 * The object to store for a create (without resourceVersion: the backend assigns it):
 * name from generateName (at most MAX_GENERATED_NAME_BASE characters of it) + suffix when empty, namespace defaulted, uid, creationTimestamp,
 * generation 1; deletionTimestamp dropped; status kept as given.
 * Throws StoreError('Invalid') without a usable name.
 */
export function prepareCreate<T extends KObject>(type: ResourceType, input: T, ctx: CreateContext): T {
  const obj = jsonCopy(input);
  const meta: ObjectMeta = obj.metadata ?? {};
  let name = meta.name;
  if (!name) {
    if (!meta.generateName) throw new StoreError('Invalid', 'metadata.name: Required value: name or generateName is required');
    name = meta.generateName.slice(0, MAX_GENERATED_NAME_BASE) + ctx.suffix();
  }
  validateName(name);
  obj.metadata = compact({
    ...meta,
    name,
    namespace: type.namespaced ? namespaceFor(type, meta.namespace) : undefined,
    uid: ctx.uid,
    resourceVersion: undefined,
    generation: 1,
    creationTimestamp: formatTimestamp(ctx.now),
    deletionTimestamp: undefined,
  });
  return obj;
}

function checkResourceVersion(type: ResourceType, current: KObject, given: string | undefined): void {
  if (given && given !== current.metadata.resourceVersion) throw conflict(type, current.metadata.name ?? '');
}

/** What a backend does after computing an update. */
export interface UpdatePlan<T extends KObject> {
  /** the object to store (resourceVersion still the old one: the backend assigns the next) */
  next: T;
  /** nothing changed: keep the stored object and its resourceVersion, emit no event */
  noop: boolean;
  /** the object is being deleted and its last finalizer is gone: remove it (and cascade) */
  remove: boolean;
}

/**
 * Plans `update`: everything but status comes from `input`; uid, name, namespace,
 * creationTimestamp and deletionTimestamp stay; generation +1 when non-metadata, non-status
 * content changed. Throws Conflict on a stale metadata.resourceVersion, Invalid when adding a
 * finalizer to an object being deleted.
 */
export function prepareUpdate<T extends KObject>(type: ResourceType, current: T, input: T): UpdatePlan<T> {
  const obj = jsonCopy(input);
  const meta: ObjectMeta = obj.metadata ?? {};
  const cur = current.metadata;
  checkResourceVersion(type, current, meta.resourceVersion);
  if (cur.deletionTimestamp && (meta.finalizers ?? []).some((f) => !(cur.finalizers ?? []).includes(f))) {
    throw new StoreError('Invalid', 'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted');
  }
  const { status: _ignored, ...rest } = obj;
  const next = { ...rest } as T;
  if (current.status !== undefined) next.status = current.status;
  next.metadata = compact({
    ...meta,
    name: cur.name,
    namespace: cur.namespace,
    uid: cur.uid,
    resourceVersion: cur.resourceVersion,
    generation: cur.generation,
    creationTimestamp: cur.creationTimestamp,
    deletionTimestamp: cur.deletionTimestamp,
  });
  if (generationChanged(current, next)) next.metadata.generation = (cur.generation ?? 0) + 1;
  return {
    next,
    noop: isDeepStrictEqual(current, next),
    remove: cur.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0,
  };
}

/** Plans `updateStatus`: only status changes (same resourceVersion rule; generation untouched). */
export function prepareStatusUpdate<T extends KObject>(type: ResourceType, current: T, input: T): UpdatePlan<T> {
  checkResourceVersion(type, current, input.metadata?.resourceVersion);
  const next = { ...current };
  const status = jsonCopy(input.status);
  if (status === undefined) delete next.status;
  else next.status = status;
  return { next, noop: isDeepStrictEqual(current.status, next.status), remove: false };
}

/** The object after `delete` when it has finalizers: deletionTimestamp set (already set: unchanged). */
export function markDeleting<T extends KObject>(current: T, now: Date): T {
  if (current.metadata.deletionTimestamp) return current;
  return { ...current, metadata: { ...current.metadata, deletionTimestamp: formatTimestamp(now) } };
}

/** `obj` with another resourceVersion (a fresh top-level and metadata object; the rest shared). */
export function withResourceVersion<T extends KObject>(obj: T, rv: number): T {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}
