// An Application's resource tree (no DOM), as Argo CD draws it: the Application's resources, and
// under each the live objects it owns (Deployment → ReplicaSet → Pod, CronJob → Job → Pod), found
// by their ownerReferences, each with its health.
import type { KObj } from './api.ts';

/** One entry of an Application's `status.resources`. */
export interface AppResource {
  group?: string; version?: string; kind: string; namespace?: string; name: string;
  status?: string; health?: { status: string; message?: string }; requiresPruning?: boolean; diff?: string; hook?: boolean;
}

export interface TreeRow {
  key: string;
  depth: number;
  kind: string;
  name: string;
  namespace?: string;
  health?: { status: string; message?: string };
  /** the Application's own resource (top level), with its sync status and diff */
  resource?: AppResource;
}

/** The kinds whose live objects are looked for under an Application's resources. */
export const CHILD_KINDS = [
  { path: '/apis/apps/v1', plural: 'replicasets', kind: 'ReplicaSet' },
  { path: '/apis/batch/v1', plural: 'jobs', kind: 'Job' },
  { path: '/api/v1', plural: 'pods', kind: 'Pod' },
] as const;

/** Whether an Application deploys to kiln's own API (whose objects the dashboard can list). */
export function deploysHere(destination: { server?: string; name?: string } | undefined): boolean {
  return destination?.server === 'https://kubernetes.default.svc' || destination?.name === 'in-cluster';
}

/** A live child's health, by Argo CD's rules for its kind (enough of them to draw the tree). */
export function childHealth(o: KObj): { status: string; message?: string } {
  const st = o.status ?? {};
  if (o.kind === 'Pod') {
    const waiting = (st.containerStatuses ?? []).map((c: any) => c.state?.waiting?.reason).find(Boolean);
    if (st.phase === 'Failed') return { status: 'Degraded', message: st.message ?? st.reason };
    if (waiting && /BackOff|Err|Invalid/.test(waiting)) return { status: 'Degraded', message: waiting };
    if (st.phase === 'Succeeded' || (st.phase === 'Running' && (st.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))) return { status: 'Healthy' };
    return { status: 'Progressing', message: waiting ?? st.phase };
  }
  if (o.kind === 'ReplicaSet') {
    const want = o.spec?.replicas ?? 1;
    return (st.readyReplicas ?? 0) >= want ? { status: 'Healthy' } : { status: 'Progressing', message: `${st.readyReplicas ?? 0}/${want} ready` };
  }
  if (o.kind === 'Job') {
    const c = (st.conditions ?? []).find((x: any) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
    return !c ? { status: 'Progressing' } : c.type === 'Complete' ? { status: 'Healthy' } : { status: 'Degraded', message: c.message };
  }
  return { status: 'Unknown' };
}

const nodeKey = (kind: string, ns: string | undefined, name: string) => `${kind}/${ns ?? ''}/${name}`;

/**
 * The rows of the tree, depth-first: each resource of the Application, then the live objects
 * owned by it (by ownerReference kind and name in its namespace), then theirs.
 */
export function resourceTree(resources: readonly AppResource[], live: readonly KObj[]): TreeRow[] {
  const children = new Map<string, KObj[]>();
  for (const o of live) {
    for (const ref of o.metadata.ownerReferences ?? []) {
      const k = nodeKey(ref.kind, o.metadata.namespace, ref.name);
      children.set(k, [...(children.get(k) ?? []), o]);
    }
  }
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  const under = (kind: string, ns: string | undefined, name: string, depth: number) => {
    const kids = [...(children.get(nodeKey(kind, ns, name)) ?? [])].sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    for (const o of kids) {
      const k = nodeKey(o.kind ?? '', o.metadata.namespace, o.metadata.name);
      if (seen.has(k)) continue;
      seen.add(k);
      rows.push({ key: k, depth, kind: o.kind ?? '', name: o.metadata.name, namespace: o.metadata.namespace, health: childHealth(o) });
      under(o.kind ?? '', o.metadata.namespace, o.metadata.name, depth + 1);
    }
  };
  for (const r of resources) {
    const k = `${r.group ?? ''}:${nodeKey(r.kind, r.namespace, r.name)}`;
    seen.add(nodeKey(r.kind, r.namespace, r.name));
    rows.push({ key: k, depth: 0, kind: r.kind, name: r.name, namespace: r.namespace, health: r.health, resource: r });
    under(r.kind, r.namespace, r.name, 1);
  }
  return rows;
}
