// store/kube: the Store over a Kubernetes API server (a real cluster, or another `kiln serve`),
// with @kubernetes/client-node's KubeConfig for the server and its credentials. Every operation is
// one REST request (get, list with selectors and pages, POST, PUT, PUT …/status, DELETE); the
// server's resourceVersions, conflicts, finalizers and garbage collection are the semantics.
//   const store = await createKubeStore({ kubeConfig: kc });  // kc: a loaded client-node KubeConfig
import type { KubeConfig } from '@kubernetes/client-node';
import { FIXED_KINDS } from '../api/generic/kinds.ts';
import type { KObject, ObjectMeta } from '../api/meta.ts';
import { SERVED_CRD_KINDS } from '../api/registry.ts';
import { createKubeHttp, type Query } from './kube-http.ts';
import { openKubeWatch } from './kube-watch.ts';
import { namespaceFor } from './objects.ts';
import type { ListPageOptions, ListResult, ResourceType, Store, Watch, WatchOptions } from './store.ts';
import { isConflict, StoreError } from './store.ts';

export interface KubeStoreOptions {
  /** the API server and credentials (client-node: `loadFromFile`, `loadFromCluster`, `loadFromOptions`) */
  kubeConfig: KubeConfig;
  /**
   * The version a kind is served under (default: the first version kiln's registry lists for
   * its group/plural — its storage version — for kiln's kinds, the built-in ones and kiln's CRDs).
   */
  versionOf?: (type: ResourceType) => string | undefined;
  /** pause before a dropped watch connection is resumed (default 1000 ms) */
  watchRetryMs?: number;
  /** how long the server keeps one watch request open before it is resumed (default 5 to 10 minutes) */
  watchTimeoutSeconds?: number;
}

/** Metadata the server assigns: never sent (a create with a resourceVersion is refused by Kubernetes). */
const SYSTEM_FIELDS = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'] as const;

/** How long the newest resourceVersion seen is a safe start for a watch from now (etcd compacts every 5 minutes). */
const RECENT_MS = 60_000;

/** How often an update without resourceVersion reads the current one and tries again. */
const OVERWRITE_ATTEMPTS = 5;

/** The version kiln's registry serves `type` under. */
export function registryVersion(type: ResourceType): string | undefined {
  const k = FIXED_KINDS.byResource(type.group, type.plural) ?? SERVED_CRD_KINDS.find((x) => x.group === type.group && x.plural === type.plural);
  return k?.versions[0];
}

/** `/api/v1[/namespaces/ns]/plural[/name][/sub]` or `/apis/group/version/…` */
export function resourcePath(type: ResourceType, version: string, namespace: string, name?: string, sub?: string): string {
  const base = type.group ? `/apis/${type.group}/${version}` : `/api/${version}`;
  const ns = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${type.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}${sub ? `/${sub}` : ''}`;
}

/** The object to send: a copy with apiVersion and kind, its namespace defaulted and the system fields left out (but `keep`). */
function outgoing<T extends KObject>(type: ResourceType, apiVersion: string, obj: T, keep: readonly string[] = []): T {
  const meta: Record<string, unknown> = { ...structuredClone(obj.metadata ?? {}) };
  for (const f of SYSTEM_FIELDS) if (!keep.includes(f)) delete meta[f];
  if (type.namespaced) meta.namespace = namespaceFor(type, obj.metadata?.namespace);
  else delete meta.namespace;
  return { ...structuredClone(obj), apiVersion: obj.apiVersion || apiVersion, kind: obj.kind || type.kind, metadata: meta as ObjectMeta };
}

/**
 * A Store over the Kubernetes API `kubeConfig` names. It reads the server's current
 * resourceVersion first (one list), so that a watch opened without one (from now) misses no change
 * made after watch() returns: such a watch starts from the newest resourceVersion this store has seen,
 * when it saw it less than a minute ago (older ones the server may have compacted away: the watch
 * then lists its kind first, for the current one).
 */
export async function createKubeStore({ kubeConfig, versionOf = registryVersion, watchRetryMs, watchTimeoutSeconds }: KubeStoreOptions): Promise<Store> {
  const http = createKubeHttp(kubeConfig);
  const watches = new Set<Watch>();
  let newest = 0;
  let newestAt = 0;
  const seen = (rv: string | undefined) => {
    const n = Number(rv);
    if (!rv || !Number.isSafeInteger(n)) return;
    if (n < newest) return; // an object's own, older version: says nothing of now
    newest = n;
    newestAt = Date.now();
  };

  function versionFor(type: ResourceType): string {
    const v = versionOf(type);
    if (!v) throw new StoreError('BadRequest', `no API version known for ${type.plural}${type.group ? `.${type.group}` : ''}: pass versionOf`);
    return v;
  }
  const apiVersionOf = (type: ResourceType, v: string) => (type.group ? `${type.group}/${v}` : v);

  /** The object the server answered, its resourceVersion noted. */
  function received<T extends KObject>(obj: unknown): T {
    seen((obj as KObject).metadata?.resourceVersion);
    return obj as T;
  }

  async function list<T extends KObject>(type: ResourceType, opts: ListPageOptions = {}): Promise<ListResult<T>> {
    const v = versionFor(type);
    const query: Query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit && opts.limit > 0 ? opts.limit : undefined, continue: opts.continue };
    const out = await http.request('GET', resourcePath(type, v, opts.namespace ?? ''), query) as { items?: T[]; metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number } };
    const meta = out.metadata ?? {};
    seen(meta.resourceVersion);
    // items of a built-in kind's list come without apiVersion and kind
    const items = (out.items ?? []).map((o) => ({ ...o, apiVersion: o.apiVersion ?? apiVersionOf(type, v), kind: o.kind ?? type.kind }));
    return {
      items,
      resourceVersion: meta.resourceVersion ?? '',
      ...(meta.continue ? { continue: meta.continue, ...(meta.remainingItemCount !== undefined ? { remainingItemCount: meta.remainingItemCount } : {}) } : {}),
    };
  }

  /**
   * PUT of the object (or its status). Without a resourceVersion it overwrites, as the Store
   * promises: custom resources refuse an unconditional update, so the current version is read and
   * sent, again when another writer came in between (a few times, then that Conflict is the answer).
   */
  async function put<T extends KObject>(type: ResourceType, obj: T, sub?: string): Promise<T> {
    const v = versionFor(type);
    const body = outgoing(type, apiVersionOf(type, v), obj, ['resourceVersion']);
    if (!body.metadata.name) throw new StoreError('Invalid', 'metadata.name: Required value: name is required');
    const path = resourcePath(type, v, body.metadata.namespace ?? '', body.metadata.name);
    const target = sub ? `${path}/${sub}` : path;
    if (body.metadata.resourceVersion) return received<T>(await http.request('PUT', target, {}, body));
    for (let attempt = 1; ; attempt++) {
      const current = received<KObject>(await http.request('GET', path));
      try {
        return received<T>(await http.request('PUT', target, {}, { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } }));
      } catch (e) {
        if (!isConflict(e) || attempt >= OVERWRITE_ATTEMPTS) throw e;
      }
    }
  }

  const store: Store = {
    async get<T extends KObject>(type: ResourceType, namespace: string, name: string): Promise<T> {
      return received<T>(await http.request('GET', resourcePath(type, versionFor(type), namespaceFor(type, namespace), name)));
    },
    list,
    async create<T extends KObject>(type: ResourceType, obj: T): Promise<T> {
      const v = versionFor(type);
      const body = outgoing(type, apiVersionOf(type, v), obj);
      return received<T>(await http.request('POST', resourcePath(type, v, body.metadata.namespace ?? ''), {}, body));
    },
    update: (type, obj) => put(type, obj),
    updateStatus: (type, obj) => put(type, obj, 'status'),
    async delete(type: ResourceType, namespace: string, name: string): Promise<void> {
      const path = resourcePath(type, versionFor(type), namespaceFor(type, namespace), name);
      const out = await http.request('DELETE', path, {}, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
      seen((out as KObject | undefined)?.metadata?.resourceVersion);
    },
    watch(type: ResourceType, opts: WatchOptions = {}): Watch {
      const v = versionFor(type);
      const path = resourcePath(type, v, opts.namespace ?? '');
      const recent = newest && Date.now() - newestAt < RECENT_MS ? String(newest) : undefined;
      const from = async () => opts.resourceVersion || recent || (await list(type, { ...opts, limit: 1 })).resourceVersion;
      const w: Watch = openKubeWatch({
        http, path, query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }, from,
        apiVersion: apiVersionOf(type, v), kind: type.kind, seen, ended: () => watches.delete(w), retryMs: watchRetryMs, timeoutSeconds: watchTimeoutSeconds,
      });
      watches.add(w);
      return w;
    },
    async close() {
      for (const w of [...watches]) w.stop();
      await http.close();
    },
  };
  // the server's current resourceVersion (any list gives it); a server that refuses the list is
  // still usable: watches from now then list their own kind first
  await list({ group: '', plural: 'namespaces', kind: 'Namespace', namespaced: false }, { limit: 1 }).catch(() => undefined);
  return store;
}
