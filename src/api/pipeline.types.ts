// Pipeline (pipeline_types.go): tasks, finally, params, workspaces, results.
import type { Typed } from './meta.ts';
import type { Param, ParamSpec, ParamType, ParamValue } from './param.types.ts';
import type { TaskSpec } from './task.types.ts';
import type { TaskRef } from './taskrun.types.ts';
import type { WhenExpression } from './when.types.ts';

/** Reference to a Pipeline: by name, or through a resolver with params. */
export interface PipelineRef {
  name?: string;
  apiVersion?: string;
  resolver?: string;
  params?: Param[];
}

/** Inline Task in a PipelineTask: a TaskSpec plus metadata, or a custom task (apiVersion/kind/spec). */
export interface EmbeddedTask extends Partial<TaskSpec> {
  apiVersion?: string;
  kind?: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

export interface IncludeParams { name?: string; params?: Param[] }
export interface Matrix { params?: Param[]; include?: IncludeParams[] }

export interface WorkspacePipelineTaskBinding {
  name: string;
  /** the Pipeline workspace bound; defaults to `name` */
  workspace?: string;
  subPath?: string;
}

export interface PipelineTask {
  name: string;
  displayName?: string;
  description?: string;
  taskRef?: TaskRef;
  taskSpec?: EmbeddedTask;
  when?: WhenExpression[];
  retries?: number;
  runAfter?: string[];
  params?: Param[];
  matrix?: Matrix;
  workspaces?: WorkspacePipelineTaskBinding[];
  timeout?: string;
  pipelineRef?: PipelineRef;
  pipelineSpec?: PipelineSpec;
  onError?: 'continue' | 'stopAndFail' | string;
}

export interface PipelineWorkspaceDeclaration { name: string; description?: string; optional?: boolean }

export interface PipelineResult {
  name: string;
  type?: ParamType;
  description?: string;
  value: ParamValue;
}

export interface PipelineSpec {
  displayName?: string;
  description?: string;
  tasks?: PipelineTask[];
  params?: ParamSpec[];
  workspaces?: PipelineWorkspaceDeclaration[];
  results?: PipelineResult[];
  finally?: PipelineTask[];
}

export type Pipeline = Typed<PipelineSpec>;
