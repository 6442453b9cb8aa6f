// Requests to a Kubernetes API with the credentials of a @kubernetes/client-node KubeConfig (bearer
// token, client certificate, CA, exec plugins): JSON requests and watch streams, every failure the
// API answers with a Status mapped to the store's StoreError by its reason.
import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch, type Dispatcher } from 'undici';
import { StoreError, type StoreErrorReason } from './store.ts';

export type Query = Record<string, string | number | undefined>;

/** A Kubernetes `Status` (the body of every failed request, and of a watch's ERROR event). */
export interface KubeStatus { kind?: string; reason?: string; message?: string; code?: number }

const REASONS: readonly StoreErrorReason[] = ['NotFound', 'AlreadyExists', 'Conflict', 'Invalid', 'Gone', 'BadRequest'];
const BY_CODE: Record<number, StoreErrorReason> = { 400: 'BadRequest', 404: 'NotFound', 409: 'Conflict', 410: 'Gone', 422: 'Invalid' };

/** A failure the API answered that the store has no reason for (401, 403, 500…); `code` is its HTTP status. */
export class KubeRequestError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'KubeRequestError';
    this.code = code;
  }
}

/**
 * The StoreError of a failed request (by the Status' reason, else its HTTP code: `Expired`, an
 * outdated continue token, is Gone as its 410 says); other failures a KubeRequestError.
 */
export function statusError(code: number, status: KubeStatus | undefined, what: string): Error {
  const message = status?.message || `${what}: HTTP ${code}`;
  const reason = REASONS.find((r) => r === status?.reason) ?? BY_CODE[status?.code ?? code];
  return reason ? new StoreError(reason, message) : new KubeRequestError(code, `${what}: ${message}`);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}

/** An HTTP client for one API server; `close` ends its connections. */
export interface KubeHttp {
  /** the answer's JSON; a failure throws statusError */
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, query?: Query, body?: unknown): Promise<unknown>;
  /** a watch (or other streaming GET): its lines, until the server or `signal` ends it */
  lines(path: string, query: Query, signal: AbortSignal): AsyncGenerator<string>;
  close(): Promise<void>;
}

export function createKubeHttp(kc: KubeConfig): KubeHttp {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig: no current cluster (current-context names none)');
  const server = cluster.server.replace(/\/+$/, '');
  // client-node makes a connection pool (an undici Agent) per request when TLS options are set:
  // keep the first one for every request (its TLS options never change), close the others
  let pool: Dispatcher | undefined;

  async function send(method: string, path: string, query: Query, body: unknown, signal?: AbortSignal) {
    const url = new URL(server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), method as HttpMethod);
    await kc.applySecurityAuthentication(ctx);
    const made = ctx.getDispatcher() as Dispatcher | undefined;
    if (made && !pool) pool = made;
    else if (made && made !== pool) void made.close().catch(() => undefined);
    const headers: Record<string, string> = { ...ctx.getHeaders(), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), dispatcher: pool, signal });
  }

  return {
    async request(method, path, query = {}, body) {
      const res = await send(method, path, query, body);
      const text = await res.text();
      const json = text ? parse(text) : undefined;
      if (res.status >= 300) throw statusError(res.status, json as KubeStatus, `${method} ${path}`);
      return json;
    },
    async *lines(path, query, signal) {
      const res = await send(HttpMethod.GET, path, query, undefined, signal);
      if (res.status !== 200) throw statusError(res.status, parse(await res.text()) as KubeStatus, `watch ${path}`);
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body!) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) yield line;
        }
      }
    },
    async close() {
      await pool?.close().catch(() => undefined);
    },
  };
}
