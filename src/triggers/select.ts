// Which triggers an EventListener runs for an event (Tekton Triggers' sink: inline triggers,
// `triggerRef`s, Trigger objects picked by labelSelector/namespaceSelector, and trigger groups).
import type { EventListener, EventListenerTrigger, LabelSelector, Trigger, TriggerInterceptor, TriggerSpec } from '../api/triggers.types.ts';

/** Where Trigger objects come from (the store, behind the server). */
export interface TriggerSource {
  getTrigger(namespace: string, name: string): Promise<Trigger | undefined>;
  /** `namespace` undefined = every namespace; `labelSelector` in Kubernetes string syntax */
  listTriggers(namespace: string | undefined, labelSelector: string): Promise<Trigger[]>;
}

export interface EffectiveTrigger {
  /** the trigger's name (inline triggers without one are named by their index) */
  name: string;
  namespace: string;
  spec: TriggerSpec;
  /** `namespaces/<ns>/triggers/<name>`, what interceptors see as context.trigger_id */
  id: string;
}

export interface TriggerGroup {
  name: string;
  namespace: string;
  interceptors: TriggerInterceptor[];
  /** `namespaces/<ns>/triggerGroups/<name>` */
  id: string;
  triggers: EffectiveTrigger[];
}

export interface Selection {
  triggers: EffectiveTrigger[];
  groups: TriggerGroup[];
  /** triggers that could not be resolved (e.g. a triggerRef to a missing Trigger), with why */
  problems: Array<{ trigger: string; message: string }>;
}

/** A Kubernetes LabelSelector object in the string syntax list calls take. */
export function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function fromObject(t: Trigger): EffectiveTrigger {
  const ns = t.metadata.namespace ?? 'default';
  const name = t.metadata.name ?? '';
  return { name, namespace: ns, spec: t.spec ?? {}, id: `namespaces/${ns}/triggers/${name}` };
}

/** Trigger objects picked by a namespace selector (`*` = all; absent = the listener's) and a label selector. */
async function selected(src: TriggerSource, ownNamespace: string, ns: { matchNames?: string[] } | undefined, labels: LabelSelector | undefined): Promise<EffectiveTrigger[]> {
  const names = ns?.matchNames ?? [];
  const selector = selectorString(labels);
  const lists = names.includes('*')
    ? [await src.listTriggers(undefined, selector)]
    : await Promise.all((names.length ? names : [ownNamespace]).map((n) => src.listTriggers(n, selector)));
  return lists.flat().map(fromObject);
}

async function inline(src: TriggerSource, ns: string, t: EventListenerTrigger, i: number): Promise<EffectiveTrigger | { problem: string }> {
  if (t.triggerRef) {
    const obj = await src.getTrigger(ns, t.triggerRef);
    if (!obj) return { problem: `triggerRef: Trigger "${t.triggerRef}" not found in namespace ${ns}` };
    return fromObject(obj);
  }
  const name = t.name ?? String(i);
  const { triggerRef: _ref, ...spec } = t;
  return { name, namespace: ns, spec, id: `namespaces/${ns}/triggers/${name}` };
}

/** Every trigger (and trigger group) the listener runs, in the listener's order. */
export async function selectTriggers(el: EventListener, src: TriggerSource): Promise<Selection> {
  const ns = el.metadata.namespace ?? 'default';
  const spec = el.spec ?? {};
  const out: Selection = { triggers: [], groups: [], problems: [] };
  for (const [i, t] of (spec.triggers ?? []).entries()) {
    const r = await inline(src, ns, t, i);
    if ('problem' in r) out.problems.push({ trigger: t.name ?? t.triggerRef ?? String(i), message: r.problem });
    else out.triggers.push(r);
  }
  if (spec.labelSelector || spec.namespaceSelector) {
    const seen = new Set(out.triggers.map((t) => t.id));
    for (const t of await selected(src, ns, spec.namespaceSelector, spec.labelSelector)) if (!seen.has(t.id)) out.triggers.push(t);
  }
  for (const [i, g] of (spec.triggerGroups ?? []).entries()) {
    const name = g.name ?? String(i);
    const triggers = await selected(src, ns, g.triggerSelector?.namespaceSelector, g.triggerSelector?.labelSelector);
    out.groups.push({ name, namespace: ns, interceptors: g.interceptors ?? [], id: `namespaces/${ns}/triggerGroups/${name}`, triggers });
  }
  return out;
}
