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
  /** makes `owner` the owner of the outbox entry `name` in `namespace` */
  adopt(namespace: string, name: string, owner: KObject): Promise<void>;
  now?: () => Date;
}

export interface DeliveryRecorder {
  /** before the first resource: records the delivery's events, answers the annotations */
  prepare(d: ReceivedDelivery): Promise<Record<string, string>>;
  /**
   * After a resource the delivery created: the first one becomes the owner of the delivery's
   * entries (so they go with it, e.g. when retention deletes the run; until then the listener owns them).
   */
  created(d: { eventID: string }, obj: KObject): Promise<void>;
}

/**
 * The annotations the resources a delivery creates get (see the file comment), after recording
 * the delivery's own events when its namespace has sinks.
 */
export function createDeliveryRecorder({ source, has, record, adopt, now = () => new Date() }: DeliveryRecorderDeps): DeliveryRecorder {
  /** the entries recorded per delivery (eventID) waiting for their owner (bounded) */
  const orphans = new Map<string, { namespace: string; names: string[] }>();
  async function prepare(d: ReceivedDelivery): Promise<Record<string, string>> {
    const incoming = receivedCDEvent(d.header, d.body);
    if (incoming) return { [ANNOTATION_TRIGGER_EVENT]: incoming.id, ...(incoming.chainId ? { [ANNOTATION_CHAIN_ID]: incoming.chainId } : {}) };
    let body: unknown;
    try {
      body = JSON.parse(d.body);
    } catch {
      return {};
    }
    const events = scmEvents({ deliveryId: d.eventID, header: d.header, body, timestamp: now().toISOString() }, source.source);
    const namespace = d.listener.metadata.namespace ?? 'default';
    if (!events.length || !has(namespace)) return {};
    await record(d.listener, events);
    if (orphans.size >= 1000) orphans.clear();
    orphans.set(d.eventID, { namespace, names: events.map((e) => e.context.id) });
    // the runs continue the delivery's chain (the delivered commit's: a deployment of it joins)
    const chainId = events[0].context.chainId;
    return { [ANNOTATION_TRIGGER_EVENT]: events[0].context.id, ...(chainId ? { [ANNOTATION_CHAIN_ID]: chainId } : {}) };
  }
  async function created(d: { eventID: string }, obj: KObject): Promise<void> {
    const o = orphans.get(d.eventID);
    if (!o || !obj.metadata.uid || (obj.metadata.namespace ?? 'default') !== o.namespace) return;
    orphans.delete(d.eventID);
    for (const name of o.names) await adopt(o.namespace, name, obj);
  }
  return { prepare, created };
}
