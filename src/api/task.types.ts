// Task and StepAction (task_types.go, stepaction_types.go).
import type { Typed } from './meta.ts';
import type { ParamSpec, StepResult, TaskResult } from './param.types.ts';
import type { Sidecar, Step, StepTemplate, EnvVar } from './container.types.ts';
import type { Volume, VolumeMount, WorkspaceDeclaration } from './workspace.types.ts';

export interface TaskSpec {
  params?: ParamSpec[];
  displayName?: string;
  description?: string;
  steps: Step[];
  volumes?: Volume[];
  stepTemplate?: StepTemplate;
  sidecars?: Sidecar[];
  workspaces?: WorkspaceDeclaration[];
  results?: TaskResult[];
}

export type Task = Typed<TaskSpec>;

export interface StepActionSpec {
  description?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  script?: string;
  workingDir?: string;
  params?: ParamSpec[];
  results?: StepResult[];
  securityContext?: unknown;
  volumeMounts?: VolumeMount[];
}

export type StepAction = Typed<StepActionSpec>;
