// Wiring of the TaskRun controller: reconciler + runtime loop.
import type { HostPolicy } from '../../api/hostpolicy.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { TASKRUN } from '../../api/registry.ts';
import type { Store } from '../../store/store.ts';
import type { Executor } from '../../executor/executor.ts';
import { createController } from '../../runtime/controller.ts';
import { shardKeyOf } from '../../runtime/owners.ts';
import type { Shard } from '../../runtime/replicas.ts';
import { keyOf } from '../../api/meta.ts';
import { notOnlyStatus } from '../../runtime/predicates.ts';
import { createTaskRunReconciler } from './reconciler.ts';
import type { RemoteResolution } from '../../resolution/resolver.ts';

export interface TaskRunControllerOptions {
  store: Store;
  executor: Executor;
  /** TaskRuns reconciled at once (each runs its steps in the background) */
  workers?: number;
  offline?: boolean;
  now?: () => Date;
  /** at most this many TaskRuns run their steps at once (default: unbounded) */
  maxRunning?: number;
  /** hostPaths and privileged containers admitted (default: neither; `kiln run` allows any hostPath) */
  hostPolicy?: HostPolicy;
  /** kiln exports traces: every step gets a TRACEPARENT */
  tracing?: boolean;
  /** resolves references through resolvers (git, http, cluster) */
  resolution?: RemoteResolution;
  /** several replicas share the work: a TaskRun goes with its PipelineRun's key (default: this process does all) */
  shard?: Shard;
}

export function createTaskRunController({ store, executor, workers = 4, offline = false, now, maxRunning, hostPolicy, resolution, tracing, shard }: TaskRunControllerOptions) {
  let enqueue: (req: { namespace: string; name: string }) => void = () => {};
  const replica = shard && { id: shard.id, owns: (run: TaskRun) => shard.owns(shardKeyOf(run, 'PipelineRun')), isLive: (r: string) => shard.isLive(r) };
  const reconciler = createTaskRunReconciler({ store, executor, offline, now, maxRunning, hostPolicy, resolution, tracing, replica, enqueue: (req) => enqueue(req) });
  // the reconciler is woken by the executor and by spec changes; its own status writes need no echo
  const controller = createController({
    name: 'taskrun', store, type: TASKRUN, reconciler, workers, updatePredicate: notOnlyStatus,
    // a replica keeps the runs it started an attempt of, whoever owns them now
    shard: shard && { owns: (o) => reconciler.holds(keyOf(o)) || shard.owns(shardKeyOf(o, 'PipelineRun')), onChange: (l) => shard.onChange(l) },
  });
  enqueue = (req) => controller.enqueue(req);
  return controller;
}
