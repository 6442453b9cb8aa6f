// Descriptions of Tekton Triggers' fields (EventListener, Trigger, TriggerBinding,
// TriggerTemplate, interceptors). Read by schema.docs.ts; the wording is kiln's own, written from
// what the fields mean in Tekton Triggers.
import type { FieldDocs } from './schema.docs.ts';
import type { SchemaName } from './schema.ts';

const SECRET_REF = 'Secret holding the shared webhook secret.';

/** A v1alpha1 inline interceptor of a Git host: its secret and the event types it accepts. */
function gitHost(host: string, signature: string, eventHeader: string): FieldDocs {
  const k = host.toLowerCase();
  return {
    [k]: `triggers.tekton.dev/v1alpha1 only: the ${host} interceptor, converted to ref ${k} with params on input.`,
    [`${k}.secretRef`]: `${SECRET_REF} Events whose ${signature} does not match are rejected.`,
    [`${k}.eventTypes`]: `Accepted values of the ${eventHeader} header; other events are dropped.`,
  };
}

/** Fields of a trigger, shared by Trigger.spec and an EventListener's inline triggers. */
const TRIGGER_SPEC_DOCS: FieldDocs = {
  name: 'Name of the trigger, unique within its EventListener.',
  bindings: 'Bindings that take the TriggerTemplate\'s parameters from the event.',
  template: 'The TriggerTemplate that makes the resources.',
  'template.ref': 'Name of a TriggerTemplate in the EventListener\'s namespace.',
  'template.spec': 'A TriggerTemplate written inline.',
  'template.apiversion': 'API version of the TriggerTemplate referred to.',
  interceptors: 'Interceptors run in order before the bindings; each may verify, filter or add to the event, and stop it.',
  serviceAccountName: 'ServiceAccount whose permissions create the resources, instead of the EventListener\'s.',
};

/** `prefix.key` for every key of `docs`. */
function under(prefix: string, docs: FieldDocs): FieldDocs {
  return Object.fromEntries(Object.entries(docs).map(([k, v]) => [`${prefix}.${k}`, v]));
}

export const TRIGGERS_DOCS = {
  BindingParam: {
    name: 'Name of the parameter, as the TriggerTemplate declares it.',
    value: 'Value of the parameter, usually taken from the event: $(body.<path>), $(header.<name>) or $(extensions.<key>).',
  },
  TriggerSpecBinding: {
    name: 'Name of a parameter given here directly, with value.',
    value: 'Value of that parameter ($(body...), $(header...), $(extensions...) or literal text).',
    ref: 'Name of a TriggerBinding (or ClusterTriggerBinding) whose parameters to use.',
    kind: 'TriggerBinding (the default) or ClusterTriggerBinding.',
    apiversion: 'API version of the binding referred to.',
  },
  InterceptorSecretRef: {
    secretName: 'Name of the Secret.',
    secretKey: 'Key of the Secret that holds the shared secret.',
    namespace: 'Namespace of the Secret; the EventListener\'s when empty.',
  },
  TriggerInterceptor: {
    name: 'Name of this interceptor in the chain, for logs and errors.',
    ref: 'The interceptor to call.',
    'ref.name': 'Name of the interceptor: the built-in github, gitlab, bitbucket, cel or slack, or a ClusterInterceptor or Interceptor object.',
    'ref.kind': 'ClusterInterceptor (the default) or NamespacedInterceptor.',
    'ref.apiVersion': 'API version of the interceptor object referred to.',
    params: 'Parameters of the interceptor, e.g. secretRef and eventTypes for github, filter and overlays for cel.',
    'params.name': 'Name of the parameter.',
    'params.value': 'Value of the parameter: any JSON value.',
    webhook: 'An HTTP service called with the event; an error answer stops the trigger, a success passes the returned event on.',
    'webhook.objectRef': 'A Kubernetes Service to call.',
    'webhook.objectRef.kind': 'Kind of the object (Service).',
    'webhook.objectRef.namespace': 'Namespace of the Service.',
    'webhook.objectRef.name': 'Name of the Service.',
    'webhook.objectRef.uid': 'UID of the Service.',
    'webhook.objectRef.apiVersion': 'API version of the Service (v1).',
    'webhook.objectRef.resourceVersion': 'Version of the Service the reference was made from.',
    'webhook.objectRef.fieldPath': 'Part of the object referred to; unused here.',
    'webhook.url': 'URL to call, instead of objectRef.',
    'webhook.header': 'Headers added to the request.',
    ...gitHost('GitHub', 'X-Hub-Signature-256 header', 'X-GitHub-Event'),
    ...gitHost('GitLab', 'X-Gitlab-Token header', 'X-Gitlab-Event'),
    ...gitHost('Bitbucket', 'X-Hub-Signature header', 'X-Event-Key'),
    cel: 'triggers.tekton.dev/v1alpha1 only: the CEL interceptor, converted to ref cel with params on input.',
    'cel.filter': 'CEL expression over body, header and extensions; events for which it is false are dropped.',
    'cel.overlays': 'Values computed with CEL and added to the event under extensions.',
    'cel.overlays.key': 'Key under extensions to set (dots make nested keys).',
    'cel.overlays.expression': 'CEL expression whose value is stored.',
  },
  TriggerTemplateSpec: {
    params: 'Parameters the template takes, set by the bindings.',
    'params.name': 'Name of the parameter, used as $(tt.params.<name>) in the resource templates.',
    'params.description': 'Human-readable description of the parameter.',
    'params.default': 'Value used when no binding gives one; a parameter without a default must be bound.',
    resourcetemplates: 'Objects created for each event, usually a PipelineRun or TaskRun with generateName; $(tt.params.<name>) is replaced anywhere in them.',
  },
  TriggerSpec: TRIGGER_SPEC_DOCS,
  NamespaceSelector: {
    matchNames: 'Namespaces to look for Trigger objects in; "*" means every namespace.',
  },
  EventListenerSpec: {
    serviceAccountName: 'ServiceAccount whose permissions read the bindings and templates and create the resources, unless a trigger names its own.',
    triggers: 'Triggers evaluated for every event the EventListener receives.',
    ...under('triggers', TRIGGER_SPEC_DOCS),
    'triggers.triggerRef': 'Name of a Trigger object to use, instead of describing the trigger here.',
    triggerGroups: 'Groups of Trigger objects that share interceptors: a group\'s interceptors run once per event, then each selected trigger.',
    'triggerGroups.name': 'Name of the group.',
    'triggerGroups.interceptors': 'Interceptors run once for the group, before its triggers.',
    'triggerGroups.triggerSelector': 'Which Trigger objects belong to the group.',
    'triggerGroups.triggerSelector.namespaceSelector': 'Namespaces the group\'s Triggers are taken from; the EventListener\'s when empty.',
    'triggerGroups.triggerSelector.labelSelector': 'Labels the group\'s Triggers carry.',
    namespaceSelector: 'Namespaces in which Trigger objects are also picked up (with labelSelector).',
    labelSelector: 'Labels of the Trigger objects that are also picked up, in the EventListener\'s namespace or those of namespaceSelector.',
    resources: 'Settings of the listener\'s own Deployment (or custom resource) in a cluster. kiln serve receives every listener\'s events itself, so they are accepted and unused.',
    cloudEventURI: 'URI to which CloudEvents about the processing of each event are sent.',
  },
  TriggerBindingSpec: {
    params: 'Parameters the binding takes from the event, for the TriggerTemplate.',
  },
  InterceptorSpec: {
    clientConfig: 'How to reach the interceptor\'s HTTP service.',
    'clientConfig.caBundle': 'PEM certificates of the authority that signed the service\'s TLS certificate.',
    'clientConfig.url': 'URL of the service, instead of service.',
    'clientConfig.service': 'A Kubernetes Service running the interceptor.',
    'clientConfig.service.name': 'Name of the Service.',
    'clientConfig.service.namespace': 'Namespace of the Service.',
    'clientConfig.service.path': 'URL path of the interceptor on the Service.',
    'clientConfig.service.port': 'Port of the Service (8443 by default).',
  },
} as const satisfies Partial<Record<SchemaName, FieldDocs>>;

const BINDING = 'A TriggerBinding takes values out of an event (body, headers, interceptor extensions) as parameters for a TriggerTemplate.';

/** Kind-level descriptions ('' is the kind itself; apiVersion/kind/metadata are common). */
export const TRIGGERS_KIND_DOCS: Readonly<Record<string, FieldDocs>> = {
  EventListener: {
    '': 'An EventListener receives events over HTTP (webhooks) and turns them, through its triggers, into resources such as PipelineRuns. kiln serve receives them at the address in status.address.url.',
    spec: 'The triggers, trigger groups and selectors of Trigger objects the listener evaluates, and the identity it acts as.',
    status: 'Observed state written by kiln: the Ready condition and the address events are sent to.',
  },
  Trigger: {
    '': 'A Trigger says what to do with an event: interceptors that check and filter it, bindings that take parameters out of it, and a TriggerTemplate that makes resources.',
    spec: 'Interceptors, bindings and template of the trigger.',
  },
  TriggerBinding: { '': BINDING, spec: 'The parameters the binding takes from the event.' },
  ClusterTriggerBinding: {
    '': `${BINDING} A ClusterTriggerBinding is cluster-scoped: triggers of every namespace can use it.`,
    spec: 'The parameters the binding takes from the event.',
  },
  TriggerTemplate: {
    '': 'A TriggerTemplate is a blueprint of the resources (usually a PipelineRun) created for each event, with parameters the bindings fill in.',
    spec: 'The parameters and resource templates.',
  },
  Interceptor: {
    '': 'An Interceptor registers an HTTP service, in its namespace, that triggers can call to check, filter or enrich events.',
    spec: 'How to reach the service.',
  },
  ClusterInterceptor: {
    '': 'A ClusterInterceptor registers an HTTP service, for every namespace, that triggers can call to check, filter or enrich events.',
    spec: 'How to reach the service.',
  },
};
