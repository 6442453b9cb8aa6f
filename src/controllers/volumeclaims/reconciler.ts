// The PersistentVolumeClaim reconciler: kiln is the claims' provisioner. A claim's storage is a
// directory the executor creates on first use (<data dir>/claims/<namespace>/<name>); this
// reconciler binds every claim (status Bound, with the finalizer that keeps a deleted claim
// until its directory is removed) and, once a claim is deleted (by kubectl, or with the run that
// owns it), removes the directory — after the TaskRuns still running on it have ended, as
// Kubernetes keeps a claim a pod uses — and then lets the claim go.
import type { PersistentVolumeClaim } from '../../api/core.types.ts';
import type { Condition } from '../../api/meta.ts';
import { PVC, TASKRUN } from '../../api/registry.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import type { Store } from '../../store/store.ts';
import { isConflict, orUndefined } from '../../store/store.ts';
import { templateClaim } from '../taskrun/plan.ts';
import { boundStatus, CLAIM_FINALIZER } from './claims.ts';

/** Where claims keep their data: what the reconciler removes when a claim is gone. */
export interface ClaimStorage {
  /** removes the claim's directory and everything in it; nothing there is fine */
  remove(namespace: string, name: string): Promise<void>;
}

export interface ClaimReconcilerOptions {
  store: Store;
  storage: ClaimStorage;
  /** how long a deleted claim that running TaskRuns still use waits before it is looked at again (ms, default 1000) */
  inUseRetryMs?: number;
}

export interface Request { namespace: string; name: string }

function isDone(tr: TaskRun): boolean {
  const c = (tr.status?.conditions as Condition[] | undefined)?.find((x) => x.type === 'Succeeded');
  return !!c && c.status !== 'Unknown';
}

/** Whether a TaskRun (not finished) binds the claim `name`, by name or through its own template. */
export function usesClaim(tr: TaskRun, name: string): boolean {
  if (isDone(tr)) return false;
  return (tr.spec.workspaces ?? []).some((b) => b.persistentVolumeClaim?.claimName === name || (!!b.volumeClaimTemplate && templateClaim(b, tr) === name));
}

export function createClaimReconciler({ store, storage, inUseRetryMs = 1000 }: ClaimReconcilerOptions) {
  /** Applies `change` to the claim, retrying on conflicts; a vanished claim (or no change) is fine. */
  async function patch(req: Request, change: (c: PersistentVolumeClaim) => PersistentVolumeClaim | undefined, status = false): Promise<void> {
    for (;;) {
      const cur = await orUndefined(store.get<PersistentVolumeClaim>(PVC, req.namespace, req.name));
      const next = cur && change(cur);
      if (!next) return;
      try {
        await (status ? store.updateStatus(PVC, next) : store.update(PVC, next));
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  async function inUse(req: Request): Promise<boolean> {
    const { items } = await store.list<TaskRun>(TASKRUN, { namespace: req.namespace });
    return items.some((tr) => usesClaim(tr, req.name));
  }

  /** A deleted claim: its directory goes once no running TaskRun uses it, then our finalizer. */
  async function release(req: Request, claim: PersistentVolumeClaim): Promise<{ requeueAfter: number } | void> {
    if (!claim.metadata.finalizers?.includes(CLAIM_FINALIZER)) return;
    if (await inUse(req)) return { requeueAfter: inUseRetryMs };
    await storage.remove(req.namespace, req.name);
    await patch(req, (c) => (c.metadata.finalizers?.includes(CLAIM_FINALIZER)
      ? { ...c, metadata: { ...c.metadata, finalizers: c.metadata.finalizers.filter((f) => f !== CLAIM_FINALIZER) } }
      : undefined));
  }

  /** A live claim: held by our finalizer, and Bound. */
  async function bind(req: Request, claim: PersistentVolumeClaim): Promise<void> {
    if (!claim.metadata.finalizers?.includes(CLAIM_FINALIZER)) {
      await patch(req, (c) => (c.metadata.deletionTimestamp || c.metadata.finalizers?.includes(CLAIM_FINALIZER)
        ? undefined
        : { ...c, metadata: { ...c.metadata, finalizers: [...(c.metadata.finalizers ?? []), CLAIM_FINALIZER] } }));
    }
    if ((claim.status as { phase?: string } | undefined)?.phase !== 'Bound') {
      await patch(req, (c) => ((c.status as { phase?: string } | undefined)?.phase === 'Bound' ? undefined : { ...c, status: { ...(c.status as object | undefined), ...boundStatus(c.spec) } }), true);
    }
  }

  async function reconcile(req: Request): Promise<{ requeueAfter?: number } | void> {
    const claim = await orUndefined(store.get<PersistentVolumeClaim>(PVC, req.namespace, req.name));
    // gone without our finalizer (deleted before kiln held it): its directory goes all the same
    if (!claim) return storage.remove(req.namespace, req.name);
    if (claim.metadata.deletionTimestamp) return release(req, claim);
    return bind(req, claim);
  }

  return { reconcile };
}
