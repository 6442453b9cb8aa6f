// Everything `kiln install` applies, in the order it is applied (and `kiln manifests` prints it):
// CRDs first (a kind must exist before anything of it), then the namespace, the identity and
// rights, the data volume, the Services and last the Deployment (its Pods need all of the rest).
// Uninstalling walks the same list backwards and keeps, unless asked, what holds users' data. Pure.
import type { KObject } from '../api/meta.ts';
import { crds } from './crds.ts';
import type { InstallOptions } from './options.ts';
import { rbac } from './rbac.ts';
import { dataClaim, deployment, namespaceOf, services } from './workloads.ts';

/** Every object of an installation, in apply order. */
export function manifests(o: InstallOptions): KObject[] {
  return [...crds(o), namespaceOf(o), ...rbac(o), dataClaim(o), ...services(o), deployment(o)];
}

export interface UninstallChoices {
  /** also delete the CRDs, and with them every Task, Pipeline, run and Application on the cluster */
  deleteCrds?: boolean;
  /** also delete the data volume (logs, credentials) and kiln's namespace */
  deleteData?: boolean;
}

export interface UninstallPlan {
  /** what is deleted, in order (the reverse of installing) */
  remove: KObject[];
  /** what is kept, and why: said to the user */
  kept: string[];
}

/** What uninstalling deletes and what it keeps. */
export function uninstallPlan(o: InstallOptions, c: UninstallChoices = {}): UninstallPlan {
  const kept: string[] = [];
  const remove = manifests(o).reverse().filter((obj) => {
    if (obj.kind === 'CustomResourceDefinition') return !!c.deleteCrds;
    if (obj.kind === 'Namespace' || obj.kind === 'PersistentVolumeClaim') return !!c.deleteData;
    return true;
  });
  if (!c.deleteCrds) {
    kept.push(`the ${crds(o).length} CustomResourceDefinitions, and so every Task, Pipeline, TaskRun, PipelineRun, trigger${o.gitops ? ' and Application' : ''} on the cluster (--delete-crds removes them all)`);
  }
  if (!c.deleteData) {
    kept.push(`namespace ${o.namespace} and its volume ${dataClaim(o).metadata.name}: step logs, the API's credentials and tokens (--delete-data removes them)`);
  }
  return { remove, kept };
}

/** `kind/name` (`namespace/kind/name` for namespaced objects): how objects are named to the user. */
export function describeObject(obj: KObject): string {
  const group = obj.apiVersion.includes('/') ? `.${obj.apiVersion.split('/')[0]}` : '';
  const ref = `${obj.kind.toLowerCase()}${group}/${obj.metadata.name}`;
  return obj.metadata.namespace ? `${ref} -n ${obj.metadata.namespace}` : ref;
}
