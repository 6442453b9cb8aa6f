// The order tasks run in, as gitops-engine sorts them: phase, wave, kind (Helm's install order, other kinds
// last), name; then Namespaces move ahead of the first object inside them and CRDs ahead of their first
// custom resource (taking that object's phase and wave).
import type { SyncPhase, SyncTask } from './types.ts';

const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

/** Helm's kind order (releaseutil.InstallOrder), which Argo CD uses inside a wave. */
export const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding',
  'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod',
  'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob',
  'IngressClass', 'Ingress', 'APIService',
] as const;

const KIND_RANK = new Map<string, number>(KIND_ORDER.map((k, i) => [k, i - KIND_ORDER.length]));

/** Rank of a kind inside a wave: listed kinds negative in Helm's order, any other kind 0 (last). */
export function kindRank(kind: string): number {
  return KIND_RANK.get(kind) ?? 0;
}

/** Compares two tasks by phase, wave, kind, name (gitops-engine syncTasks.Less). */
export function compareTasks(a: SyncTask, b: SyncTask): number {
  return (
    PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] ||
    a.wave - b.wave ||
    kindRank(a.kind) - kindRank(b.kind) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function crdGroupKind(t: SyncTask): string | undefined {
  if (!t.target || t.kind !== 'CustomResourceDefinition' || t.group !== 'apiextensions.k8s.io') return undefined;
  const spec = t.target.spec as Record<string, unknown> | undefined;
  const names = spec?.names as Record<string, unknown> | undefined;
  const group = str(spec?.group), kind = str(names?.kind);
  return group && kind ? `${group}/${kind}` : undefined;
}

/**
 * Moves each dependency (isDep gives its key) ahead of the first task that refers to it (refOf), taking that
 * task's phase and wave, as gitops-engine's adjustDeps does. Only tasks with a target take part.
 */
function adjustDeps(tasks: SyncTask[], isDep: (t: SyncTask) => string | undefined, refOf: (t: SyncTask) => string | undefined): void {
  const firstRef = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i];
    if (!t.target) continue;
    const dep = isDep(t);
    if (dep !== undefined) {
      const index = firstRef.get(dep);
      if (index === undefined) continue;
      t.wave = tasks[index].wave;
      t.phase = tasks[index].phase;
      t.key = `${t.resourceKey}:${t.phase}`;
      tasks.splice(i, 1);
      tasks.splice(index, 0, t);
      for (const [k, v] of firstRef) if (v >= index) firstRef.set(k, v + 1);
    } else {
      const ref = refOf(t);
      if (ref !== undefined && !firstRef.has(ref)) firstRef.set(ref, i);
    }
  }
}

/** Sorts tasks in place in the order they run. */
export function sortTasks(tasks: SyncTask[]): SyncTask[] {
  tasks.sort(compareTasks);
  adjustDeps(tasks, (t) => (t.kind === 'Namespace' && t.group === '' ? t.name : undefined), (t) => t.namespace || undefined);
  adjustDeps(tasks, crdGroupKind, (t) => `${t.group}/${t.kind}`);
  return tasks;
}
