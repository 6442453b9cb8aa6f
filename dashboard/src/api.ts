// Talking to kiln's public HTTP API: the session cookie goes by itself, the CSRF token in a header.
let csrf = '';
export function setCsrf(t: string): void {
  csrf = t;
}

export class ApiError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return csrf ? { 'x-kiln-csrf': csrf, ...extra } : extra;
}

export async function request<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(path, { method, headers: headers(body === undefined ? {} : { 'content-type': contentType }), body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? safeJson(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, (json as { message?: string })?.message ?? `${res.status} ${res.statusText}`);
  return json as T;
}

function safeJson(t: string): unknown {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; resourceVersion?: string; generateName?: string; ownerReferences?: { kind: string; name: string; uid?: string; apiVersion?: string }[] };
  spec?: any;
  status?: any;
}
export interface KList { items: KObj[]; metadata: { continue?: string; resourceVersion?: string } }

export const TEKTON = '/apis/tekton.dev/v1';
export const TRIGGERS = '/apis/triggers.tekton.dev/v1beta1';

export function collection(base: string, plural: string, ns: string): string {
  return ns ? `${base}/namespaces/${encodeURIComponent(ns)}/${plural}` : `${base}/${plural}`;
}

/** Streams lines of a long response (watch, follow) until `signal` aborts; calls `onLine` with each. */
export async function streamLines(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: headers(), signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, `${res.status} ${res.statusText}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  }
  if (buf) onLine(buf);
}

/** Lists then watches a collection; `apply` gets the list and every event after it. Returns a stop function. */
export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KObj } | { type: 'LIST'; list: KList };

export function listWatch(path: string, query: string, apply: (ev: WatchEvent) => void, onError: (e: Error) => void): () => void {
  const ac = new AbortController();
  (async () => {
    const list = await request<KList>('GET', `${path}?${query}`);
    if (ac.signal.aborted) return;
    apply({ type: 'LIST', list });
    const rv = list.metadata.resourceVersion ?? '';
    const q = query.replace(/(^|&)(limit|continue)=[^&]*/g, '');
    // events are applied in batches, one render per batch (a 200-task run sends hundreds at once)
    let batch: WatchEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const b = batch;
      batch = [];
      if (!ac.signal.aborted) for (const ev of b) apply(ev);
    };
    await streamLines(`${path}?watch=true&resourceVersion=${rv}&${q}`, (l) => {
      const ev = safeJson(l) as { type: string; object: KObj };
      if (!ev || typeof ev !== 'object' || !(ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) return;
      batch.push(ev as WatchEvent);
      timer ??= setTimeout(flush, 50);
    }, ac.signal);
  })().catch((e: Error) => {
    if (!ac.signal.aborted) onError(e);
  });
  return () => ac.abort();
}

export function conditionOf(o: KObj): { status: string; reason: string; message: string } {
  const c = (o.status?.conditions ?? []).find((x: any) => x.type === 'Succeeded');
  if (!c) return { status: 'Unknown', reason: 'Pending', message: '' };
  return { status: c.status, reason: c.reason ?? '', message: c.message ?? '' };
}

/** One word for a run's state: Succeeded, Failed, Running, Pending, Cancelled. */
export function stateOf(o: KObj | undefined): string {
  if (!o) return 'Pending';
  const c = conditionOf(o);
  if (c.status === 'True') return 'Succeeded';
  if (c.status === 'False') return /Cancel/i.test(c.reason) ? 'Cancelled' : 'Failed';
  return o.status?.startTime ? 'Running' : 'Pending';
}

export function duration(o: KObj | undefined): string {
  const s = o?.status?.startTime ? Date.parse(o.status.startTime) : NaN;
  if (Number.isNaN(s)) return '';
  const e = o?.status?.completionTime ? Date.parse(o.status.completionTime) : Date.now();
  const sec = Math.max(0, Math.round((e - s) / 1000));
  return sec < 60 ? `${sec}s` : `${Math.floor(sec / 60)}m${String(sec % 60).padStart(2, '0')}s`;
}
