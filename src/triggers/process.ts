// One event through an EventListener, as Tekton Triggers' sink processes it after the 202: for
// each selected trigger (and trigger group) the interceptor chain, then bindings → params →
// template → resources, labelled with the listener, trigger and event id. Every trigger ends in
// an outcome (accepted with what it created, rejected by an interceptor, or failed with why), so
// an event can always be explained. IO (reading objects, creating resources) is injected.
import type { KObject } from '../api/meta.ts';
import type { BindingParam, EventListener, TriggerBinding, TriggerSpecBinding, TriggerTemplate, TriggerTemplateSpec } from '../api/triggers.types.ts';
import { resolveBindingParams } from './bindings.ts';
import { runChain, type ChainDeps } from './chain.ts';
import { selectTriggers, type EffectiveTrigger, type TriggerSource } from './select.ts';
import { renderTemplate } from './template.ts';

export const LABEL_LISTENER = 'triggers.tekton.dev/eventlistener';
export const LABEL_TRIGGER = 'triggers.tekton.dev/trigger';
export const LABEL_EVENT_ID = 'triggers.tekton.dev/triggers-eventid';

export interface EventInput {
  listener: EventListener;
  /** the raw body as text */
  body: string;
  /** the body's exact bytes, when they came over the wire (signatures are checked over them) */
  rawBody?: Uint8Array;
  /** Go-canonical header names */
  header: Record<string, string[]>;
  url: string;
  eventID: string;
}

export interface ProcessDeps extends ChainDeps, TriggerSource {
  binding(kind: 'TriggerBinding' | 'ClusterTriggerBinding', namespace: string, name: string): Promise<TriggerBinding | undefined>;
  template(namespace: string, name: string): Promise<TriggerTemplate | undefined>;
  /** creates one resource (absent: a dry run, nothing is created) */
  create?(obj: KObject): Promise<KObject>;
  /** a dry run: why `create` would refuse the resource under the host policy, or undefined */
  check?(obj: KObject): string | undefined;
  /** one `$(uid)` per trigger execution (default crypto.randomUUID) */
  uid?(): string;
}

export type Outcome = 'accepted' | 'rejected' | 'failed';

export interface TriggerOutcome {
  trigger: string;
  /** `namespaces/<ns>/triggers/<name>` */
  id: string;
  outcome: Outcome;
  /** one line: what was created, which interceptor rejected and why, or what failed */
  message: string;
  /** the params the bindings produced */
  params?: Array<{ name: string; value: string }>;
  /** the resources rendered from the template (created unless a dry run) */
  resources?: KObject[];
  /** `Kind/name` of each resource created */
  created?: string[];
}

async function bindingParams(t: EffectiveTrigger, deps: ProcessDeps): Promise<BindingParam[]> {
  const out: BindingParam[] = [];
  for (const b of t.spec.bindings ?? []) out.push(...(await paramsOf(b, t.namespace, deps)));
  return out;
}

async function paramsOf(b: TriggerSpecBinding, ns: string, deps: ProcessDeps): Promise<BindingParam[]> {
  if (!b.ref) {
    if (b.name === undefined || b.value === undefined) throw new Error('a binding needs ref, or name and value');
    return [{ name: b.name, value: b.value }];
  }
  const kind = b.kind ?? 'TriggerBinding';
  const found = await deps.binding(kind, ns, b.ref);
  if (!found) throw new Error(`${kind} "${b.ref}" not found${kind === 'TriggerBinding' ? ` in namespace ${ns}` : ''}`);
  return found.spec?.params ?? [];
}

async function templateOf(t: EffectiveTrigger, deps: ProcessDeps): Promise<{ spec: TriggerTemplateSpec; annotations?: Record<string, string> }> {
  const ref = t.spec.template?.ref;
  if (ref) {
    const found = await deps.template(t.namespace, ref);
    if (!found) throw new Error(`TriggerTemplate "${ref}" not found in namespace ${t.namespace}`);
    return { spec: found.spec ?? {}, annotations: found.metadata.annotations };
  }
  if (t.spec.template?.spec) return { spec: t.spec.template.spec };
  throw new Error('the trigger has no template');
}

/**
 * Labels and namespace every created resource gets. Resources land in the listener's namespace:
 * a listener is public (its sink takes unauthenticated deliveries), so whoever may create one in a
 * namespace must not reach another through it — neither by a template naming another namespace
 * nor through a Trigger picked from another namespace by `namespaceSelector` (Tekton relies on
 * the listener's ServiceAccount for this; kiln has none).
 */
function finish(obj: Record<string, unknown>, t: EffectiveTrigger, input: EventInput): KObject {
  const o = obj as unknown as KObject;
  const meta = { ...(o.metadata ?? {}) };
  const home = input.listener.metadata.namespace ?? 'default';
  if (meta.namespace !== undefined && meta.namespace !== home) {
    throw new Error(`${describe(o)} names namespace "${meta.namespace}": the resources of EventListener ${home}/${input.listener.metadata.name ?? ''} are created in its own namespace "${home}" only`);
  }
  meta.namespace = home;
  meta.labels = { ...(meta.labels ?? {}), [LABEL_LISTENER]: input.listener.metadata.name ?? '', [LABEL_TRIGGER]: t.name, [LABEL_EVENT_ID]: input.eventID };
  return { ...o, metadata: meta };
}

/** Bindings, template and resources of one trigger that passed its interceptors. */
async function fire(t: EffectiveTrigger, input: EventInput, extensions: Record<string, unknown>, deps: ProcessDeps): Promise<TriggerOutcome> {
  const base = { trigger: t.name, id: t.id };
  let params: Array<{ name: string; value: string }>;
  let resources: KObject[];
  try {
    const tt = await templateOf(t, deps);
    const event = { rawBody: input.body, header: input.header, extensions, eventID: input.eventID };
    params = resolveBindingParams(await bindingParams(t, deps), tt.spec.params ?? [], event);
    const uid = deps.uid?.() ?? globalThis.crypto.randomUUID();
    resources = renderTemplate(tt.spec, params, { uid, annotations: tt.annotations }).map((r) => finish(r, t, input));
  } catch (e) {
    return { ...base, outcome: 'failed', message: `trigger ${t.name}: ${(e as Error).message}` };
  }
  if (!deps.create) {
    // a dry run says what the real delivery would refuse, as the real one would
    for (const r of resources) {
      const problem = deps.check?.(r);
      if (problem) return { ...base, outcome: 'failed', message: `trigger ${t.name}: creating ${describe(r)} would fail: ${problem}`, params, resources };
    }
    return { ...base, outcome: 'accepted', message: `trigger ${t.name}: would create ${resources.map(describe).join(', ') || 'nothing'}`, params, resources };
  }
  const created: string[] = [];
  for (const r of resources) {
    try {
      created.push(describe(await deps.create(r)));
    } catch (e) {
      const done = created.length ? ` (created ${created.join(', ')} before)` : '';
      return { ...base, outcome: 'failed', message: `trigger ${t.name}: creating ${describe(r)}: ${(e as Error).message}${done}`, params, resources, created };
    }
  }
  return { ...base, outcome: 'accepted', message: `trigger ${t.name}: created ${created.join(', ') || 'nothing'}`, params, resources, created };
}

function describe(o: KObject): string {
  return `${o.kind}/${o.metadata?.name ?? `${o.metadata?.generateName ?? ''}*`}`;
}

async function one(t: EffectiveTrigger, input: EventInput, extensions: Record<string, unknown>, deps: ProcessDeps): Promise<TriggerOutcome> {
  const chain = await runChain(t.spec.interceptors ?? [], { body: input.body, rawBody: input.rawBody, header: input.header, extensions, context: { event_url: input.url, event_id: input.eventID, trigger_id: t.id } }, deps);
  if (!chain.continue) {
    const s = chain.stoppedBy!;
    return { trigger: t.name, id: t.id, outcome: 'rejected', message: `trigger ${t.name}: interceptor ${s.interceptor} rejected the event: ${s.message}` };
  }
  return fire(t, input, chain.extensions, deps);
}

/** Runs every trigger of the listener for one event; outcomes in the listener's order. */
export async function processEvent(input: EventInput, deps: ProcessDeps): Promise<TriggerOutcome[]> {
  const sel = await selectTriggers(input.listener, deps);
  const out: Array<Promise<TriggerOutcome[]>> = sel.triggers.map(async (t) => [await one(t, input, {}, deps)]);
  for (const g of sel.groups) {
    out.push((async () => {
      const chain = await runChain(g.interceptors, { body: input.body, rawBody: input.rawBody, header: input.header, extensions: {}, context: { event_url: input.url, event_id: input.eventID, trigger_id: g.id } }, deps);
      if (!chain.continue) {
        const s = chain.stoppedBy!;
        return [{ trigger: g.name, id: g.id, outcome: 'rejected' as const, message: `trigger group ${g.name}: interceptor ${s.interceptor} rejected the event: ${s.message}` }];
      }
      return Promise.all(g.triggers.map((t) => one(t, input, chain.extensions, deps)));
    })());
  }
  const results = (await Promise.all(out)).flat();
  for (const p of sel.problems) results.push({ trigger: p.trigger, id: `namespaces/${input.listener.metadata.namespace ?? 'default'}/triggers/${p.trigger}`, outcome: 'failed', message: `trigger ${p.trigger}: ${p.message}` });
  return results;
}
