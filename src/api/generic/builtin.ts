// Kubernetes' common built-in kinds, which kiln's API server stores as they are (no controller acts
// on them: a Deployment creates no Pods here), so that manifests written for a cluster can be
// delivered into kiln's own API; and the CustomResourceDefinition kind that adds kinds at run time.
import type { KindInfo } from '../registry.ts';

/** `{…}` with `generic: true` and the status subresource: a kind stored as it is, status writable. */
function stored(group: string, version: string, kind: string, plural: string, shortNames: string[], opts: { namespaced?: boolean; status?: boolean; all?: boolean } = {}): KindInfo {
  const { namespaced = true, status = true, all = false } = opts;
  return {
    group, versions: [version], kind, plural, singular: kind.toLowerCase(), shortNames, namespaced, generic: true,
    subresources: status ? ['status'] : [],
    ...(all ? { categories: ['all'] } : {}),
  };
}

/** The group of CustomResourceDefinitions. */
export const APIEXTENSIONS_GROUP = 'apiextensions.k8s.io';

/** apiextensions.k8s.io/v1 CustomResourceDefinition (cluster-scoped; its status says Established). */
export const CRD_KIND: KindInfo = stored(APIEXTENSIONS_GROUP, 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', ['crd', 'crds'], { namespaced: false });

/** The built-in kinds served and stored as they are, with Kubernetes' short names and categories. */
export const GENERIC_KINDS: readonly KindInfo[] = [
  stored('apps', 'v1', 'Deployment', 'deployments', ['deploy'], { all: true }),
  stored('apps', 'v1', 'StatefulSet', 'statefulsets', ['sts'], { all: true }),
  stored('apps', 'v1', 'DaemonSet', 'daemonsets', ['ds'], { all: true }),
  stored('apps', 'v1', 'ReplicaSet', 'replicasets', ['rs'], { all: true }),
  stored('', 'v1', 'Service', 'services', ['svc'], { all: true }),
  stored('', 'v1', 'Pod', 'pods', ['po'], { all: true }),
  stored('', 'v1', 'Endpoints', 'endpoints', ['ep'], { status: false }),
  stored('batch', 'v1', 'Job', 'jobs', [], { all: true }),
  stored('batch', 'v1', 'CronJob', 'cronjobs', ['cj'], { all: true }),
  stored('networking.k8s.io', 'v1', 'Ingress', 'ingresses', ['ing']),
  stored('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', ['netpol'], { status: false }),
  stored('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', [], { status: false }),
  stored('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', [], { status: false }),
  stored('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', [], { status: false, namespaced: false }),
  stored('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', [], { status: false, namespaced: false }),
  stored('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', ['pdb']),
  stored('coordination.k8s.io', 'v1', 'Lease', 'leases', [], { status: false }),
  stored('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', ['hpa'], { all: true }),
  CRD_KIND,
];
