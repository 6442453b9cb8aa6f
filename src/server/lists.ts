// Lists as kube-apiserver serves them, written as a stream: `limit`/`continue` pages, and every
// list's items serialised one at a time into the response, following the socket's backpressure,
// never as one string. At most `slots` lists of one store are read and written at once (the
// others wait their turn, holding nothing), so many concurrent lists of large objects cost a
// bounded amount of memory and never hold up the event loop for long (/healthz keeps answering).
import { Readable } from 'node:stream';
import type { KObject } from '../api/meta.ts';
import type { ListPageOptions, ListResult, ResourceType, Store } from '../store/store.ts';
import { badRequest } from './errors.ts';

/** The largest page a `limit` gets (kubectl asks for 500); a larger limit gets this many and a continue. */
export const MAX_PAGE = 500;
/** A list without a limit is read from the store this many items at a time. */
export const LIST_CHUNK = 100;
/** Default number of lists of one store written at once. */
export const LIST_SLOTS = 16;
/** Default time a list response may make no progress (the client reads nothing) before it is cut. */
export const LIST_STALL_MS = 60_000;
/** The most bytes written to the socket at once: a large object goes out in slices. */
const SLICE = 64 * 1024;

/** A FIFO of `slots` permits. */
export interface Gate {
  /** resolves with the function that gives the permit back (calling it twice gives it back once) */
  acquire(): Promise<() => void>;
  /** permits in use, lists waiting (for tests and metrics) */
  readonly busy: number;
  readonly waiting: number;
}

export function createGate(slots: number): Gate {
  let busy = 0;
  const queue: Array<() => void> = [];
  function permit(): () => void {
    let given = false;
    return function release() {
      if (given) return;
      given = true;
      const next = queue.shift();
      if (next) setImmediate(next); // the permit passes on (busy stays), in a later turn of the event loop
      else busy--;
    };
  }
  return {
    acquire() {
      if (busy < slots) {
        busy++;
        return Promise.resolve(permit());
      }
      return new Promise((resolve) => queue.push(() => resolve(permit())));
    },
    get busy() { return busy; },
    get waiting() { return queue.length; },
  };
}

const gates = new WeakMap<Store, Gate>();

/** The gate of `store`'s lists (one per store, LIST_SLOTS permits). */
export function gateOf(store: Store): Gate {
  let g = gates.get(store);
  if (!g) gates.set(store, (g = createGate(LIST_SLOTS)));
  return g;
}

/** `limit` as Kubernetes reads it: an integer, 0 or negative for none. 400 otherwise. */
export function parseLimit(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid limit ${JSON.stringify(v)}: expected an integer`);
  return n > 0 ? n : undefined;
}

/** The list's envelope and how each item appears in its array (`items`, or a Table's `rows`). */
export interface ListShape {
  /** every field but the array, `metadata` included; the array is written last */
  envelope: (meta: ListMeta) => Record<string, unknown>;
  arrayField: 'items' | 'rows';
  item: (obj: KObject) => unknown;
}

export interface ListMeta { resourceVersion: string; continue?: string; remainingItemCount?: number }

export interface ListRequest {
  store: Store;
  type: ResourceType;
  /** the filter (namespace, selectors) */
  filter: ListPageOptions;
  limit?: number;
  continue?: string;
  /** true once the client has gone (a list still waiting for its turn then does nothing) */
  gone: () => boolean;
  stallMs?: number;
  gate?: Gate;
}

/**
 * Reads the list's first page (errors — a bad selector or continue token — are thrown before
 * anything is written) and returns the body as a stream, or undefined when the client left while
 * the list waited for its turn. With `limit`: one page of at most MAX_PAGE items, with
 * `metadata.continue` (and remainingItemCount when the store knows it) when more remain. Without:
 * every item, read LIST_CHUNK at a time; later chunks read the current state, as continued pages
 * do, and the list carries the first chunk's resourceVersion (see Store.list).
 */
export async function streamList(req: ListRequest, shape: ListShape): Promise<Readable | undefined> {
  const gate = req.gate ?? gateOf(req.store);
  const release = await gate.acquire();
  if (req.gone()) {
    release();
    return undefined;
  }
  const paged = req.limit !== undefined;
  const size = paged ? Math.min(req.limit!, MAX_PAGE) : LIST_CHUNK;
  let first: ListResult;
  try {
    first = await req.store.list(req.type, { ...req.filter, limit: size, continue: req.continue });
  } catch (e) {
    release();
    throw e;
  }
  const meta: ListMeta = { resourceVersion: first.resourceVersion };
  if (paged && first.continue) {
    meta.continue = first.continue;
    if (first.remainingItemCount !== undefined) meta.remainingItemCount = first.remainingItemCount;
  }
  const head = JSON.stringify(shape.envelope(meta));
  const open = `${head.slice(0, -1)},${JSON.stringify(shape.arrayField)}:[`;
  const stallMs = req.stallMs ?? LIST_STALL_MS;
  let stall: ReturnType<typeof setTimeout> | undefined;

  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from(open);
    let page: ListResult | undefined = first;
    let comma = '';
    let sinceTurn = 0;
    while (page) {
      const { items } = page;
      const token: string | undefined = page.continue;
      page = undefined; // the page's items go once written
      for (let i = 0; i < items.length; i++) {
        const bytes = Buffer.from(comma + JSON.stringify(shape.item(items[i])));
        items[i] = undefined as unknown as KObject;
        comma = ',';
        for (const piece of slices(bytes)) {
          yield piece;
          stall?.refresh(); // the response read what came before: progress
          sinceTurn += piece.length;
          if (sinceTurn >= SLICE) {
            // a socket that takes everything at once would otherwise keep this list in one chain
            // of callbacks, and other requests (/healthz) would wait for it to end
            sinceTurn = 0;
            await new Promise((r) => setImmediate(r));
          }
        }
      }
      if (!paged && token) page = await req.store.list(req.type, { ...req.filter, limit: size, continue: token });
    }
    yield Buffer.from(']}');
  }

  const body = Readable.from(chunks(), { objectMode: false, highWaterMark: SLICE });
  stall = setTimeout(function stalled() {
    body.destroy(new Error(`list response cut: the client read nothing for ${stallMs} ms`));
  }, stallMs);
  body.once('close', function done() {
    clearTimeout(stall);
    release();
  });
  return body;
}

/** `bytes` in views of at most SLICE bytes (no copies). */
export function* slices(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += SLICE) yield bytes.subarray(at, at + SLICE);
}
