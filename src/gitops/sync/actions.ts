// What the engine asks the controller to do, and what a step of the operation looks like.
import type { ApplyOptions, Obj, OperationState, ResourceResult } from './types.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects */
  namespace: string;
  name: string;
}

/** Which result an action's outcome is recorded into. */
export type ResultRef = Omit<ResourceResult, 'status' | 'message' | 'hookPhase'>;

interface ActionBase {
  /** unique within a step; outcomes name it */
  id: number;
  /** order inside its batch: groups run one after the other, the actions of one group may run in parallel */
  group: number;
  /** the task's key (`group/kind/namespace/name:phase`) */
  task: string;
  result: ResultRef;
}

/**
 * - `apply`: create or update `object` (kubectl apply semantics; `options` say server-side apply, replace,
 *   force, validate); `dryRun` = validate only (client-side, as Argo CD). `stage` is `namespace`
 *   (CreateNamespace), `preflight` (the dry run of every task before the first wave: when the server does not
 *   know the kind yet and `options.skipDryRunOnMissingResource` is set, report it ok without calling the API)
 *   or `sync`.
 * - `prune`: delete a live object no longer desired, with the propagation policy.
 * - `delete`: delete a hook (BeforeHookCreation before re-creating it, HookSucceeded/HookFailed after the
 *   operation, Terminate when the operation is terminated). A NotFound answer counts as success.
 * - `removeFinalizer`: drop `argocd.argoproj.io/hook-finalizer` from a completed hook.
 */
export type Action =
  | (ActionBase & { type: 'apply'; object: Obj; dryRun: boolean; options: ApplyOptions; stage: 'namespace' | 'preflight' | 'sync'; /** file:line of its manifest */ origin?: string })
  | (ActionBase & { type: 'prune'; ref: ObjectRef; propagationPolicy: 'foreground' | 'background' | 'orphan' })
  | (ActionBase & { type: 'delete'; ref: ObjectRef; reason: 'BeforeHookCreation' | 'HookSucceeded' | 'HookFailed' | 'Terminate' })
  | (ActionBase & { type: 'removeFinalizer'; ref: ObjectRef; finalizer: string });

/** The controller's report of one action. */
export interface Outcome {
  id: number;
  ok: boolean;
  /** the API's answer (e.g. "configmap/x created", or the error) */
  message?: string;
  /** a delete that found nothing: counts as done */
  notFound?: boolean;
}

/** One step of an operation. */
export interface Step {
  /** the state to persist now (before the actions run) */
  state: OperationState;
  /**
   * Run in order. Inside a batch, actions run by ascending `group` (one group after the other, a group's
   * actions possibly in parallel) and a failure does not stop the batch; a batch with a failure stops the
   * batches after it.
   */
  batches: Action[][];
  /** the state's phase/message once every action of the step succeeded (the last wave of a sync) */
  onSuccess?: { phase: 'Succeeded'; message: string };
  /** the operation is over (Succeeded, Failed or Error) */
  done: boolean;
  /** call advance again after this long (waiting for health, hooks, deletions or a wave's delay) */
  requeueAfterMs?: number;
}

/** gitops-engine waits 2 s between waves (ARGOCD_SYNC_WAVE_DELAY). */
export const WAVE_DELAY_MS = 2000;
/** How soon to look again while waiting for health, hooks or deletions. */
export const POLL_MS = 1000;
/** How soon to look again while a prune awaits the user's confirmation. */
export const CONFIRM_POLL_MS = 10_000;
