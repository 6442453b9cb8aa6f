// Webhook sinks: `POST /hooks/{namespace}/{eventlistener}` answers as a Tekton EventListener does
// (202 with {eventListener, namespace, eventListenerUID, eventID} once the body is a JSON object,
// 400 when it is not), then processes the triggers after the reply. Each trigger's outcome is
// recorded as a core/v1 Event on the listener (queryable with `kiln get events` or kubectl), and a
// delivery id seen before (X-GitHub-Delivery, X-Gitlab-Event-UUID, …) starts nothing again.
// Also the dry run behind `kiln trigger test`: the same processing, nothing created.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hostPolicyErrors, SERVE_POLICY, type HostPolicy } from '../api/hostpolicy.ts';
import { canonicalHeaderKey } from '../api/httpheader.ts';
import type { KObject } from '../api/meta.ts';
import { groupOf } from '../api/meta.ts';
import { prepareObject } from '../api/prepare.ts';
import { findKind, type KindInfo } from '../api/registry.ts';
import type { EventListener, Trigger, TriggerBinding, TriggerTemplate } from '../api/triggers.types.ts';
import type { Store } from '../store/store.ts';
import { orUndefined } from '../store/store.ts';
import { goJsonUnmarshalObject } from '../triggers/gojson.ts';
import { eventListenerView } from '../triggers/cdevents-cloudevent.ts';
import { canonicalHeaders } from '../triggers/interceptors/header.ts';
import { ANNOTATION_TRACEPARENT, formatTraceParent, parseTraceParent } from '../triggers/tracecontext.ts';
import { processEvent, type EventInput, type ProcessDeps, type TriggerOutcome } from '../triggers/process.ts';
import type { Interceptor } from '../triggers/types.ts';
import { badRequest, notFound } from './errors.ts';

const EL = findKind('EventListener', 'triggers.tekton.dev')!;
const TRIGGER = findKind('Trigger', 'triggers.tekton.dev')!;
const TB = findKind('TriggerBinding', 'triggers.tekton.dev')!;
const CTB = findKind('ClusterTriggerBinding', 'triggers.tekton.dev')!;
const TT = findKind('TriggerTemplate', 'triggers.tekton.dev')!;
const SECRET = findKind('Secret', '')!;
const EVENT = findKind('Event', '')!;

/** Headers that identify one delivery, so a redelivery starts nothing twice. */
export const DELIVERY_HEADERS = ['X-Github-Delivery', 'X-Gitlab-Event-Uuid', 'X-Gitlab-Webhook-Uuid', 'Idempotency-Key', 'X-Request-Uuid', 'X-Hook-Uuid', 'X-Request-Id'];
export const LABEL_DELIVERY = 'kiln.dev/delivery';
export const ANNOTATION_DELIVERY = 'kiln.dev/delivery-id';

export interface HookOptions {
  store: Store;
  interceptors: Readonly<Record<string, Interceptor>>;
  /** largest webhook body (default 10 MiB) */
  bodyLimit?: number;
  newId?: () => string;
  now?: () => Date;
  /** called with every event's outcomes once processed (tests, benchmarks) */
  onProcessed?: (eventID: string, outcomes: TriggerOutcome[]) => void;
  /** hostPath and privileged containers admitted in what triggers create (default: neither), as through the API */
  hostPolicy?: HostPolicy;
  /**
   * Called once per delivery before the first resource its triggers create (e.g. to record its
   * CDEvents); answers annotations every resource the delivery creates gets.
   */
  prepareDelivery?: (d: { listener: EventListener; eventID: string; header: Record<string, string[]>; body: string }) => Promise<Record<string, string>>;
  /** Called after each resource a delivery created (e.g. to hand it what was recorded for the delivery); its failures are ignored. */
  deliveryCreated?: (d: { listener: EventListener; eventID: string }, created: KObject) => Promise<void>;
}

/** Node's request headers as Go sees them: canonical names, every value. */
export function goHeaders(req: FastifyRequest): Record<string, string[]> {
  return canonicalHeaders(req.raw.headersDistinct as Record<string, string[]>);
}

export function deliveryIdOf(header: Record<string, string[]>): string | undefined {
  for (const h of DELIVERY_HEADERS) if (header[h]?.[0]) return `${h}:${header[h][0]}`;
  return undefined;
}

function rawText(body: unknown): string {
  return Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
}

/**
 * Tekton's payload check, `json.Unmarshal` into a map: a JSON object (or `null`, which Go
 * accepts) passes; arrays, scalars, an empty body and bad JSON fail with Go's error text.
 */
function payloadError(text: string): string | undefined {
  const r = goJsonUnmarshalObject(text);
  return 'error' in r ? r.error : undefined;
}

/** A form-encoded body becomes JSON of its fields (`{"k":["v"]}`), as Tekton's sink does. */
function formAsJson(text: string, contentType: string | undefined): string {
  if (!/^application\/x-www-form-urlencoded/i.test(contentType ?? '')) return text;
  const q = new URLSearchParams(text);
  const keys = [...new Set(q.keys())];
  if (keys.length <= 1) return text;
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, q.getAll(k)])));
}

function secretValue(s: KObject | undefined, key: string): string | undefined {
  const v = (s as { data?: Record<string, string> } | undefined)?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** A rendered resource as the API would take it (valid, within the host policy), or why not. */
function admit(obj: KObject, policy: HostPolicy | undefined): { info: KindInfo; object: KObject } | { problem: string } {
  const info = typeof obj.kind === 'string' && typeof obj.apiVersion === 'string' ? findKind(obj.kind, groupOf(obj.apiVersion)) : undefined;
  if (!info) return { problem: `kiln cannot create ${obj.apiVersion}/${obj.kind}` };
  const p = prepareObject(obj);
  const refused = p.object ? hostPolicyErrors(p.object, policy ?? SERVE_POLICY).map((e) => ({ ...e, path: p.sourcePath?.(e.path) ?? e.path })) : [];
  const errors = [...p.errors, ...refused];
  if (errors.length || !p.object) return { problem: errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ') || 'not a usable object' };
  return { info, object: p.object };
}

/**
 * What the host policy refuses in a rendered resource of a kind kiln creates, or undefined (what a
 * dry run reports: its resources are shown as rendered, whatever else they hold).
 */
function hostRefusal(obj: KObject, policy: HostPolicy | undefined): string | undefined {
  const info = typeof obj.kind === 'string' && typeof obj.apiVersion === 'string' ? findKind(obj.kind, groupOf(obj.apiVersion)) : undefined;
  const p = info ? prepareObject(obj) : undefined;
  if (!p?.object) return undefined;
  const refused = hostPolicyErrors(p.object, policy ?? SERVE_POLICY).map((e) => `${p.sourcePath?.(e.path) ?? e.path}: ${e.message}`);
  return refused.length ? refused.join('; ') : undefined;
}

/**
 * The annotations of what a delivery creates: its `traceparent` (runs join the caller's trace),
 * and what `prepareDelivery` answers (asked once, before the first resource).
 */
function deliveryAnnotations(o: HookOptions, input: EventInput | undefined): () => Promise<Record<string, string>> {
  let prepared: Promise<Record<string, string>> | undefined;
  return function annotations() {
    prepared ??= (async () => {
      if (!input) return {};
      // the HTTP header, else a CloudEvent's distributed-tracing extension (Ce-Traceparent)
      const trace = parseTraceParent(input.header.Traceparent?.[0]) ?? parseTraceParent(input.header['Ce-Traceparent']?.[0]);
      const own = await o.prepareDelivery?.({ listener: input.listener, eventID: input.eventID, header: input.header, body: input.body });
      return { ...own, ...(trace ? { [ANNOTATION_TRACEPARENT]: formatTraceParent(trace) } : {}) };
    })();
    return prepared;
  };
}

function annotated(obj: KObject, extra: Record<string, string>): KObject {
  if (!Object.keys(extra).length || !obj.metadata) return obj;
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...extra, ...obj.metadata.annotations } } };
}

/** The store behind trigger processing; `create` absent for a dry run. */
function processDeps(o: HookOptions, dryRun: boolean, input?: EventInput): ProcessDeps {
  const { store } = o;
  const annotations = deliveryAnnotations(o, input);
  return {
    interceptor: (name) => (Object.hasOwn(o.interceptors, name) ? o.interceptors[name] : undefined),
    secret: async (ns, name, key) => secretValue(await orUndefined(store.get(SECRET, ns, name)), key),
    getTrigger: (ns, name) => orUndefined(store.get<Trigger>(TRIGGER, ns, name)),
    listTriggers: async (ns, labelSelector) => (await store.list<Trigger>(TRIGGER, { namespace: ns, labelSelector })).items,
    binding: (kind, ns, name) => (kind === 'ClusterTriggerBinding' ? orUndefined(store.get<TriggerBinding>(CTB, '', name)) : orUndefined(store.get<TriggerBinding>(TB, ns, name))),
    template: (ns, name) => orUndefined(store.get<TriggerTemplate>(TT, ns, name)),
    create: dryRun ? undefined : async (obj) => {
      const c = admit(annotated(obj, await annotations()), o.hostPolicy);
      if ('problem' in c) throw new Error(c.problem);
      const created = await store.create(c.info, c.object);
      if (input) await o.deliveryCreated?.({ listener: input.listener, eventID: input.eventID }, created).catch(() => undefined);
      return created;
    },
    check: dryRun ? (obj) => hostRefusal(obj, o.hostPolicy) : undefined,
    uid: o.newId,
  };
}

async function listenerOf(store: Store, ns: string, name: string): Promise<EventListener> {
  const el = await orUndefined(store.get<EventListener>(EL, ns, name));
  if (!el) throw notFound(`eventlisteners.triggers.tekton.dev "${name}" not found`, { name, group: 'triggers.tekton.dev', kind: 'eventlisteners' });
  return el;
}

/** A label-safe digest of a delivery id (the id itself goes in an annotation). */
function deliveryLabel(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 40);
}

/** Records one Event per trigger outcome on the listener. */
type Row = Pick<TriggerOutcome, 'trigger' | 'outcome' | 'message'> & { reason: string };

/** The Event rows of an event's outcomes (one per trigger; NoTriggers when none ran). */
function rowsOf(outcomes: TriggerOutcome[]): Row[] {
  return outcomes.length
    ? outcomes.map((x) => ({ ...x, reason: { accepted: 'TriggerAccepted', rejected: 'TriggerRejected', failed: 'TriggerFailed' }[x.outcome] }))
    : [{ trigger: '', outcome: 'rejected', message: 'no trigger of the listener matched this event', reason: 'NoTriggers' }];
}

async function record(o: HookOptions, el: EventListener, eventID: string, delivery: string | undefined, rows: Row[]): Promise<void> {
  const ns = el.metadata.namespace ?? 'default';
  const now = (o.now?.() ?? new Date()).toISOString();
  for (const [i, x] of rows.entries()) {
    const labels: Record<string, string> = { 'triggers.tekton.dev/eventlistener': el.metadata.name ?? '', 'triggers.tekton.dev/triggers-eventid': eventID };
    if (x.trigger) labels['triggers.tekton.dev/trigger'] = x.trigger;
    if (delivery) labels[LABEL_DELIVERY] = deliveryLabel(delivery);
    const event: KObject = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${el.metadata.name}.${eventID}.${i}`, namespace: ns, labels, annotations: delivery ? { [ANNOTATION_DELIVERY]: delivery } : undefined },
      involvedObject: { apiVersion: el.apiVersion, kind: 'EventListener', namespace: ns, name: el.metadata.name, uid: el.metadata.uid },
      reason: x.reason, message: x.message, type: x.outcome === 'accepted' ? 'Normal' : 'Warning',
      source: { component: 'kiln-triggers' }, reportingComponent: 'kiln-triggers', firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    await o.store.create(EVENT, event);
  }
}

export function registerHooks(app: FastifyInstance, o: HookOptions): void {
  const newId = o.newId ?? (() => crypto.randomUUID());
  /** per listener (uid): the delivery digests it has processed, loaded from its Events once */
  const seen = new Map<string, Promise<Set<string>>>();

  function deliveriesOf(el: EventListener): Promise<Set<string>> {
    const uid = el.metadata.uid ?? '';
    let set = seen.get(uid);
    if (!set) {
      set = o.store.list(EVENT, { namespace: el.metadata.namespace, labelSelector: `triggers.tekton.dev/eventlistener=${el.metadata.name}` })
        .then(({ items }) => new Set(items.map((e) => e.metadata.labels?.[LABEL_DELIVERY]).filter((x): x is string => !!x)));
      set.catch(() => seen.delete(uid));
      seen.set(uid, set);
    }
    return set;
  }

  /** True when the delivery was processed (or is being processed) before; else marks it as seen. */
  async function seenBefore(el: EventListener, delivery: string): Promise<boolean> {
    const set = await deliveriesOf(el);
    const label = deliveryLabel(delivery);
    if (set.has(label)) return true;
    set.add(label);
    return false;
  }

  async function afterReply(el: EventListener, input: EventInput): Promise<void> {
    const delivery = deliveryIdOf(input.header);
    let outcomes: TriggerOutcome[];
    if (delivery && (await seenBefore(el, delivery))) {
      outcomes = [{ trigger: '', id: '', outcome: 'rejected', message: `delivery ${delivery} was processed before; nothing started again` }];
      await record(o, el, input.eventID, delivery, [{ ...outcomes[0], reason: 'DuplicateDelivery' }]);
    } else {
      try {
        outcomes = await processEvent(input, processDeps(o, false, input));
        await record(o, el, input.eventID, delivery, rowsOf(outcomes));
      } catch (e) {
        // nothing was recorded: a redelivery may try again
        if (delivery) (await deliveriesOf(el)).delete(deliveryLabel(delivery));
        throw e;
      }
    }
    o.onProcessed?.(input.eventID, outcomes);
  }

  async function sink(req: FastifyRequest<{ Params: { namespace: string; name: string } }>, reply: FastifyReply): Promise<unknown> {
    const { namespace, name } = req.params;
    const el = await listenerOf(o.store, namespace, name);
    const text = rawText(req.body);
    const validate = el.metadata.annotations?.['tekton.dev/payload-validation'] !== 'false';
    const problem = validate ? payloadError(text) : undefined;
    if (problem) {
      return reply.code(400).type('application/json').send({ eventListener: name, namespace, eventListenerUID: '', errorMessage: `Invalid event body format : ${problem}` });
    }
    const form = formAsJson(text, req.headers['content-type']);
    // a structured CloudEvent reaches the triggers in binary form: its data as the body
    const view = eventListenerView(goHeaders(req), form);
    // signatures are checked over the bytes as sent (text decoding would alter invalid UTF-8)
    const rawBody = form === text && !view.converted && Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : undefined;
    const eventID = newId();
    const input: EventInput = { listener: el, body: view.body, rawBody, header: view.header, url: `${req.protocol}://${req.host}${req.url}`, eventID };
    void afterReply(el, input).catch((e) => req.log.error({ err: e, eventID }, 'trigger processing failed'));
    return reply.code(202).type('application/json').send({ eventListener: name, namespace, eventListenerUID: el.metadata.uid ?? '', eventID });
  }

  const bodyLimit = o.bodyLimit ?? 10 * 1024 * 1024;
  app.post('/hooks/:namespace/:name', { bodyLimit }, sink);
  app.post('/hooks/:namespace/:name/*', { bodyLimit }, sink);
  app.get<{ Params: { namespace: string; name: string } }>('/hooks/:namespace/:name/live', async (req, reply) => {
    await listenerOf(o.store, req.params.namespace, req.params.name);
    return reply.type('text/plain; charset=utf-8').send('ok');
  });

  // `kiln trigger test`: the whole processing for a given body and headers, creating nothing
  app.post<{ Params: { namespace: string; name: string } }>('/apis/triggers.tekton.dev/v1beta1/namespaces/:namespace/eventlisteners/:name/test', async function dryRun(req) {
    const el = await listenerOf(o.store, req.params.namespace, req.params.name);
    let input: { body?: unknown; headers?: unknown };
    try {
      input = JSON.parse(rawText(req.body));
    } catch (e) {
      throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof input?.body !== 'string') throw badRequest('body: expected the event body as a string');
    const header: Record<string, string[]> = {};
    if (input.headers !== undefined && (typeof input.headers !== 'object' || input.headers === null || Array.isArray(input.headers))) throw badRequest('headers: expected an object of header name to value(s)');
    for (const [k, v] of Object.entries((input.headers ?? {}) as Record<string, unknown>)) header[canonicalHeaderKey(k)] = (Array.isArray(v) ? v : [v]).map(String);
    const problem = el.metadata.annotations?.['tekton.dev/payload-validation'] !== 'false' ? payloadError(input.body) : undefined;
    if (problem) throw badRequest(`the sink would answer 400: Invalid event body format : ${problem}`);
    const eventID = newId();
    const view = eventListenerView(header, input.body);
    const outcomes = await processEvent({ listener: el, body: view.body, header: view.header, url: `${req.protocol}://${req.host}/hooks/${req.params.namespace}/${req.params.name}`, eventID }, processDeps(o, true));
    return { kind: 'TriggerTestResult', apiVersion: 'kiln.dev/v1', eventID, outcomes };
  });
}
