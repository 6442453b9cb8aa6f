// Validation of Tekton Triggers' kinds (triggers.tekton.dev v1beta1 *_validation.go, and the
// v1alpha1 ClusterInterceptor rules). Every error is collected with its field path; where Tekton
// stops at the first error (binding params, undeclared template params) kiln reports them all.
// Paths name the field itself: Tekton reports an inline template's errors without the
// `template.spec.` prefix, kiln includes it.
import { fieldError, invalidValue, missingField } from './checks.ts';
import { validateMetadata } from './core.validation.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import { canonicalHeaderKey } from './httpheader.ts';
import type { KObject } from './meta.ts';
import type {
  BindingParam, ClusterInterceptor, EventListener, EventListenerTrigger, EventListenerTriggerGroup, NamespacedInterceptor,
  Trigger, TriggerBinding, TriggerInterceptor, TriggerSpec, TriggerSpecBinding, TriggerSpecTemplate, TriggerTemplateSpec,
  TriggerTemplate,
} from './triggers.types.ts';

/** An EventListener's service is `el-<name>`, so the name leaves room for the prefix. */
export const MAX_EVENTLISTENER_NAME = 60;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** `$(tt.params.NAME)` as Tekton's paramsRegexp matches it (the `.`s are unescaped there too). */
const TT_PARAM = /\$\(tt.params.([_a-zA-Z][_a-zA-Z0-9.-]*)\)/g;
const BINDING_KINDS = new Set(['TriggerBinding', 'ClusterTriggerBinding']);
const TEMPLATE_API_VERSIONS = new Set(['v1alpha1', 'v1beta1']);

type Obj = Record<string, unknown>;

/**
 * EventListener: metadata (name ≤ 60 characters); at least one of labelSelector,
 * namespaceSelector.matchNames, triggerGroups, triggers; each trigger (template xor triggerRef,
 * bindings, template, interceptors, name a label value); each triggerGroup (a selector and
 * interceptors); resources kubernetesResource xor customResource.
 */
export function validateEventListener(el: EventListener): FieldError[] {
  const errs = validateMetadata(el.metadata, 'EventListener');
  const name = el.metadata?.name;
  if (typeof name === 'string' && name.length > MAX_EVENTLISTENER_NAME) {
    errs.push(invalidValue('metadata.name', `eventListener name '${name}' must be no more than ${MAX_EVENTLISTENER_NAME} characters long`));
  }
  const spec = el.spec ?? {};
  if (!spec.labelSelector && !spec.namespaceSelector?.matchNames?.length && !spec.triggerGroups?.length && !spec.triggers?.length) {
    errs.push(fieldError('spec', 'expected exactly one, got neither: labelSelector, namespaceSelector, triggerGroups, triggers'));
    return errs;
  }
  (spec.triggers ?? []).forEach((t, i) => errs.push(...validateListenerTrigger(t ?? {}, `spec.triggers[${i}]`)));
  (spec.triggerGroups ?? []).forEach((g, i) => errs.push(...validateTriggerGroup(g ?? {}, `spec.triggerGroups[${i}]`)));
  errs.push(...validateResources(spec.resources));
  return errs;
}

function validateListenerTrigger(t: EventListenerTrigger, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (t.template === undefined && !t.triggerRef) {
    errs.push(fieldError(path, 'expected exactly one, got neither: template, triggerRef'));
  }
  if (t.triggerRef) {
    const also = (['template', 'bindings', 'interceptors'] as const).filter((f) => t[f] !== undefined);
    if (also.length) errs.push(fieldError(path, `expected exactly one, got both: triggerRef, ${also.join(', ')}`));
  }
  errs.push(...validateBindings(t.bindings, path));
  if (t.template !== undefined) errs.push(...validateTemplateRef(t.template, path));
  errs.push(...validateInterceptors(t.interceptors, path));
  if (t.name !== undefined && (t.name.length > 63 || !LABEL_VALUE.test(t.name))) {
    errs.push(invalidValue(joinPath(path, 'name'), `trigger name '${t.name}' must be a valid label value`));
  }
  return errs;
}

function validateTriggerGroup(g: EventListenerTriggerGroup, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = g.triggerSelector ?? {};
  if (!sel.labelSelector && !sel.namespaceSelector?.matchNames?.length) {
    errs.push(fieldError(joinPath(path, 'triggerSelector'), 'expected exactly one, got neither: labelSelector, namespaceSelector'));
  }
  if (!g.interceptors?.length) errs.push(missingField(joinPath(path, 'interceptors')));
  else errs.push(...validateInterceptors(g.interceptors, path));
  return errs;
}

function validateResources(resources: unknown): FieldError[] {
  if (!isObj(resources)) return [];
  const errs: FieldError[] = [];
  const { kubernetesResource: kr, customResource: cr } = resources;
  if (kr !== undefined && cr !== undefined) {
    return [fieldError('spec.resources', 'expected exactly one, got both: kubernetesResource, customResource')];
  }
  if (isObj(kr) && typeof kr.replicas === 'number' && kr.replicas < 0) {
    errs.push(invalidValue('spec.resources.kubernetesResource.replicas', kr.replicas, 'must be >= 0'));
  }
  return errs;
}

/** Trigger: metadata (a Tekton name: no '.', ≤ 63); spec bindings, template (required), interceptors. */
export function validateTrigger(tr: Trigger): FieldError[] {
  const errs = validateMetadata(tr.metadata, 'Trigger');
  errs.push(...validateTriggerSpec(tr.spec ?? {}, 'spec'));
  return errs;
}

/** A TriggerSpec at `path` (a Trigger's `spec`): bindings, template (required), interceptors. */
export function validateTriggerSpec(spec: TriggerSpec, path: string): FieldError[] {
  return [
    ...validateBindings(spec.bindings, path),
    ...validateTemplateRef(spec.template ?? {}, path),
    ...validateInterceptors(spec.interceptors, path),
  ];
}

function validateBindings(bindings: TriggerSpecBinding[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (bindings ?? []).forEach((b, i) => {
    const p = joinPath(joinPath(path, 'bindings'), i);
    if (b?.ref) {
      if (b.name) errs.push(fieldError(p, 'expected exactly one, got both: ref, name'));
      else if (b.kind !== undefined && !BINDING_KINDS.has(b.kind)) {
        errs.push(invalidValue(joinPath(p, 'kind'), b.kind, 'expected TriggerBinding or ClusterTriggerBinding'));
      }
    } else if (b?.name) {
      if (b.value === undefined) errs.push(missingField(joinPath(p, 'value')));
    } else {
      errs.push(fieldError(p, 'expected exactly one, got neither: ref, name'));
    }
  });
  return errs;
}

function validateTemplateRef(t: TriggerSpecTemplate, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const p = joinPath(path, 'template');
  if (t.apiversion && !TEMPLATE_API_VERSIONS.has(t.apiversion)) {
    errs.push(invalidValue(joinPath(p, 'apiversion'), t.apiversion, 'expected v1alpha1 or v1beta1'));
  }
  if (t.spec !== undefined && t.ref !== undefined) errs.push(fieldError(p, 'expected exactly one, got both: spec, ref'));
  else if (t.spec === undefined && t.ref === undefined) errs.push(fieldError(p, 'expected exactly one, got neither: spec, ref'));
  else if (t.spec !== undefined) errs.push(...validateTriggerTemplateSpec(t.spec, joinPath(p, 'spec')));
  else if (!t.ref) errs.push(missingField(joinPath(p, 'ref')));
  return errs;
}

function validateInterceptors(interceptors: TriggerInterceptor[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (interceptors ?? []).forEach((ic, i) => {
    const p = joinPath(joinPath(path, 'interceptors'), i);
    if (!isObj(ic as unknown)) {
      errs.push(invalidValue(p, ic, 'an interceptor must be an object'));
      return;
    }
    if (ic.webhook === undefined) {
      if (!ic.ref?.name) errs.push(missingField(joinPath(p, 'ref.name')));
    } else {
      errs.push(...validateWebhook(ic.webhook, joinPath(p, 'webhook')));
    }
  });
  return errs;
}

function validateWebhook(webhook: unknown, path: string): FieldError[] {
  if (!isObj(webhook)) return [];
  const errs: FieldError[] = [];
  const ref = webhook.objectRef;
  if (!isObj(ref)) {
    errs.push(missingField(joinPath(path, 'objectRef')));
  } else {
    if (!ref.kind) errs.push(missingField(joinPath(path, 'objectRef.kind')));
    else if (ref.kind !== 'Service') errs.push(invalidValue(joinPath(path, 'objectRef.kind'), ref.kind, 'expected Service'));
    if (!ref.apiVersion) errs.push(missingField(joinPath(path, 'objectRef.apiVersion')));
    else if (ref.apiVersion !== 'v1') errs.push(invalidValue(joinPath(path, 'objectRef.apiVersion'), ref.apiVersion, 'expected v1'));
  }
  const headers = Array.isArray(webhook.header) ? webhook.header : [];
  headers.forEach((h: unknown, i: number) => {
    const p = joinPath(joinPath(path, 'header'), i);
    const hn = isObj(h) ? h.name : undefined;
    if (typeof hn !== 'string' || hn === '' || canonicalHeaderKey(hn) !== hn) {
      errs.push(invalidValue(joinPath(p, 'name'), hn ?? '', 'invalid header name (expected a non-empty canonical name, e.g. X-Custom-Header)'));
    }
    const v = isObj(h) ? h.value : undefined;
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) {
      errs.push(invalidValue(joinPath(p, 'value'), v ?? '', 'invalid header value (must not be empty)'));
    }
  });
  return errs;
}

/** TriggerBinding / ClusterTriggerBinding: metadata; params present, each with name and value, names unique, `$(` terminated. */
export function validateTriggerBinding(tb: TriggerBinding): FieldError[] {
  const errs = validateMetadata(tb.metadata, tb.kind);
  const params = tb.spec?.params ?? [];
  if (params.length === 0) {
    errs.push(missingField('spec'));
    return errs;
  }
  errs.push(...validateBindingParams(params, 'spec.params'));
  return errs;
}

/** Binding params at `path`: name and value required, names unique, no `$(` left open before another `$(`. */
export function validateBindingParams(params: BindingParam[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  params.forEach((param, i) => {
    const p = joinPath(path, i);
    if (!param?.name) errs.push(missingField(joinPath(p, 'name')));
    else if (seen.has(param.name)) errs.push(fieldError(joinPath(p, 'name'), `duplicate param name "${param.name}"`));
    else seen.add(param.name);
    if (param?.value === undefined) errs.push(missingField(joinPath(p, 'value')));
    else if (typeof param.value === 'string' && !bindingValueTerminated(param.value)) {
      errs.push(invalidValue(joinPath(p, 'value'), param.value, 'an expression "$(" is not closed before the next one'));
    }
  });
  return errs;
}

/**
 * Tekton's validateParamValue: splitting on `$(`, every piece but the last must contain an
 * unbalanced `)` (the last one is not checked, so a trailing `$(body` passes as in Tekton).
 */
export function bindingValueTerminated(value: string): boolean {
  const pieces = value.split('$(');
  for (let i = 1; i < pieces.length - 1; i++) {
    let open = 0;
    let closed = false;
    for (const ch of pieces[i]) {
      if (ch === '(') open++;
      else if (ch === ')' && --open < 0) { closed = true; break; }
    }
    if (!closed) return false;
  }
  return true;
}

/** TriggerTemplate: metadata; spec not empty; resourcetemplates present, each with apiVersion and kind; `$(tt.params.x)` declared. */
export function validateTriggerTemplate(tt: TriggerTemplate): FieldError[] {
  const errs = validateMetadata(tt.metadata, 'TriggerTemplate');
  const spec = tt.spec ?? {};
  if (!spec.params?.length && !spec.resourcetemplates?.length) errs.push(missingField('spec'));
  errs.push(...validateTriggerTemplateSpec(spec, 'spec'));
  return errs;
}

/** A TriggerTemplateSpec at `path` (a TriggerTemplate's `spec`, or a trigger's `template.spec`). */
export function validateTriggerTemplateSpec(spec: TriggerTemplateSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rp = joinPath(path, 'resourcetemplates');
  const templates = spec.resourcetemplates ?? [];
  if (templates.length === 0) errs.push(missingField(rp));
  const declared = new Set((spec.params ?? []).map((p) => p?.name));
  templates.forEach((rt, i) => {
    const p = joinPath(rp, i);
    if (!isObj(rt)) {
      errs.push(invalidValue(p, rt, 'a resource template must be an object with apiVersion and kind'));
      return;
    }
    if (!rt.apiVersion) errs.push(missingField(joinPath(p, 'apiVersion')));
    if (!rt.kind) errs.push(missingField(joinPath(p, 'kind')));
    for (const name of undeclaredTemplateParams(rt, declared)) {
      errs.push(invalidValue(p, `undeclared param '$(tt.params.${name})'`, `'$(tt.params.${name})' must be declared in ${joinPath(path, 'params')}`));
    }
  });
  return errs;
}

/** Names of `$(tt.params.X)` used in a resource template's JSON text and not in `declared`, once each, in order. */
export function undeclaredTemplateParams(template: unknown, declared: ReadonlySet<string | undefined>): string[] {
  const out: string[] = [];
  for (const m of JSON.stringify(template).matchAll(TT_PARAM)) {
    if (!declared.has(m[1]) && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

/** ClusterInterceptor / Interceptor: metadata; clientConfig url xor service; a service needs name and namespace. */
export function validateInterceptorObject(ic: ClusterInterceptor | NamespacedInterceptor): FieldError[] {
  const errs = validateMetadata(ic.metadata, ic.kind);
  const cc = ic.spec?.clientConfig ?? {};
  if (cc.url !== undefined && cc.service !== undefined) {
    errs.push(fieldError('spec.clientConfig', 'expected exactly one, got both: url, service'));
  }
  if (cc.service) {
    if (!cc.service.namespace) errs.push(missingField('spec.clientConfig.service.namespace'));
    if (!cc.service.name) errs.push(missingField('spec.clientConfig.service.name'));
  }
  return errs;
}

/** Any Triggers kind (by `kind`); undefined for kinds that are not Triggers'. */
export function validateTriggersObject(obj: KObject): FieldError[] | undefined {
  switch (obj.kind) {
    case 'EventListener': return validateEventListener(obj as EventListener);
    case 'Trigger': return validateTrigger(obj as Trigger);
    case 'TriggerBinding':
    case 'ClusterTriggerBinding': return validateTriggerBinding(obj as TriggerBinding);
    case 'TriggerTemplate': return validateTriggerTemplate(obj as TriggerTemplate);
    case 'Interceptor':
    case 'ClusterInterceptor': return validateInterceptorObject(obj as ClusterInterceptor);
    default: return undefined;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
