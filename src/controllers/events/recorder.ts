// Records the Kubernetes Events of a run (core/v1 Event, as Tekton's controllers emit them) when
// its Succeeded condition changes, so `kubectl describe pr NAME` and `kubectl get events` show
// them. One Event per run and reason, named from the run's uid and the reason: a reason that comes
// again (Running with each new task count, Running after a retry) bumps that Event's count,
// message and lastTimestamp, as Kubernetes aggregates repeated events. Each Event remembers the
// condition it last recorded, so recording the same transition twice changes nothing. The
// Events are owned by the run (ownerReferences): the store's cascading delete removes them with it.
import { createHash } from 'node:crypto';
import type { Condition, KObject } from '../../api/meta.ts';
import { EVENT } from '../../api/registry.ts';
import type { Store } from '../../store/store.ts';
import { isConflict, StoreError } from '../../store/store.ts';
import { EventReason, transitionEvents, type RunEvent } from './transition.ts';

/** The annotation holding a digest of the condition an Event last recorded. */
export const ANNOTATION_CONDITION = 'kiln.dev/condition';

export interface RunEventRecorderOptions {
  store: Store;
  /** `source.component` of the Events (Tekton: its controller's name, `PipelineRun` or `TaskRun`) */
  component: string;
  now?: () => Date;
  /** called with an Event that could not be recorded (default: dropped; Events are best effort) */
  onError?: (e: unknown, event: RunEvent) => void;
}

export interface RunEventRecorder {
  /** Records the Events the change of `run`'s Succeeded condition from `before` to `after` yields. */
  record(run: KObject, before: Condition | undefined, after: Condition | undefined): Promise<void>;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/**
 * `<run>.<rank><digest of uid and reason>`: the same name each time the run's reason is recorded.
 * The rank (0 Started, 1 while running, 2 Succeeded/Failed) orders the names as the Events
 * happen, since lists come sorted by name: `kubectl describe` sorts by lastTimestamp and keeps
 * that order among Events of one instant (Started and Running are recorded together).
 */
export function runEventName(run: KObject, reason: string): string {
  const rank = reason === EventReason.Started ? 0 : reason === EventReason.Succeeded || reason === EventReason.Failed ? 2 : 1;
  return `${run.metadata.name ?? ''}.${rank}${digest(run.metadata.uid ?? '', reason).slice(1)}`;
}

/** Identifies the condition an Event records (its lastTransitionTime included: a retry's Running is another). */
function conditionDigest(c: Condition): string {
  return digest(c.status, c.reason ?? '', c.message ?? '', c.lastTransitionTime ?? '');
}

export function createRunEventRecorder({ store, component, now = () => new Date(), onError = () => {} }: RunEventRecorderOptions): RunEventRecorder {
  function eventOf(run: KObject, e: RunEvent, seen: string, at: string): KObject {
    const namespace = run.metadata.namespace ?? 'default';
    const { apiVersion, kind } = run;
    const name = run.metadata.name ?? '';
    const uid = run.metadata.uid ?? '';
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: runEventName(run, e.reason),
        namespace,
        annotations: { [ANNOTATION_CONDITION]: seen },
        ownerReferences: [{ apiVersion, kind, name, uid }],
      },
      involvedObject: { apiVersion, kind, name, namespace, uid },
      reason: e.reason,
      message: e.message,
      type: e.type,
      source: { component },
      reportingComponent: 'kiln',
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
    };
  }

  /** Creates the Event, or bumps the existing one unless it recorded this very condition already. */
  async function upsert(event: KObject): Promise<void> {
    const ns = event.metadata.namespace ?? 'default';
    const name = event.metadata.name ?? '';
    const seen = event.metadata.annotations?.[ANNOTATION_CONDITION];
    for (let attempt = 0; ; attempt++) {
      try {
        await store.create(EVENT, event);
        return;
      } catch (e) {
        if (!(e instanceof StoreError && e.reason === 'AlreadyExists')) throw e;
      }
      const cur = await store.get(EVENT, ns, name);
      if (cur.metadata.annotations?.[ANNOTATION_CONDITION] === seen) return;
      const count = typeof cur.count === 'number' ? cur.count + 1 : 2;
      const annotations = { ...cur.metadata.annotations, [ANNOTATION_CONDITION]: seen ?? '' };
      try {
        await store.update(EVENT, { ...cur, metadata: { ...cur.metadata, annotations }, message: event.message, type: event.type, lastTimestamp: event.lastTimestamp, count });
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 5) throw e;
      }
    }
  }

  async function record(run: KObject, before: Condition | undefined, after: Condition | undefined): Promise<void> {
    const events = transitionEvents(before, after);
    if (!events.length || !after) return;
    const at = now().toISOString();
    const seen = conditionDigest(after);
    for (const e of events) {
      try {
        await upsert(eventOf(run, e, seen, at));
      } catch (err) {
        onError(err, e);
      }
    }
  }

  return { record };
}
