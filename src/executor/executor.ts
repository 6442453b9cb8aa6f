// The Executor interface: runs one resolved TaskRun attempt (its steps and sidecars).
// Controllers build an ExecutionPlan with every variable already substituted (except step results,
// which exist only at run time: see `beforeStep`), start it, and read snapshots back.

/** Where a volume's content comes from. The executor allocates and cleans up what it creates. */
export type VolumeSource =
  /** a fresh empty directory private to this attempt */
  | { type: 'emptyDir' }
  /** an existing host directory (created if missing); `kiln run -w name=DIR` */
  /**
   * `within`: the directory (links resolved, configured by the operator) `path` was admitted
   * beneath; then `path` is opened from there following no link, as anything a step could change
   */
  | { type: 'hostDir'; path: string; within?: string }
  /** a named persistent directory kept by the executor between runs (a PVC stand-in) */
  | { type: 'claim'; claimName: string; namespace: string }
  /** files materialised from a ConfigMap or Secret (relative path → content) */
  /** `ref`: the ConfigMap or Secret they came from (an executor that mounts it by name, as a Pod does, needs it) */
  | { type: 'files'; files: Record<string, string | Uint8Array>; mode?: number; ref?: FilesRef };

/**
 * The ConfigMap or Secret a `files` source was read from, as a Pod volume names it; or the sources of
 * a projected volume as written (configMap, secret, serviceAccountToken, downwardAPI, … — an
 * executor that reads files itself sees only the ConfigMaps' and Secrets')
 */
export type FilesRef =
  | { kind: 'ConfigMap' | 'Secret'; name: string; items?: Array<{ key: string; path: string; mode?: number }>; optional?: boolean }
  | { kind: 'Projected'; sources: ReadonlyArray<Record<string, unknown>> };

export interface PlanVolume { name: string; source: VolumeSource }

export interface PlanMount {
  volume: string;
  /** absolute path where the step sees it, e.g. /workspace/source */
  mountPath: string;
  /** a sub-directory of the volume (created if missing) */
  subPath?: string;
  readOnly?: boolean;
}

export interface EnvPair { name: string; value: string }

export interface PlanProbe {
  /** exec command run until it exits 0 */
  command: string[];
  initialDelayMs?: number;
  periodMs?: number;
  timeoutMs?: number;
  failureThreshold?: number;
}

/** One step or sidecar, fully resolved. */
export interface PlanContainer {
  /** status name: the step's name, or `unnamed-<i>` */
  name: string;
  /** `step-<name>` / `sidecar-<name>` */
  containerName: string;
  image: string;
  /** explicit command; empty with no script ⇒ the image's ENTRYPOINT/CMD (executor's table) */
  command?: string[];
  args?: string[];
  /** script body: gets `#!/bin/sh\nset -e\n` when it has no shebang */
  script?: string;
  workingDir?: string;
  env: EnvPair[];
  mounts: PlanMount[];
  timeoutMs?: number;
  onError?: 'continue' | 'stopAndFail';
  /** alpha stdoutConfig/stderrConfig: also tee output to these in-sandbox paths */
  stdoutPath?: string;
  stderrPath?: string;
  /** step results declared (names): read from /tekton/steps/step-<name>/results/<r> */
  results?: string[];
  readinessProbe?: PlanProbe;
  startupProbe?: PlanProbe;
  /** securityContext runAsUser/runAsGroup/runAsNonRoot (the container's over the podTemplate's) */
  runAs?: RunAs;
  /** computeResources.limits as written (Kubernetes quantities: cpu "500m", memory "64Mi"); honoured by container executors */
  limits?: { cpu?: string; memory?: string };
  /** securityContext.privileged, already admitted by the host policy (a container executor also checks its own allowance) */
  privileged?: boolean;
  /** securityContext.capabilities as written (names as given); honoured by the podman executor under `--step-capabilities kubernetes` */
  capabilities?: { add?: string[]; drop?: string[] };
  /** imagePullPolicy (container executors; default IfNotPresent) */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

/** Who a container asks to run as; an executor that cannot give exactly this says how it differs. */
export interface RunAs { uid?: number; gid?: number; nonRoot?: boolean }

/** What a step sees of earlier steps when it is about to start. */
export interface StepContext {
  /** results of earlier steps: step name → result name → raw text */
  stepResults: Record<string, Record<string, string>>;
  /** artifacts earlier steps wrote to $(step.artifacts.path): step name → the file's JSON text */
  stepArtifacts?: Record<string, string>;
}

/** `beforeStep` may rewrite the step (runtime substitution of step results) or skip it. */
export type BeforeStep = (index: number, step: PlanContainer, ctx: StepContext) =>
  | { step: PlanContainer }
  | { skip: string };

export interface ExecutionPlan {
  /** unique per attempt, stable across reconciles: `<namespace>/<taskrun>/<attempt>` */
  id: string;
  namespace: string;
  taskRunName: string;
  /** the TaskRun's uid: keeps the files of different runs that share a name apart */
  taskRunUid?: string;
  steps: PlanContainer[];
  sidecars: PlanContainer[];
  volumes: PlanVolume[];
  /** declared task result names (read from /tekton/results/<name>) */
  results: string[];
  /** whole-attempt timeout; steps are killed when it expires */
  timeoutMs?: number;
  beforeStep?: BeforeStep;
  /** names of the steps with `when` expressions (beforeStep evaluates them as each starts) */
  stepWhen?: string[];
  /**
   * names of the steps whose `beforeStep` reads the context (earlier steps' results or artifacts:
   * a `$(steps.…)` reference, or a `when` on one). When set, an executor may call `beforeStep` for
   * every other step before the first one starts, with an empty context (a Pod written up front
   * does); unset, any step's may read it
   */
  beforeStepReads?: string[];
  /**
   * values of the Secrets the attempt reads: the executor masks them (see mask.ts: their lines,
   * JSON and base64 forms too) as `***` in the logs as they are written and in the step/task
   * results and artifacts it reports
   */
  secrets?: string[];
  /**
   * registry credentials for pulling the images (container executors): a docker config JSON
   * (`{"auths": {…}}`) merged from the imagePullSecrets of the run's ServiceAccount and podTemplate
   */
  registryAuth?: string;
  /**
   * the files Tekton's creds-init makes of the ServiceAccount's Secrets: path relative to the
   * credentials directory (`.gitconfig`, `.git-credentials`, `.ssh/config`, `.ssh/id_<secret>`,
   * `.docker/config.json`, …) → content. The executor writes each (0600, never through a link) to
   * /tekton/creds and to /tekton/home before the first container starts, and removes them when the
   * attempt ends; a `/tekton/creds/` in a content names where steps see that directory
   */
  credentials?: Record<string, string>;
  /** workspace files kiln reads once the last step has ended (JUnit reports), never through a link */
  reportFiles?: PlanReportFiles[];
}

/**
 * Files beneath a volume (a workspace's, at its subPath) matching `pattern`: `/`-separated, `*` and
 * `?` within a name, one `**` component for any directories. Matches are shown as `mountPath/<match>`.
 */
export interface PlanReportFiles {
  volume: string;
  subPath?: string;
  pattern: string;
  mountPath: string;
}

/** A report file as read: its text (masked like results), or why it was not read. */
export interface ReportFile {
  /** where the steps saw it, e.g. /workspace/source/reports/unit.xml */
  path: string;
  text?: string;
  error?: string;
}

export type StepPhase = 'waiting' | 'running' | 'terminated';

export interface ContainerSnapshot {
  name: string;
  containerName: string;
  phase: StepPhase;
  exitCode?: number;
  /** Completed | Error | Continued | Skipped | TimeoutExceeded | Cancelled */
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  /** host path of this container's log file (stdout and stderr, in order) */
  logFile: string;
  /** step results written (raw text) */
  results?: Record<string, string>;
  ready?: boolean;
}

export type ExecutionOutcome =
  | { status: 'succeeded' }
  /** a step failed; `step` names it */
  | { status: 'failed'; reason: 'StepFailed' | 'SidecarFailed' | 'PodCreationFailed' | 'ImagePullFailed'; message: string; step?: string }
  | { status: 'timeout'; message: string }
  | { status: 'cancelled'; message: string };

export interface ExecutionSnapshot {
  id: string;
  startedAt?: string;
  finishedAt?: string;
  steps: ContainerSnapshot[];
  sidecars: ContainerSnapshot[];
  /** task results (raw text), once the last step has finished */
  results?: Record<string, string>;
  /** what the steps wrote to $(artifacts.path) (JSON text), once the last step has finished */
  artifacts?: string;
  /** the files of `plan.reportFiles`, once the last step has finished */
  reportFiles?: ReportFile[];
  /** set once the attempt is over */
  outcome?: ExecutionOutcome;
  /** host directory holding this attempt's logs */
  logDir: string;
}

export interface ExecutionHandle {
  readonly id: string;
  snapshot(): ExecutionSnapshot;
  /** stop the attempt: kills the running step's process group; idempotent */
  cancel(kind: 'cancelled' | 'timeout', message: string): void;
  /** resolves when every process of the attempt has exited */
  readonly done: Promise<ExecutionSnapshot>;
}

/** Something the plan needs that this executor cannot provide here. */
export interface Unsupported { what: string; why: string }

export interface Executor {
  readonly name: string;
  /** what in the plan cannot run here (tools missing, no mount namespace for fixed paths, …) */
  check(plan: ExecutionPlan): Unsupported[];
  /** starts the attempt; `onChange` is called after every state change (step start/end, readiness, outcome) */
  start(plan: ExecutionPlan, onChange: () => void): ExecutionHandle;
  /** the attempt with this id, if this executor instance is running or ran it */
  get(id: string): ExecutionHandle | undefined;
  /** one-line notes to show the user once (e.g. "bwrap not found: …") */
  notices(): string[];
  /** why steps would run uncontained here (the host writable to them), or undefined when they are contained */
  uncontained?(): string | undefined;
  /**
   * removes what attempt `id` (namespace/taskRun/attempt) of an executor that is gone may have left
   * running elsewhere — on Kubernetes its Pod, which a replica that died cannot delete — before the
   * attempt is marked lost and retried; executors whose attempts die with their process have none
   */
  abandon?(id: string, taskRunName: string): Promise<void>;
  /** drops a finished attempt from memory once its outcome is recorded (its files stay) */
  forget?(id: string): void;
  /** removes every file kept for a TaskRun (its attempts and logs), once the run itself is pruned */
  removeRun?(namespace: string, taskRunName: string, uid: string): Promise<void>;
  /** resolves once every attempt started so far has ended (graceful shutdown waits on it) */
  drain?(): Promise<void>;
  close(): Promise<void>;
}
