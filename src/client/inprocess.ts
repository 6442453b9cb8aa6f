// The in-process client: the same KilnClient over a store that lives in this process (used by
// one-shot commands such as `kiln run`). It sees the store only through ClientBackend, which the
// composition root (main.ts) provides.
import type { KObject } from '../api/meta.ts';
import { findKind, type KindInfo } from '../api/registry.ts';
import type { ClientWatch, ClientWatchEvent, KilnClient, LogLine, LogOptions } from './client.ts';

/** What the in-process client needs of the engine. */
export interface ClientBackend {
  get(kind: KindInfo, namespace: string, name: string): Promise<KObject>;
  list(kind: KindInfo, namespace?: string, labelSelector?: string): Promise<KObject[]>;
  create(kind: KindInfo, obj: KObject): Promise<KObject>;
  update(kind: KindInfo, obj: KObject): Promise<KObject>;
  delete(kind: KindInfo, namespace: string, name: string): Promise<void>;
  watch(kind: KindInfo, namespace?: string, labelSelector?: string): ClientWatch;
  isNotFound(e: unknown): boolean;
  isConflict(e: unknown): boolean;
  logs(namespace: string, taskRun: string, opts: LogOptions): AsyncIterable<LogLine>;
  notices(): string[];
  /** the executor running steps (`process`, `podman`) */
  executor?: string;
  close(): Promise<void>;
}

function kindInfo(kind: string): KindInfo {
  const k = findKind(kind);
  if (!k) throw new Error(`unknown kind "${kind}"`);
  return k;
}

const CANCEL_VALUE: Record<string, string> = { TaskRun: 'TaskRunCancelled', PipelineRun: 'Cancelled' };

export function createInProcessClient(backend: ClientBackend): KilnClient {
  async function apply(obj: KObject): Promise<KObject> {
    const k = kindInfo(obj.kind);
    if (!obj.metadata.name) return backend.create(k, obj);
    for (;;) {
      try {
        const cur = await backend.get(k, obj.metadata.namespace ?? 'default', obj.metadata.name);
        return await backend.update(k, { ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion } });
      } catch (e) {
        if (backend.isNotFound(e)) return backend.create(k, obj);
        if (!backend.isConflict(e)) throw e;
      }
    }
  }

  async function cancel(kind: string, namespace: string, name: string, message?: string): Promise<void> {
    const k = kindInfo(kind);
    const value = CANCEL_VALUE[k.kind];
    if (!value) throw new Error(`${k.kind} cannot be cancelled`);
    for (;;) {
      const cur = await backend.get(k, namespace, name);
      const spec = { ...(cur.spec as Record<string, unknown>), status: value, ...(message && k.kind === 'TaskRun' ? { statusMessage: message } : {}) };
      try {
        await backend.update(k, { ...cur, spec });
        return;
      } catch (e) {
        if (!backend.isConflict(e)) throw e;
      }
    }
  }

  return {
    apply,
    // async: an unknown kind rejects the promise rather than throwing at the call
    create: async (obj) => backend.create(kindInfo(obj.kind), obj),
    get: async (kind, ns, name) => backend.get(kindInfo(kind), ns, name),
    list: async (kind, ns, sel) => backend.list(kindInfo(kind), ns, sel),
    watch: (kind, ns, sel) => backend.watch(kindInfo(kind), ns, sel),
    delete: async (kind, ns, name) => backend.delete(kindInfo(kind), ns, name),
    cancel,
    logs: (ns, tr, opts = {}) => backend.logs(ns, tr, opts),
    notices: async () => backend.notices(),
    executor: backend.executor,
    close: () => backend.close(),
  };
}

export type { ClientWatchEvent };
