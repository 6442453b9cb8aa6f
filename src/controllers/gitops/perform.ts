// Performing a sync step's actions against a destination, as the sync engine asks: batches in order,
// inside a batch the groups one after the other (a group's actions in parallel), a failed batch
// stopping the rest; each action's outcome reported back.
import type { Destination } from '../../gitops/cluster/destination.ts';
import type { Action, Outcome, Step } from '../../gitops/sync/index.ts';

async function perform(a: Action, dest: Destination): Promise<Outcome> {
  try {
    if (a.type === 'apply') {
      const message = await dest.apply(a.object, { dryRun: a.dryRun, serverSideApply: a.options.serverSideApply, replace: a.options.replace, force: a.options.force });
      return { id: a.id, ok: true, message };
    }
    if (a.type === 'removeFinalizer') {
      const live = await dest.get(a.ref);
      if (!live) return { id: a.id, ok: true, notFound: true };
      const meta = (live.metadata ?? {}) as { finalizers?: string[] };
      const finalizers = (meta.finalizers ?? []).filter((f) => f !== a.finalizer);
      await dest.mergePatch({ apiVersion: a.ref.apiVersion, kind: a.ref.kind, metadata: { name: a.ref.name, ...(a.ref.namespace ? { namespace: a.ref.namespace } : {}), finalizers } });
      return { id: a.id, ok: true };
    }
    const found = await dest.delete(a.ref, a.type === 'prune' ? a.propagationPolicy : undefined);
    return found ? { id: a.id, ok: true, message: `${a.ref.kind.toLowerCase()}/${a.ref.name} deleted` } : { id: a.id, ok: false, notFound: true, message: 'not found' };
  } catch (e) {
    return { id: a.id, ok: false, message: (e as Error).message };
  }
}

export async function performStep(step: Step, dest: Destination): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const batch of step.batches) {
    const groups = [...new Set(batch.map((a) => a.group))].sort((x, y) => x - y);
    let failed = false;
    for (const g of groups) {
      const got = await Promise.all(batch.filter((a) => a.group === g).map((a) => perform(a, dest)));
      out.push(...got);
      if (got.some((o) => !o.ok && !o.notFound)) failed = true;
    }
    if (failed) break;
  }
  return out;
}
