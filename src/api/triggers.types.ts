// Tekton Triggers kinds (triggers.tekton.dev/v1beta1; v1alpha1 accepted): EventListener, Trigger,
// TriggerBinding, ClusterTriggerBinding, TriggerTemplate, and the v1alpha1-only Interceptor /
// ClusterInterceptor that core interceptor references name.
import type { Condition, KObject } from './meta.ts';

/** `{name, value}` of a TriggerBinding (value: a string with `$(body.x)`-style expressions). */
export interface BindingParam { name: string; value: string }

/** A trigger's binding: a reference to a (Cluster)TriggerBinding, or an inline `{name, value}`. */
export interface TriggerSpecBinding {
  name?: string;
  value?: string;
  ref?: string;
  /** `TriggerBinding` (default) or `ClusterTriggerBinding` */
  kind?: 'TriggerBinding' | 'ClusterTriggerBinding';
  apiversion?: string;
}

export interface InterceptorParam { name: string; value: unknown }

export interface TriggerInterceptor {
  name?: string;
  /** `{name: github|gitlab|bitbucket|cel|…, kind: ClusterInterceptor (default) | NamespacedInterceptor}` */
  ref?: { name: string; kind?: 'ClusterInterceptor' | 'NamespacedInterceptor'; apiVersion?: string };
  params?: InterceptorParam[];
  /** the legacy webhook interceptor (not supported by kiln: reported when used) */
  webhook?: unknown;
}

export interface TriggerTemplateParam { name: string; description?: string; default?: string }

export interface TriggerTemplateSpec {
  params?: TriggerTemplateParam[];
  /** resources to create, each with apiVersion and kind; `$(tt.params.x)` and `$(uid)` substituted */
  resourcetemplates?: Array<Record<string, unknown>>;
}

export interface TriggerSpecTemplate { ref?: string; spec?: TriggerTemplateSpec; apiversion?: string }

export interface TriggerSpec {
  name?: string;
  bindings?: TriggerSpecBinding[];
  template?: TriggerSpecTemplate;
  interceptors?: TriggerInterceptor[];
  serviceAccountName?: string;
}

/** A trigger inside an EventListener: inline, or `triggerRef` to a Trigger object. */
export interface EventListenerTrigger extends TriggerSpec {
  triggerRef?: string;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export interface EventListenerTriggerGroup {
  name?: string;
  interceptors?: TriggerInterceptor[];
  triggerSelector?: { namespaceSelector?: { matchNames?: string[] }; labelSelector?: LabelSelector };
}

export interface EventListenerSpec {
  serviceAccountName?: string;
  triggers?: EventListenerTrigger[];
  triggerGroups?: EventListenerTriggerGroup[];
  namespaceSelector?: { matchNames?: string[] };
  labelSelector?: LabelSelector;
  /** accepted, not honoured locally (the listener is served by kiln serve itself) */
  resources?: unknown;
  cloudEventURI?: string;
}

export interface EventListenerStatus {
  address?: { url?: string };
  configuration?: { generatedName?: string };
  conditions?: Condition[];
}

export interface TriggerBindingSpec { params?: BindingParam[] }

/** Where an interceptor is served: a URL, or a Service `{name, namespace, path, port}`. */
export interface InterceptorClientConfig {
  caBundle?: string;
  url?: string;
  service?: { name: string; namespace: string; path?: string; port?: number };
}

export interface InterceptorSpec { clientConfig?: InterceptorClientConfig }

export interface EventListener extends KObject { spec: EventListenerSpec; status?: EventListenerStatus }
export interface Trigger extends KObject { spec: TriggerSpec }
export interface TriggerBinding extends KObject { spec: TriggerBindingSpec }
/** Cluster-scoped; the same shape as TriggerBinding. */
export interface ClusterTriggerBinding extends KObject { spec: TriggerBindingSpec }
export interface TriggerTemplate extends KObject { spec: TriggerTemplateSpec }
/** triggers.tekton.dev/v1alpha1 only (namespaced). */
export interface NamespacedInterceptor extends KObject { spec: InterceptorSpec; status?: { address?: { url?: string } } }
/** triggers.tekton.dev/v1alpha1 only (cluster-scoped). */
export interface ClusterInterceptor extends KObject { spec: InterceptorSpec; status?: { address?: { url?: string } } }
