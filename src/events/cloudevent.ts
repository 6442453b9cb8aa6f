// The CloudEvents binding of CDEvents (cdevents spec cloudevents-binding.md), over the
// `cloudevents` package: id, source and type from the context, `subject` = subject.id, `time` =
// context.timestamp, data = the whole CDEvent as JSON; HTTP binary or structured mode.
import { CloudEvent, HTTP } from 'cloudevents';
import type { CDEvent } from './cdevent.ts';

/** How an event travels over HTTP: attributes in `ce-*` headers (binary) or all in the JSON body (structured). */
export type HttpMode = 'binary' | 'structured';

/** An HTTP request's headers and body carrying one event. */
export interface HttpMessage { headers: Record<string, string>; body: string }

/** The CloudEvent carrying `e`. */
export function toCloudEvent(e: CDEvent): CloudEvent<CDEvent> {
  return new CloudEvent<CDEvent>({
    specversion: '1.0',
    id: e.context.id,
    source: e.context.source,
    type: e.context.type,
    subject: e.subject.id,
    time: e.context.timestamp,
    datacontenttype: 'application/json',
    data: e,
  }, false);
}

/** The HTTP request that carries `e` in `mode`. */
export function toHttp(e: CDEvent, mode: HttpMode = 'binary'): HttpMessage {
  const ce = toCloudEvent(e);
  const m = mode === 'structured' ? HTTP.structured(ce) : HTTP.binary(ce);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers)) headers[k.toLowerCase()] = String(v);
  const body = typeof m.body === 'string' ? m.body : JSON.stringify(m.body);
  return { headers, body };
}

/**
 * The CDEvent a CloudEvents HTTP request carries (binary or structured), with the CloudEvent's
 * attributes; throws an Error naming what is missing when it is not a CloudEvent or its data is
 * not a CDEvent.
 */
export function fromHttp(headers: Record<string, string | string[] | undefined>, body: string): { cloudEvent: CloudEvent; cdevent: CDEvent } {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  if (!HTTP.isEvent({ headers: flat, body })) throw new Error('not a CloudEvent: no ce-specversion header and no structured (application/cloudevents+json) body');
  const ce = HTTP.toEvent({ headers: flat, body }) as CloudEvent;
  const data = typeof ce.data === 'string' ? JSON.parse(ce.data) as unknown : ce.data;
  const ctx = (data as Partial<CDEvent> | undefined)?.context;
  if (!ctx || typeof ctx.type !== 'string' || !ctx.type.startsWith('dev.cdevents.')) throw new Error(`CloudEvent ${ce.id}: data is not a CDEvent (no context.type dev.cdevents.*)`);
  return { cloudEvent: ce, cdevent: data as CDEvent };
}
