// Wiring of the PipelineRun controller: reconciler + runtime loop; child TaskRuns wake their owner.
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
  return createController({
    name: 'pipelinerun',
    store,
    type: PIPELINERUN,
    reconciler,
    workers,
    watches: [{ type: TASKRUN, mapToRequests: ownerRequests(PIPELINERUN, { onlyController: true }) }],
  });
}
