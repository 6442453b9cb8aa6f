// The few API-server defaults Argo CD's diff re-applies to both sides for built-in kinds (it runs
// Kubernetes' scheme defaulting), so that a field the diff removes reads as its default.
import { isObj, type JObj } from './json.ts';

const REPLICAS = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/ReplicaSet', '/ReplicationController']);

function groupKind(o: JObj): string {
  const av = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  const i = av.indexOf('/');
  return `${i < 0 ? '' : av.slice(0, i)}/${String(o.kind)}`;
}

/** In place: spec.replicas defaults to 1 on workloads that have it. */
export function applySchemeDefaults(o: JObj): void {
  if (REPLICAS.has(groupKind(o)) && isObj(o.spec) && o.spec.replicas === undefined) o.spec.replicas = 1;
}
