// Which live objects belong to an Application (Argo CD resource tracking), resource keys, and scope.
import type { Obj } from './types.ts';

export const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
export const DEFAULT_TRACKING_LABEL = 'app.kubernetes.io/instance';

/** `annotation` (Argo CD 3.x default), `label` (app.kubernetes.io/instance), or both written, annotation read. */
export type TrackingMethod = 'annotation' | 'label' | 'annotation+label';

export interface Identity {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** group, version, kind, namespace, name of an object (missing fields read as ''). */
export function identityOf(o: Obj): Identity {
  const av = s(o.apiVersion);
  const i = av.indexOf('/');
  const meta = isObj(o.metadata) ? o.metadata : {};
  return { group: i < 0 ? '' : av.slice(0, i), version: i < 0 ? av : av.slice(i + 1), kind: s(o.kind), namespace: s(meta.namespace), name: s(meta.name) };
}

/** `group/kind/namespace/name`, gitops-engine's ResourceKey string. */
export function keyOf(id: Pick<Identity, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${id.group}/${id.kind}/${id.namespace}/${id.name}`;
}

/** Kinds that are cluster-scoped in Kubernetes (a CRD in the sync adds its own kinds). */
const CLUSTER_SCOPED = new Set([
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'networking.k8s.io/IngressClass', 'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'certificates.k8s.io/CertificateSigningRequest', 'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration', 'policy/PodSecurityPolicy',
]);

/** Whether group/kind is cluster-scoped: Kubernetes' own kinds, or a CRD among `crds` with `spec.scope: Cluster`. */
export function defaultClusterScoped(crds: readonly Obj[]): (group: string, kind: string) => boolean {
  const extra = new Set<string>();
  for (const c of crds) {
    const spec = isObj(c.spec) ? c.spec : {};
    const names = isObj(spec.names) ? spec.names : {};
    if (spec.scope === 'Cluster') extra.add(`${s(spec.group)}/${s(names.kind)}`);
  }
  return (group, kind) => CLUSTER_SCOPED.has(`${group}/${kind}`) || extra.has(`${group}/${kind}`);
}

/** Argo CD's tracking id: `<app>:<group>/<kind>:<namespace>/<name>`. */
export function trackingId(appName: string, id: Pick<Identity, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${appName}:${id.group}/${id.kind}:${id.namespace}/${id.name}`;
}

/**
 * Whether a live object is tracked by the app: with annotation tracking its tracking id names the app and the
 * object itself (a copied object carrying another object's id is not tracked); with label tracking the label
 * holds the app name.
 */
export function isTrackedBy(o: Obj, appName: string, method: TrackingMethod = 'annotation', label = DEFAULT_TRACKING_LABEL): boolean {
  const meta = isObj(o.metadata) ? o.metadata : {};
  if (method === 'label') {
    const labels = isObj(meta.labels) ? meta.labels : {};
    return labels[label] === appName;
  }
  const ann = isObj(meta.annotations) ? s(meta.annotations[TRACKING_ANNOTATION]) : '';
  if (!ann) return false;
  const id = identityOf(o);
  return ann === trackingId(appName, id) || ann === trackingId(appName, { ...id, namespace: '' });
}

/** The app a live object is tracked by (from its tracking id, or its label with label tracking), if any. */
export function trackingApp(o: Obj, method: TrackingMethod = 'annotation', label = DEFAULT_TRACKING_LABEL): string | undefined {
  const meta = isObj(o.metadata) ? o.metadata : {};
  if (method === 'label') {
    const v = isObj(meta.labels) ? s(meta.labels[label]) : '';
    return v || undefined;
  }
  const ann = isObj(meta.annotations) ? s(meta.annotations[TRACKING_ANNOTATION]) : '';
  const i = ann.indexOf(':');
  return i > 0 ? ann.slice(0, i) : undefined;
}

/** A copy of `o` carrying the app's tracking annotation and/or label. */
export function withTracking(o: Obj, appName: string, method: TrackingMethod = 'annotation', label = DEFAULT_TRACKING_LABEL): Obj {
  const meta: Obj = isObj(o.metadata) ? { ...o.metadata } : {};
  if (method !== 'label') {
    meta.annotations = { ...(isObj(meta.annotations) ? meta.annotations : {}), [TRACKING_ANNOTATION]: trackingId(appName, identityOf({ ...o, metadata: meta })) };
  }
  if (method !== 'annotation') meta.labels = { ...(isObj(meta.labels) ? meta.labels : {}), [label]: appName };
  return { ...o, metadata: meta };
}
