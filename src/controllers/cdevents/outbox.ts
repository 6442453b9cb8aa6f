// The CDEvents outbox: each event a run's state implies is recorded in the store as a `CDEvent`
// object (kiln.dev/v1, named by the event's context.id, owned by the run) before it is sent, and
// its delivery state per sink is kept in its status. The store writes a run's status and this
// entry in two transactions, so entries are derived from the stored run (level-based): after a
// crash between the two, the next reconcile of the run records what its state implies, with the
// same ids. See docs/decisions/0018-cdevents-outbox.md.
import type { KObject } from '../../api/meta.ts';
import type { CDEvent } from '../../events/cdevent.ts';
import type { ResourceType, Store } from '../../store/store.ts';
import { StoreError } from '../../store/store.ts';
import { ANNOTATION_SEAL, isSealed, sealOf } from './seal.ts';

/** The outbox kind: `kiln get cdevents` once the kind is registered for the API. */
export const OUTBOX: ResourceType = { group: 'kiln.dev', plural: 'cdevents', kind: 'CDEvent', namespaced: true };

/** One sink's delivery state of an entry. */
export interface SinkState {
  /** the sink's URL, credentials removed */
  sink: string;
  state: 'Delivered' | 'Failed';
  attempts: number;
  at: string;
  lastError?: string;
}

/** An outbox entry as stored. */
export interface OutboxEntry extends KObject {
  spec: {
    /** `Kind/namespace/name` of the run the event is about */
    run: string;
    /** the event's place among its run's events (per-run order) */
    index: number;
    /** when it was recorded (RFC 3339, ms): delivery order across runs */
    recordedAt: string;
    event: CDEvent;
  };
  status?: { sinks?: SinkState[] };
}

/** The URL of a sink as shown in delivery state: no userinfo, no query (they may hold credentials). */
export function sinkName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

/** The label with an entry's event type (without `dev.cdevents.` and its version), e.g. `taskrun.started`. */
export const LABEL_TYPE = 'cdevents.kiln.dev/type';

function shortType(type: string): string {
  return type.replace(/^dev\.cdevents\./, '').replace(/\.\d+\.\d+\.\d+$/, '');
}

/** The entry recording `event`, the `index`-th event of `run`. */
export function outboxEntry(run: KObject, event: CDEvent, index: number, recordedAt: string): OutboxEntry {
  const { apiVersion, kind } = run;
  const name = run.metadata.name ?? '';
  const namespace = run.metadata.namespace ?? 'default';
  return {
    apiVersion: 'kiln.dev/v1',
    kind: 'CDEvent',
    metadata: {
      name: event.context.id,
      namespace,
      labels: { [LABEL_TYPE]: shortType(event.context.type).slice(0, 63) },
      ownerReferences: run.metadata.uid ? [{ apiVersion, kind, name, uid: run.metadata.uid }] : undefined,
    },
    spec: { run: `${kind}/${namespace}/${name}`, index, recordedAt, event },
  };
}

/** Delivery order: when recorded, then the place among the run's events. */
export function byDeliveryOrder(a: OutboxEntry, b: OutboxEntry): number {
  return a.spec.recordedAt < b.spec.recordedAt ? -1 : a.spec.recordedAt > b.spec.recordedAt ? 1 : a.spec.index - b.spec.index;
}

export interface OutboxRecorder {
  /**
   * Records the events `run` implies that are not recorded yet (in their order), handing each
   * newly recorded entry to `onRecorded`. Calls are serialised: an event recorded by one call
   * is recorded before any event of a later call.
   */
  record(run: KObject, events: readonly CDEvent[]): Promise<number>;
  /** Loads the ids already recorded (call once before the first record) and returns the entries (with a seal key: those it sealed). */
  load(): Promise<OutboxEntry[]>;
}

export function createOutboxRecorder({ store, now = () => new Date(), onRecorded, sealKey }: { store: Store; now?: () => Date; onRecorded: (e: OutboxEntry) => void; sealKey?: Buffer }): OutboxRecorder {
  const known = new Set<string>();
  let tail: Promise<unknown> = Promise.resolve();

  async function recordNow(run: KObject, events: readonly CDEvent[]): Promise<number> {
    let n = 0;
    for (const [i, e] of events.entries()) {
      if (known.has(e.context.id)) continue;
      const entry = outboxEntry(run, e, i, now().toISOString());
      if (sealKey) entry.metadata.annotations = { [ANNOTATION_SEAL]: sealOf(sealKey, entry.spec) };
      try {
        onRecorded(await store.create(OUTBOX, entry));
        n++;
      } catch (err) {
        if (!(err instanceof StoreError && err.reason === 'AlreadyExists')) throw err;
        // an entry of that id not sealed by kiln (written through the API) is replaced by the real one
        const cur = sealKey ? await store.get<OutboxEntry>(OUTBOX, entry.metadata.namespace!, entry.metadata.name!) : undefined;
        if (cur && !isSealed(sealKey!, cur)) {
          onRecorded(await store.update(OUTBOX, { ...entry, metadata: { ...cur.metadata, annotations: entry.metadata.annotations, labels: entry.metadata.labels, ownerReferences: entry.metadata.ownerReferences }, status: undefined }));
          n++;
        }
      }
      known.add(e.context.id);
    }
    return n;
  }

  return {
    record(run, events) {
      if (events.every((e) => known.has(e.context.id))) return Promise.resolve(0);
      const p = tail.then(() => recordNow(run, events));
      tail = p.catch(() => undefined);
      return p;
    },
    async load() {
      const { items } = await store.list<OutboxEntry>(OUTBOX);
      const recorded = sealKey ? items.filter((e) => isSealed(sealKey, e)) : items;
      for (const e of recorded) known.add(e.metadata.name ?? '');
      return recorded;
    },
  };
}
