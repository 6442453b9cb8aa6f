// A Store Watch over a Kubernetes watch stream: one event per JSON line; BOOKMARKs only move the
// resourceVersion to resume from; when the server ends the stream (its timeoutSeconds, a dropped
// connection) the watch resumes from the last resourceVersion seen, as client-go's reflector does.
// An ERROR event (a 410 Status when that version is forgotten) fails the iterator with StoreError.
import type { KObject } from '../api/meta.ts';
import type { KubeHttp, KubeStatus, Query } from './kube-http.ts';
import { KubeRequestError, statusError } from './kube-http.ts';
import type { Watch, WatchEvent } from './store.ts';
import { StoreError } from './store.ts';

export interface KubeWatchRequest {
  http: KubeHttp;
  /** the collection's path */
  path: string;
  /** labelSelector, fieldSelector */
  query: Query;
  /** the resourceVersion to start from ('0': ADDED for every existing object first) */
  from: () => Promise<string>;
  /** apiVersion and kind for objects the server sent without them */
  apiVersion: string;
  kind: string;
  /** called with every resourceVersion received (the store tracks the newest) */
  seen: (rv: string | undefined) => void;
  /** called once the watch has ended */
  ended: () => void;
  /** pause before resuming after a dropped connection (default 1 s) */
  retryMs?: number;
  /** how long the server keeps one watch request open (default 5 to 10 minutes, spread like client-go's) */
  timeoutSeconds?: number;
}

/** 5 to 10 minutes, spread like client-go's, so that watches reconnect at different times. */
function spreadTimeout(): number {
  return 300 + Math.floor(Math.random() * 300);
}

type Line = { type?: string; object?: KObject & KubeStatus };

export function openKubeWatch(req: KubeWatchRequest): Watch {
  const queue: WatchEvent[] = [];
  let waiter: { resolve: (r: IteratorResult<WatchEvent>) => void; reject: (e: unknown) => void } | undefined;
  let failure: unknown;
  let done = false;
  const abort = new AbortController();

  function finish(error?: unknown): void {
    if (done) return;
    done = true;
    failure = error;
    abort.abort();
    req.ended();
    if (!waiter) return;
    const w = waiter;
    waiter = undefined;
    if (error && !queue.length) w.reject(error);
    else w.resolve({ done: true, value: undefined });
  }

  function push(ev: WatchEvent): void {
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w.resolve({ done: false, value: ev });
    } else queue.push(ev);
  }

  /** Reads one watch request to its end; returns the resourceVersion to resume from. */
  async function readStream(rv: string): Promise<string> {
    const query = { ...req.query, watch: 'true', resourceVersion: rv, allowWatchBookmarks: 'true', timeoutSeconds: req.timeoutSeconds ?? spreadTimeout() };
    for await (const line of req.http.lines(req.path, query, abort.signal)) {
      let ev: Line;
      try {
        ev = JSON.parse(line) as Line;
      } catch {
        continue; // not an event: ignored, as client-node's Watch does
      }
      if (ev.type === 'ERROR') throw statusError(ev.object?.code ?? 500, ev.object, `watch ${req.path}`);
      const obj = ev.object;
      if (!obj?.metadata) continue;
      rv = obj.metadata.resourceVersion ?? rv;
      req.seen(obj.metadata.resourceVersion);
      if (ev.type === 'BOOKMARK') continue;
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') continue;
      push({ type: ev.type, object: { ...obj, apiVersion: obj.apiVersion ?? req.apiVersion, kind: obj.kind ?? req.kind } });
    }
    return rv;
  }

  void (async function run() {
    let rv: string;
    try {
      rv = await req.from();
    } catch (e) {
      finish(e);
      return;
    }
    let streams = 0;
    while (!done) {
      const started = Date.now();
      try {
        rv = await readStream(rv);
        streams++;
        // a server that ends every watch at once is not asked again in a tight loop
        if (Date.now() - started < 1000 && !done) await new Promise((r) => setTimeout(r, req.retryMs ?? 1000));
      } catch (e) {
        if (done) return;
        // the server's answer (Gone, BadRequest, Forbidden…), or no connection on the first try: fail;
        // a dropped connection or a server error (a restarting server) later: resume after a pause
        const retry = streams > 0 && !(e instanceof StoreError) && !(e instanceof KubeRequestError && e.code < 500);
        if (!retry) return finish(e);
        await new Promise((r) => setTimeout(r, req.retryMs ?? 1000));
      }
    }
  })();

  return {
    stop: () => finish(),
    [Symbol.asyncIterator]() {
      return {
        next(): Promise<IteratorResult<WatchEvent>> {
          if (queue.length) return Promise.resolve({ done: false, value: queue.shift()! });
          if (done) return failure ? Promise.reject(failure) : Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve, reject) => { waiter = { resolve, reject }; });
        },
        return(): Promise<IteratorResult<WatchEvent>> {
          finish();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
