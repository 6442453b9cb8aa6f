/**
 * The sync engine: Argo CD's sync semantics as pure functions. The engine decides, the controller acts.
 *
 * Starting an operation (manual sync, rollback, or automated):
 * - `shouldAutoSync(...)` says whether an automated sync starts now (once per revision + source, self-heal
 *   after `selfHealTimeoutMs` re-syncing only the OutOfSync resources, the allowEmpty guard) and gives its
 *   `operation`; `rollbackOperation(...)` gives a rollback's operation, refused while automated.
 * - `startOperation(operation, now, {revision, source})` is the initial `status.operationState` (Running).
 *
 * Each reconcile of a Running operation:
 * 1. Observe: render the desired manifests at the operation's revision, list the live objects (those with the
 *    app's tracking annotation/label, plus the live counterpart of every desired object, read fresh — not from a
 *    cache older than the last recorded outcomes), diff them (gitops/diff: Synced/OutOfSync per resource key
 *    `group/kind/namespace/name`), and, with CreateNamespace=true, read the destination namespace.
 * 2. `planSync({appName, namespace, revision, startedAt: state.startedAt, desired, live, syncStatus,
 *    syncOptions, operation: state.operation.sync, ...})` → the tasks in Argo CD's order: phase (PreSync, Sync,
 *    PostSync, SyncFail), wave, kind, name; prunes in reverse wave order (PruneLast after the last wave);
 *    hooks named from generateName, with the hook finalizer; targets carry the namespace and tracking id.
 *    The plan is the same for the same observation, so nothing but `operationState` needs to be stored.
 * 3. `advance(plan, state, {now, pruneConfirmed: pruneConfirmed(app annotations, state.startedAt), healthOptions})` → a `Step`: `state` to persist, `batches` of
 *    actions (`apply` with options and dry-run flag, `prune`, `delete` of hooks, `removeFinalizer`), and either
 *    `done` (Succeeded/Failed — the message names each failed resource and why) or `requeueAfterMs` (waiting
 *    for a wave's resources to be healthy, hooks to finish, deletions, or a prune confirmation).
 * 4. Perform the batches in order (a batch's actions may run in parallel); stop after a batch with a failure.
 *    Report each action as an `Outcome {id, ok, message, notFound}`.
 * 5. `recordOutcomes(step, outcomes, now)` → the state to persist (results per resource, and the phase when the
 *    namespace creation or the dry run failed, or when the last wave ran without failure).
 * 6. When the phase is Failed/Error: `onOperationFailed(state, now)` either schedules a retry (Running again,
 *    retryCount+1; wait `retryWaitMs`, then `restartForRetry`) or leaves it failed. When Succeeded:
 *    `recordsHistory(state)` → `appendHistory(history, state, now, revisionHistoryLimit)`.
 *
 * `terminate(plan, state, now)` ends a running operation (running hooks deleted). When the Application is
 * deleted with the resources finalizer, `planDeletion({live, finalizers, self, confirmed})` says which objects to
 * delete next (highest wave first), what to wait for, and when the finalizer can go.
 */
export { advance, type AdvanceOptions } from './advance.ts';
export { CONFIRM_POLL_MS, POLL_MS, WAVE_DELAY_MS, type Action, type ObjectRef, type Outcome, type ResultRef, type Step } from './actions.ts';
export {
  ANN_COMPARE_OPTIONS, ANN_HOOK, ANN_HOOK_DELETE_POLICY, ANN_SYNC_OPTIONS, ANN_SYNC_WAVE, HOOK_FINALIZER,
  annotationCSV, deletePoliciesOf, hasAnnotationOption, hasOption, hookTypes, isHook, isSkipped, optionValue, syncPhasesOf, waveOf,
} from './annotations.ts';
export { alreadyAttempted, DEFAULT_SELF_HEAL_TIMEOUT_MS, shouldAutoSync, type AutomatedPolicy, type AutoSyncDecision, type AutoSyncInput } from './auto.ts';
export {
  appendHistory, DEFAULT_REVISION_HISTORY_LIMIT, recordsHistory, rollbackOperation, startOperation, terminate, type RollbackRequest,
} from './operation.ts';
export {
  ANN_DELETION_APPROVED, applyOptionsOf, ignoresExtraneous, propagationPolicy, pruneConfirmed, pruneDisabled, pruneLast, pruneNeedsConfirm, resourceOptionValue,
} from './options.ts';
export { planDeletion, RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND, type DeletionInput, type DeletionPlan } from './deletion.ts';
export { compareTasks, KIND_ORDER, kindRank, sortTasks } from './order.ts';
export { hookName, planSync, type DesiredManifest, type InvalidTask, type PlanInput, type SyncPlan } from './plan.ts';
export { recordOutcomes } from './record.ts';
export { applyMergePatch, mergePatch, respectIgnoreDifferences } from './respect.ts';
export { isTerminal, label, resultKey } from './results.ts';
export {
  AUTOMATED_RETRY_LIMIT, DEFAULT_BACKOFF, onOperationFailed, parseBackoffDuration, restartForRetry, retryDelay, retryStrategyFor, retryWaitMs, shouldRetry,
} from './retry.ts';
export {
  DEFAULT_TRACKING_LABEL, TRACKING_ANNOTATION, defaultClusterScoped, identityOf, isTrackedBy, keyOf, trackingApp, trackingId, withTracking,
  type Identity, type TrackingMethod,
} from './tracking.ts';
export * from './types.ts';
