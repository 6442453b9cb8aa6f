// Prometheus metrics at /metrics (prom-client, text format 0.0.4): runs by kind, status and
// reason and TaskRuns waiting for a slot (read from the store at scrape time); run and step
// durations (histograms, observed from the store's watch when a run finishes); webhook
// deliveries by listener and outcome (from the trigger records hooks.ts writes); CDEvents
// delivered/failed/retried per sink and waiting in the outbox (reported by the delivery); how long
// TaskRuns waited for a slot; reconcile latency and outcomes per controller (reported by the
// runtime, wired in main.ts); the store's size on disk and objects per resource, and GitOps
// Applications by sync and health status (at scrape time).
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Condition, KObject } from '../api/meta.ts';
import { EVENT, PIPELINERUN, TASKRUN } from '../api/registry.ts';
import type { ResourceType, Store, Watch } from '../store/store.ts';

export interface Metrics {
  registry: Registry;
  /** starts watching the store (durations, webhook deliveries) */
  start(): void;
  stop(): void;
  /** a CDEvents delivery outcome (the delivery's onOutcome) */
  eventOutcome(o: { sink: string; outcome: 'delivered' | 'failed' | 'retry' }): void;
  /** the outbox entries waiting per sink, read at scrape time */
  setPendingEvents(read: () => Record<string, number>): void;
  /** one reconcile of a controller: how long it took and how it ended */
  reconciled(r: { controller: string; seconds: number; outcome: string }): void;
}

/** The store's size (see metrics-store.ts), read at scrape time. */
export type StoreStatsReader = () => { bytes: number; objects: Record<string, number> };

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Argo CD-style Applications (argoproj.io), counted by sync and health status. */
const APPLICATION: ResourceType = { group: 'argoproj.io', plural: 'applications', kind: 'Application', namespaced: true };

function succeededOf(obj: KObject): Condition | undefined {
  return (obj.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === 'Succeeded');
}

function seconds(from: string | undefined, to: string | undefined): number | undefined {
  const a = from ? Date.parse(from) : NaN;
  const b = to ? Date.parse(to) : NaN;
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? (b - a) / 1000 : undefined;
}

function statusLabel(c: Condition | undefined): string {
  return !c ? 'Unknown' : c.status === 'True' ? 'Succeeded' : c.status === 'False' ? 'Failed' : 'Running';
}

export function createMetrics({ store, storeStats }: { store: Store; storeStats?: StoreStatsReader }): Metrics {
  const registry = new Registry();
  let pendingEvents: () => Record<string, number> = () => ({});
  const watches: Watch[] = [];

  new Gauge({
    name: 'kiln_runs', help: 'Runs in the store by kind, status (Succeeded, Failed, Running, Unknown) and reason', labelNames: ['kind', 'status', 'reason'], registers: [registry],
    async collect() {
      this.reset();
      for (const type of [PIPELINERUN, TASKRUN]) {
        const { items } = await store.list(type);
        for (const r of items) {
          const c = succeededOf(r);
          this.inc({ kind: type.kind, status: statusLabel(c), reason: c?.reason ?? '' });
        }
      }
    },
  });
  new Gauge({
    name: 'kiln_taskruns_waiting', help: 'TaskRuns waiting for a free slot (reason Pending): the queue depth', registers: [registry],
    async collect() {
      const { items } = await store.list(TASKRUN);
      this.set(items.filter((r) => { const c = succeededOf(r); return c?.status === 'Unknown' && c.reason === 'Pending'; }).length);
    },
  });
  new Gauge({
    name: 'kiln_applications', help: 'GitOps Applications by sync status (Synced, OutOfSync, Unknown) and health status (Healthy, Progressing, Degraded, Missing, Suspended, Unknown)', labelNames: ['sync', 'health'], registers: [registry],
    async collect() {
      this.reset();
      const { items } = await store.list(APPLICATION);
      for (const a of items) {
        const st = (a.status ?? {}) as { sync?: { status?: string }; health?: { status?: string } };
        this.inc({ sync: st.sync?.status || 'Unknown', health: st.health?.status || 'Unknown' });
      }
    },
  });
  const queueWait = new Histogram({ name: 'kiln_taskrun_queue_wait_seconds', help: 'How long TaskRuns waited from creation to their start (a free slot)', buckets: DURATION_BUCKETS, registers: [registry] });
  const reconcileDuration = new Histogram({ name: 'kiln_reconcile_duration_seconds', help: 'Reconcile latency per controller', labelNames: ['controller'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const reconciles = new Counter({ name: 'kiln_reconcile_total', help: 'Reconciles per controller by outcome (success, requeue, error: retried, terminal: not retried)', labelNames: ['controller', 'outcome'], registers: [registry] });
  const reconcileErrors = new Counter({ name: 'kiln_reconcile_errors_total', help: 'Failed reconciles per controller (retried or not)', labelNames: ['controller'], registers: [registry] });
  if (storeStats) {
    let last: ReturnType<StoreStatsReader> | undefined;
    const read = () => (last = storeStats());
    new Gauge({ name: 'kiln_store_size_bytes', help: 'Size of the store on disk (database and its write-ahead log)', registers: [registry], collect() { this.set(read().bytes); } });
    new Gauge({
      name: 'kiln_store_objects', help: 'Objects in the store per resource (group/plural)', labelNames: ['resource'], registers: [registry],
      collect() {
        this.reset();
        for (const [resource, n] of Object.entries((last ?? read()).objects)) this.set({ resource }, n);
        last = undefined;
      },
    });
  }
  const runDuration = new Histogram({ name: 'kiln_run_duration_seconds', help: 'Duration of finished runs (startTime to completionTime)', labelNames: ['kind', 'status'], buckets: DURATION_BUCKETS, registers: [registry] });
  const stepDuration = new Histogram({ name: 'kiln_step_duration_seconds', help: 'Duration of the steps of finished TaskRuns', labelNames: ['status'], buckets: DURATION_BUCKETS, registers: [registry] });
  const webhooks = new Counter({ name: 'kiln_webhook_deliveries_total', help: 'Webhook deliveries by EventListener and outcome (the trigger record reason)', labelNames: ['listener', 'outcome'], registers: [registry] });
  const events = new Counter({ name: 'kiln_cdevents_total', help: 'CDEvents delivery attempts by sink and outcome (delivered, failed for good, retry)', labelNames: ['sink', 'outcome'], registers: [registry] });
  new Gauge({
    name: 'kiln_cdevents_pending', help: 'CDEvents in the outbox waiting for delivery, per sink', labelNames: ['sink'], registers: [registry],
    collect() {
      this.reset();
      for (const [sink, n] of Object.entries(pendingEvents())) this.set({ sink }, n);
    },
  });

  /** uids of runs whose durations were observed, and of TaskRuns whose wait was (bounded) */
  const observed = new Set<string>();
  const waited = new Set<string>();
  function onRun(kind: string, obj: KObject): void {
    const c = succeededOf(obj);
    const uid = obj.metadata.uid ?? '';
    const startTime = (obj.status as { startTime?: string } | undefined)?.startTime;
    if (kind === 'TaskRun' && startTime && !waited.has(uid)) {
      if (waited.size > 10_000) waited.clear();
      waited.add(uid);
      const w = seconds(obj.metadata.creationTimestamp, startTime);
      if (w !== undefined) queueWait.observe(w);
    }
    if (!c || c.status === 'Unknown' || observed.has(uid)) return;
    if (observed.size > 10_000) observed.clear();
    observed.add(uid);
    const st = obj.status as { startTime?: string; completionTime?: string; steps?: Array<{ terminated?: { startedAt?: string; finishedAt?: string; exitCode?: number } }> };
    const d = seconds(st.startTime, st.completionTime);
    if (d !== undefined) runDuration.observe({ kind, status: statusLabel(c) }, d);
    if (kind !== 'TaskRun') return;
    for (const s of st.steps ?? []) {
      const sd = seconds(s.terminated?.startedAt, s.terminated?.finishedAt);
      if (sd !== undefined) stepDuration.observe({ status: s.terminated?.exitCode === 0 ? 'Succeeded' : 'Failed' }, sd);
    }
  }

  function follow(type: ResourceType, onEvent: (obj: KObject, type: string) => void, labelSelector?: string): void {
    const w = store.watch(type, { labelSelector });
    watches.push(w);
    void (async function drain() {
      try {
        for await (const ev of w) if (ev.type === 'ADDED' || ev.type === 'MODIFIED') onEvent(ev.object, ev.type);
      } catch {
        // the store closed, or the watch fell behind: metrics are best effort
      }
    })();
  }

  return {
    registry,
    start() {
      follow(TASKRUN, (o) => onRun('TaskRun', o));
      follow(PIPELINERUN, (o) => onRun('PipelineRun', o));
      follow(EVENT, (o, t) => {
        if (t !== 'ADDED') return;
        webhooks.inc({ listener: `${o.metadata.namespace}/${o.metadata.labels?.['triggers.tekton.dev/eventlistener'] ?? ''}`, outcome: String((o as { reason?: string }).reason ?? '') });
      }, 'triggers.tekton.dev/eventlistener');
    },
    stop() {
      for (const w of watches.splice(0)) w.stop();
    },
    eventOutcome(o) {
      events.inc({ sink: o.sink, outcome: o.outcome });
    },
    setPendingEvents(read) {
      pendingEvents = read;
    },
    reconciled(r) {
      reconcileDuration.observe({ controller: r.controller }, r.seconds);
      reconciles.inc({ controller: r.controller, outcome: r.outcome });
      if (r.outcome === 'error' || r.outcome === 'terminal') reconcileErrors.inc({ controller: r.controller });
    },
  };
}

/** Serves `registry` at GET /metrics (behind the API token like every path but the public ones). */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async function metricsText(_req, reply) {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
