// Wiring of the PersistentVolumeClaim controller: the claim reconciler over the runtime loop.
// Claims come from kubectl (a user's PersistentVolumeClaim) or from runs (volumeClaimTemplate
// bindings; the PipelineRun and TaskRun reconcilers create those, see claims.ts).
import { PVC } from '../../api/registry.ts';
import type { Store } from '../../store/store.ts';
import { createController } from '../../runtime/controller.ts';
import { notOnlyStatus } from '../../runtime/predicates.ts';
import { createClaimReconciler, type ClaimStorage } from './reconciler.ts';

export interface ClaimControllerOptions {
  store: Store;
  /** removes a deleted claim's directory (main.ts: the executor's claim directory) */
  storage: ClaimStorage;
  /** see ClaimReconcilerOptions.inUseRetryMs */
  inUseRetryMs?: number;
}

/** The claims controller (one worker: claims change rarely); its own status writes need no echo. */
export function createClaimController({ store, storage, inUseRetryMs }: ClaimControllerOptions) {
  const reconciler = createClaimReconciler({ store, storage, inUseRetryMs });
  return createController({ name: 'volumeclaims', store, type: PVC, reconciler, workers: 1, updatePredicate: notOnlyStatus });
}
