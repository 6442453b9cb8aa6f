// A destination's cache of tracked objects (Argo CD's cluster cache, narrowed to what Applications
// track): per kind, one list of the objects carrying the tracking label, then a watch that keeps it
// current. A comparison then reads memory instead of making a list per kind per Application, and
// every change seen wakes the Applications whose label value it carries (drift, prunes by others).
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Obj, ObjectRef } from './destination.ts';

/** What the cache needs of the destination's API client. */
export interface CacheApi {
  /** the kind's REST path for all namespaces (`/api/v1/configmaps`), or undefined when the API does not serve it */
  path(apiVersion: string, kind: string): Promise<string | undefined>;
  list(apiVersion: string, kind: string, labelSelector: string): Promise<{ items: Obj[]; resourceVersion: string }>;
  get(ref: ObjectRef): Promise<Obj | null>;
}

export interface TrackedCache {
  /** the objects of the kind whose tracking label is `value`; undefined when the kind cannot be listed and watched (read directly then) */
  tracked(apiVersion: string, kind: string, value: string): Promise<Obj[] | undefined>;
  /** starts caching the kind (so its changes wake) without waiting for it */
  watch(apiVersion: string, kind: string): void;
  stop(): void;
}

interface KindState {
  objects: Map<string, Obj>;
  byValue: Map<string, Set<string>>;
  resourceVersion: string;
  ready: Promise<boolean>;
  abort?: AbortController;
}

const meta = (o: Obj) => (o.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
const keyOf = (o: Obj) => `${meta(o).namespace ?? ''}/${meta(o).name ?? ''}`;
const RETRY_MS = 1000;

export function createTrackedCache(kc: KubeConfig, api: CacheApi, label: string, onChange?: (value: string) => void): TrackedCache {
  const kinds = new Map<string, KindState>();
  let stopped = false;
  const watcher = new Watch(kc);

  function put(s: KindState, o: Obj, wake = true): void {
    const k = keyOf(o);
    const old = s.objects.get(k);
    const before = old ? meta(old).labels?.[label] : undefined;
    if (before !== undefined) s.byValue.get(before)?.delete(k);
    const value = meta(o).labels?.[label];
    if (value !== undefined) {
      s.objects.set(k, o);
      let set = s.byValue.get(value);
      if (!set) s.byValue.set(value, (set = new Set()));
      set.add(k);
    } else s.objects.delete(k);
    if (!wake) return;
    if (before !== undefined) onChange?.(before);
    if (value !== undefined && value !== before) onChange?.(value);
  }

  function remove(s: KindState, o: Obj): void {
    const k = keyOf(o);
    const old = s.objects.get(k);
    if (!old) return;
    s.objects.delete(k);
    const value = meta(old).labels?.[label];
    if (value !== undefined) { s.byValue.get(value)?.delete(k); onChange?.(value); }
  }

  /** Lists the kind (Secrets a list leaves without values are read whole) into `s`, waking the values whose objects changed. */
  async function relist(s: KindState, apiVersion: string, kind: string, wake = true): Promise<void> {
    const l = await api.list(apiVersion, kind, label);
    const fresh = new Map<string, Obj>();
    for (const o of l.items) {
      const full = kind === 'Secret' && o.data === undefined
        ? await api.get({ apiVersion, kind, namespace: meta(o).namespace ?? '', name: meta(o).name ?? '' }) : o;
      if (full) fresh.set(keyOf(full), { apiVersion, kind, ...full });
    }
    for (const [k, o] of s.objects) if (!fresh.has(k)) remove(s, o);
    for (const [k, o] of fresh) if (meta(s.objects.get(k) ?? {}).resourceVersion !== meta(o).resourceVersion) put(s, o, wake);
    s.resourceVersion = l.resourceVersion;
  }

  /** Watches from the state's resourceVersion until stopped; a gone version or a failure re-lists. */
  async function run(s: KindState, apiVersion: string, kind: string, path: string): Promise<void> {
    while (!stopped) {
      let gone = false;
      const ended = await new Promise<unknown>((resolve) => {
        watcher.watch(path, { resourceVersion: s.resourceVersion, labelSelector: label, allowWatchBookmarks: true, includeSecretData: true },
          (type: string, obj: Obj) => {
            if (type === 'ERROR') { if ((obj as { code?: number }).code === 410) gone = true; return; }
            if (meta(obj).resourceVersion) s.resourceVersion = meta(obj).resourceVersion!;
            if (type === 'BOOKMARK') return;
            const o = { apiVersion, kind, ...obj };
            if (type === 'DELETED') remove(s, o); else put(s, o);
          }, resolve)
          .then((ac) => { s.abort = ac; if (stopped) ac.abort(); }, resolve);
      });
      if (stopped) return;
      const status = (ended as { statusCode?: number } | null)?.statusCode;
      // an inactivity timeout or a clean close: watch on from where it was; anything else: re-list
      const timedOut = (ended as { name?: string } | null)?.name === 'TimeoutError';
      if (!gone && status !== 410 && (ended === null || ended === undefined || timedOut)) continue;
      for (;;) {
        if (stopped) return;
        if (!gone) await new Promise((r) => setTimeout(r, RETRY_MS).unref());
        gone = false;
        try { await relist(s, apiVersion, kind); break; } catch { /* the destination is away: try again */ }
      }
    }
  }

  function start(apiVersion: string, kind: string): KindState {
    const s: KindState = { objects: new Map(), byValue: new Map(), resourceVersion: '', ready: Promise.resolve(false) };
    s.ready = (async () => {
      const path = await api.path(apiVersion, kind).catch(() => undefined);
      if (!path) return false;
      // the first list of a kind wakes nobody: every Application is compared then anyway
      try { await relist(s, apiVersion, kind, false); } catch { return false; }
      void run(s, apiVersion, kind, path);
      return true;
    })();
    return s;
  }

  function stateOf(apiVersion: string, kind: string): KindState {
    const k = `${apiVersion}/${kind}`;
    let s = kinds.get(k);
    if (!s) kinds.set(k, (s = start(apiVersion, kind)));
    return s;
  }

  return {
    watch(apiVersion, kind) {
      const s = stateOf(apiVersion, kind);
      void s.ready.then((ok) => { if (!ok && kinds.get(`${apiVersion}/${kind}`) === s) kinds.delete(`${apiVersion}/${kind}`); });
    },
    async tracked(apiVersion, kind, value) {
      const k = `${apiVersion}/${kind}`;
      const s = stateOf(apiVersion, kind);
      if (!(await s.ready)) {
        if (kinds.get(k) === s) kinds.delete(k); // not cached: a later comparison tries again
        return undefined;
      }
      return [...(s.byValue.get(value) ?? [])].map((key) => structuredClone(s.objects.get(key)!));
    },
    stop() {
      stopped = true;
      for (const s of kinds.values()) s.abort?.abort();
    },
  };
}
