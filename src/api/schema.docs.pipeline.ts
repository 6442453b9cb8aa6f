// Descriptions of Tekton's Pipeline and PipelineRun fields (pipeline tasks, finally, matrix,
// timeouts, per-task run settings). Read by schema.docs.ts; the wording is kiln's own, written
// from what the fields mean in Tekton.
import type { FieldDocs } from './schema.docs.ts';
import { TASK_SPEC_DOCS } from './schema.docs.task.ts';
import type { SchemaName } from './schema.ts';

const POD_TEMPLATE = 'Pod settings (node selector, tolerations, security context, DNS, ...). Needs a cluster: ignored when steps run as local processes.';
const SERVICE_ACCOUNT = 'ServiceAccount the TaskRuns run as, whose secrets give git and registry credentials.';
const STEP_SPECS = 'Per-step settings that replace the Task\'s, by step name.';
const SIDECAR_SPECS = 'Per-sidecar settings that replace the Task\'s, by sidecar name.';
const COMPUTE = 'Compute resources for the whole TaskRun, shared by its steps. Not enforced when steps run as local processes.';

export const PIPELINE_DOCS = {
  EmbeddedMetadata: {
    labels: 'Labels added to the objects created from this definition.',
    annotations: 'Annotations added to the objects created from this definition.',
  },
  PipelineRef: {
    name: 'Name of a Pipeline in the same namespace.',
    apiVersion: 'API version of the Pipeline referred to.',
    resolver: 'Remote resolution: the resolver that fetches the Pipeline (git, bundles, hub, http or cluster), given its params instead of name.',
    params: 'Parameters for the resolver, e.g. url, revision and pathInRepo for git.',
    bundle: 'tekton.dev/v1beta1 only: an OCI image bundle holding the Pipeline; converted to the bundles resolver.',
  },
  EmbeddedTask: {
    ...TASK_SPEC_DOCS,
    apiVersion: 'For a custom task: the API version of its kind. Not set for an ordinary Task.',
    kind: 'For a custom task: its kind. Not set for an ordinary Task.',
    metadata: 'Labels and annotations added to the TaskRun of this pipeline task.',
    spec: 'For a custom task: its specification, as the custom task\'s controller expects it.',
  },
  Matrix: {
    params: 'Array parameters to fan out on: one TaskRun runs for each combination of their values, with each value given as a string parameter of the same name.',
    include: 'Extra combinations, or extra parameters added to the combinations that match.',
    'include.name': 'Name of this entry.',
    'include.params': 'Parameter values of this entry: added to every combination they do not contradict, or a new combination of their own.',
  },
  PipelineTask: {
    name: 'Name of the task within the Pipeline, used by runAfter and by $(tasks.<name>.results.<result>) references.',
    displayName: 'Human-readable name for user interfaces; may use parameters.',
    description: 'Human-readable description of what this task does in the Pipeline.',
    taskRef: 'The Task to run, by name or through a resolver (or a custom task by apiVersion and kind).',
    taskSpec: 'The Task to run, written inline.',
    when: 'Conditions that must all hold for the task to run. Otherwise it is skipped, and so are the tasks that need its results; tasks that only runAfter it still run.',
    retries: 'How many more times the task is tried after it fails.',
    runAfter: 'Names of tasks that must finish before this one starts, for an order that no result reference already implies.',
    params: 'Values for the Task\'s parameters; may use $(params.<name>) and other tasks\' results.',
    matrix: 'Fans the task out: one TaskRun for each combination of the given parameter values, run in parallel.',
    workspaces: 'Which of the Pipeline\'s workspaces the Task\'s workspaces are bound to.',
    'workspaces.name': 'Name of the workspace, as the Task declares it.',
    'workspaces.workspace': 'Name of the Pipeline workspace to bind; the same name when empty.',
    'workspaces.subPath': 'Directory inside the Pipeline workspace to give the Task instead of its root.',
    timeout: 'Longest time the task\'s TaskRun may run; it fails when exceeded.',
    pipelineRef: 'A Pipeline run as this task (pipelines in pipelines), by name or through a resolver.',
    pipelineSpec: 'A Pipeline run as this task (pipelines in pipelines), written inline.',
    onError: 'What a failure of this task does: stopAndFail (the default) fails the PipelineRun; continue goes on as if it had succeeded, but without its results.',
  },
  PipelineSpec: {
    displayName: 'Human-readable name for user interfaces.',
    description: 'Human-readable description of the Pipeline.',
    tasks: 'The tasks of the Pipeline. They form a graph through runAfter and result references: each starts as soon as those it depends on are done, independent ones in parallel.',
    params: 'Parameters the Pipeline accepts, used as $(params.<name>) by its tasks.',
    workspaces: 'Shared directories the Pipeline needs; a PipelineRun binds each to a volume, and tasks pass them on to their Tasks.',
    'workspaces.name': 'Name of the workspace.',
    'workspaces.description': 'Human-readable description of what the workspace holds.',
    'workspaces.optional': 'A PipelineRun may leave the workspace unbound.',
    results: 'Values the Pipeline produces, computed from its tasks\' results when it ends.',
    'results.name': 'Name of the result.',
    'results.type': 'string (the default), array or object.',
    'results.description': 'Human-readable description of the result.',
    'results.value': 'Expression of the value, e.g. $(tasks.build.results.digest).',
    finally: 'Tasks run once every other task has ended or the run has failed, whatever the outcome (clean-up, notifications). They may read $(tasks.<name>.status) and $(tasks.status).',
  },
  PipelineTaskRunSpec: {
    pipelineTaskName: 'Name of the pipeline task these settings apply to.',
    serviceAccountName: SERVICE_ACCOUNT,
    podTemplate: POD_TEMPLATE,
    stepSpecs: STEP_SPECS,
    sidecarSpecs: SIDECAR_SPECS,
    metadata: 'Labels and annotations added to the TaskRun of that task.',
    computeResources: COMPUTE,
    timeout: 'Longest time the TaskRun of that task may run, replacing the pipeline task\'s timeout.',
    taskServiceAccountName: 'tekton.dev/v1beta1 name of serviceAccountName; converted on input.',
    taskPodTemplate: 'tekton.dev/v1beta1 name of podTemplate; converted on input.',
    stepOverrides: 'tekton.dev/v1beta1 name of stepSpecs; converted on input.',
    sidecarOverrides: 'tekton.dev/v1beta1 name of sidecarSpecs; converted on input.',
  },
  PipelineRunSpec: {
    pipelineRef: 'The Pipeline to run, by name or through a resolver.',
    pipelineSpec: 'The Pipeline to run, written inline.',
    params: 'Values for the Pipeline\'s parameters.',
    status: 'Stops or holds the run: Cancelled (stop the tasks now, skip finally), CancelledRunFinally (stop the tasks, then run finally), StoppedRunFinally (start no new task, let running ones end, then run finally) or PipelineRunPending (do not start yet).',
    timeouts: 'Time limits of the run; tasks plus finally must fit within pipeline.',
    'timeouts.pipeline': 'Longest time the whole run may take, finally tasks included; 1h by default, "0" for none.',
    'timeouts.tasks': 'Longest time the tasks (not finally) may take.',
    'timeouts.finally': 'Longest time the finally tasks may take.',
    taskRunTemplate: 'Defaults for every TaskRun of the run.',
    'taskRunTemplate.podTemplate': POD_TEMPLATE,
    'taskRunTemplate.serviceAccountName': `${SERVICE_ACCOUNT} "default" when empty.`,
    workspaces: 'Volumes bound to the Pipeline\'s workspaces.',
    taskRunSpecs: 'Settings for the TaskRuns of particular pipeline tasks, replacing those of taskRunTemplate.',
    managedBy: 'Controller in charge of this PipelineRun. kiln runs those whose managedBy is empty, tekton.dev/pipeline or kiln, and leaves the others to their controller.',
    serviceAccountName: 'tekton.dev/v1beta1 name of taskRunTemplate.serviceAccountName; converted on input.',
    podTemplate: 'tekton.dev/v1beta1 name of taskRunTemplate.podTemplate; converted on input.',
    timeout: 'tekton.dev/v1beta1 name of timeouts.pipeline; converted on input.',
  },
} as const satisfies Partial<Record<SchemaName, FieldDocs>>;

/** Kind-level descriptions ('' is the kind itself; apiVersion/kind/metadata are common). */
export const PIPELINE_KIND_DOCS: Readonly<Record<string, FieldDocs>> = {
  Pipeline: {
    '': 'A Pipeline is a graph of Tasks: each runs once those it depends on are done, independent ones in parallel, then the finally tasks. A PipelineRun runs it.',
    spec: 'Parameters, workspaces, tasks, finally tasks and results of the Pipeline.',
  },
  PipelineRun: {
    '': 'A PipelineRun runs a Pipeline once, with parameter values and workspace bindings, creating a TaskRun per task. Its status records every task and whether the run succeeded.',
    spec: 'Which Pipeline to run, and with what parameters, workspaces, timeouts and TaskRun settings.',
    status: 'Observed state written by kiln: the Succeeded condition, start and completion times, child TaskRuns, skipped tasks and results.',
  },
};
