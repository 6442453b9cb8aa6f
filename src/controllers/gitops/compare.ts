// Comparing an Application: its source rendered at the resolved revision (desired), the objects
// live in its destination (those desired and those tracked by the app's label), the diff and the
// health of each — the status Argo CD shows (sync, health, resources), with kiln's per-resource diff.
import { diffResource, syncStatusOf } from '../../gitops/diff/diff.ts';
import { appHealth, healthOf, type HealthOptions } from '../../gitops/health/health.ts';
import type { JqEngine } from '../../gitops/diff/ignore.ts';
import type { Destination, Obj } from '../../gitops/cluster/destination.ts';
import { isHook } from '../../gitops/sync/index.ts';
import type { RenderedManifest } from '../../gitops/types.ts';

export const TRACKING_LABEL = 'app.kubernetes.io/instance';
const MAX_DIFF = 64 * 1024;

export interface ResourceStatus {
  group: string; version: string; kind: string; namespace?: string; name: string;
  status: 'Synced' | 'OutOfSync';
  health?: { status: string; message?: string };
  hook?: boolean;
  requiresPruning?: boolean;
  diff?: string;
}

export interface Comparison {
  desired: Array<RenderedManifest & { object: Obj }>;
  live: Obj[];
  resources: ResourceStatus[];
  syncStatus: Record<string, 'Synced' | 'OutOfSync'>;
  sync: 'Synced' | 'OutOfSync';
  health: { status: string; message?: string };
}

const meta = (o: Obj) => (o.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const groupVersion = (o: Obj) => {
  const av = String(o.apiVersion ?? '');
  return av.includes('/') ? { group: av.split('/')[0], version: av.split('/')[1] } : { group: '', version: av };
};
export const keyOfObj = (o: Obj) => `${groupVersion(o).group}/${String(o.kind)}/${meta(o).namespace ?? ''}/${meta(o).name ?? ''}`;

/** A kind an Application tracks and the namespaces its objects of that kind are in ('' for cluster-scoped ones). */
export interface TrackedKind { apiVersion: string; kind: string; namespaces: string[] }

/** The kinds of `resources` (status.resources), each once with its namespaces: where to look for what an Application tracks. */
export function kindsOf(resources: readonly Pick<ResourceStatus, 'group' | 'version' | 'kind' | 'namespace'>[]): TrackedKind[] {
  const kinds = new Map<string, { apiVersion: string; kind: string; namespaces: Set<string> }>();
  for (const r of resources) {
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    const k = kinds.get(`${apiVersion}/${r.kind}`) ?? { apiVersion, kind: r.kind, namespaces: new Set<string>() };
    k.namespaces.add(r.namespace ?? '');
    kinds.set(`${apiVersion}/${r.kind}`, k);
  }
  return [...kinds.values()].map((k) => ({ ...k, namespaces: [...k.namespaces] }));
}

/**
 * The objects of kind `k` labelled for `appName`, read from the destination now: one list per
 * namespace the app has objects of that kind in (a cluster-wide list with a label selector is a
 * scan of every object of the kind on kiln's store, and on kube-apiserver's watch cache).
 */
export async function listTracked(dest: Destination, k: TrackedKind, appName: string): Promise<Obj[]> {
  const selector = `${TRACKING_LABEL}=${appName}`;
  const namespaces = k.namespaces.includes('') || k.namespaces.length === 0 ? [undefined] : k.namespaces;
  const out: Obj[] = [];
  for (const ns of namespaces) out.push(...(await dest.list(k.apiVersion, k.kind, selector, ns)));
  return out;
}

/** Fills the destination namespace into namespaced objects that name none and adds the tracking label. */
export async function prepareDesired(manifests: readonly RenderedManifest[], appName: string, namespace: string, dest: Destination): Promise<Array<RenderedManifest & { object: Obj }>> {
  const out: Array<RenderedManifest & { object: Obj }> = [];
  for (const m of manifests) {
    const o = structuredClone(m.object) as Obj;
    const md = { ...meta(o) } as Record<string, unknown>;
    const namespaced = await dest.namespaced(String(o.apiVersion), String(o.kind));
    if (namespaced === false) delete md.namespace;
    else if (!md.namespace && namespace) md.namespace = namespace;
    if (!isHook(o)) md.labels = { ...(meta(o).labels ?? {}), [TRACKING_LABEL]: appName };
    o.metadata = md;
    out.push({ ...m, object: o });
  }
  return out;
}

/**
 * What argocd-cm adds to every comparison: Lua health checks, system-wide ignoreDifferences (and jq
 * for them); `cached`: the destination's watched cache may answer (see cluster/cache.ts), else every
 * kind is listed now.
 */
export interface CompareSettings { health?: HealthOptions; ignoreDifferences?: unknown[]; jq?: JqEngine; cached?: boolean }

/** The comparison of `desired` with the destination; `knownKinds` are kinds the app synced before (to find what to prune). */
export async function compare(appName: string, desired: Array<RenderedManifest & { object: Obj }>, dest: Destination, knownKinds: readonly TrackedKind[], ignoreDifferences: unknown[] = [], settings: CompareSettings = {}): Promise<Comparison> {
  const live = new Map<string, Obj>();
  const kinds = new Map<string, TrackedKind>();
  for (const k of [...knownKinds, ...desired.map((d) => ({ apiVersion: String(d.object.apiVersion), kind: String(d.object.kind), namespaces: [meta(d.object).namespace ?? ''] }))]) {
    const had = kinds.get(`${k.apiVersion}/${k.kind}`);
    kinds.set(`${k.apiVersion}/${k.kind}`, had ? { ...had, namespaces: [...new Set([...had.namespaces, ...k.namespaces])] } : k);
  }
  for (const k of kinds.values()) {
    if (!settings.cached) dest.watch?.(k.apiVersion, k.kind); // read directly now, and have its changes wake the app from now on
    const tracked = settings.cached && dest.tracked ? await dest.tracked(k.apiVersion, k.kind, appName) : undefined;
    for (const o of tracked ?? await listTracked(dest, k, appName)) live.set(keyOfObj(o), o);
  }
  for (const d of desired) {
    const k = keyOfObj(d.object);
    const listed = live.get(k);
    // a list may leave Secrets' values out (kiln's API does, unless asked): a listed Secret is read whole
    if (listed && !(listed.kind === 'Secret' && listed.data === undefined)) continue;
    const got = await dest.get({ apiVersion: String(d.object.apiVersion), kind: String(d.object.kind), namespace: meta(d.object).namespace ?? '', name: meta(d.object).name ?? '' });
    if (got) live.set(k, got);
  }
  const resources: ResourceStatus[] = [];
  const syncStatus: Record<string, 'Synced' | 'OutOfSync'> = {};
  const desiredKeys = new Set<string>();
  for (const d of desired) {
    const k = keyOfObj(d.object);
    desiredKeys.add(k);
    const l = live.get(k) ?? null;
    const gv = groupVersion(d.object);
    const base = { group: gv.group, version: gv.version, kind: String(d.object.kind), namespace: meta(d.object).namespace, name: meta(d.object).name ?? '' };
    if (isHook(d.object)) { resources.push({ ...base, status: 'Synced', hook: true }); continue; }
    const r = diffResource(d.object as never, l as never, { ignoreDifferences: [...ignoreDifferences, ...(settings.ignoreDifferences ?? [])] as never, jq: settings.jq });
    const status = syncStatusOf(r);
    syncStatus[k] = status;
    const health = l ? healthOf(l, settings.health) : { status: 'Missing' };
    resources.push({ ...base, status, ...(health ? { health } : {}), ...(status === 'OutOfSync' && r.diff ? { diff: r.diff.length > MAX_DIFF ? r.diff.slice(0, MAX_DIFF) + '\n… (truncated)' : r.diff } : {}) });
  }
  for (const [k, l] of live) {
    if (desiredKeys.has(k) || meta(l).labels?.[TRACKING_LABEL] !== appName || isHook(l)) continue;
    const gv = groupVersion(l);
    syncStatus[k] = 'OutOfSync';
    const health = healthOf(l, settings.health);
    resources.push({ group: gv.group, version: gv.version, kind: String(l.kind), namespace: meta(l).namespace, name: meta(l).name ?? '', status: 'OutOfSync', requiresPruning: true, ...(health ? { health } : {}) });
  }
  const sync = resources.some((r) => r.status === 'OutOfSync') ? 'OutOfSync' : 'Synced';
  const health = appHealth(resources.filter((r) => !r.hook).map((r) => ({ group: r.group, kind: r.kind, namespace: r.namespace, name: r.name, live: live.get(`${r.group}/${r.kind}/${r.namespace ?? ''}/${r.name}`) })), settings.health);
  return { desired, live: [...live.values()], resources, syncStatus, sync, health };
}
