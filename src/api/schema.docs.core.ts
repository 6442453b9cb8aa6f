// Descriptions of Kubernetes core/v1 structures that kiln's kinds embed (object metadata,
// containers' env and mounts, volumes, selectors) and of the core kinds kiln stores as they are.
// Read by schema.docs.ts; the wording is kiln's own, written from the Kubernetes API reference.
import type { FieldDocs } from './schema.docs.ts';
import type { SchemaName } from './schema.ts';

/** Fields every container-like object has (Step, StepTemplate, Sidecar). */
export const CONTAINER_DOCS: FieldDocs = {
  image: 'Container image to run (an image reference such as alpine:3.20). When steps run as local processes the host\'s tools stand in for the image, which only chooses the shell a script runs with.',
  command: 'Entrypoint to run, replacing the image\'s ENTRYPOINT. Not run in a shell; Tekton variables such as $(params.name) are substituted.',
  args: 'Arguments to the entrypoint, replacing the image\'s CMD.',
  workingDir: 'Working directory of the process.',
  envFrom: 'ConfigMaps and Secrets whose every key becomes an environment variable.',
  env: 'Environment variables to set.',
  computeResources: 'CPU and memory requests and limits (a Kubernetes ResourceRequirements). Not enforced when steps run as local processes.',
  volumeMounts: 'Volumes (from the Task\'s volumes) to mount, and where.',
  volumeDevices: 'Raw block devices to expose. Needs a cluster; ignored when steps run as local processes.',
  imagePullPolicy: 'When to pull the image: Always, IfNotPresent or Never.',
  securityContext: 'Security settings (a Kubernetes SecurityContext: runAsUser, privileged, capabilities, ...). Local processes never gain capabilities; podman containers get the default set of a Kubernetes node (capabilities add/drop on top) only under --step-capabilities kubernetes; privileged must be allowed by the server (kiln serve --allow-privileged).',
};

/** core/v1 Container fields that only sidecars keep in tekton.dev/v1 (steps lost them after v1beta1). */
export const POD_CONTAINER_DOCS: FieldDocs = {
  ports: 'Ports the container listens on (Kubernetes ContainerPort list).',
  livenessProbe: 'Periodic check that the container is alive; a failing container is restarted.',
  readinessProbe: 'Periodic check that the container is ready to serve.',
  startupProbe: 'Check that the container has started; the other probes wait for it.',
  lifecycle: 'Handlers run right after the container starts and before it stops.',
  terminationMessagePath: 'File whose contents become the container\'s termination message.',
  terminationMessagePolicy: 'Where the termination message comes from: File, or FallbackToLogsOnError.',
  stdin: 'Keep a standard input stream open for the container.',
  stdinOnce: 'Close standard input after the first attached client disconnects.',
  tty: 'Allocate a terminal for the container.',
};

/** The same fields where they are v1beta1-only input (steps, stepTemplate). */
export const LEGACY_POD_CONTAINER_DOCS: FieldDocs = Object.fromEntries(
  Object.entries(POD_CONTAINER_DOCS).map(([k, v]) => [k, `${v} tekton.dev/v1beta1 only: dropped, with a warning, on conversion to v1.`]),
);

/** Kubernetes volume sources that need a cluster (kiln looks no further inside them). */
const CLUSTER_VOLUME_SOURCES = [
  'csi', 'downwardAPI', 'ephemeral', 'image', 'nfs', 'iscsi', 'gitRepo', 'glusterfs', 'rbd', 'flexVolume', 'cinder',
  'cephfs', 'flocker', 'fc', 'azureFile', 'azureDisk', 'vsphereVolume', 'quobyte', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'storageos', 'gcePersistentDisk', 'awsElasticBlockStore',
];

const REF_NAME = 'Name of the object referred to.';

export const CORE_DOCS = {
  ObjectMeta: {
    name: 'Name of the object, unique among objects of its kind in its namespace. Required unless generateName is set.',
    generateName: 'Prefix from which the server makes a unique name, by appending random characters, when name is empty.',
    namespace: 'Namespace the object belongs to (namespaced kinds only).',
    selfLink: 'Deprecated and unused; kept for compatibility.',
    uid: 'Unique identifier the server gives the object when it is created; never reused.',
    resourceVersion: 'Opaque version of the object, changed by every write. Sent back on update for optimistic concurrency, and used to resume watches.',
    generation: 'Sequence number of the desired state: the server increments it when the spec changes.',
    creationTimestamp: 'When the server created the object (RFC 3339).',
    deletionTimestamp: 'When deletion was requested; set while finalizers still hold the object.',
    deletionGracePeriodSeconds: 'Seconds the object is given to end gracefully before it is removed.',
    labels: 'Key/value pairs that organise objects and that label selectors match.',
    annotations: 'Key/value pairs of non-identifying information for tools and controllers.',
    ownerReferences: 'Objects this one belongs to; it is deleted with its owners (cascading delete).',
    finalizers: 'Pending clean-ups: a deleted object is only removed once this list is empty.',
    managedFields: 'Which field manager set which fields (bookkeeping of server-side apply).',
  },
  KeySelector: {
    name: 'Name of the ConfigMap or Secret, in the run\'s namespace.',
    key: 'Key whose value is used.',
    optional: 'When true, a missing object or key is not an error: the variable is left unset.',
  },
  EnvVar: {
    name: 'Name of the environment variable.',
    value: 'Value of the variable; Tekton variables such as $(params.name) are substituted.',
    valueFrom: 'Takes the value from elsewhere instead of value.',
    'valueFrom.secretKeyRef': 'A key of a Secret.',
    'valueFrom.configMapKeyRef': 'A key of a ConfigMap.',
    'valueFrom.fieldRef': 'A field of the run\'s pod (downward API): metadata.name, metadata.namespace, metadata.labels[\'key\'], metadata.annotations[\'key\'], spec.serviceAccountName, spec.nodeName, status.podIP or status.hostIP.',
    'valueFrom.resourceFieldRef': 'A resource limit or request of the container (downward API). Not honoured when steps run as local processes.',
    'valueFrom.fileKeyRef': 'A key of an environment file on a volume (a newer Kubernetes field). Not honoured when steps run as local processes.',
  },
  EnvFromSource: {
    prefix: 'Prefix prepended to each variable name taken from the source.',
    configMapRef: 'A ConfigMap whose every key becomes an environment variable.',
    'configMapRef.name': 'Name of the ConfigMap.',
    'configMapRef.optional': 'When true, a missing ConfigMap is not an error.',
    secretRef: 'A Secret whose every key becomes an environment variable.',
    'secretRef.name': 'Name of the Secret.',
    'secretRef.optional': 'When true, a missing Secret is not an error.',
  },
  VolumeMount: {
    name: 'Name of the volume to mount.',
    mountPath: 'Path inside the step or sidecar where the volume appears.',
    subPath: 'Directory inside the volume to mount instead of its root.',
    subPathExpr: 'Like subPath, with $(VAR) references to the container\'s environment expanded.',
    readOnly: 'Mount the volume read-only.',
    mountPropagation: 'How mounts propagate between host and container: None, HostToContainer or Bidirectional.',
    recursiveReadOnly: 'Whether a read-only mount is also read-only below its sub-mounts: Disabled, IfPossible or Enabled.',
  },
  KeyToPath: {
    key: 'Key of the ConfigMap or Secret to write out.',
    path: 'Relative path of the file the key is written to.',
    mode: 'Permission bits of that file (0644 is written 420 in JSON).',
  },
  EmptyDirVolumeSource: {
    medium: 'Storage medium: "" (the default disk) or "Memory" (a tmpfs).',
    sizeLimit: 'Largest size the directory may grow to, e.g. "1Gi".',
  },
  ConfigMapVolumeSource: {
    name: 'Name of the ConfigMap, in the run\'s namespace.',
    items: 'Keys to write and the files they go to; every key, named after itself, when empty.',
    optional: 'When true, a missing ConfigMap or key is not an error.',
    defaultMode: 'Permission bits of the files (0644 is written 420 in JSON).',
  },
  SecretVolumeSource: {
    secretName: 'Name of the Secret, in the run\'s namespace.',
    items: 'Keys to write and the files they go to; every key, named after itself, when empty.',
    optional: 'When true, a missing Secret or key is not an error.',
    defaultMode: 'Permission bits of the files (0644 is written 420 in JSON).',
  },
  PersistentVolumeClaimVolumeSource: {
    claimName: 'Name of a PersistentVolumeClaim in the run\'s namespace.',
    readOnly: 'Mount the claim read-only.',
  },
  ProjectedVolumeSource: {
    sources: 'ConfigMaps, Secrets, service account tokens or downward API data merged into one directory.',
    defaultMode: 'Permission bits of the files (0644 is written 420 in JSON).',
  },
  Volume: {
    name: 'Name of the volume, referred to by volumeMounts.',
    emptyDir: 'A new, empty directory that lives as long as the TaskRun.',
    configMap: 'Files made from the keys of a ConfigMap.',
    secret: 'Files made from the keys of a Secret.',
    persistentVolumeClaim: 'The storage of a PersistentVolumeClaim.',
    projected: 'Several ConfigMaps and Secrets merged into one directory.',
    hostPath: 'A file or directory of the host. kiln serve accepts only paths its operator allows (--allow-host-path).',
    'hostPath.path': 'Absolute path on the host.',
    'hostPath.type': 'What must be at the path: "" (no check), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.',
    ...Object.fromEntries(CLUSTER_VOLUME_SOURCES.map((k) => [k, `A Kubernetes ${k} volume. It needs a cluster: accepted, and ignored when steps run as local processes.`])),
  },
  LabelSelector: {
    matchLabels: 'Labels an object must all carry to be selected.',
    matchExpressions: 'Set-based requirements an object must all meet to be selected.',
    'matchExpressions.key': 'Label key the requirement is about.',
    'matchExpressions.operator': 'In, NotIn, Exists or DoesNotExist.',
    'matchExpressions.values': 'Values for In and NotIn; empty for Exists and DoesNotExist.',
  },
  ObjectReference: {
    kind: 'Kind of the object referred to.',
    namespace: 'Namespace of the object referred to.',
    name: REF_NAME,
    uid: 'UID of the object referred to.',
    apiVersion: 'API version of the object referred to.',
    resourceVersion: 'Version of the object referred to that this reference was made from.',
    fieldPath: 'A part of the object rather than the whole, e.g. spec.steps[0].',
  },
} as const satisfies Partial<Record<SchemaName, FieldDocs>>;

const STRING_DATA = 'Write-only convenience: string values merged into data (encoded by the server) on write.';

/** Descriptions of the core/v1 kinds ('' is the kind itself); apiVersion/kind/metadata are common. */
export const CORE_KIND_DOCS: Readonly<Record<string, FieldDocs>> = {
  ConfigMap: {
    '': 'A ConfigMap holds non-secret configuration as key/value pairs, for steps\' environment variables and volumes.',
    data: 'UTF-8 string values by key.',
    binaryData: 'Base64-encoded binary values by key; keys must not repeat those of data.',
    immutable: 'When true, data and binaryData can no longer be changed.',
  },
  Secret: {
    '': 'A Secret holds sensitive values (tokens, passwords, keys) for steps\' environment variables and volumes, and for interceptors checking webhook signatures.',
    data: 'Base64-encoded values by key.',
    stringData: STRING_DATA,
    type: 'Type of the secret, e.g. Opaque, kubernetes.io/basic-auth, kubernetes.io/ssh-auth or kubernetes.io/dockerconfigjson.',
    immutable: 'When true, the data can no longer be changed.',
  },
  PersistentVolumeClaim: {
    '': 'A PersistentVolumeClaim asks for storage that outlives a run; workspaces bind it by claimName.',
    spec: 'The storage asked for: access modes, storage class, requested size (a Kubernetes PersistentVolumeClaimSpec).',
    status: 'Phase and capacity of the claim.',
  },
  ServiceAccount: {
    '': 'A ServiceAccount is the identity runs act as; its secrets carry git and registry credentials.',
    secrets: 'Secrets whose credentials runs using this account receive.',
    imagePullSecrets: 'Secrets used to pull images for runs using this account.',
    automountServiceAccountToken: 'Whether pods of this account get an API token mounted.',
  },
  Namespace: {
    '': 'A Namespace groups objects; names are unique within one.',
    spec: 'Finalizers of the namespace.',
    status: 'Phase of the namespace: Active or Terminating.',
  },
  Event: {
    '': 'An Event reports something that happened to an object, e.g. a run starting, failing or succeeding.',
    involvedObject: 'The object the event is about.',
    reason: 'Short, machine-readable reason in UpperCamelCase, e.g. Started or Failed.',
    message: 'Human-readable description of what happened.',
    type: 'Normal or Warning.',
    count: 'How many times this event has occurred.',
    firstTimestamp: 'When the event first occurred.',
    lastTimestamp: 'When the event last occurred.',
    eventTime: 'When the event occurred, with microseconds.',
    source: 'Component that reported the event.',
    'source.component': 'Name of the reporting component, e.g. a controller.',
    'source.host': 'Host the component runs on.',
    reportingComponent: 'Name of the controller that reported the event.',
    reportingInstance: 'Instance of that controller.',
    action: 'What was done, or failed to be done, about the object.',
    related: 'A second object the event is about, if any.',
    series: 'Data about a series of repeated events.',
    'series.count': 'Number of occurrences in the series so far.',
    'series.lastObservedTime': 'When the last occurrence of the series was seen.',
  },
};
