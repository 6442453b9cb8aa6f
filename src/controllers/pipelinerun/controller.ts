// Wiring of the PipelineRun controller: reconciler + runtime loop; children wake their owner:
// child TaskRuns, and child PipelineRuns (pipelines in pipelines), which are PipelineRuns this
// same controller reconciles: a PipelineRun change wakes the PipelineRun itself (the primary
// watch) and its controlling owner PipelineRun, if any (a secondary watch on the same kind).
import { PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import type { Store } from '../../store/store.ts';
import type { Condition, KObject } from '../../api/meta.ts';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { createController } from '../../runtime/controller.ts';
import { ownerRequests, shardKeyOf } from '../../runtime/owners.ts';
import type { Shard } from '../../runtime/replicas.ts';
import { notOnlyStatus } from '../../runtime/predicates.ts';
import { createPipelineRunReconciler } from './reconciler.ts';
import type { RemoteResolution } from '../../resolution/resolver.ts';

export interface PipelineRunControllerOptions {
  store: Store;
  /** PipelineRuns reconciled at once (default 2) */
  workers?: number;
  /** a run's reconcile waits this many times the cost of its previous one (default 1; see the reconciler's `pace`) */
  pace?: number;
  now?: () => Date;
  /** resolves references through resolvers (git, http, cluster) */
  resolution?: RemoteResolution;
  /** several replicas share the work: a child PipelineRun goes with its parent's key (default: this process does all) */
  shard?: Shard;
}

function succeededStatus(obj: KObject): string | undefined {
  return (obj.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === 'Succeeded')?.status;
}

/**
 * A child's update matters to its PipelineRun when the child's outcome (Succeeded status) or its
 * spec or labels change; waiting, starting and step-by-step progress do not: the PipelineRun's
 * decisions do not depend on them, and each would cost a reconcile over every task.
 */
export function childOutcomeChanged(oldObj: KObject, newObj: KObject): boolean {
  return succeededStatus(oldObj) !== succeededStatus(newObj)
    || oldObj.metadata.generation !== newObj.metadata.generation
    || JSON.stringify(oldObj.metadata.labels) !== JSON.stringify(newObj.metadata.labels);
}

export function createPipelineRunController({ store, workers = 2, now, pace = 1, resolution, shard }: PipelineRunControllerOptions) {
  const reconciler = createPipelineRunReconciler({
    store,
    now,
    pace,
    resolution,
    cache: {
      pipelineRun: (ns, name) => controller.informer?.get(ns, name) as PipelineRun | undefined,
      taskRuns: (ns) => controller.informerFor(TASKRUN)?.list(ns) as TaskRun[] | undefined,
      pipelineRuns: (ns) => controller.informer?.list(ns) as PipelineRun[] | undefined,
    },
  });
  const toOwner = ownerRequests(PIPELINERUN, { onlyController: true });
  const controller = createController({
    name: 'pipelinerun',
    store,
    type: PIPELINERUN,
    reconciler,
    workers,
    updatePredicate: notOnlyStatus,
    shard: shard && { owns: (o) => shard.owns(shardKeyOf(o, 'PipelineRun')), onChange: (l) => shard.onChange(l) },
    watches: [
      { type: TASKRUN, mapToRequests: toOwner, updatePredicate: childOutcomeChanged },
      { type: PIPELINERUN, mapToRequests: toOwner, updatePredicate: childOutcomeChanged },
    ],
  });
  return controller;
}
