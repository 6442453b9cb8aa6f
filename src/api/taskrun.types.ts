// TaskRun (taskrun_types.go) and its status.
import type { Condition, Typed } from './meta.ts';
import type { Param, ResultValue } from './param.types.ts';
import type { TaskSpec } from './task.types.ts';
import type { WorkspaceBinding } from './workspace.types.ts';

export interface TaskRef {
  name?: string;
  kind?: string;
  apiVersion?: string;
  resolver?: string;
  params?: Param[];
}

export interface TaskRunSpec {
  debug?: unknown;
  params?: Param[];
  serviceAccountName?: string;
  taskRef?: TaskRef;
  taskSpec?: TaskSpec;
  status?: 'TaskRunCancelled' | 'TaskRunPending' | string;
  statusMessage?: string;
  retries?: number;
  timeout?: string;
  podTemplate?: Record<string, unknown>;
  workspaces?: WorkspaceBinding[];
  stepSpecs?: Array<{ name: string; computeResources?: unknown }>;
  sidecarSpecs?: Array<{ name: string; computeResources?: unknown }>;
  computeResources?: unknown;
  managedBy?: string;
}

export interface ContainerStateTerminated {
  exitCode: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface StepState {
  name: string;
  container: string;
  imageID?: string;
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: ContainerStateTerminated;
  /** Tekton's reason: Completed, Error, Continued, Skipped, TimeoutExceeded, Cancelled. */
  terminationReason?: string;
  results?: ResultValue[];
}

export interface SidecarState {
  name: string;
  container: string;
  imageID?: string;
  running?: { startedAt?: string };
  terminated?: ContainerStateTerminated;
  ready?: boolean;
}

/** An artifact (alpha): a name and the values (uri, digest, …) it stands for. */
export interface Artifact { name?: string; values?: unknown[]; buildOutput?: boolean }

export interface TaskRunStatus {
  conditions?: Condition[];
  observedGeneration?: number;
  podName?: string;
  startTime?: string;
  completionTime?: string;
  steps?: StepState[];
  sidecars?: SidecarState[];
  retriesStatus?: TaskRunStatus[];
  results?: ResultValue[];
  /** alpha: what the steps wrote to $(artifacts.path) */
  artifacts?: { inputs?: Artifact[]; outputs?: Artifact[] };
  taskSpec?: TaskSpec;
  provenance?: unknown;
  /** kiln: where the step logs are kept (one file per step). */
  logDir?: string;
  /** kiln: the executor that runs the attempt: `process` (local processes) or `podman` (containers of the steps' images). */
  executor?: string;
  /** kiln: the controller replica that started the current attempt (several replicas on one store; see runtime/replicas.ts). */
  replica?: string;
  /** kiln: fields accepted but not honoured on this executor, reported once. */
  ignoredFields?: string[];
  /** kiln: the JUnit reports read from the workspace files the run declares (annotation `cdevents.kiln.dev/junit-files`) once its steps ended. */
  testReports?: TestReport[];
}

/** kiln: one JUnit report file a TaskRun's steps wrote to a declared workspace path, as read. */
export interface TestReport {
  /** where the steps saw it, e.g. `/workspace/source/reports/unit.xml` (or the declaration, when it is the declaration that is wrong) */
  path: string;
  suites?: TestSuite[];
  /** why the file (or the declaration) gave no suites */
  error?: string;
}

/** A test suite of a JUnit report. */
export interface TestSuite {
  name: string;
  timestamp?: string;
  cases: TestCase[];
}

/** A test case of a JUnit report and its outcome. */
export interface TestCase {
  name: string;
  classname?: string;
  /** seconds, when the report says */
  time?: number;
  outcome: 'success' | 'failure' | 'error' | 'skipped';
  /** the failure/error/skipped message */
  message?: string;
}

export type TaskRun = Typed<TaskRunSpec, TaskRunStatus>;
