// The CustomResourceDefinitions kiln needs on a cluster: every kind it owns that Kubernetes does
// not have — Tekton Pipelines (tekton.dev), Tekton Triggers (triggers.tekton.dev), kiln's own
// CDEvents outbox (kiln.dev), Tekton's ResolutionRequest (resolution.tekton.dev) and, with GitOps, Argo CD's Application and AppProject — with the
// names, short names, categories, status subresource and printer columns Tekton's and Argo CD's
// own CRDs declare, so `kubectl get` reads the same on a cluster as against `kiln serve`. Pure.
import type { KObject } from '../api/meta.ts';
import type { KindInfo, PrinterColumn } from '../api/registry.ts';
import { KINDS, TRIGGERS_GROUP } from '../api/registry.ts';
import { RESOLUTION_REQUEST_CRD } from '../api/resolutionrequest.ts';
import { OUTBOX_CRD } from '../controllers/cdevents/crd.ts';
import { APPLICATION_CRD, APPPROJECT_CRD } from '../controllers/gitops/crds.ts';
import { crdSchemaOf } from './crd-schema.ts';
import { commonLabels, type InstallOptions } from './options.ts';

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const condition = (type: string, field: 'status' | 'reason') => `.status.conditions[?(@.type=="${type}")].${field}`;

/** Tekton's printer columns: runs say how they ended (`kubectl get pr` prints SUCCEEDED REASON STARTTIME COMPLETIONTIME). */
const RUN_COLUMNS: PrinterColumn[] = [
  { name: 'Succeeded', type: 'string', jsonPath: condition('Succeeded', 'status') },
  { name: 'Reason', type: 'string', jsonPath: condition('Succeeded', 'reason') },
  { name: 'StartTime', type: 'date', jsonPath: '.status.startTime' },
  { name: 'CompletionTime', type: 'date', jsonPath: '.status.completionTime' },
];

const COLUMNS: Readonly<Record<string, PrinterColumn[]>> = {
  TaskRun: RUN_COLUMNS,
  PipelineRun: RUN_COLUMNS,
  EventListener: [
    { name: 'Address', type: 'string', jsonPath: '.status.address.url' },
    { name: 'Available', type: 'string', jsonPath: condition('Available', 'status') },
    { name: 'Reason', type: 'string', jsonPath: condition('Available', 'reason') },
    { name: 'Ready', type: 'string', jsonPath: condition('Ready', 'status') },
    AGE,
  ],
};

/** Tekton's categories: `kubectl get tekton` lists everything Tekton-shaped. */
function categoriesOf(k: KindInfo): string[] {
  return k.group === TRIGGERS_GROUP ? ['tekton', 'tekton-triggers'] : ['tekton', 'tekton-pipelines'];
}

/** The kinds kiln serves itself that a cluster has no definition of (core/v1 kinds are the cluster's own). */
export const CRD_KINDS: readonly KindInfo[] = KINDS.filter((k) => k.group !== '');

/** The CRD of one of kiln's kinds: the first version is stored, every other one kiln accepts is served too. */
export function crdOf(k: KindInfo): KObject {
  const storage = k.versions[0];
  // every Tekton kind has a status subresource on a cluster (Tekton's CRDs declare it for all)
  const versions = k.versions.map((name) => ({
    name, served: true, storage: name === storage,
    schema: { openAPIV3Schema: crdSchemaOf(k.kind, name !== storage) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    subresources: { status: {} },
    additionalPrinterColumns: COLUMNS[k.kind] ?? [AGE],
  }));
  const names: Record<string, unknown> = { kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.singular, categories: categoriesOf(k) };
  if (k.shortNames.length) names.shortNames = [...k.shortNames];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${k.plural}.${k.group}`, labels: commonLabels() },
    spec: {
      group: k.group,
      names,
      scope: k.namespaced ? 'Namespaced' : 'Cluster',
      versions,
      // `None`: the cluster relabels older versions as they are. Fields only an older version has
      // (v1beta1's podTemplate, resources, …) need a conversion webhook to become their v1 form;
      // kiln has the conversion (api/convert.ts) but does not serve it as a webhook yet
      conversion: { strategy: 'None' },
    },
  };
}

/** `crd` with kiln's install labels added to its own. */
function labelled(crd: KObject): KObject {
  return { ...crd, metadata: { ...crd.metadata, labels: { ...crd.metadata.labels, ...commonLabels() } } };
}

/** Every CRD to install, in a stable order (by name). */
export function crds(o: InstallOptions): KObject[] {
  const all = [...CRD_KINDS.map(crdOf), labelled(OUTBOX_CRD), labelled(RESOLUTION_REQUEST_CRD)];
  if (o.gitops) all.push(labelled(APPLICATION_CRD), labelled(APPPROJECT_CRD));
  return all.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}
