// Argo CD's kinds as kiln serves them: argoproj.io/v1alpha1 Application and AppProject, stored from
// CustomResourceDefinitions at start (as Argo CD installs them), with its printer columns, and the
// `default` AppProject (allowing everything) in each namespace that has Applications.
import type { KObject } from '../../api/meta.ts';
import { findKind } from '../../api/registry.ts';
import type { ResourceType, Store } from '../../store/store.ts';
import { ensureCrd } from '../crds.ts';
import { APPLICATION_SCHEMA, APPPROJECT_SCHEMA } from './schema.ts';

export const APPLICATION: ResourceType = findKind('Application', 'argoproj.io')!;
export const APPPROJECT: ResourceType = findKind('AppProject', 'argoproj.io')!;

function crd(t: ResourceType, singular: string, shortNames: string[], columns: object[]): KObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${t.plural}.${t.group}`, labels: { 'app.kubernetes.io/managed-by': 'kiln', 'app.kubernetes.io/part-of': 'argocd' } },
    spec: {
      group: t.group,
      scope: 'Namespaced',
      names: { kind: t.kind, plural: t.plural, singular, shortNames, listKind: `${t.kind}List` },
      versions: [{
        name: 'v1alpha1', served: true, storage: true,
        schema: { openAPIV3Schema: t.kind === 'Application' ? APPLICATION_SCHEMA : APPPROJECT_SCHEMA },
        subresources: t.kind === 'Application' ? {} : undefined,
        additionalPrinterColumns: columns,
      }],
    },
  };
}

export const APPLICATION_CRD = crd(APPLICATION, 'application', ['app', 'apps'], [
  { name: 'Sync Status', type: 'string', jsonPath: '.status.sync.status' },
  { name: 'Health Status', type: 'string', jsonPath: '.status.health.status' },
  { name: 'Revision', type: 'string', jsonPath: '.status.sync.revision', priority: 10 },
  { name: 'Project', type: 'string', jsonPath: '.spec.project', priority: 10 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
]);
export const APPPROJECT_CRD = crd(APPPROJECT, 'appproject', ['appproj', 'appprojs'], [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
]);

/** Stores the Application and AppProject CRDs (updating an older kiln's). */
export async function ensureArgoCrds(store: Store): Promise<void> {
  await ensureCrd(store, APPLICATION_CRD);
  await ensureCrd(store, APPPROJECT_CRD);
}

/** The `default` AppProject Argo CD starts with: every source, destination and kind allowed. */
export function defaultProject(namespace: string): KObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'default', namespace },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*', name: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
  };
}
