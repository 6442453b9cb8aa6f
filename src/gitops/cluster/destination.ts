// A GitOps destination: any Kubernetes API (a real cluster, another kiln, or kiln's own API for
// `in-cluster`), reached through @kubernetes/client-node — one code path for all of them.
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject, type RequestContext } from '@kubernetes/client-node';
import { createTrackedCache } from './cache.ts';
import { toClientModel } from './wire.ts';

export type Obj = Record<string, unknown>;

export interface ObjectRef { apiVersion: string; kind: string; namespace: string; name: string }

/** How to reach a cluster: its API URL and credentials (Argo CD's cluster Secret `config`). */
export interface ClusterConfig {
  server: string;
  name?: string;
  bearerToken?: string;
  tlsClientConfig?: { caData?: string; certData?: string; keyData?: string; insecure?: boolean; serverName?: string };
}

export interface ApplyRequest {
  dryRun?: boolean; serverSideApply?: boolean; replace?: boolean; force?: boolean;
  /** who the change is recorded as (default FIELD_MANAGER) */
  fieldManager?: string;
}

export interface Destination {
  readonly server: string;
  /** whether the kind is namespaced there; undefined when the API does not know the kind */
  namespaced(apiVersion: string, kind: string): Promise<boolean | undefined>;
  get(ref: ObjectRef): Promise<Obj | null>;
  /** the objects of a kind with the labels asked, in `namespace` or (none) all namespaces */
  list(apiVersion: string, kind: string, labelSelector: string, namespace?: string): Promise<Obj[]>;
  /** creates or updates `obj` (server-side apply by default; replace / create when asked); returns the API's answer */
  apply(obj: Obj, req: ApplyRequest): Promise<string>;
  /** a JSON merge patch of `patch` (which names the object: apiVersion, kind, metadata.name/namespace) */
  mergePatch(patch: Obj): Promise<void>;
  /** deletes; false when it was not there */
  delete(ref: ObjectRef, propagationPolicy?: string): Promise<boolean>;
  /**
   * The objects of a kind labelled `label=value` from a watched cache (see cache.ts), when the
   * destination keeps one and can list and watch the kind; undefined: read them with `list`.
   */
  tracked?(apiVersion: string, kind: string, value: string): Promise<Obj[] | undefined>;
  /** starts the watched cache of a kind (its changes wake Applications) without reading it */
  watch?(apiVersion: string, kind: string): void;
  /** stops the cache's watches */
  close?(): void;
}

export interface DestinationOptions {
  /** the label whose objects `tracked` caches; none: no cache */
  trackingLabel?: string;
  /** called with the label value of every cached object that changed (after the first list of its kind) */
  onTrackedChange?: (value: string) => void;
}

/** The field manager kiln's applies are recorded under (Argo CD's name, so the diff of managed fields agrees). */
export const FIELD_MANAGER = 'argocd-controller';

class Api extends KubernetesObjectApi {
  /** (the inherited makeApiClient makes a plain KubernetesObjectApi, without `kind`) */
  static of(kc: KubeConfig): Api {
    const api = kc.makeApiClient(Api);
    api.setDefaultNamespace(kc);
    return api;
  }

  kind(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

/** A readable message of a client-node failure (the API's Status message when it sent one). */
export function apiMessage(e: unknown): string {
  if (e instanceof ApiException) {
    const body = e.body as unknown;
    const parsed = typeof body === 'string' ? safeJson(body) : body;
    const msg = (parsed as { message?: string } | undefined)?.message;
    return msg ? msg : `HTTP ${e.code}`;
  }
  return (e as Error).message ?? String(e);
}

function safeJson(s: string): unknown {
  try { return JSON.parse(s); } catch { return { message: s.slice(0, 500) }; }
}

const isNotFound = (e: unknown) => e instanceof ApiException && e.code === 404;

/**
 * client-node 2.0 makes a new connection pool (an undici Agent) for every request to a cluster with
 * TLS options (a CA, client certificates, skipTLSVerify); each keeps its connection open, so a busy
 * controller held thousands of sockets and a TCP handshake per request. This one pool is kept for
 * the life of the config: its TLS options are fixed when it is made.
 */
export class PooledKubeConfig extends KubeConfig {
  private pool: ReturnType<RequestContext['getDispatcher']>;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    if (!made) return;
    if (!this.pool) this.pool = made;
    else if (made !== this.pool) {
      void (made as { close?: () => Promise<void> }).close?.().catch(() => undefined);
      context.setDispatcher(this.pool);
    }
  }
}

export function kubeConfigOf(c: ClusterConfig): KubeConfig {
  const kc = new PooledKubeConfig();
  const tls = c.tlsClientConfig ?? {};
  kc.loadFromOptions({
    // client-node talks plain HTTP only with skipTLSVerify (there is no TLS to verify then)
    clusters: [{ name: 'dest', server: c.server, caData: tls.caData, skipTLSVerify: !!tls.insecure || c.server.startsWith('http://'), tlsServerName: tls.serverName }],
    users: [{ name: 'dest', token: c.bearerToken, certData: tls.certData, keyData: tls.keyData }],
    contexts: [{ name: 'dest', cluster: 'dest', user: 'dest' }],
    currentContext: 'dest',
  });
  return kc;
}

export function createDestination(c: ClusterConfig, opts: DestinationOptions = {}): Destination {
  return destinationOf(kubeConfigOf(c), c.server, opts);
}

/** The destination a loaded kubeconfig's current context points at (`server`: its API URL, as the destination's name). */
export function destinationOf(kc: KubeConfig, server: string, opts: DestinationOptions = {}): Destination {
  const api = Api.of(kc);
  const header = (r: ObjectRef) => ({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } });
  const cache = opts.trackingLabel ? createTrackedCache(kc, {
    async path(apiVersion, kind) {
      const r = await api.kind(apiVersion, kind);
      return r ? `${apiVersion.includes('/') ? '/apis' : '/api'}/${apiVersion}/${r.name}` : undefined;
    },
    async list(apiVersion, kind, labelSelector) {
      const l = await api.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, labelSelector);
      return { items: l.items.map((o) => o as unknown as Obj), resourceVersion: l.metadata?.resourceVersion ?? '' };
    },
    get: (ref) => dest.get(ref),
  }, opts.trackingLabel, opts.onTrackedChange) : undefined;
  const dest: Destination = {
    server,
    async namespaced(apiVersion, kind) {
      try { return (await api.kind(apiVersion, kind))?.namespaced; } catch { return undefined; }
    },
    async get(ref) {
      try { return (await api.read(header(ref))) as unknown as Obj; } catch (e) {
        if (isNotFound(e)) return null;
        throw new Error(`get ${ref.kind}/${ref.name}: ${apiMessage(e)}`);
      }
    },
    async list(apiVersion, kind, labelSelector, namespace) {
      try {
        const l = await api.list(apiVersion, kind, namespace || undefined, undefined, undefined, undefined, undefined, labelSelector);
        return l.items.map((o) => ({ apiVersion, kind, ...(o as unknown as Obj) }));
      } catch (e) {
        if (isNotFound(e)) return [];
        throw new Error(`list ${kind}: ${apiMessage(e)}`);
      }
    },
    async apply(obj, req) {
      const k = toClientModel(obj) as unknown as KubernetesObject;
      const dryRun = req.dryRun ? 'All' : undefined;
      const what = `${String(obj.kind).toLowerCase()}/${String((obj.metadata as Obj)?.name)}`;
      const manager = req.fieldManager ?? FIELD_MANAGER;
      try {
        if (req.replace) {
          const live = await this.get({ apiVersion: String(obj.apiVersion), kind: String(obj.kind), namespace: String((obj.metadata as Obj)?.namespace ?? ''), name: String((obj.metadata as Obj)?.name) });
          if (!live) { await api.create(k, undefined, dryRun, manager); return `${what} created`; }
          const meta = { ...(obj.metadata as Obj), resourceVersion: (live.metadata as Obj).resourceVersion };
          await api.replace({ ...k, metadata: meta } as KubernetesObject, undefined, dryRun, manager);
          return `${what} replaced`;
        }
        await api.patch(k, undefined, dryRun, manager, true, PatchStrategy.ServerSideApply);
        return `${what} ${req.dryRun ? 'configured (dry run)' : 'configured'}`;
      } catch (e) {
        throw new Error(apiMessage(e));
      }
    },
    async mergePatch(patch) {
      try {
        await api.patch(patch as unknown as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
      } catch (e) {
        throw new Error(apiMessage(e));
      }
    },
    async delete(ref, propagationPolicy) {
      try {
        await api.delete(header(ref), undefined, undefined, undefined, undefined, propagationPolicy ? propagationPolicy[0].toUpperCase() + propagationPolicy.slice(1) : undefined);
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw new Error(`delete ${ref.kind}/${ref.name}: ${apiMessage(e)}`);
      }
    },
    ...(cache ? {
      tracked: (apiVersion: string, kind: string, value: string) => cache.tracked(apiVersion, kind, value),
      watch: (apiVersion: string, kind: string) => cache.watch(apiVersion, kind),
      close: () => cache.stop(),
    } : {}),
  };
  return dest;
}
