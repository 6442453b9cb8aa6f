// PipelineRun (pipelinerun_types.go) and its status.
import type { Condition, Typed } from './meta.ts';
import type { Param, ParamValue } from './param.types.ts';
import type { PipelineRef, PipelineSpec } from './pipeline.types.ts';
import type { WhenExpression } from './when.types.ts';
import type { WorkspaceBinding } from './workspace.types.ts';

export interface TimeoutFields { pipeline?: string; tasks?: string; finally?: string }

export interface PipelineTaskRunTemplate {
  podTemplate?: Record<string, unknown>;
  serviceAccountName?: string;
}

/** Per-PipelineTask overrides for the TaskRuns a PipelineRun creates. */
export interface PipelineTaskRunSpec {
  pipelineTaskName: string;
  serviceAccountName?: string;
  podTemplate?: Record<string, unknown>;
  stepSpecs?: Array<{ name: string; computeResources?: unknown }>;
  sidecarSpecs?: Array<{ name: string; computeResources?: unknown }>;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  computeResources?: unknown;
  timeout?: string;
}

export interface PipelineRunSpec {
  pipelineRef?: PipelineRef;
  pipelineSpec?: PipelineSpec;
  params?: Param[];
  /** Cancelled | CancelledRunFinally | StoppedRunFinally | PipelineRunPending */
  status?: string;
  timeouts?: TimeoutFields;
  taskRunTemplate?: PipelineTaskRunTemplate;
  workspaces?: WorkspaceBinding[];
  taskRunSpecs?: PipelineTaskRunSpec[];
  managedBy?: string;
}

export interface ChildStatusReference {
  apiVersion?: string;
  kind?: string;
  name: string;
  displayName?: string;
  pipelineTaskName: string;
  whenExpressions?: WhenExpression[];
}

export interface SkippedTask { name: string; reason: string; whenExpressions?: WhenExpression[] }

export interface PipelineRunStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  startTime?: string;
  completionTime?: string;
  finallyStartTime?: string;
  results?: Array<{ name: string; value: ParamValue }>;
  pipelineSpec?: PipelineSpec;
  skippedTasks?: SkippedTask[];
  childReferences?: ChildStatusReference[];
  provenance?: unknown;
  spanContext?: Record<string, string>;
}

export type PipelineRun = Typed<PipelineRunSpec, PipelineRunStatus>;

/** The values PipelineRun `spec.status` accepts. */
export const PIPELINERUN_SPEC_STATUSES = ['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally', 'PipelineRunPending'] as const;
