// Wiring of CDEvents: two controllers (TaskRuns, PipelineRuns) record in the outbox the events
// each run's stored state implies (src/events), webhook deliveries record theirs (deliveries.ts),
// and the delivery sends them to the sinks: the server's and the namespace's own (sinks.ts); a
// namespace with neither records nothing. Level
// based: at start every run is reconciled again, so an event whose status change was written
// but not yet recorded when kiln stopped (kill -9) is recorded then, with its id.
// Order across a chain: a TaskRun's events wait until its PipelineRun has started (and record
// the PipelineRun's queued/started first); a finished PipelineRun records its TaskRuns' events
// before its own finished event.
import type { Condition, KObject } from '../../api/meta.ts';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import { PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { CDEventType, type CDEvent } from '../../events/cdevent.ts';
import { GitOpsEventType } from '../../events/gitops.ts';
import { eventsOfRun } from '../../events/index.ts';
import type { EventSource } from '../../events/runs.ts';
import { parentPipelineRunUid } from '../../events/runs.ts';
import { createController, type Controller } from '../../runtime/controller.ts';
import { shardKeyOf } from '../../runtime/owners.ts';
import type { Shard } from '../../runtime/replicas.ts';
import type { ResourceType, Store } from '../../store/store.ts';
import { isConflict, orUndefined } from '../../store/store.ts';
import type { Logger } from '../../runtime/logger.ts';
import { ensureOutboxCrd } from './crd.ts';
import { createDeliveryRecorder, type ReceivedDelivery } from './deliveries.ts';
import { createDelivery, type Delivery, type DeliveryOptions } from './delivery.ts';
import { createOutboxRecorder, OUTBOX } from './outbox.ts';
import { createSinkDirectory, type SinkConfig } from './sinks.ts';

export interface CDEventsOptions {
  store: Store;
  /** the server's sinks (`--events-sink`): every namespace's events; namespaces add their own (sinks.ts) */
  sinks: SinkConfig[];
  /** context.source and the API base for `uri` */
  source: EventSource;
  post?: DeliveryOptions['post'];
  baseDelay?: number;
  maxDelay?: number;
  now?: () => Date;
  onOutcome?: DeliveryOptions['onOutcome'];
  logger?: Logger;
  /** seals recorded entries; with it, entries loaded at start without a valid seal are not delivered (seal.ts) */
  sealKey?: Buffer;
  /** several replicas share the work: a run's events are recorded by the replica of its PipelineRun's key (default: this process records all) */
  shard?: Shard;
}

export interface CDEvents {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** resolves once the controllers are idle and every sink has nothing waiting */
  idle(): Promise<void>;
  delivery: Delivery;
  /** events recorded since start */
  recorded(): number;
  /**
   * Called by an EventListener before the first resource a delivery creates: records the
   * delivery's CDEvents and answers the annotations its resources get (deliveries.ts).
   */
  prepareDelivery(d: ReceivedDelivery): Promise<Record<string, string>>;
  /** Called after each resource a delivery created: the first owns the delivery's entries from then on. */
  deliveryCreated(d: { eventID: string }, created: KObject): Promise<void>;
  /** where the events of `namespace` go now */
  sinksOf(namespace: string): SinkConfig[];
}

function succeeded(obj: KObject): Condition | undefined {
  return (obj.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === 'Succeeded');
}

/** Argo CD-style Applications (GitOps): their deployments are CDEvents too (events/gitops.ts). */
export const APPLICATION: ResourceType = { group: 'argoproj.io', plural: 'applications', kind: 'Application', namespaced: true };

/** Whether an Application's deployments (status.history) or its deletion changed. */
function deploymentsChanged(a: KObject, b: KObject): boolean {
  const key = (o: KObject) => `${JSON.stringify((o.status as { history?: unknown } | undefined)?.history ?? [])}|${o.metadata.deletionTimestamp ?? ''}`;
  return key(a) !== key(b);
}

/** The parts of a run's status its events depend on. */
function eventState(obj: KObject): string {
  const st = obj.status as { startTime?: string; completionTime?: string; retriesStatus?: unknown[] } | undefined;
  return `${st?.startTime}|${st?.completionTime}|${succeeded(obj)?.status}|${st?.retriesStatus?.length ?? 0}`;
}

const eventStateChanged = (a: KObject, b: KObject) => eventState(a) !== eventState(b);

export function createCDEvents({ store, sinks, source, post, baseDelay, maxDelay, now, onOutcome, logger, sealKey, shard }: CDEventsOptions): CDEvents {
  const sharded = shard && { owns: (o: KObject) => shard.owns(shardKeyOf(o, 'PipelineRun')), onChange: (l: () => void) => shard.onChange(l) };
  const directory = createSinkDirectory({ store, global: sinks, logger, onChange: () => { if (loaded && directory.anywhere()) watchRuns().catch((e) => logger?.error(`CDEvents: ${(e as Error).message}`)); } });
  const delivery = createDelivery({ store, sinksOf: directory.sinksOf, post, baseDelay, maxDelay, now, onOutcome });
  let count = 0;
  const recorder = createOutboxRecorder({ store, now, sealKey, onRecorded: (e) => { count++; delivery.add(e); } });
  const deliveries = createDeliveryRecorder({ source, has: directory.has, record: (owner, events) => recorder.record(owner, events), adopt, now });

  /** `owner` becomes the only owner of outbox entry `name` (a delivery's entry, owned by its listener until then) */
  async function adopt(namespace: string, name: string, owner: KObject): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const cur = await orUndefined(store.get(OUTBOX, namespace, name));
      if (!cur) return;
      try {
        await store.update(OUTBOX, { ...cur, metadata: { ...cur.metadata, ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid! }] } });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  async function getRun<T extends KObject>(c: Controller, type: ResourceType, ns: string, name: string): Promise<T | undefined> {
    return (c.informerFor(type)?.get(ns, name) as T | undefined) ?? orUndefined(store.get<T>(type, ns, name));
  }

  /** the events of a run the namespace's sinks get (those since it has sinks, see sinks.ts) */
  function eventsFor(run: KObject): CDEvent[] {
    const all = eventsOfRun(run, source);
    const since = directory.since(run.metadata.namespace ?? 'default');
    return since ? all.filter((e) => Date.parse(e.context.timestamp) >= Date.parse(since)) : all;
  }

  async function recordTaskRun(ns: string, name: string): Promise<{ requeueAfter: number } | void> {
    if (!directory.has(ns)) return;
    const tr = await getRun<TaskRun>(taskruns, TASKRUN, ns, name);
    if (!tr) return;
    const parentUid = parentPipelineRunUid(tr);
    const prName = tr.metadata.labels?.['tekton.dev/pipelineRun'];
    if (parentUid && prName) {
      const pr = await getRun<PipelineRun>(pipelineruns, PIPELINERUN, ns, prName);
      if (pr?.metadata.uid === parentUid) {
        if (!pr.status?.startTime) return { requeueAfter: 20 };
        await recorder.record(pr, eventsFor(pr).filter((e) => e.context.type !== CDEventType.PipelineRunFinished));
      }
    }
    await recorder.record(tr, eventsFor(tr));
  }

  async function recordPipelineRun(ns: string, name: string): Promise<void> {
    if (!directory.has(ns)) return;
    const pr = await getRun<PipelineRun>(pipelineruns, PIPELINERUN, ns, name);
    if (!pr) return;
    const c = succeeded(pr);
    if (c && c.status !== 'Unknown') {
      const { items } = await store.list<TaskRun>(TASKRUN, { namespace: ns, labelSelector: `tekton.dev/pipelineRun=${name}` });
      const started = eventsFor(pr).filter((e) => e.context.type !== CDEventType.PipelineRunFinished);
      await recorder.record(pr, started);
      for (const tr of items.filter((t) => parentPipelineRunUid(t) === pr.metadata.uid)) await recorder.record(tr, eventsFor(tr));
    }
    await recorder.record(pr, eventsFor(pr));
  }

  async function recordApplication(ns: string, name: string): Promise<void> {
    if (!directory.has(ns)) return;
    const app = await getRun<KObject>(applications, APPLICATION, ns, name);
    if (!app) return;
    const events = eventsFor(app);
    const removed = events.filter((e) => e.context.type === GitOpsEventType.ServiceRemoved);
    await recorder.record(app, events.filter((e) => !removed.includes(e)));
    // owned by nothing: the Application's deletion must not take its removal event along
    if (removed.length) await recorder.record({ ...app, metadata: { ...app.metadata, uid: undefined } }, removed);
  }

  const applications = createController({
    name: 'cdevents-application', store, shard: sharded, type: APPLICATION, workers: 1, updatePredicate: deploymentsChanged,
    reconciler: { reconcile: (req) => recordApplication(req.namespace, req.name) },
  });
  const taskruns = createController({
    name: 'cdevents-taskrun', store, shard: sharded, type: TASKRUN, workers: 1, updatePredicate: eventStateChanged,
    reconciler: { reconcile: (req) => recordTaskRun(req.namespace, req.name) },
  });
  const pipelineruns = createController({
    name: 'cdevents-pipelinerun', store, shard: sharded, type: PIPELINERUN, workers: 1, updatePredicate: eventStateChanged,
    reconciler: { reconcile: (req) => recordPipelineRun(req.namespace, req.name) },
  });

  // the run controllers (and their caches of every run) start only once some namespace has a sink
  let watching: Promise<void> | undefined;
  let stopped = false;
  /** the outbox is loaded: recording may begin */
  let loaded = false;
  function watchRuns(): Promise<void> {
    if (stopped) return Promise.resolve();
    watching ??= Promise.all([pipelineruns.start(), taskruns.start(), applications.start()]).then(() => undefined);
    return watching;
  }

  return {
    delivery,
    recorded: () => count,
    prepareDelivery: deliveries.prepare,
    deliveryCreated: deliveries.created,
    sinksOf: (ns) => directory.sinksOf(ns),
    async start() {
      await ensureOutboxCrd(store).catch((e) => logger?.error(`the CDEvent kind is not served: ${(e as Error).message}`));
      await directory.start();
      delivery.addPending(await recorder.load());
      loaded = true;
      if (directory.anywhere()) await watchRuns();
    },
    async stop() {
      stopped = true;
      if (watching) await Promise.all([pipelineruns.stop(), taskruns.stop(), applications.stop()]);
      await delivery.stop();
      await directory.stop();
    },
    async idle() {
      if (watching) {
        await watching;
        await Promise.all([pipelineruns.idle(), taskruns.idle(), applications.idle()]);
      }
      await delivery.idle();
    },
  };
}
