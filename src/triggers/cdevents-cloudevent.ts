// CloudEvents arriving at an EventListener (HTTP binary or structured mode, read with the
// `cloudevents` package) and the CDEvent they carry. A structured CloudEvent carrying a CDEvent is
// turned into its binary form before the triggers see it (its `data` as the body, its attributes
// as `Ce-*` headers), so bindings read `$(body.subject.id)` whichever mode the sender used.
import { CloudEvent, HTTP } from 'cloudevents';
import { canonicalHeaderKey } from '../api/httpheader.ts';

/** The CloudEvent attributes an EventListener keeps (the `cloudevent` extension). */
export interface CloudEventAttributes {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  /** extension attributes (e.g. `traceparent`) */
  extensions: Record<string, string>;
}

const CORE_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64']);

function lowerFlat(header: Record<string, readonly string[] | string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(header)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : String(v);
  return out;
}

/** Whether the request carries a structured-mode CloudEvent (`Content-Type: application/cloudevents+json`). */
export function isStructuredCloudEvent(header: Record<string, readonly string[] | string | undefined>): boolean {
  return /^application\/cloudevents\+json\b/i.test(lowerFlat(header)['content-type'] ?? '');
}

/** Whether the request is a CloudEvent at all (binary: a `Ce-Specversion` header; or structured). */
export function isCloudEvent(header: Record<string, readonly string[] | string | undefined>): boolean {
  const h = lowerFlat(header);
  return h['ce-specversion'] !== undefined || isStructuredCloudEvent(header);
}

function attributesOf(ce: CloudEvent): CloudEventAttributes {
  const extensions: Record<string, string> = {};
  for (const [k, v] of Object.entries(ce)) if (!CORE_ATTRIBUTES.has(k) && v !== undefined && typeof v !== 'function' && typeof v !== 'object') extensions[k] = String(v);
  return {
    specversion: ce.specversion, id: ce.id, source: ce.source, type: ce.type,
    subject: ce.subject, time: ce.time ? String(ce.time) : undefined,
    datacontenttype: ce.datacontenttype, dataschema: ce.dataschema, extensions,
  };
}

/**
 * The CloudEvent of an HTTP request (binary or structured), parsed and checked by the
 * `cloudevents` package: its attributes and its data (JSON data as a value; else the text).
 * Throws an Error saying what is wrong when the request is not a valid CloudEvent.
 */
export function readCloudEvent(header: Record<string, readonly string[] | string | undefined>, body: string): { attributes: CloudEventAttributes; data: unknown } {
  const headers = lowerFlat(header);
  if (!HTTP.isEvent({ headers, body })) throw new Error('not a CloudEvent: no Ce-Specversion header and no application/cloudevents+json body');
  let ce: CloudEvent;
  try {
    ce = HTTP.toEvent({ headers, body }) as CloudEvent;
    ce.validate();
  } catch (e) {
    throw new Error(`invalid CloudEvent: ${((e as Error).message ?? String(e)).replace(/\s+/g, ' ')}`);
  }
  if (ce.specversion !== '1.0' && ce.specversion !== '0.3') throw new Error(`invalid CloudEvent: specversion ${JSON.stringify(ce.specversion)} (1.0 or 0.3)`);
  let data: unknown = ce.data;
  if (typeof data === 'string' && /json/i.test(ce.datacontenttype ?? 'application/json')) {
    try {
      data = JSON.parse(data);
    } catch {
      // not JSON after all: the text is the data
    }
  }
  if (data === undefined && ce.data_base64 !== undefined) data = Buffer.from(ce.data_base64, 'base64').toString('utf8');
  return { attributes: attributesOf(ce), data };
}

/**
 * A structured-mode CloudEvent as the binary-mode request that carries the same event: the data
 * (JSON) as the body, the attributes as Go-canonical `Ce-*` headers, `Content-Type` the event's
 * datacontenttype (default application/json). Other headers are kept. Undefined when the request
 * is not a structured CloudEvent; throws (naming the problem) when it is one but invalid.
 */
export function structuredAsBinary(header: Record<string, string[]>, body: string): { header: Record<string, string[]>; body: string } | undefined {
  if (!isStructuredCloudEvent(header)) return undefined;
  const { attributes: a, data } = readCloudEvent(header, body);
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(header)) if (canonicalHeaderKey(k) !== 'Content-Type' && !/^ce-/i.test(k)) out[k] = v;
  const set = (k: string, v: string | undefined) => { if (v !== undefined) out[canonicalHeaderKey(`ce-${k}`)] = [v]; };
  set('specversion', a.specversion);
  set('id', a.id);
  set('source', a.source);
  set('type', a.type);
  set('subject', a.subject);
  set('time', a.time);
  set('dataschema', a.dataschema);
  for (const [k, v] of Object.entries(a.extensions)) set(k, v);
  out['Content-Type'] = [a.datacontenttype ?? 'application/json'];
  return { header: out, body: typeof data === 'string' ? data : JSON.stringify(data ?? null) };
}

/**
 * What an EventListener's triggers see of a request: a valid structured CloudEvent carrying a
 * CDEvent in binary form (see {@link structuredAsBinary}), so `$(body.subject.id)` reads the same
 * in both modes; anything else as it came, as Tekton passes it (other structured CloudEvents keep
 * their envelope as the body; an invalid one is left for the `cdevents` interceptor to reject with
 * its reason). `converted` says whether it changed.
 */
export function eventListenerView(header: Record<string, string[]>, body: string): { header: Record<string, string[]>; body: string; converted: boolean } {
  try {
    const b = structuredAsBinary(header, body);
    const type = b ? (JSON.parse(b.body) as { context?: { type?: unknown } } | null)?.context?.type : undefined;
    if (b && typeof type === 'string' && type.startsWith('dev.cdevents.')) return { ...b, converted: true };
  } catch {
    // an invalid structured CloudEvent stays as it came
  }
  return { header, body, converted: false };
}
