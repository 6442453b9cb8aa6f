// Declarative description of the fields every kind in registry.ts accepts, used to normalise
// field names (case-insensitively, like Go's encoding/json) and to find unknown fields.
//
// Boundaries — where the schema stops looking and accepts anything (`ANY`):
// - `status` of every kind (written by controllers, free-form on input);
// - metadata.labels / annotations and ConfigMap/Secret `data` (string maps: keys are data);
// - param `default` / `value` and result `value` (ParamValue: string, array or string map);
// - Kubernetes core passthrough objects that kiln hands on or ignores and where listing every
//   field is not worthwhile: `securityContext`, `computeResources`/`resources`, `podTemplate`,
//   probes, `lifecycle`, `ports`, `volumeDevices`, env `fieldRef`/`resourceFieldRef`,
//   volume sources other than emptyDir/configMap/secret/persistentVolumeClaim/projected/hostPath
//   (csi, nfs, ephemeral, …), projected `sources`, `volumeClaimTemplate.spec`, PVC/Namespace `spec`,
//   ownerReferences/managedFields, custom-task `spec`.
// `legacy` fields are accepted only from tekton.dev/v1beta1 input; convert.ts rewrites them.

export type Schema =
  | { readonly t: 'any' }
  | { readonly t: 'string'; readonly canon?: readonly string[] }
  | { readonly t: 'int' }
  | { readonly t: 'bool' }
  | { readonly t: 'duration' }
  | { readonly t: 'intOrString' }
  | { readonly t: 'paramValue' }
  | { readonly t: 'stringMap' }
  | { readonly t: 'list'; readonly of: Schema }
  | { readonly t: 'mapOf'; readonly of: Schema }
  | ObjectSchema;

export interface ObjectSchema {
  readonly t: 'object';
  readonly fields: Record<string, Schema>;
  /** fields accepted only on v1beta1 input (converted to their v1 form by convert.ts) */
  readonly legacy?: Record<string, Schema>;
  /** which versions `legacy` is about (default `tekton.dev/v1beta1 field, not part of tekton.dev/v1`) */
  readonly legacyNote?: string;
}

export const ANY: Schema = { t: 'any' };
const STR: Schema = { t: 'string' };
const INT: Schema = { t: 'int' };
const BOOL: Schema = { t: 'bool' };
const DURATION: Schema = { t: 'duration' };
const INT_OR_STRING: Schema = { t: 'intOrString' };
const PARAM_VALUE: Schema = { t: 'paramValue' };
const STRING_MAP: Schema = { t: 'stringMap' };
const list = (of: Schema): Schema => ({ t: 'list', of });
const mapOf = (of: Schema): Schema => ({ t: 'mapOf', of });
const obj = (fields: Record<string, Schema>, legacy?: Record<string, Schema>, legacyNote?: string): ObjectSchema =>
  (legacyNote ? { t: 'object', fields, legacy, legacyNote } : { t: 'object', fields, legacy });

// ---- metadata ------------------------------------------------------------------------------
export const OBJECT_META = obj({
  name: STR, generateName: STR, namespace: STR, selfLink: STR, uid: STR, resourceVersion: STR,
  generation: INT, creationTimestamp: ANY, deletionTimestamp: ANY, deletionGracePeriodSeconds: INT,
  labels: STRING_MAP, annotations: STRING_MAP, ownerReferences: list(ANY), finalizers: list(STR),
  managedFields: list(ANY),
});
const LABELS_ANNOTATIONS = obj({ labels: STRING_MAP, annotations: STRING_MAP });

// ---- params, results, when -------------------------------------------------------------------
const PARAM = obj({ name: STR, value: PARAM_VALUE });
const PROPERTY = obj({ type: STR });
const PARAM_SPEC = obj({
  name: STR, type: STR, description: STR, properties: mapOf(PROPERTY), default: PARAM_VALUE, enum: list(STR),
});
const STEP_RESULT = obj({ name: STR, type: STR, properties: mapOf(PROPERTY), description: STR });
const TASK_RESULT = obj({ ...STEP_RESULT.fields, value: PARAM_VALUE });
const WHEN = obj({ input: STR, operator: STR, values: list(STR), cel: STR });

// ---- references ------------------------------------------------------------------------------
const STEP_REF = obj({ name: STR, resolver: STR, params: list(PARAM) });
export const TASK_REF = obj(
  { name: STR, kind: { t: 'string', canon: ['Task', 'ClusterTask'] }, apiVersion: STR, resolver: STR, params: list(PARAM) },
  { bundle: STR },
);
const PIPELINE_REF = obj({ name: STR, apiVersion: STR, resolver: STR, params: list(PARAM) }, { bundle: STR });

// ---- containers ------------------------------------------------------------------------------
const NAME_KEY_REF = obj({ name: STR, key: STR, optional: BOOL });
const ENV_VAR = obj({
  name: STR, value: STR,
  valueFrom: obj({ secretKeyRef: NAME_KEY_REF, configMapKeyRef: NAME_KEY_REF, fieldRef: ANY, resourceFieldRef: ANY, fileKeyRef: ANY }),
});
const ENV_FROM = obj({
  prefix: STR, configMapRef: obj({ name: STR, optional: BOOL }), secretRef: obj({ name: STR, optional: BOOL }),
});
const VOLUME_MOUNT = obj({
  name: STR, mountPath: STR, subPath: STR, subPathExpr: STR, readOnly: BOOL, mountPropagation: STR, recursiveReadOnly: STR,
});
const WORKSPACE_USAGE = obj({ name: STR, mountPath: STR });
const CONTAINER = {
  image: STR, command: list(STR), args: list(STR), workingDir: STR, envFrom: list(ENV_FROM), env: list(ENV_VAR),
  computeResources: ANY, volumeMounts: list(VOLUME_MOUNT), volumeDevices: list(ANY), imagePullPolicy: STR,
  securityContext: ANY,
};
/** core/v1 Container fields v1beta1 steps still carried; dropped (with a warning) on conversion. */
export const DEPRECATED_CONTAINER_FIELDS: Record<string, Schema> = {
  ports: list(ANY), livenessProbe: ANY, readinessProbe: ANY, startupProbe: ANY, lifecycle: ANY,
  terminationMessagePath: STR, terminationMessagePolicy: STR, stdin: BOOL, stdinOnce: BOOL, tty: BOOL,
};
const OUTPUT_CONFIG = obj({ path: STR });
export const STEP = obj(
  {
    ...CONTAINER, name: STR, displayName: STR, script: STR, timeout: DURATION, workspaces: list(WORKSPACE_USAGE),
    onError: STR, stdoutConfig: OUTPUT_CONFIG, stderrConfig: OUTPUT_CONFIG, ref: STEP_REF, params: list(PARAM),
    results: list(STEP_RESULT), when: list(WHEN),
  },
  { resources: ANY, ...DEPRECATED_CONTAINER_FIELDS },
);
const STEP_TEMPLATE = obj(CONTAINER, { resources: ANY, name: STR, ...DEPRECATED_CONTAINER_FIELDS });
const SIDECAR = obj(
  {
    ...CONTAINER, ...DEPRECATED_CONTAINER_FIELDS, name: STR, script: STR, workspaces: list(WORKSPACE_USAGE),
    restartPolicy: STR,
  },
  { resources: ANY },
);

// ---- volumes and workspaces ------------------------------------------------------------------
const KEY_TO_PATH = obj({ key: STR, path: STR, mode: INT });
const EMPTY_DIR = obj({ medium: STR, sizeLimit: INT_OR_STRING });
const CONFIGMAP_SOURCE = obj({ name: STR, items: list(KEY_TO_PATH), optional: BOOL, defaultMode: INT });
const SECRET_SOURCE = obj({ secretName: STR, items: list(KEY_TO_PATH), optional: BOOL, defaultMode: INT });
const PVC_SOURCE = obj({ claimName: STR, readOnly: BOOL });
const PROJECTED = obj({ sources: list(ANY), defaultMode: INT });
/** core/v1 volume sources kiln does not look inside. */
const OTHER_VOLUME_SOURCES = [
  'csi', 'downwardAPI', 'ephemeral', 'image', 'nfs', 'iscsi', 'gitRepo', 'glusterfs', 'rbd', 'flexVolume', 'cinder',
  'cephfs', 'flocker', 'fc', 'azureFile', 'azureDisk', 'vsphereVolume', 'quobyte', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'storageos', 'gcePersistentDisk', 'awsElasticBlockStore',
];
const VOLUME = obj({
  name: STR, emptyDir: EMPTY_DIR, configMap: CONFIGMAP_SOURCE, secret: SECRET_SOURCE,
  persistentVolumeClaim: PVC_SOURCE, projected: PROJECTED, hostPath: obj({ path: STR, type: STR }),
  ...Object.fromEntries(OTHER_VOLUME_SOURCES.map((k) => [k, ANY])),
});
const WORKSPACE_DECLARATION = obj({ name: STR, description: STR, mountPath: STR, readOnly: BOOL, optional: BOOL });
const WORKSPACE_BINDING = obj({
  name: STR, subPath: STR, emptyDir: EMPTY_DIR, persistentVolumeClaim: PVC_SOURCE,
  volumeClaimTemplate: obj({ apiVersion: STR, kind: STR, metadata: OBJECT_META, spec: ANY, status: ANY }),
  configMap: CONFIGMAP_SOURCE, secret: SECRET_SOURCE, projected: PROJECTED, csi: ANY,
  hostPath: obj({ path: STR }),
});

// ---- Task, TaskRun, StepAction ---------------------------------------------------------------
const TASK_SPEC_FIELDS = {
  params: list(PARAM_SPEC), displayName: STR, description: STR, steps: list(STEP), volumes: list(VOLUME),
  stepTemplate: STEP_TEMPLATE, sidecars: list(SIDECAR), workspaces: list(WORKSPACE_DECLARATION),
  results: list(TASK_RESULT),
};
export const TASK_SPEC = obj(TASK_SPEC_FIELDS);
const RUN_STEP_SPEC = obj({ name: STR, computeResources: ANY });
const RUN_STEP_OVERRIDE = obj({ name: STR, resources: ANY });
export const TASKRUN_SPEC = obj(
  {
    debug: obj({ breakpoints: obj({ onFailure: STR, beforeSteps: list(STR) }) }),
    params: list(PARAM), serviceAccountName: STR, taskRef: TASK_REF, taskSpec: TASK_SPEC, status: STR,
    statusMessage: STR, retries: INT, timeout: DURATION, podTemplate: ANY, workspaces: list(WORKSPACE_BINDING),
    stepSpecs: list(RUN_STEP_SPEC), sidecarSpecs: list(RUN_STEP_SPEC), computeResources: ANY, managedBy: STR,
  },
  { stepOverrides: list(RUN_STEP_OVERRIDE), sidecarOverrides: list(RUN_STEP_OVERRIDE) },
);
export const STEPACTION_SPEC = obj({
  description: STR, image: STR, command: list(STR), args: list(STR), env: list(ENV_VAR), script: STR,
  workingDir: STR, params: list(PARAM_SPEC), results: list(STEP_RESULT), securityContext: ANY,
  volumeMounts: list(VOLUME_MOUNT),
});

// ---- Pipeline, PipelineRun -------------------------------------------------------------------
const EMBEDDED_TASK = obj({ ...TASK_SPEC_FIELDS, apiVersion: STR, kind: STR, metadata: LABELS_ANNOTATIONS, spec: ANY });
const MATRIX = obj({ params: list(PARAM), include: list(obj({ name: STR, params: list(PARAM) })) });
const PIPELINE_TASK_FIELDS: Record<string, Schema> = {
  name: STR, displayName: STR, description: STR, taskRef: TASK_REF, taskSpec: EMBEDDED_TASK, when: list(WHEN),
  retries: INT, runAfter: list(STR), params: list(PARAM), matrix: MATRIX,
  workspaces: list(obj({ name: STR, workspace: STR, subPath: STR })), timeout: DURATION,
  pipelineRef: PIPELINE_REF, onError: STR,
};
const PIPELINE_TASK = obj(PIPELINE_TASK_FIELDS);
export const PIPELINE_SPEC = obj({
  displayName: STR, description: STR, tasks: list(PIPELINE_TASK), params: list(PARAM_SPEC),
  workspaces: list(obj({ name: STR, description: STR, optional: BOOL })),
  results: list(obj({ name: STR, type: STR, description: STR, value: PARAM_VALUE })),
  finally: list(PIPELINE_TASK),
});
PIPELINE_TASK_FIELDS.pipelineSpec = PIPELINE_SPEC; // pipelines in pipelines: the schema is recursive

const PIPELINE_TASK_RUN_SPEC = obj(
  {
    pipelineTaskName: STR, serviceAccountName: STR, podTemplate: ANY, stepSpecs: list(RUN_STEP_SPEC),
    sidecarSpecs: list(RUN_STEP_SPEC), metadata: LABELS_ANNOTATIONS, computeResources: ANY, timeout: DURATION,
  },
  {
    taskServiceAccountName: STR, taskPodTemplate: ANY, stepOverrides: list(RUN_STEP_OVERRIDE),
    sidecarOverrides: list(RUN_STEP_OVERRIDE),
  },
);
export const PIPELINERUN_SPEC = obj(
  {
    pipelineRef: PIPELINE_REF, pipelineSpec: PIPELINE_SPEC, params: list(PARAM), status: STR,
    timeouts: obj({ pipeline: DURATION, tasks: DURATION, finally: DURATION }),
    taskRunTemplate: obj({ podTemplate: ANY, serviceAccountName: STR }), workspaces: list(WORKSPACE_BINDING),
    taskRunSpecs: list(PIPELINE_TASK_RUN_SPEC), managedBy: STR,
  },
  { serviceAccountName: STR, podTemplate: ANY, timeout: DURATION },
);

// ---- Tekton Triggers ------------------------------------------------------------------------
// Free-form (ANY): resourcetemplates (any kind, `$(tt.params.x)` may stand anywhere), interceptor
// param values (any JSON), EventListener `resources` (a PodTemplateSpec or a custom resource).
const BINDING_PARAM = obj({ name: STR, value: STR });
const TRIGGER_SPEC_BINDING = obj({
  name: STR, value: STR, ref: STR, kind: { t: 'string', canon: ['TriggerBinding', 'ClusterTriggerBinding'] }, apiversion: STR,
});
/** v1alpha1's inline interceptors (`- github: {secretRef, eventTypes}`), converted to ref + params. */
const LEGACY_SECRET_REF = obj({ secretName: STR, secretKey: STR, namespace: STR });
const LEGACY_INTERCEPTORS: Record<string, Schema> = {
  github: obj({ secretRef: LEGACY_SECRET_REF, eventTypes: list(STR) }),
  gitlab: obj({ secretRef: LEGACY_SECRET_REF, eventTypes: list(STR) }),
  bitbucket: obj({ secretRef: LEGACY_SECRET_REF, eventTypes: list(STR) }),
  cel: obj({ filter: STR, overlays: list(obj({ key: STR, expression: STR })) }),
};
const TRIGGER_INTERCEPTOR = obj({
  name: STR,
  ref: obj({ name: STR, kind: { t: 'string', canon: ['ClusterInterceptor', 'NamespacedInterceptor'] }, apiVersion: STR }),
  params: list(obj({ name: STR, value: ANY })),
  webhook: obj({ objectRef: obj({ kind: STR, namespace: STR, name: STR, uid: STR, apiVersion: STR, resourceVersion: STR, fieldPath: STR }), url: STR, header: list(PARAM) }),
}, LEGACY_INTERCEPTORS, 'triggers.tekton.dev/v1alpha1 field, not part of triggers.tekton.dev/v1beta1');
export const TRIGGER_TEMPLATE_SPEC = obj({
  params: list(obj({ name: STR, description: STR, default: STR })), resourcetemplates: list(ANY),
});
const TRIGGER_SPEC_FIELDS = {
  name: STR, bindings: list(TRIGGER_SPEC_BINDING),
  template: obj({ ref: STR, spec: TRIGGER_TEMPLATE_SPEC, apiversion: STR }),
  interceptors: list(TRIGGER_INTERCEPTOR), serviceAccountName: STR,
};
export const TRIGGER_SPEC = obj(TRIGGER_SPEC_FIELDS);
const LABEL_SELECTOR = obj({
  matchLabels: STRING_MAP, matchExpressions: list(obj({ key: STR, operator: STR, values: list(STR) })),
});
const NAMESPACE_SELECTOR = obj({ matchNames: list(STR) });
export const EVENTLISTENER_SPEC = obj({
  serviceAccountName: STR, triggers: list(obj({ ...TRIGGER_SPEC_FIELDS, triggerRef: STR })),
  triggerGroups: list(obj({
    name: STR, interceptors: list(TRIGGER_INTERCEPTOR),
    triggerSelector: obj({ namespaceSelector: NAMESPACE_SELECTOR, labelSelector: LABEL_SELECTOR }),
  })),
  namespaceSelector: NAMESPACE_SELECTOR, labelSelector: LABEL_SELECTOR, resources: ANY, cloudEventURI: STR,
});
const TRIGGER_BINDING_SPEC = obj({ params: list(BINDING_PARAM) });
const INTERCEPTOR_SPEC = obj({
  clientConfig: obj({ caBundle: STR, url: STR, service: obj({ name: STR, namespace: STR, path: STR, port: INT }) }),
});

// ---- core/v1 Event ---------------------------------------------------------------------------
const OBJECT_REFERENCE = obj({
  kind: STR, namespace: STR, name: STR, uid: STR, apiVersion: STR, resourceVersion: STR, fieldPath: STR,
});
const EVENT_FIELDS = {
  involvedObject: OBJECT_REFERENCE, reason: STR, message: STR, type: STR, count: INT,
  firstTimestamp: ANY, lastTimestamp: ANY, eventTime: ANY, source: obj({ component: STR, host: STR }),
  reportingComponent: STR, reportingInstance: STR, action: STR, related: OBJECT_REFERENCE,
  series: obj({ count: INT, lastObservedTime: ANY }),
};

// ---- top level -------------------------------------------------------------------------------
const TYPE_META = { apiVersion: STR, kind: STR, metadata: OBJECT_META };
const tekton = (spec: Schema): ObjectSchema => obj({ ...TYPE_META, spec, status: ANY });

/** Schemas of whole objects, by canonical kind (every kind in registry.ts). */
export const KIND_SCHEMAS: Readonly<Record<string, ObjectSchema>> = {
  Task: tekton(TASK_SPEC),
  TaskRun: tekton(TASKRUN_SPEC),
  Pipeline: tekton(PIPELINE_SPEC),
  PipelineRun: tekton(PIPELINERUN_SPEC),
  StepAction: tekton(STEPACTION_SPEC),
  ConfigMap: obj({ ...TYPE_META, data: STRING_MAP, binaryData: STRING_MAP, immutable: BOOL }),
  Secret: obj({ ...TYPE_META, data: STRING_MAP, stringData: STRING_MAP, type: STR, immutable: BOOL }),
  PersistentVolumeClaim: obj({ ...TYPE_META, spec: ANY, status: ANY }),
  ServiceAccount: obj({
    ...TYPE_META, secrets: list(ANY), imagePullSecrets: list(ANY), automountServiceAccountToken: BOOL,
  }),
  Namespace: obj({ ...TYPE_META, spec: ANY, status: ANY }),
  Event: obj({ ...TYPE_META, ...EVENT_FIELDS }),
  EventListener: tekton(EVENTLISTENER_SPEC),
  Trigger: tekton(TRIGGER_SPEC),
  TriggerBinding: tekton(TRIGGER_BINDING_SPEC),
  ClusterTriggerBinding: tekton(TRIGGER_BINDING_SPEC),
  TriggerTemplate: tekton(TRIGGER_TEMPLATE_SPEC),
  Interceptor: tekton(INTERCEPTOR_SPEC),
  ClusterInterceptor: tekton(INTERCEPTOR_SPEC),
};

/** The schema of a kind (canonical spelling), or undefined for kinds kiln does not know. */
export function schemaForKind(kind: string): ObjectSchema | undefined {
  return Object.hasOwn(KIND_SCHEMAS, kind) ? KIND_SCHEMAS[kind] : undefined;
}

/**
 * The object schemas whose fields are described (for `kubectl explain`) in schema.docs*.ts, by a
 * Go-like type name. Descriptions attach to schema objects by identity: an object built inline in
 * one of these is described by a dotted path relative to it (`valueFrom.secretKeyRef`).
 */
export const NAMED_SCHEMAS = {
  ObjectMeta: OBJECT_META, EmbeddedMetadata: LABELS_ANNOTATIONS,
  Param: PARAM, PropertySpec: PROPERTY, ParamSpec: PARAM_SPEC, StepResult: STEP_RESULT, TaskResult: TASK_RESULT,
  WhenExpression: WHEN, StepRef: STEP_REF, TaskRef: TASK_REF, PipelineRef: PIPELINE_REF,
  KeySelector: NAME_KEY_REF, EnvVar: ENV_VAR, EnvFromSource: ENV_FROM, VolumeMount: VOLUME_MOUNT,
  WorkspaceUsage: WORKSPACE_USAGE, StepOutputConfig: OUTPUT_CONFIG, Step: STEP, StepTemplate: STEP_TEMPLATE, Sidecar: SIDECAR,
  KeyToPath: KEY_TO_PATH, EmptyDirVolumeSource: EMPTY_DIR, ConfigMapVolumeSource: CONFIGMAP_SOURCE,
  SecretVolumeSource: SECRET_SOURCE, PersistentVolumeClaimVolumeSource: PVC_SOURCE, ProjectedVolumeSource: PROJECTED,
  Volume: VOLUME, WorkspaceDeclaration: WORKSPACE_DECLARATION, WorkspaceBinding: WORKSPACE_BINDING,
  TaskSpec: TASK_SPEC, TaskRunStepSpec: RUN_STEP_SPEC, TaskRunStepOverride: RUN_STEP_OVERRIDE, TaskRunSpec: TASKRUN_SPEC,
  StepActionSpec: STEPACTION_SPEC, EmbeddedTask: EMBEDDED_TASK, Matrix: MATRIX, PipelineTask: PIPELINE_TASK,
  PipelineSpec: PIPELINE_SPEC, PipelineTaskRunSpec: PIPELINE_TASK_RUN_SPEC, PipelineRunSpec: PIPELINERUN_SPEC,
  BindingParam: BINDING_PARAM, TriggerSpecBinding: TRIGGER_SPEC_BINDING, InterceptorSecretRef: LEGACY_SECRET_REF,
  TriggerInterceptor: TRIGGER_INTERCEPTOR, TriggerTemplateSpec: TRIGGER_TEMPLATE_SPEC, TriggerSpec: TRIGGER_SPEC,
  LabelSelector: LABEL_SELECTOR, NamespaceSelector: NAMESPACE_SELECTOR, EventListenerSpec: EVENTLISTENER_SPEC,
  TriggerBindingSpec: TRIGGER_BINDING_SPEC, InterceptorSpec: INTERCEPTOR_SPEC, ObjectReference: OBJECT_REFERENCE,
} as const satisfies Record<string, ObjectSchema>;

/** The name of a described object schema (a key of NAMED_SCHEMAS). */
export type SchemaName = keyof typeof NAMED_SCHEMAS;
