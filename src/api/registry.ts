// The kinds kiln runs, with their API groups and plurals (KINDS); what else the API server serves
// (workload kinds stored as they are, CRDs) is in generic/.
import type { KObject } from './meta.ts';
import { groupOf } from './meta.ts';
import { RESOLUTION_REQUEST } from './resolutionrequest.ts';

export interface KindInfo {
  group: string;
  /** versions accepted on input; the first is the storage version */
  versions: readonly string[];
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  /** subresources served (kiln's own kinds: decided by server/paths.ts when absent) */
  subresources?: readonly string[];
  /** stored as written: only metadata is checked (and a CRD's schema, in `schemas`) */
  generic?: boolean;
  /** `kubectl get <category>` names (CRDs' names.categories; `all` for workload kinds) */
  categories?: readonly string[];
  /** the columns of `kubectl get` (a CRD's additionalPrinterColumns), after Name */
  columns?: readonly PrinterColumn[];
  /** a CRD's openAPIV3Schema per version (absent: free-form) */
  schemas?: Readonly<Record<string, unknown>>;
}

/** One of a CRD's additionalPrinterColumns. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

export const KINDS: readonly KindInfo[] = [
  { group: 'tekton.dev', versions: ['v1', 'v1beta1'], kind: 'Task', plural: 'tasks', singular: 'task', shortNames: ['t'], namespaced: true },
  { group: 'tekton.dev', versions: ['v1', 'v1beta1'], kind: 'TaskRun', plural: 'taskruns', singular: 'taskrun', shortNames: ['tr'], namespaced: true },
  { group: 'tekton.dev', versions: ['v1', 'v1beta1'], kind: 'Pipeline', plural: 'pipelines', singular: 'pipeline', shortNames: ['p'], namespaced: true },
  { group: 'tekton.dev', versions: ['v1', 'v1beta1'], kind: 'PipelineRun', plural: 'pipelineruns', singular: 'pipelinerun', shortNames: ['pr'], namespaced: true },
  { group: 'tekton.dev', versions: ['v1beta1', 'v1alpha1'], kind: 'StepAction', plural: 'stepactions', singular: 'stepaction', shortNames: [], namespaced: true },
  { group: '', versions: ['v1'], kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], namespaced: true },
  { group: '', versions: ['v1'], kind: 'Secret', plural: 'secrets', singular: 'secret', shortNames: [], namespaced: true },
  { group: '', versions: ['v1'], kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', shortNames: ['pvc'], namespaced: true },
  { group: '', versions: ['v1'], kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', shortNames: ['sa'], namespaced: true },
  { group: '', versions: ['v1'], kind: 'Namespace', plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], namespaced: false },
  { group: '', versions: ['v1'], kind: 'Event', plural: 'events', singular: 'event', shortNames: ['ev'], namespaced: true },
  { group: 'triggers.tekton.dev', versions: ['v1beta1', 'v1alpha1'], kind: 'EventListener', plural: 'eventlisteners', singular: 'eventlistener', shortNames: ['el'], namespaced: true },
  { group: 'triggers.tekton.dev', versions: ['v1beta1', 'v1alpha1'], kind: 'Trigger', plural: 'triggers', singular: 'trigger', shortNames: ['tri'], namespaced: true },
  { group: 'triggers.tekton.dev', versions: ['v1beta1', 'v1alpha1'], kind: 'TriggerBinding', plural: 'triggerbindings', singular: 'triggerbinding', shortNames: ['tb'], namespaced: true },
  { group: 'triggers.tekton.dev', versions: ['v1beta1', 'v1alpha1'], kind: 'ClusterTriggerBinding', plural: 'clustertriggerbindings', singular: 'clustertriggerbinding', shortNames: ['ctb'], namespaced: false },
  { group: 'triggers.tekton.dev', versions: ['v1beta1', 'v1alpha1'], kind: 'TriggerTemplate', plural: 'triggertemplates', singular: 'triggertemplate', shortNames: ['tt'], namespaced: true },
  { group: 'triggers.tekton.dev', versions: ['v1alpha1'], kind: 'Interceptor', plural: 'interceptors', singular: 'interceptor', shortNames: [], namespaced: true },
  { group: 'triggers.tekton.dev', versions: ['v1alpha1'], kind: 'ClusterInterceptor', plural: 'clusterinterceptors', singular: 'clusterinterceptor', shortNames: ['ci'], namespaced: false },
];

/** The API group of Tekton Triggers' kinds. */
export const TRIGGERS_GROUP = 'triggers.tekton.dev';

/**
 * Kinds `kiln serve` serves through a CustomResourceDefinition it stores itself (the CDEvents
 * outbox, controllers/cdevents/crd.ts): not in KINDS (nothing validates them, they are not
 * applied from files), but found by name so the CLI and clients can read them.
 */
export const SERVED_CRD_KINDS: readonly KindInfo[] = [
  { group: 'kiln.dev', versions: ['v1'], kind: 'CDEvent', plural: 'cdevents', singular: 'cdevent', shortNames: ['cde'], namespaced: true, generic: true, subresources: ['status'] },
  // Argo CD's kinds, from the CRDs the GitOps controller stores at start
  { group: 'argoproj.io', versions: ['v1alpha1'], kind: 'Application', plural: 'applications', singular: 'application', shortNames: ['app', 'apps'], namespaced: true, generic: true, subresources: [] },
  { group: 'argoproj.io', versions: ['v1alpha1'], kind: 'AppProject', plural: 'appprojects', singular: 'appproject', shortNames: ['appproj', 'appprojs'], namespaced: true, generic: true, subresources: [] },
  // Tekton's record of each remote resolution (src/resolution/requests.ts)
  RESOLUTION_REQUEST,
];

/** Finds a kind by its name (case-insensitive, as Tekton's `kind: task`), plural, singular or short name. */
export function findKind(name: string, group?: string): KindInfo | undefined {
  const n = name.toLowerCase();
  const match = (k: KindInfo) => (group === undefined || k.group === group) &&
    (k.kind.toLowerCase() === n || k.plural === n || k.singular === n || k.shortNames.includes(n));
  return KINDS.find(match) ?? SERVED_CRD_KINDS.find(match);
}

/** The kind of a stored object. */
export function kindOf(obj: KObject): KindInfo | undefined {
  return findKind(obj.kind, groupOf(obj.apiVersion));
}

export const TASK = findKind('Task')!;
export const TASKRUN = findKind('TaskRun')!;
export const PIPELINE = findKind('Pipeline')!;
export const PIPELINERUN = findKind('PipelineRun')!;
export const STEPACTION = findKind('StepAction')!;
export const CONFIGMAP = findKind('ConfigMap')!;
export const SECRET = findKind('Secret')!;
export const PVC = findKind('PersistentVolumeClaim')!;
export const SERVICEACCOUNT = findKind('ServiceAccount')!;
export const EVENT = findKind('Event', '')!;
export const EVENTLISTENER = findKind('EventListener')!;
export const TRIGGER = findKind('Trigger')!;
export const TRIGGERBINDING = findKind('TriggerBinding')!;
export const CLUSTERTRIGGERBINDING = findKind('ClusterTriggerBinding')!;
export const TRIGGERTEMPLATE = findKind('TriggerTemplate')!;
export const INTERCEPTOR = findKind('Interceptor')!;
export const CLUSTERINTERCEPTOR = findKind('ClusterInterceptor')!;
