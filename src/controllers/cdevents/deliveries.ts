// CDEvents of webhook deliveries: before the first resource a delivery's triggers create, the
// change/branch/repository events of a GitHub or GitLab push or pull/merge request (events/scm.ts)
// are recorded in the outbox, owned by the EventListener; what the delivery creates is annotated
// with the event that caused it, so its PipelineRun's queued event links to it. A CDEvent received
// by an EventListener (the cdevents interceptor) is that cause itself: the runs it starts link to
// it and continue its chain. Recorded before the resources exist, so its events come first.
import type { KObject } from '../../api/meta.ts';
import type { CDEvent } from '../../events/cdevent.ts';
import { ANNOTATION_CHAIN_ID, ANNOTATION_TRIGGER_EVENT, type EventSource } from '../../events/runs.ts';
import { scmEvents } from '../../events/scm.ts';
import { isCloudEvent, readCloudEvent } from '../../triggers/cdevents-cloudevent.ts';
import { readCDEvent } from '../../triggers/cdevents.ts';

/** One delivery as an EventListener received it (after a structured CloudEvent became binary). */
export interface ReceivedDelivery {
  listener: KObject;
  /** the EventListener's eventID (the `triggers.tekton.dev/triggers-eventid` label) */
  eventID: string;
  header: Record<string, string[]>;
  body: string;
}

/** The CDEvent a delivery carries (a CloudEvent, or plain JSON), if it is one. */
export function receivedCDEvent(header: Record<string, string[]>, body: string): { id: string; chainId?: string } | undefined {
  let data: unknown;
  try {
    data = isCloudEvent(header) ? readCloudEvent(header, body).data : JSON.parse(body);
  } catch {
    return undefined;
  }
  const ev = readCDEvent(data);
  return typeof ev === 'string' ? undefined : { id: ev.id, chainId: ev.chainId };
}

export interface DeliveryRecorderDeps {
  source: EventSource;
  /** whether the namespace's events go anywhere */
  has(namespace: string): boolean;
  /** records `events` about `owner` in the outbox (in order, once) */
  record(owner: KObject, events: readonly CDEvent[]): Promise<unknown>;
  now?: () => Date;
}

/**
 * The annotations the resources a delivery creates get (see the file comment), after recording
 * the delivery's own events when its namespace has sinks.
 */
export function createDeliveryRecorder({ source, has, record, now = () => new Date() }: DeliveryRecorderDeps): (d: ReceivedDelivery) => Promise<Record<string, string>> {
  return async function prepareDelivery(d) {
    const incoming = receivedCDEvent(d.header, d.body);
    if (incoming) return { [ANNOTATION_TRIGGER_EVENT]: incoming.id, ...(incoming.chainId ? { [ANNOTATION_CHAIN_ID]: incoming.chainId } : {}) };
    let body: unknown;
    try {
      body = JSON.parse(d.body);
    } catch {
      return {};
    }
    const events = scmEvents({ deliveryId: d.eventID, header: d.header, body, timestamp: now().toISOString() }, source.source);
    if (!events.length || !has(d.listener.metadata.namespace ?? 'default')) return {};
    await record(d.listener, events);
    return { [ANNOTATION_TRIGGER_EVENT]: events[0].context.id };
  };
}
