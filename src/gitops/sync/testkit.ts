// Test support: an in-memory destination that performs a step's actions the way a controller would, and a
// loop driving an operation from start to finish through planSync → advance → actions → recordOutcomes.
import type { Action, Outcome, Step } from './actions.ts';
import { advance, type AdvanceOptions } from './advance.ts';
import { HOOK_FINALIZER } from './annotations.ts';
import { startOperation } from './operation.ts';
import { planSync, type PlanInput, type SyncPlan } from './plan.ts';
import { recordOutcomes } from './record.ts';
import { isTerminal } from './results.ts';
import { identityOf, keyOf } from './tracking.ts';
import type { Obj, OperationState, SyncOperation } from './types.ts';

function metaOf(o: Obj): Obj {
  return (o.metadata ?? {}) as Obj;
}

export class FakeCluster {
  readonly objects = new Map<string, Obj>();
  /** what was done, in order: `apply Kind/name`, `dry-run Kind/name`, `prune Kind/name`, `delete Kind/name (reason)`, `unfinalize Kind/name` */
  readonly log: string[] = [];
  /** name → error returned when applying it (for real) */
  readonly failApply = new Map<string, string>();
  /** name → error returned by its dry run */
  readonly failDryRun = new Map<string, string>();
  /** names whose deletion leaves them terminating (deletionTimestamp) until the second tick */
  readonly slowDelete = new Set<string>();
  private readonly lingering = new Set<string>();
  /** called after every step on each object: sets status like a workload controller would */
  evolve: (o: Obj) => Obj = (o) => o;

  constructor(initial: Obj[] = []) {
    for (const o of initial) this.put(o);
  }

  key(o: Obj): string {
    const id = identityOf(o);
    return keyOf({ ...id, namespace: id.kind === 'Namespace' || id.kind === 'CustomResourceDefinition' ? '' : id.namespace });
  }

  put(o: Obj): void {
    this.objects.set(this.key(o), o);
  }

  list(): Obj[] {
    return [...this.objects.values()];
  }

  find(kind: string, name: string): Obj | undefined {
    return this.list().find((o) => o.kind === kind && metaOf(o).name === name);
  }

  private refKey(a: Extract<Action, { ref: unknown }>): string {
    const g = a.ref.apiVersion.includes('/') ? a.ref.apiVersion.split('/')[0] : '';
    return keyOf({ group: g, kind: a.ref.kind, namespace: a.ref.namespace, name: a.ref.name });
  }

  private run(a: Action): Outcome {
    if (a.type === 'apply') {
      const name = String(metaOf(a.object).name);
      const fail = (a.dryRun && a.stage === 'preflight' ? this.failDryRun : this.failApply).get(name);
      this.log.push(`${a.dryRun ? 'dry-run' : 'apply'} ${a.object.kind}/${name}`);
      if (fail) return { id: a.id, ok: false, message: fail };
      if (!a.dryRun) this.put(structuredClone(a.object));
      return { id: a.id, ok: true, message: `${String(a.object.kind).toLowerCase()}/${name} ${a.dryRun ? 'configured (dry run)' : 'configured'}` };
    }
    const key = this.refKey(a);
    const o = this.objects.get(key);
    if (a.type === 'removeFinalizer') {
      this.log.push(`unfinalize ${a.ref.kind}/${a.ref.name}`);
      if (o) {
        const f = ((metaOf(o).finalizers ?? []) as string[]).filter((x) => x !== HOOK_FINALIZER);
        this.put({ ...o, metadata: { ...metaOf(o), finalizers: f } });
      }
      return { id: a.id, ok: true };
    }
    this.log.push(a.type === 'prune' ? `prune ${a.ref.kind}/${a.ref.name}` : `delete ${a.ref.kind}/${a.ref.name} (${a.reason})`);
    if (!o) return { id: a.id, ok: false, notFound: true, message: 'not found' };
    if (this.slowDelete.has(a.ref.name)) {
      this.slowDelete.delete(a.ref.name);
      this.put({ ...o, metadata: { ...metaOf(o), deletionTimestamp: '2026-01-01T00:00:00Z' } });
      this.lingering.add(key);
    } else this.objects.delete(key);
    return { id: a.id, ok: true };
  }

  /** Performs the batches in order (each whole, in group order), stopping after a batch with a failure. */
  perform(step: Step): Outcome[] {
    const out: Outcome[] = [];
    for (const batch of step.batches) {
      const got = batch.map((a) => this.run(a));
      out.push(...got);
      if (got.some((o) => !o.ok && !o.notFound)) break;
    }
    return out;
  }

  /** One tick of the world: terminating objects go away, workloads evolve. */
  tick(): void {
    for (const [k, o] of [...this.objects]) {
      if (metaOf(o).deletionTimestamp) {
        if (!this.lingering.delete(k)) this.objects.delete(k);
      }
      else this.objects.set(k, this.evolve(o));
    }
  }
}

export interface Run {
  state: OperationState;
  steps: Step[];
  plans: SyncPlan[];
}

export const T0 = '2026-03-01T10:00:00.000Z';

/** Drives an operation to its end (or `maxSteps`) against `cluster`. */
export function runOperation(
  cluster: FakeCluster,
  input: Omit<PlanInput, 'live' | 'startedAt' | 'operation'>,
  operation: SyncOperation['sync'] = {},
  opts: Partial<AdvanceOptions> & { maxSteps?: number; beforeStep?: (i: number, state: OperationState) => void } = {},
): Run {
  let state = startOperation({ sync: operation }, T0, { revision: input.revision });
  const steps: Step[] = [], plans: SyncPlan[] = [];
  for (let i = 0; i < (opts.maxSteps ?? 40); i++) {
    opts.beforeStep?.(i, state);
    const plan = planSync({ ...input, live: cluster.list(), startedAt: state.startedAt, operation, results: state.syncResult?.resources });
    const step = advance(plan, state, { now: T0, ...opts });
    plans.push(plan);
    steps.push(step);
    state = recordOutcomes(step, cluster.perform(step), T0);
    if (step.done || isTerminal(state.phase)) break;
    cluster.tick();
  }
  return { state, steps, plans };
}

/** Shorthand for an object. */
export function obj(apiVersion: string, kind: string, name: string, annotations: Record<string, string> = {}, extra: Obj = {}): Obj {
  const metadata: Obj = { name, ...(Object.keys(annotations).length ? { annotations } : {}) };
  return { apiVersion, kind, metadata, ...extra };
}
