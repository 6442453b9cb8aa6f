// List paging shared by the stores: the continue token (opaque to clients: base64url of JSON
// holding the first page's resourceVersion and the key of the last item returned, as
// kube-apiserver's holds an etcd revision and key) and the page cut of an ordered item list.
import type { KObject } from '../api/meta.ts';
import type { ListResult } from './store.ts';
import { StoreError } from './store.ts';

/** What a continue token holds: where the next page starts and the resourceVersion pages report. */
export interface ContinueKey {
  /** the first page's resourceVersion */
  rv: number;
  /** the last item returned: the next page starts after it */
  namespace: string;
  name: string;
}

/** The token's format version: a token of another format is refused rather than misread. */
const FORMAT = 'kiln/v1';

/** The opaque `continue` for the page ending at `key`. */
export function encodeContinue(key: ContinueKey): string {
  return Buffer.from(JSON.stringify({ v: FORMAT, rv: key.rv, ns: key.namespace, name: key.name })).toString('base64url');
}

function invalid(why: string): StoreError {
  return new StoreError('BadRequest', `invalid continue token: ${why}`);
}

/**
 * Reads a continue token; StoreError('BadRequest') when it is not one of ours, or names a
 * resourceVersion newer than `current` (the store's: a token it cannot have issued).
 */
export function decodeContinue(token: string, current: number): ContinueKey {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token)) throw invalid('not base64url');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not an encoded JSON document');
  }
  const d = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  if (d.v !== FORMAT) throw invalid(`unknown format ${JSON.stringify(d.v)} (want ${JSON.stringify(FORMAT)})`);
  if (!Number.isSafeInteger(d.rv) || (d.rv as number) < 1) throw invalid('rv is not a positive integer');
  if ((d.rv as number) > current) throw invalid(`resourceVersion ${d.rv} is newer than the store's (${current})`);
  if (typeof d.ns !== 'string' || typeof d.name !== 'string' || d.name === '') throw invalid('no key of the last item');
  return { rv: d.rv as number, namespace: d.ns, name: d.name };
}

/** A positive page size, or undefined for "every item" (no limit, 0 or negative, as Kubernetes). */
export function pageSize(limit: number | undefined): number | undefined {
  if (limit === undefined || !(limit > 0)) return undefined;
  if (!Number.isSafeInteger(limit)) throw new StoreError('BadRequest', `invalid limit ${limit}: expected an integer`);
  return limit;
}

/** Compares an object's key (namespace, then name, UTF-16 code units) with `namespace`/`name`. */
export function compareKey(obj: KObject, namespace: string, name: string): number {
  const ns = obj.metadata.namespace ?? '';
  if (ns !== namespace) return ns < namespace ? -1 : 1;
  const n = obj.metadata.name ?? '';
  return n < name ? -1 : n > name ? 1 : 0;
}

/**
 * The page of `items` (matching and sorted by namespace, then name) after `after`, at most
 * `limit` long, with a continue token and the exact remainingItemCount when more remain.
 */
export function cutPage<T extends KObject>(items: readonly T[], opts: { limit?: number; after?: ContinueKey; rv: number }): ListResult<T> {
  let start = 0;
  if (opts.after) {
    const { namespace, name } = opts.after;
    let hi = items.length;
    while (start < hi) { // the first item whose key is greater
      const mid = (start + hi) >>> 1;
      if (compareKey(items[mid], namespace, name) <= 0) start = mid + 1;
      else hi = mid;
    }
  }
  const rv = opts.after?.rv ?? opts.rv;
  const end = opts.limit === undefined ? items.length : Math.min(items.length, start + opts.limit);
  const page = items.slice(start, end);
  const result: ListResult<T> = { items: page, resourceVersion: String(rv) };
  if (end < items.length) {
    const last = page[page.length - 1];
    result.continue = encodeContinue({ rv, namespace: last.metadata.namespace ?? '', name: last.metadata.name ?? '' });
    result.remainingItemCount = items.length - end;
  }
  return result;
}
