// Tekton's ResolutionRequest (resolution.tekton.dev/v1beta1): the record of one remote resolution,
// created in the run's namespace and owned by the run (deleted with it). kiln's resolvers fulfil
// them in process; the objects make each resolution visible (`kubectl get resolutionrequests`),
// and a run that is reconciled again (a retry, a restart) reads what was resolved from them.
import type { KObject } from './meta.ts';
import type { KindInfo, PrinterColumn } from './registry.ts';

/** The API group of remote resolution. */
export const RESOLUTION_GROUP = 'resolution.tekton.dev';

/** The label Tekton puts on every request: the resolver's type (`git`, `http`, `bundles`, …). */
export const RESOLVER_TYPE_LABEL = 'resolution.tekton.dev/type';

/** resolution.tekton.dev/v1beta1 ResolutionRequest, served through a CRD kiln stores (as CDEvent). */
export const RESOLUTION_REQUEST: KindInfo = {
  group: RESOLUTION_GROUP, versions: ['v1beta1'], kind: 'ResolutionRequest', plural: 'resolutionrequests', singular: 'resolutionrequest',
  shortNames: [], namespaced: true, generic: true, subresources: ['status'],
};

export interface ResolutionRequestSpec {
  params: Array<{ name: string; value: unknown }>;
}

export interface ResolutionRequestStatus {
  conditions?: Array<{ type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; lastTransitionTime?: string }>;
  /** the resolved content, base64 */
  data?: string;
  refSource?: { uri: string; digest: Record<string, string>; entryPoint?: string };
}

export interface ResolutionRequestObject extends KObject {
  spec: ResolutionRequestSpec;
  status?: ResolutionRequestStatus;
}

const condition = (field: string) => `.status.conditions[?(@.type=="Succeeded")].${field}`;

/** Tekton's printer columns for ResolutionRequests. */
const COLUMNS: PrinterColumn[] = [
  { name: 'OwnerKind', type: 'string', jsonPath: '.metadata.ownerReferences[0].kind' },
  { name: 'Owner', type: 'string', jsonPath: '.metadata.ownerReferences[0].name' },
  { name: 'Succeeded', type: 'string', jsonPath: condition('status') },
  { name: 'Reason', type: 'string', jsonPath: condition('reason') },
  { name: 'StartTime', type: 'string', jsonPath: '.metadata.creationTimestamp' },
  { name: 'EndTime', type: 'string', jsonPath: condition('lastTransitionTime') },
];

/** The CRD `kiln serve` stores at start so the API serves the kind (free-form, status subresource). */
export const RESOLUTION_REQUEST_CRD: KObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${RESOLUTION_REQUEST.plural}.${RESOLUTION_GROUP}`, labels: { 'app.kubernetes.io/managed-by': 'kiln' } },
  spec: {
    group: RESOLUTION_GROUP,
    scope: 'Namespaced',
    names: { kind: 'ResolutionRequest', plural: 'resolutionrequests', singular: 'resolutionrequest', listKind: 'ResolutionRequestList', categories: ['tekton', 'tekton-pipelines'] },
    versions: [{
      name: 'v1beta1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      subresources: { status: {} },
      additionalPrinterColumns: COLUMNS,
    }],
  },
};
