// Wiring of the PipelineRun controller: reconciler + runtime loop; children wake their owner:
// child TaskRuns, and child PipelineRuns (pipelines in pipelines), which are PipelineRuns this
// same controller reconciles: a PipelineRun change wakes the PipelineRun itself (the primary
// watch) and its controlling owner PipelineRun, if any (a secondary watch on the same kind).
import { PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import type { Store } from '../../store/store.ts';
import { createController } from '../../runtime/controller.ts';
import { ownerRequests } from '../../runtime/owners.ts';
import { createPipelineRunReconciler } from './reconciler.ts';

export interface PipelineRunControllerOptions {
  store: Store;
  /** PipelineRuns reconciled at once (default 2) */
  workers?: number;
  now?: () => Date;
}

export function createPipelineRunController({ store, workers = 2, now }: PipelineRunControllerOptions) {
  const reconciler = createPipelineRunReconciler({ store, now });
  const toOwner = ownerRequests(PIPELINERUN, { onlyController: true });
  return createController({
    name: 'pipelinerun',
    store,
    type: PIPELINERUN,
    reconciler,
    workers,
    watches: [
      { type: TASKRUN, mapToRequests: toOwner },
      { type: PIPELINERUN, mapToRequests: toOwner },
    ],
  });
}
