// Descriptions of Tekton's Task, TaskRun and StepAction fields and of the structures they share
// with pipelines (params, results, when expressions, references, steps, workspaces). Read by
// schema.docs.ts; the wording is kiln's own, written from what the fields mean in Tekton.
import { CONTAINER_DOCS, LEGACY_POD_CONTAINER_DOCS, POD_CONTAINER_DOCS } from './schema.docs.core.ts';
import type { FieldDocs } from './schema.docs.ts';
import type { SchemaName } from './schema.ts';

const RESOLVER = 'Remote resolution: the resolver that fetches the definition (git, bundles, hub, http or cluster), given its params instead of name.';
const RESOLVER_PARAMS = 'Parameters for the resolver, e.g. url, revision and pathInRepo for git.';
const V1BETA1_RESOURCES = 'tekton.dev/v1beta1 name of computeResources; converted on input.';
const RESULT_TYPE = 'string (the default), array or object.';
const DISPLAY_NAME = 'Human-readable name for user interfaces.';

const STEP_RESULT_DOCS: FieldDocs = {
  name: 'Name of the result.',
  type: RESULT_TYPE,
  properties: 'For an object result: its keys and their types.',
  description: 'Human-readable description of the result.',
};

/** Fields of TaskSpec, shared by Task.spec, TaskRun.spec.taskSpec and a pipeline task's taskSpec. */
export const TASK_SPEC_DOCS: FieldDocs = {
  params: 'Parameters the Task accepts, used as $(params.<name>) in its steps.',
  displayName: DISPLAY_NAME,
  description: 'Human-readable description of the Task.',
  steps: 'Steps run one after the other, each in its own container (or sandboxed process). The Task fails at the first step that fails, unless that step\'s onError is continue.',
  volumes: 'Volumes the steps and sidecars may mount through volumeMounts.',
  stepTemplate: 'Defaults for every step: a field set on the step itself wins; lists such as env are merged.',
  sidecars: 'Containers started before the steps and stopped after them, e.g. a database or a Docker daemon the steps use.',
  workspaces: 'Shared directories the Task needs; a TaskRun (or a Pipeline) binds each to a volume.',
  results: 'Values the Task produces: a step writes each to $(results.<name>.path); pipelines read them as $(tasks.<task>.results.<name>).',
};

export const TASK_DOCS = {
  Param: {
    name: 'Name of the parameter to set.',
    value: 'Value of the parameter; may use variables such as $(params.x) or $(tasks.a.results.r).',
  },
  PropertySpec: { type: 'Type of the key in an object parameter or result; only string is supported.' },
  ParamSpec: {
    name: 'Name of the parameter, used as $(params.<name>).',
    type: 'string (the default), array or object.',
    description: 'Human-readable description of the parameter.',
    properties: 'For an object parameter: its keys and their types.',
    default: 'Value used when the run gives none; a parameter without a default must be given.',
    enum: 'The only values a string parameter may take; a run giving another value fails.',
  },
  StepResult: STEP_RESULT_DOCS,
  TaskResult: {
    ...STEP_RESULT_DOCS,
    value: 'Takes the result from a step result instead of $(results.<name>.path), e.g. $(steps.build.results.digest).',
  },
  WhenExpression: {
    input: 'Value to test, usually a variable such as $(params.env) or $(tasks.check.results.changed).',
    operator: 'in or notin: whether input must be one of values, or none of them.',
    values: 'Values input is compared with.',
    cel: 'A CEL expression that must be true, used instead of input, operator and values.',
  },
  StepRef: {
    name: 'Name of a StepAction in the same namespace.',
    resolver: RESOLVER,
    params: RESOLVER_PARAMS,
  },
  TaskRef: {
    name: 'Name of a Task in the same namespace.',
    kind: 'Task (the default) or ClusterTask; another kind, with apiVersion, makes this a custom task.',
    apiVersion: 'API version of a custom task\'s kind.',
    resolver: RESOLVER,
    params: RESOLVER_PARAMS,
    bundle: 'tekton.dev/v1beta1 only: an OCI image bundle holding the Task; converted to the bundles resolver.',
  },
  WorkspaceUsage: {
    name: 'Name of the Task workspace the step or sidecar uses.',
    mountPath: 'Where it appears in this step or sidecar, instead of the workspace\'s own mountPath.',
  },
  StepOutputConfig: {
    path: 'File the stream is also written to, e.g. $(results.<name>.path) to make the output a result.',
  },
  Step: {
    ...CONTAINER_DOCS,
    name: 'Name of the step, unique within the Task; used by its log and by $(steps.<name>...) references.',
    displayName: DISPLAY_NAME,
    script: 'Script run instead of command and args. Without a #! line it runs with /bin/sh and set -e.',
    timeout: 'Longest time the step may run; it fails when exceeded.',
    workspaces: 'Task workspaces this step uses. A workspace listed by any step or sidecar is mounted only into those that list it.',
    onError: 'What a non-zero exit does: stopAndFail (the default) fails the TaskRun; continue records the exit code and goes on with the next step.',
    stdoutConfig: 'Also writes the step\'s standard output to a file.',
    stderrConfig: 'Also writes the step\'s standard error to a file.',
    ref: 'A StepAction that supplies this step\'s image, command or script, parameters and results.',
    params: 'Values for the parameters of the StepAction in ref.',
    results: 'Results this step writes, to $(step.results.<name>.path); later steps read them as $(steps.<step>.results.<name>).',
    when: 'Conditions that must all hold for the step to run; otherwise it is skipped.',
    resources: V1BETA1_RESOURCES,
    ...LEGACY_POD_CONTAINER_DOCS,
  },
  StepTemplate: {
    ...CONTAINER_DOCS,
    name: 'tekton.dev/v1beta1 only: a name for the template; dropped on conversion.',
    resources: V1BETA1_RESOURCES,
    ...LEGACY_POD_CONTAINER_DOCS,
  },
  Sidecar: {
    ...CONTAINER_DOCS,
    ...POD_CONTAINER_DOCS,
    name: 'Name of the sidecar, unique within the Task.',
    script: 'Script run instead of command and args. Without a #! line it runs with /bin/sh and set -e.',
    workspaces: 'Task workspaces this sidecar uses.',
    restartPolicy: 'Always makes it a Kubernetes native sidecar (an init container that keeps running beside the steps).',
    resources: V1BETA1_RESOURCES,
  },
  WorkspaceDeclaration: {
    name: 'Name of the workspace; its directory is $(workspaces.<name>.path).',
    description: 'Human-readable description of what the workspace holds.',
    mountPath: 'Where steps see the workspace; /workspace/<name> by default.',
    readOnly: 'Steps may not write to the workspace.',
    optional: 'A run may leave the workspace unbound; $(workspaces.<name>.bound) says whether it was bound.',
  },
  WorkspaceBinding: {
    name: 'Name of the workspace, as the Task or Pipeline declares it.',
    subPath: 'Directory inside the volume to bind instead of its root.',
    emptyDir: 'A new, empty directory that lives as long as the run.',
    persistentVolumeClaim: 'An existing PersistentVolumeClaim, whose data outlives the run.',
    volumeClaimTemplate: 'A PersistentVolumeClaim created for this run from this template, and deleted with it.',
    'volumeClaimTemplate.apiVersion': 'v1, if given.',
    'volumeClaimTemplate.kind': 'PersistentVolumeClaim, if given.',
    'volumeClaimTemplate.metadata': 'Metadata of the claims created from the template.',
    'volumeClaimTemplate.spec': 'The storage asked for: access modes, storage class, requested size.',
    'volumeClaimTemplate.status': 'Unused in a template.',
    configMap: 'The keys of a ConfigMap as read-only files.',
    secret: 'The keys of a Secret as read-only files.',
    projected: 'Several ConfigMaps and Secrets in one read-only directory.',
    csi: 'A CSI volume. It needs a cluster: accepted, and ignored when steps run as local processes.',
    hostPath: 'kiln extension: a directory of the host, as `kiln run -w name=DIR` binds it. kiln serve accepts only directories its operator allows (--allow-host-path).',
    'hostPath.path': 'Absolute path of the host directory.',
  },
  TaskSpec: TASK_SPEC_DOCS,
  TaskRunStepSpec: {
    name: 'Name of the step or sidecar whose settings change.',
    computeResources: 'Compute resources replacing that step\'s or sidecar\'s. Not enforced when steps run as local processes.',
  },
  TaskRunStepOverride: {
    name: 'Name of the step or sidecar whose settings change.',
    resources: 'Compute resources replacing that step\'s or sidecar\'s.',
  },
  TaskRunSpec: {
    debug: 'Debugging: breakpoints that pause the TaskRun so its steps can be inspected. Not honoured when steps run as local processes.',
    'debug.breakpoints': 'Where the TaskRun pauses.',
    'debug.breakpoints.onFailure': 'enabled: a failing step pauses instead of ending the TaskRun.',
    'debug.breakpoints.beforeSteps': 'Names of steps to pause before.',
    params: 'Values for the Task\'s parameters.',
    serviceAccountName: 'ServiceAccount the TaskRun runs as, whose secrets give git and registry credentials; "default" when empty.',
    taskRef: 'The Task to run, by name or through a resolver.',
    taskSpec: 'The Task to run, written inline.',
    status: 'TaskRunCancelled cancels the TaskRun: its running step is stopped and it fails.',
    statusMessage: 'Why status was set, e.g. why the TaskRun was cancelled.',
    retries: 'How many more times a failed TaskRun is tried.',
    timeout: 'Longest time the TaskRun may run; 1h by default, "0" for none.',
    podTemplate: 'Pod settings (node selector, tolerations, security context, DNS, ...). Needs a cluster: ignored when steps run as local processes.',
    workspaces: 'Volumes bound to the Task\'s workspaces.',
    stepSpecs: 'Per-step settings that replace the Task\'s, by step name.',
    sidecarSpecs: 'Per-sidecar settings that replace the Task\'s, by sidecar name.',
    computeResources: 'Compute resources for the whole TaskRun, shared by its steps. Not enforced when steps run as local processes.',
    managedBy: 'Controller in charge of this TaskRun. kiln runs those whose managedBy is empty, tekton.dev/pipeline or kiln, and leaves the others to their controller.',
    stepOverrides: 'tekton.dev/v1beta1 name of stepSpecs; converted on input.',
    sidecarOverrides: 'tekton.dev/v1beta1 name of sidecarSpecs; converted on input.',
  },
  StepActionSpec: {
    description: 'Human-readable description of the StepAction.',
    image: 'Container image the step runs (see a step\'s image).',
    command: 'Entrypoint to run, replacing the image\'s ENTRYPOINT.',
    args: 'Arguments to the entrypoint.',
    env: 'Environment variables to set.',
    script: 'Script run instead of command and args. Without a #! line it runs with /bin/sh and set -e.',
    workingDir: 'Working directory of the process.',
    params: 'Parameters the StepAction accepts, set by the params of the step that refers to it.',
    results: 'Results the StepAction writes, to $(step.results.<name>.path).',
    securityContext: 'Security settings (a Kubernetes SecurityContext).',
    volumeMounts: 'Volumes of the Task to mount, and where.',
  },
} as const satisfies Partial<Record<SchemaName, FieldDocs>>;

/** Kind-level descriptions ('' is the kind itself; apiVersion/kind/metadata are common). */
export const TASK_KIND_DOCS: Readonly<Record<string, FieldDocs>> = {
  Task: {
    '': 'A Task is a reusable list of steps that run in order, in a shared environment (workspaces, volumes, results). A TaskRun runs it; a Pipeline combines Tasks.',
    spec: 'Parameters, steps, sidecars, workspaces and results of the Task.',
  },
  TaskRun: {
    '': 'A TaskRun runs a Task once, with parameter values and workspace bindings. Its status records each step, the results and whether the run succeeded.',
    spec: 'Which Task to run, and with what parameters, workspaces, timeout and service account.',
    status: 'Observed state written by kiln: the Succeeded condition, start and completion times, steps, sidecars and results.',
  },
  StepAction: {
    '': 'A StepAction is a reusable step (image, command or script, parameters, results) that steps of any Task use through ref.',
    spec: 'What the step runs, and its parameters and results.',
  },
};
