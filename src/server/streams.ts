// The server's long-lived responses: watches (chunked JSON, one event per line, as kube-apiserver
// sends them; bookmarks; an ERROR event carrying a 410 Status when the resourceVersion is too old)
// and TaskRun log streams (kept logs, followed while the run goes on).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KObject } from '../api/meta.ts';
import { orUndefined, type WatchEvent } from '../store/store.ts';
import { badRequest, notFound, statusBody, toHttpError } from './errors.ts';
import { responseForm } from './media.ts';
import type { ResourceTarget } from './paths.ts';
import { isTrue, redactForList, render, type Query, type ResourceDeps } from './resources.ts';

function timeoutOf(q: Query): number | undefined {
  if (q.timeoutSeconds === undefined || q.timeoutSeconds === '') return undefined;
  // decimal digits only, as Kubernetes parses it (not `1e3`, `0x10` or ` `, which Number() would take)
  const n = /^\d+$/.test(q.timeoutSeconds) ? Number(q.timeoutSeconds) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid timeoutSeconds ${JSON.stringify(q.timeoutSeconds)}: expected a non-negative integer`);
  return n === 0 ? undefined : Math.min(n * 1000, 2 ** 31 - 1); // setTimeout fires at once beyond ~24.8 days
}

/**
 * The most bytes a watch response may hold unsent (16 MiB): past it the client is not reading,
 * and the server closes the watch rather than buffer events for it.
 */
export const WATCH_BUFFER_LIMIT = 16 * 1024 * 1024;

/** Per server: how to end each open watch and log stream (the server ends them when it closes). */
const open = new WeakMap<object, Set<() => void>>();

/** Keeps `end` until `res` closes; `endStreams` calls it. */
function track(req: FastifyRequest, res: NodeJS.EventEmitter, end: () => void): void {
  const server = req.server.server; // the http server: the same in every plugin context
  let set = open.get(server);
  if (!set) open.set(server, (set = new Set()));
  set.add(end);
  res.once('close', () => set.delete(end));
}

/**
 * Ends every open watch and log stream of the http `server` (on close, as kube-apiserver does when it stops):
 * a stream left open would keep the server from closing, and a client that watches again reconnects.
 */
export function endStreams(server: object): void {
  for (const end of open.get(server) ?? []) end();
}

/** Starts a chunked response the client reads line by line. */
function openStream(reply: FastifyReply, contentType: string) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, private', 'x-content-type-options': 'nosniff' });
  res.flushHeaders();
  return res;
}

/** `GET …?watch=true`: events after `resourceVersion` (or from now), until the client leaves or timeoutSeconds passes. */
export async function streamWatch(deps: ResourceDeps, t: ResourceTarget, q: Query, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const form = responseForm(req.headers.accept);
  const timeout = timeoutOf(q);
  const watch = deps.store.watch(t.info, { namespace: t.namespace, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector, resourceVersion: q.resourceVersion });
  const events = watch[Symbol.asyncIterator]();
  // Gone/BadRequest may come from the first next(): wait for it (or for quiet) before answering 200
  const first = events.next();
  const early = await Promise.race([first.then((r) => ({ r }), (e: unknown) => ({ e })), new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
  if (early && 'e' in early) {
    watch.stop();
    throw early.e;
  }
  const res = openStream(reply, 'application/json');
  let lastVersion = q.resourceVersion ?? '';
  const write = function writeEvent(type: string, object: unknown): void {
    if (res.destroyed) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
    // a client that stops reading would grow this buffer without end: cut it off (it re-lists),
    // as kube-apiserver closes a watcher that does not keep up
    if (res.writableLength > WATCH_BUFFER_LIMIT) {
      req.log.warn({ url: req.url, buffered: res.writableLength }, 'watch closed: the client does not keep up');
      watch.stop();
      res.destroy();
    }
  };
  const stop = () => watch.stop();
  req.raw.on('close', stop);
  res.on('close', stop);
  track(req, res, stop);
  const timer = timeout === undefined ? undefined : setTimeout(stop, timeout);
  const bookmarks = isTrue(q.allowWatchBookmarks)
    ? setInterval(function bookmark() {
      if (lastVersion) write('BOOKMARK', { kind: t.info.kind, apiVersion: `${t.info.group ? `${t.info.group}/` : ''}${t.version}`, metadata: { resourceVersion: lastVersion } });
    }, deps.bookmarkMs)
    : undefined;
  try {
    let next: Promise<IteratorResult<WatchEvent>> = first;
    for (;;) {
      const r = await next;
      if (r.done) break;
      const ev = r.value;
      lastVersion = ev.object.metadata.resourceVersion ?? lastVersion;
      if (ev.type === 'BOOKMARK') write('BOOKMARK', ev.object);
      else write(ev.type, render(deps, t, form, q, redactForList(ev.object as KObject, q)));
      next = events.next();
    }
  } catch (e) {
    const err = toHttpError(e);
    if (!res.destroyed) write('ERROR', statusBody(err));
  } finally {
    if (timer) clearTimeout(timer);
    if (bookmarks) clearInterval(bookmarks);
    watch.stop();
    res.end();
  }
}

/**
 * `GET …/taskruns/{name}/log`: every step's log, in step order. `follow=true` keeps going until
 * the run ends; `format=jsonl` gives `{"step","line"}` per line, otherwise `[step] line` text.
 * `timestamps=true` (as for a Pod's log) gives each line the time it arrived at kiln, RFC 3339 with
 * nanosecond digits: a `time` field, or the text line prefixed with it and a space.
 */
export async function streamLogs(deps: ResourceDeps, t: ResourceTarget, q: Query, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!deps.logs) throw notFound('logs are not served here');
  const obj = await orUndefined(deps.store.get(t.info, t.namespace ?? '', t.name!));
  if (!obj) throw notFound(`${t.info.plural}.${t.info.group} "${t.name}" not found`, { name: t.name, group: t.info.group, kind: t.info.plural });
  const jsonl = q.format === 'jsonl';
  const timestamps = isTrue(q.timestamps);
  const ac = new AbortController();
  const res = openStream(reply, jsonl ? 'application/jsonl' : 'text/plain; charset=utf-8');
  req.raw.on('close', () => ac.abort());
  res.on('close', () => ac.abort());
  track(req, res, () => ac.abort());
  try {
    for await (const l of deps.logs(t.namespace ?? '', t.name!, { follow: isTrue(q.follow), signal: ac.signal, ...(timestamps ? { timestamps } : {}) })) {
      if (ac.signal.aborted) break;
      const time = timestamps && l.time ? l.time : undefined;
      const ok = res.write(jsonl ? `${JSON.stringify(time ? { step: l.step, line: l.line, time } : { step: l.step, line: l.line })}\n` : `${time ? `${time} ` : ''}[${l.step}] ${l.line}\n`);
      if (!ok) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
    }
  } catch (e) {
    if (!ac.signal.aborted) req.log.error({ err: e }, 'log stream failed');
  } finally {
    res.end();
  }
}
