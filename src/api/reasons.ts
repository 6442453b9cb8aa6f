// Condition reasons, as Tekton spells them (a closed set each).

export const TaskRunReason = {
  Started: 'Started',
  Running: 'Running',
  Pending: 'Pending',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  ToBeRetried: 'ToBeRetried',
  Cancelled: 'TaskRunCancelled',
  Timeout: 'TaskRunTimeout',
  ImagePullFailed: 'TaskRunImagePullFailed',
  CreateContainerConfigError: 'CreateContainerConfigError',
  PodCreationFailed: 'PodCreationFailed',
  ResultLargerThanAllowedLimit: 'TaskRunResultLargerThanAllowedLimit',
  StopSidecarFailed: 'TaskRunStopSidecarFailed',
  InvalidParamValue: 'InvalidParamValue',
  ResolutionFailed: 'TaskRunResolutionFailed',
  ValidationFailed: 'TaskRunValidationFailed',
  TaskValidationFailed: 'TaskValidationFailed',
  StepFailed: 'StepFailed',
  SidecarFailed: 'SidecarFailed',
  FailureIgnored: 'FailureIgnored',
  TaskRunPending: 'TaskRunPending',
  ResolvingTaskRef: 'ResolvingTaskRef',
  /** kiln: the run needs something this machine cannot provide (network, an image's tools, …). */
  Unsupported: 'Unsupported',
  /** kiln: the executor that ran the steps went away (process crash). */
  ExecutorLost: 'ExecutorLost',
} as const;
export type TaskRunReason = (typeof TaskRunReason)[keyof typeof TaskRunReason];

/** Step termination reasons (status.steps[].terminationReason). */
export const StepReason = {
  Completed: 'Completed',
  Error: 'Error',
  Continued: 'Continued',
  Skipped: 'Skipped',
  TimeoutExceeded: 'TimeoutExceeded',
  Cancelled: 'Cancelled',
} as const;
export type StepReason = (typeof StepReason)[keyof typeof StepReason];

export const SUCCEEDED = 'Succeeded';
