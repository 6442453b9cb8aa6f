// Shapes of a sync: the tasks a plan holds, the actions the controller performs, and the parts of an
// Application's status (operationState, history) that Argo CD users read, with Argo CD's field names.

/** A Kubernetes object as stored: any JSON object with apiVersion/kind/metadata. */
export type Obj = Record<string, unknown>;

/** Sync phases, in the order they run (SyncFail only when the sync fails). */
export const SYNC_PHASES = ['PreSync', 'Sync', 'PostSync', 'SyncFail'] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];

/** Values of `argocd.argoproj.io/hook` (PreDelete/PostDelete run on app deletion, never in a sync). */
export const HOOK_TYPES = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip', 'PreDelete', 'PostDelete'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

export const HOOK_DELETE_POLICIES = ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'] as const;
export type HookDeletePolicy = (typeof HOOK_DELETE_POLICIES)[number];

/** `status.operationState.phase` (gitops-engine common.OperationPhase). */
export type OperationPhase = 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating';
/** A task's (or hook's) own phase: '' while pending. */
export type TaskPhase = '' | 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating';
/** `syncResult.resources[].status`. */
export type ResultCode = 'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped';

/** One resource's outcome in `status.operationState.syncResult.resources[]`. */
export interface ResourceResult {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  /** '' until the task was run */
  status: ResultCode | '';
  message: string;
  hookPhase: TaskPhase;
  /** set on hooks only */
  hookType?: SyncPhase;
  syncPhase: SyncPhase;
  /** prunes only: the object's own sync wave (kiln keeps it so the prune order holds once pruned objects are gone) */
  syncWave?: number;
}

/** An Application source (loose: the sync engine only compares sources, it never reads their fields). */
export type Source = Record<string, unknown>;

export interface RetryBackoff {
  /** Go duration or a number of seconds; default "5s" */
  duration?: string;
  /** default 2 */
  factor?: number;
  /** Go duration or seconds; default "3m"; 0 = no cap */
  maxDuration?: string;
}
/** `spec.syncPolicy.retry` / `operation.retry`: limit 0 = no retry, < 0 = unlimited. */
export interface RetryStrategy {
  limit?: number;
  backoff?: RetryBackoff;
  refresh?: boolean;
}

/** A resource named in a selective sync (`operation.sync.resources[]`). */
export interface SyncOperationResource {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface OperationInitiator {
  username?: string;
  automated?: boolean;
}

/** `operation` (the request) as Argo CD stores it in `.operation` and `operationState.operation`. */
export interface SyncOperation {
  sync: {
    revision?: string;
    revisions?: string[];
    prune?: boolean;
    dryRun?: boolean;
    resources?: SyncOperationResource[];
    syncOptions?: string[];
    /** `apply` runs no hooks (`argocd app sync --strategy apply`); `hook` (default) runs them */
    syncStrategy?: { apply?: { force?: boolean }; hook?: { force?: boolean } };
    source?: Source;
    sources?: Source[];
  };
  initiatedBy?: OperationInitiator;
  retry?: RetryStrategy;
  info?: { name: string; value: string }[];
}

/** `status.operationState`. */
export interface OperationState {
  operation: SyncOperation;
  phase: OperationPhase;
  message: string;
  syncResult?: {
    resources: ResourceResult[];
    revision: string;
    revisions?: string[];
    source?: Source;
    sources?: Source[];
  };
  startedAt: string;
  finishedAt?: string;
  retryCount?: number;
}

/** `status.history[]`. */
export interface RevisionHistory {
  id: number;
  revision?: string;
  revisions?: string[];
  source?: Source;
  sources?: Source[];
  deployedAt: string;
  deployStartedAt?: string;
  initiatedBy?: OperationInitiator;
}

/** How to apply one object (from the app's syncOptions and the object's sync-options annotation). */
export interface ApplyOptions {
  serverSideApply: boolean;
  replace: boolean;
  force: boolean;
  validate: boolean;
  /** the kind may not exist yet (its CRD is in this sync, or SkipDryRunOnMissingResource): skip the dry run if it is unknown */
  skipDryRunOnMissingResource: boolean;
}

/** One unit of work: apply a target (create/update), or prune a live object (target null). */
export interface SyncTask {
  /** `group/kind/namespace/name:phase`, the key of its result in syncResult */
  key: string;
  /** `group/kind/namespace/name` */
  resourceKey: string;
  phase: SyncPhase;
  /** the wave it runs in (prunes reversed, PruneLast, dependencies moved) */
  wave: number;
  /** the wave its annotations give */
  ownWave: number;
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  /** what to apply (namespace and tracking filled in); null = prune `live` */
  target: Obj | null;
  live: Obj | null;
  isHook: boolean;
  /** hooks only */
  deletePolicies: HookDeletePolicy[];
  apply?: ApplyOptions;
  /** prune tasks only */
  prune?: {
    /** why it is not deleted (recorded PruneSkipped) */
    skip?: 'ignored (requires pruning)' | 'ignored (no prune)';
    /** `Prune=confirm`: pruned only once confirmed */
    requireConfirm: boolean;
    propagationPolicy: 'foreground' | 'background' | 'orphan';
  };
  /** the diff said Synced (ApplyOutOfSyncOnly skips such tasks) */
  inSync: boolean;
  /** where the manifest came from (file:line), when the renderer told */
  origin?: string;
}
