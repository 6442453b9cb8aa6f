/**
 * The sync engine: Argo CD's sync semantics as pure functions. The engine decides, the controller acts.
 * Everything here is synchronous and deterministic (time comes in as `now`); only `operationState` (and
 * `history`) need storing — the plan is rebuilt from observation on every reconcile.
 *
 * Starting an operation (manual sync, rollback, or automated):
 * - `shouldAutoSync(input)` says whether an automated sync starts now (only when OutOfSync; once per revision +
 *   source; self-heal `selfHealTimeoutMs` after the last sync, syncing only the OutOfSync resources; never
 *   prune-only without automated prune; the allowEmpty guard) and gives the `operation` to set, or a reason
 *   and possibly a SyncError condition. `rollbackOperation(...)` gives a rollback's operation, refused while
 *   automated.
 * - `startOperation(operation, now, {revision, source})` is the initial `status.operationState` (Running).
 *
 * Each reconcile of a Running operation:
 * 1. If `retryWaitMs(state, now) > 0`, requeue after it; if it is 0 and `state.finishedAt` is set (a retry
 *    is due), `state = restartForRetry(state)`.
 * 2. Observe: the desired manifests at the operation's revision; the live objects — those carrying the app's
 *    tracking annotation/label plus the live counterpart of every desired object, read fresh (not from a cache
 *    older than the last recorded outcomes); the diff verdict per resource key `group/kind/namespace/name`
 *    (gitops/diff); with CreateNamespace=true the destination namespace.
 * 3. `plan = planSync({appName, namespace, revision, startedAt: state.startedAt, desired, live, syncStatus,
 *    syncOptions, operation: state.operation.sync, results: state.syncResult?.resources, ignoreDifferences,
 *    jq, tracking, permit})`: the tasks in Argo CD's order — phase (PreSync, Sync, PostSync, SyncFail), wave,
 *    kind (Helm's order), name; Namespaces and CRDs ahead of what needs them; prunes in reverse wave order,
 *    PruneLast after the last wave; hooks (Argo CD and Helm annotations) named from generateName, with the
 *    hook finalizer; targets with the destination namespace and the tracking id. `plan.invalid` (no name,
 *    refused by `permit`, FailOnSharedResource) fails the operation; `plan.warnings` are worth an event.
 * 4. `step = advance(plan, state, {now, pruneConfirmed: pruneConfirmed(app annotations, state.startedAt),
 *    healthOptions})`. Persist `step.state` (results that need no IO, e.g. PruneSkipped, are already in it).
 * 5. Perform `step.batches` in order — even when `step.done` (then they are hook deletions of the delete
 *    policies). Inside a batch run the actions by ascending `group` (a group's actions may run in parallel)
 *    and keep going after a failure; stop after a batch that had one. Report each performed action as an
 *    `Outcome {id, ok, message, notFound}`. Actions: `apply` (create/update with `options` — server-side
 *    apply, replace, force, validate; `dryRun` validates only; `stage` preflight/namespace/sync), `prune`
 *    (delete with a propagation policy), `delete` (a hook), `removeFinalizer` (the hook finalizer).
 * 6. `state = recordOutcomes(step, outcomes, now)` and persist it: results per resource
 *    (`syncResult.resources[]` with Argo CD's fields), and the phase when the namespace creation or the dry
 *    run failed, or when the last wave ran without failure.
 * 7. If the phase is Failed/Error: `onOperationFailed(state, now)` either schedules a retry (Running,
 *    retryCount+1, backoff from `operation.retry`) or leaves it failed. If Succeeded and
 *    `recordsHistory(state)`: `history = appendHistory(history, state, now, revisionHistoryLimit)`.
 *    Otherwise requeue after `step.requeueAfterMs` (waiting for health, hooks, deletions, a confirmation, or
 *    the 2 s between waves).
 *
 * `terminate(plan, state, now)` (or `advance` on a Terminating state) ends a running operation, deleting
 * running hooks. When the Application is deleted with the resources finalizer, `planDeletion({live,
 * finalizers, self, confirmed})` says which objects to delete next (highest wave first), what to wait for,
 * and when the finalizer can go. `testkit.ts` drives this whole loop against an in-memory destination.
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
