// planDeletion: the cascade delete of an Application's resources (finalizer
// `resources-finalizer.argocd.argoproj.io`), as Argo CD's finalizeApplicationDeletion does it: wait while any
// object is terminating, then delete the objects of the highest sync wave, and repeat until none is left.
import type { ObjectRef } from './actions.ts';
import { ANN_SYNC_OPTIONS, annotationCSV, isHook, waveOf } from './annotations.ts';
import { identityOf } from './tracking.ts';
import type { Obj } from './types.ts';

export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
export const RESOURCES_FINALIZER_BACKGROUND = 'resources-finalizer.argocd.argoproj.io/background';

export interface DeletionInput {
  /** the app's live objects (those tracked by it), as observed now */
  live: readonly Obj[];
  /** the Application's metadata.finalizers: the background variant deletes with background propagation */
  finalizers?: readonly unknown[];
  /** the Application itself (an app that manages itself is not deleted by its own cascade) */
  self?: { group?: string; kind: string; namespace?: string; name: string };
  /** `Delete=confirm` objects may go (the Application's deletion-approved annotation) */
  confirmed?: boolean;
}

export interface DeletionPlan {
  /** objects to delete now (all of the highest wave left) */
  deletes: ObjectRef[];
  propagationPolicy: 'foreground' | 'background';
  /** objects still terminating: wait before the next wave */
  terminating: ObjectRef[];
  /** `Delete=false`: left in place */
  kept: ObjectRef[];
  /** `Delete=confirm` while not confirmed: nothing is deleted until the user confirms */
  awaitingConfirmation: ObjectRef[];
  /** nothing left to delete: the finalizer can be removed */
  done: boolean;
}

function refOf(o: Obj): ObjectRef {
  const id = identityOf(o);
  return { apiVersion: String(o.apiVersion ?? ''), kind: id.kind, namespace: id.namespace, name: id.name };
}

function deleteOption(o: Obj): string | undefined {
  return annotationCSV(o, ANN_SYNC_OPTIONS).find((v) => v.startsWith('Delete='))?.slice('Delete='.length);
}

/** The next step of an app's cascade delete. CRDs, hooks and the app itself are never deleted by it. */
export function planDeletion(input: DeletionInput): DeletionPlan {
  const propagationPolicy = input.finalizers?.includes(RESOURCES_FINALIZER_BACKGROUND) ? 'background' : 'foreground';
  const self = input.self;
  const candidates = input.live.filter((o) => {
    const id = identityOf(o);
    if (id.kind === 'CustomResourceDefinition' && id.group === 'apiextensions.k8s.io') return false;
    if (isHook(o)) return false;
    return !(self && id.kind === self.kind && id.group === (self.group ?? id.group) && id.name === self.name && (self.namespace ?? id.namespace) === id.namespace);
  });
  const kept = candidates.filter((o) => deleteOption(o) === 'false');
  const rest = candidates.filter((o) => deleteOption(o) !== 'false');
  const plan: DeletionPlan = { deletes: [], propagationPolicy, terminating: [], kept: kept.map(refOf), awaitingConfirmation: [], done: rest.length === 0 };
  plan.terminating = rest.filter((o) => (o.metadata as Obj | undefined)?.deletionTimestamp).map(refOf);
  if (plan.terminating.length || plan.done) return plan;
  if (!input.confirmed) plan.awaitingConfirmation = rest.filter((o) => deleteOption(o) === 'confirm').map(refOf);
  if (plan.awaitingConfirmation.length) return plan;
  const top = Math.max(...rest.map(waveOf));
  plan.deletes = rest.filter((o) => waveOf(o) === top).map(refOf);
  return plan;
}
