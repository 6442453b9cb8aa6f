// Defaults of Tekton Triggers' kinds (triggers.tekton.dev *_defaults.go): a binding reference's
// kind is TriggerBinding, an interceptor reference's kind ClusterInterceptor, an interceptor
// Service's port 80, an EventListener's `replicas: 0` means 1.
import type { KObject } from './meta.ts';
import type { EventListener, InterceptorSpec, TriggerInterceptor, TriggerSpec, TriggerSpecBinding } from './triggers.types.ts';

/** The port of an interceptor's `clientConfig.service` when none is given. */
export const DEFAULT_INTERCEPTOR_PORT = 80;

/** Applies the defaults of a Triggers kind; returns a new object (other kinds unchanged). */
export function defaultTriggersObject<T extends KObject>(obj: T): T {
  switch (obj.kind) {
    case 'EventListener': return defaultEventListener(obj as unknown as EventListener) as unknown as T;
    case 'Trigger': return { ...obj, spec: defaultTriggerSpec((obj.spec ?? {}) as TriggerSpec) };
    case 'Interceptor':
    case 'ClusterInterceptor': return { ...obj, spec: defaultInterceptorSpec((obj.spec ?? {}) as InterceptorSpec) };
    default: return obj;
  }
}

function defaultEventListener(el: EventListener): EventListener {
  const spec = { ...el.spec };
  if (spec.triggers) spec.triggers = spec.triggers.map((t) => ({ ...t, ...defaultTriggerSpec(t) }));
  if (spec.triggerGroups) spec.triggerGroups = spec.triggerGroups.map((g) => ({ ...g, interceptors: defaultInterceptors(g.interceptors) }));
  const res = spec.resources as { kubernetesResource?: { replicas?: number } } | undefined;
  if (res?.kubernetesResource?.replicas === 0) {
    spec.resources = { ...res, kubernetesResource: { ...res.kubernetesResource, replicas: 1 } };
  }
  return { ...el, spec: dropUndefined(spec) };
}

function defaultTriggerSpec<S extends TriggerSpec>(spec: S): S {
  return dropUndefined({ ...spec, bindings: defaultBindings(spec.bindings), interceptors: defaultInterceptors(spec.interceptors) });
}

function defaultBindings(bindings: TriggerSpecBinding[] | undefined): TriggerSpecBinding[] | undefined {
  return bindings?.map((b) => (b?.ref && !b.kind ? { ...b, kind: 'TriggerBinding' } : b));
}

function defaultInterceptors(interceptors: TriggerInterceptor[] | undefined): TriggerInterceptor[] | undefined {
  return interceptors?.map((ic) => (ic?.ref && !ic.ref.kind ? { ...ic, ref: { ...ic.ref, kind: 'ClusterInterceptor' } } : ic));
}

function defaultInterceptorSpec(spec: InterceptorSpec): InterceptorSpec {
  const svc = spec.clientConfig?.service;
  if (!svc || svc.port !== undefined) return spec;
  return { ...spec, clientConfig: { ...spec.clientConfig, service: { ...svc, port: DEFAULT_INTERCEPTOR_PORT } } };
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
