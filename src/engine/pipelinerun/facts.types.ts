// The contract between the PipelineRun controller and the pure "facts" engine.
// The controller gathers everything the engine needs (resolved specs, observed children, the
// clock), calls `decide()`, then performs the actions and writes the status it returns.
//
// Children are TaskRuns, and (pipelines in pipelines, Tekton §11) PipelineRuns: a PipelineTask
// with `pipelineRef`/`pipelineSpec` runs a child PipelineRun, named and labelled like a child
// TaskRun and owned by the run. Observed children carry their `kind` (absent = TaskRun); child
// PipelineRuns to create come in their own list (`createPipelineRuns`), and a cancel decision for
// a child PipelineRun says which `spec.status` to set.
import type { PipelineRun, PipelineRunSpec, PipelineRunStatus } from '../../api/pipelinerun.types.ts';
import type { PipelineSpec } from '../../api/pipeline.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { TaskRunSpec, TaskRunStatus } from '../../api/taskrun.types.ts';
import type { ObjectMeta } from '../../api/meta.ts';

/** The kinds of children a PipelineRun has. */
export type ChildKind = 'TaskRun' | 'PipelineRun';

/** What the engine reads of a child's metadata. */
export type ChildMeta = Pick<ObjectMeta, 'name' | 'labels' | 'annotations'>;

/** A child TaskRun as the controller observed it in the store. */
export interface ObservedTaskRun {
  /** absent means TaskRun */
  kind?: 'TaskRun';
  metadata: ChildMeta;
  spec: TaskRunSpec;
  status?: TaskRunStatus;
}

/** A child PipelineRun (a PipelineTask running a Pipeline) as the controller observed it. */
export interface ObservedPipelineRun {
  kind: 'PipelineRun';
  metadata: ChildMeta;
  spec: PipelineRunSpec;
  status?: PipelineRunStatus;
}

/** A child of the run: a TaskRun, or a PipelineRun. */
export type ObservedChild = ObservedTaskRun | ObservedPipelineRun;

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
  /** every TaskRun and PipelineRun owned by this PipelineRun */
  children: readonly ObservedChild[];
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

/**
 * A child PipelineRun to create (a PipelineTask with `pipelineRef`/`pipelineSpec`): named
 * `<pipelinerun>-<task>` and labelled like a child TaskRun. The controller adds ownerReferences
 * (controller: true) and namespace; the same PipelineRun controller then reconciles it.
 */
export interface PipelineRunToCreate {
  name: string;
  pipelineTask: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `pipelineRef` (same namespace) or `pipelineSpec`, params, workspaces, taskRunTemplate */
  spec: PipelineRunSpec;
}

/** A running child TaskRun to cancel (spec.status = TaskRunCancelled with this statusMessage). */
export interface TaskRunToCancel {
  /** absent means TaskRun */
  kind?: 'TaskRun';
  name: string;
  statusMessage: string;
}

/** The `spec.status` values that stop a child PipelineRun, weakest first. */
export type PipelineRunStopStatus = 'StoppedRunFinally' | 'CancelledRunFinally' | 'Cancelled';

/**
 * A running child PipelineRun to stop: set its `spec.status` to `specStatus` (`Cancelled`, or the
 * graceful variant the parent itself was asked for) and record `statusMessage` in its
 * {@link CANCEL_MESSAGE_ANNOTATION} annotation (a PipelineRun has no `spec.statusMessage`).
 */
export interface PipelineRunToCancel {
  kind: 'PipelineRun';
  name: string;
  statusMessage: string;
  specStatus: PipelineRunStopStatus;
}

/** A child to cancel: a TaskRun, or a PipelineRun. */
export type ChildToCancel = TaskRunToCancel | PipelineRunToCancel;

/** The annotation carrying why a child PipelineRun was cancelled (TaskRun's `spec.statusMessage`). */
export const CANCEL_MESSAGE_ANNOTATION = 'kiln.dev/cancelMessage';

/**
 * The annotation of a child PipelineRun listing the referenced Pipelines it is nested in,
 * outermost first, comma-separated: a PipelineTask referencing one of them would nest forever,
 * so the run fails instead of creating it.
 */
export const PIPELINE_CHAIN_ANNOTATION = 'kiln.dev/pipelineChain';

export interface Decisions {
  create: TaskRunToCreate[];
  /** child PipelineRuns to create (pipelines in pipelines); absent when none */
  createPipelineRuns?: PipelineRunToCreate[];
  cancel: ChildToCancel[];
  /** the complete next status (the controller writes it if it differs) */
  status: PipelineRunStatus;
  /** when the next timeout would fire, in ms from now (the controller requeues then) */
  requeueAfterMs?: number;
  /** child TaskRuns whose failure is ignored (PipelineTask onError: continue): set their reason to FailureIgnored */
  ignoreFailures?: string[];
}
