// shouldAutoSync: whether an automated sync starts now, as Argo CD's controller (autoSync) decides it: only
// when OutOfSync, once per (revision + source), self-heal re-syncing drift after a timeout, never pruning
// everything unless allowEmpty.
import { AUTOMATED_RETRY_LIMIT } from './retry.ts';
import type { OperationState, RetryStrategy, Source, SyncOperation, SyncOperationResource } from './types.ts';

export interface AutomatedPolicy {
  /** nil = on */
  enabled?: boolean;
  prune?: boolean;
  selfHeal?: boolean;
  allowEmpty?: boolean;
}

export interface AutoSyncInput {
  /** spec.syncPolicy.automated (absent = manual sync only) */
  automated?: AutomatedPolicy | null;
  /** spec.syncPolicy.syncOptions, copied into the operation */
  syncOptions?: string[];
  /** spec.syncPolicy.retry (default for automated syncs: limit 5) */
  retry?: RetryStrategy;
  /** `.operation` is set (another operation is requested or running) */
  operationInProgress: boolean;
  /** metadata.deletionTimestamp is set */
  deleting?: boolean;
  /** status.sync.status of this comparison */
  syncStatus: 'Synced' | 'OutOfSync' | 'Unknown';
  /** status.resources of this comparison */
  resources: readonly { group?: string; kind: string; namespace?: string; name: string; status: string; requiresPruning?: boolean }[];
  /** the revision(s) this comparison resolved */
  revision: string;
  revisions?: string[];
  /** spec.source / spec.sources */
  source?: Source;
  sources?: Source[];
  /** status.operationState (the last operation) */
  lastOperation?: OperationState;
  /** the comparison resolved a new revision or manifests (Argo CD's revisionUpdated); default true */
  revisionUpdated?: boolean;
  now: string;
  /** default 5 s (--self-heal-timeout-seconds) */
  selfHealTimeoutMs?: number;
}

export type AutoSyncDecision =
  | { sync: true; operation: SyncOperation; selfHeal: boolean; message: string }
  | { sync: false; reason: string; condition?: { type: 'SyncError'; message: string }; requeueAfterMs?: number };

export const DEFAULT_SELF_HEAL_TIMEOUT_MS = 5000;

/** JSON with sorted keys, so equal objects compare equal whatever their key order. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function withoutRevision(s: Source | undefined): Source {
  const c = { ...(s ?? {}) };
  delete c.targetRevision;
  return c;
}

/** Whether the last operation synced this revision with this source (targetRevision aside: HEAD vs main is no change). */
export function alreadyAttempted(input: AutoSyncInput): { attempted: boolean; phase?: OperationState['phase'] } {
  const op = input.lastOperation;
  const res = op?.syncResult;
  if (!op || !op.operation?.sync || !res) return { attempted: false };
  const multi = !!input.sources?.length;
  if (input.revisionUpdated !== false) {
    if (multi ? stable(res.revisions ?? []) !== stable(input.revisions ?? []) : res.revision !== input.revision) return { attempted: false };
  }
  const same = multi
    ? stable((input.sources ?? []).map(withoutRevision)) === stable((res.sources ?? []).map(withoutRevision))
    : stable(withoutRevision(input.source)) === stable(withoutRevision(res.source));
  return same ? { attempted: true, phase: op.phase } : { attempted: false };
}

/** Decides whether to start an automated sync now, and with which operation. Pure. */
export function shouldAutoSync(input: AutoSyncInput): AutoSyncDecision {
  const auto = input.automated;
  if (!auto || auto.enabled === false) return { sync: false, reason: 'automated sync is not enabled' };
  if (input.operationInProgress) return { sync: false, reason: 'another operation is in progress' };
  if (input.deleting) return { sync: false, reason: 'deletion in progress' };
  if (input.syncStatus !== 'OutOfSync') return { sync: false, reason: `application status is ${input.syncStatus}` };
  if (!auto.prune && input.resources.every((r) => r.status === 'Synced' || r.requiresPruning)) {
    return { sync: false, reason: 'need to prune extra resources only but automated prune is disabled' };
  }
  const target = input.sources?.length ? (input.revisions ?? []).join(', ') : input.revision;
  const { attempted, phase } = alreadyAttempted(input);
  const succeeded = phase === 'Succeeded';
  let resources: SyncOperationResource[] | undefined;
  if (attempted && (!auto.selfHeal || !succeeded)) {
    if (!succeeded) {
      const message = `Failed sync attempt to ${target}: ${input.lastOperation?.message ?? ''}`;
      return { sync: false, reason: `failed previous sync attempt to ${target}`, condition: { type: 'SyncError', message } };
    }
    return { sync: false, reason: `most recent sync already to ${target}` };
  }
  if (attempted && auto.selfHeal) {
    const timeout = input.selfHealTimeoutMs ?? DEFAULT_SELF_HEAL_TIMEOUT_MS;
    const finished = input.lastOperation?.finishedAt;
    const wait = finished ? Date.parse(finished) + timeout - Date.parse(input.now) : timeout;
    if (wait > 0) return { sync: false, reason: `already attempted sync to ${target}; self-heal in ${wait} ms`, requeueAfterMs: wait };
    resources = input.resources
      .filter((r) => r.status !== 'Synced')
      .map((r) => ({ group: r.group ?? '', kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) }));
  }
  if (auto.prune && !auto.allowEmpty && input.resources.every((r) => r.requiresPruning)) {
    const message = `Skipping sync attempt to ${target}: auto-sync will wipe out all resources`;
    return { sync: false, reason: message, condition: { type: 'SyncError', message } };
  }
  const sync: SyncOperation['sync'] = { revision: input.revision, prune: !!auto.prune };
  if (input.syncOptions?.length) sync.syncOptions = [...input.syncOptions];
  if (input.revisions?.length) sync.revisions = [...input.revisions];
  if (resources?.length) sync.resources = resources;
  return {
    sync: true,
    selfHeal: !!resources,
    operation: { sync, initiatedBy: { automated: true }, retry: input.retry ?? { limit: AUTOMATED_RETRY_LIMIT } },
    message: `Initiated automated sync to '${target}'`,
  };
}
