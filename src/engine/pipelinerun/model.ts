// The shape the engine works on: every PipelineTask with its substituted spec and its children.
import type { PipelineTask } from '../../api/pipeline.types.ts';
import type { ParamValue } from '../../api/param.types.ts';
import type { Graph } from '../../dag/dag.ts';
import type { FactsInput, ObservedChild } from './facts.types.ts';
import type { Deadlines } from './timeouts.ts';
import type { RunIdentity } from './validate.ts';

/** One PipelineTask of the run. */
export interface TaskState {
  name: string;
  /** in `finally` */
  final: boolean;
  /** the PipelineTask with params, context and `workspaces.<w>.bound` substituted */
  pt: PipelineTask;
  /** its children: TaskRuns (matrix: in combination order), or one child PipelineRun */
  runs: ObservedChild[];
  /** fanned out by a matrix */
  matrixed: boolean;
}

/** Everything decided once per call, before any task is judged. */
export interface RunContext {
  input: FactsInput;
  id: RunIdentity;
  /** tasks then finally, in spec order */
  tasks: Map<string, TaskState>;
  dag: string[];
  fin: string[];
  graph: Graph;
  deadlines: Deadlines;
  /** the Pipeline's param values (run values over defaults) */
  params: ReadonlyMap<string, ParamValue>;
  /** `spec.status` when it asks for a graceful end: CancelledRunFinally or StoppedRunFinally */
  specStatus: string | undefined;
  now: number;
}
