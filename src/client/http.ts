// The HTTP client: the same KilnClient over a kiln server's Kubernetes-style REST API.
import type { KObject } from '../api/meta.ts';
import { findKind, type KindInfo } from '../api/registry.ts';
import type { ClientWatch, ClientWatchEvent, KilnClient, LogLine, LogOptions, TriggerTestResult } from './client.ts';

export interface HttpClientOptions {
  /** e.g. https://127.0.0.1:7443 */
  server: string;
  token?: string;
  /** PEM of the CA that signed the server's certificate (self-signed setups) */
  ca?: string;
  /** injectable for tests (default: global fetch) */
  fetch?: typeof fetch;
}

/** An API error: the server's Kubernetes Status, as an Error. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
  }
}

function kindInfo(kind: string): KindInfo {
  const k = findKind(kind);
  if (!k) throw new ApiError(400, 'BadRequest', `unknown kind "${kind}"`);
  return k;
}

/** `/apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}]`, or `/api/v1/…` for core kinds. */
export function pathFor(k: KindInfo, namespace?: string, name?: string): string {
  const base = k.group ? `/apis/${k.group}/${k.versions[0]}` : '/api/v1';
  const ns = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${k.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** The page size the client lists with (kubectl's default `--chunk-size`). */
export const LIST_PAGE_SIZE = 500;

const CANCEL_VALUE: Record<string, string> = { TaskRun: 'TaskRunCancelled', PipelineRun: 'Cancelled' };

/** A fetch that trusts `ca` (the server's self-signed CA) for https. */
function fetchTrusting(ca: string): typeof fetch {
  let ready: Promise<typeof fetch> | undefined;
  return async function caFetch(input, init) {
    ready ??= import('undici').then(({ Agent, fetch: undiciFetch }) => {
      const dispatcher = new Agent({ connect: { ca } });
      return ((url: string, i: RequestInit) => undiciFetch(url, { ...(i as object), dispatcher } as never)) as unknown as typeof fetch;
    });
    return (await ready)(input, init);
  };
}

export function createHttpClient(opts: HttpClientOptions): KilnClient {
  const doFetch = opts.fetch ?? (opts.ca ? fetchTrusting(opts.ca) : fetch);
  const server = opts.server.replace(/\/+$/, '');

  async function request(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (body !== undefined) headers['content-type'] = contentType;
    const res = await doFetch(`${server}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    if (!res.ok) {
      const text = await res.text();
      let status: { reason?: string; message?: string } = {};
      try {
        status = JSON.parse(text);
      } catch {
        status = { message: text };
      }
      throw new ApiError(res.status, status.reason ?? 'Unknown', status.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return res;
  }

  async function json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    return (await (await request(method, path, body, contentType)).json()) as T;
  }

  /** Splits a streamed body into lines. */
  async function* lines(res: Response): AsyncGenerator<string> {
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      yield* parts;
    }
    pending += decoder.decode();
    if (pending) yield pending;
  }

  function watch(kind: string, namespace?: string, labelSelector?: string): ClientWatch {
    const k = kindInfo(kind);
    const ac = new AbortController();
    const q = new URLSearchParams({ watch: 'true', allowWatchBookmarks: 'true' });
    if (labelSelector) q.set('labelSelector', labelSelector);
    const path = `${pathFor(k, namespace)}?${q}`;
    async function* events(): AsyncGenerator<ClientWatchEvent> {
      let res: Response;
      try {
        res = await request('GET', path, undefined, undefined, ac.signal);
      } catch (e) {
        if (ac.signal.aborted) return;
        throw e;
      }
      try {
        for await (const line of lines(res)) {
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: ClientWatchEvent['type'] | 'ERROR'; object: KObject };
          if (ev.type === 'ERROR') throw new ApiError(410, 'Gone', (ev.object as { message?: string }).message ?? 'watch ended');
          yield ev as ClientWatchEvent;
        }
      } catch (e) {
        if (!ac.signal.aborted) throw e;
      }
    }
    const it = events();
    return { stop: () => ac.abort(), [Symbol.asyncIterator]: () => it };
  }

  async function* logs(namespace: string, taskRun: string, o: LogOptions = {}): AsyncGenerator<LogLine> {
    const path = `${pathFor(kindInfo('TaskRun'), namespace, taskRun)}/log?follow=${o.follow ? 'true' : 'false'}&format=jsonl${o.timestamps ? '&timestamps=true' : ''}`;
    const res = await request('GET', path, undefined, undefined, o.signal);
    for await (const line of lines(res)) {
      if (!line) continue;
      const l = JSON.parse(line) as { step: string; line: string; time?: string };
      yield l.time ? { taskRun, step: l.step, line: l.line, time: l.time } : { taskRun, step: l.step, line: l.line };
    }
  }

  /** Every object, read LIST_PAGE_SIZE at a time following the server's continue tokens. */
  async function list(kind: string, namespace?: string, labelSelector?: string): Promise<KObject[]> {
    const path = pathFor(kindInfo(kind), namespace);
    const items: KObject[] = [];
    let token = '';
    do {
      const q = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
      if (labelSelector) q.set('labelSelector', labelSelector);
      if (token) q.set('continue', token);
      const page = await json<{ items: KObject[]; metadata?: { continue?: string } }>('GET', `${path}?${q}`);
      items.push(...page.items);
      token = page.metadata?.continue ?? '';
    } while (token);
    return items;
  }

  async function get(kind: string, namespace: string, name: string): Promise<KObject> {
    return json<KObject>('GET', pathFor(kindInfo(kind), namespace, name));
  }

  async function apply(obj: KObject): Promise<KObject> {
    const k = kindInfo(obj.kind);
    if (!obj.metadata.name) return json<KObject>('POST', pathFor(k, obj.metadata.namespace), obj);
    try {
      return await json<KObject>('PATCH', `${pathFor(k, obj.metadata.namespace, obj.metadata.name)}?fieldManager=kiln&force=true`, obj, 'application/apply-patch+yaml');
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return json<KObject>('POST', pathFor(k, obj.metadata.namespace), obj);
      throw e;
    }
  }

  return {
    apply,
    create: (obj) => json<KObject>('POST', pathFor(kindInfo(obj.kind), obj.metadata.namespace), obj),
    get,
    list,
    watch,
    async delete(kind, namespace, name) {
      await request('DELETE', pathFor(kindInfo(kind), namespace, name));
    },
    async patch(kind, namespace, name, mergePatch) {
      return json<KObject>('PATCH', pathFor(kindInfo(kind), namespace, name), mergePatch, 'application/merge-patch+json');
    },
    async cancel(kind, namespace, name, message) {
      const k = kindInfo(kind);
      const value = CANCEL_VALUE[k.kind];
      if (!value) throw new ApiError(400, 'BadRequest', `${k.kind} cannot be cancelled`);
      const spec: Record<string, string> = { status: value };
      if (message && k.kind === 'TaskRun') spec.statusMessage = message;
      await json('PATCH', pathFor(k, namespace, name), { spec }, 'application/merge-patch+json');
    },
    logs,
    async triggerTest(namespace, listener, event) {
      const path = `/apis/triggers.tekton.dev/v1beta1/namespaces/${encodeURIComponent(namespace)}/eventlisteners/${encodeURIComponent(listener)}/test`;
      return json<TriggerTestResult>('POST', path, event);
    },
    notices: async () => [],
    close: async () => {},
  };
}
