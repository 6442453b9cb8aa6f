// The contract between the PipelineRun controller and the pure "facts" engine.
// The controller gathers everything the engine needs (resolved specs, observed child TaskRuns,
// the clock), calls `decide()`, then performs the actions and writes the status it returns.
import type { PipelineRun, PipelineRunStatus } from '../../api/pipelinerun.types.ts';
import type { PipelineSpec } from '../../api/pipeline.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { TaskRunSpec, TaskRunStatus } from '../../api/taskrun.types.ts';
import type { ObjectMeta } from '../../api/meta.ts';

/** A child TaskRun as the controller observed it in the store. */
export interface ObservedTaskRun {
  metadata: Pick<ObjectMeta, 'name' | 'labels' | 'annotations'>;
  spec: TaskRunSpec;
  status?: TaskRunStatus;
}

export interface FactsInput {
  /** the PipelineRun (metadata.name/namespace/uid, spec, and its current status) */
  pipelineRun: PipelineRun;
  /** the Pipeline spec to run: inline `pipelineSpec` or the referenced Pipeline's, defaults applied */
  pipelineSpec: PipelineSpec;
  /** `$(context.pipeline.name)`: the referenced Pipeline's name, or the PipelineRun's for inline */
  pipelineName: string;
  /**
   * TaskSpecs of referenced Tasks, by Task name (as found in the store, defaults applied); a name
   * absent from the map does not exist. Inline taskSpecs are read from the pipeline spec.
   */
  tasks: ReadonlyMap<string, TaskSpec>;
  /** every TaskRun owned by this PipelineRun */
  children: readonly ObservedTaskRun[];
  /** now, in ms since the epoch */
  now: number;
  /** ISO form of `now` (for timestamps written to status) */
  nowIso: string;
}

/** A TaskRun to create. The controller adds ownerReferences and namespace. */
export interface TaskRunToCreate {
  /** `<pipelinerun>-<task>` or `<pipelinerun>-<task>-<i>` for matrix combinations (hashed past 63 chars) */
  name: string;
  pipelineTask: string;
  /** matrix combination index, when fanned out */
  matrixIndex?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: TaskRunSpec;
}

/** A running child TaskRun to cancel (spec.status = TaskRunCancelled with this statusMessage). */
export interface TaskRunToCancel { name: string; statusMessage: string }

export interface Decisions {
  create: TaskRunToCreate[];
  cancel: TaskRunToCancel[];
  /** the complete next status (the controller writes it if it differs) */
  status: PipelineRunStatus;
  /** when the next timeout would fire, in ms from now (the controller requeues then) */
  requeueAfterMs?: number;
  /** child TaskRuns whose failure is ignored (PipelineTask onError: continue): set their reason to FailureIgnored */
  ignoreFailures?: string[];
}
