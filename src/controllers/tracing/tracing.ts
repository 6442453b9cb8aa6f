// Traces of runs (OpenTelemetry): a span per PipelineRun, per TaskRun and per step, exported
// with OTLP/HTTP when the standard OTEL_* variables ask for it (off by default). Spans are
// written from the runs' stored state once a run finishes (start and end times from its status),
// with ids derived from the runs' uids (triggers/tracecontext.ts): a TaskRun's span is the child
// of its PipelineRun's, a step's of its TaskRun's, and a run started by a webhook delivery that
// carried a `traceparent` joins the caller's trace. Steps get the TRACEPARENT of their own span,
// so what they trace nests under them. Runs that finished while kiln was down are not exported.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, TracerProvider, type IdGenerator, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { Condition, KObject } from '../../api/meta.ts';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import { PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import type { TaskRun, TaskRunStatus } from '../../api/taskrun.types.ts';
import { createInformer, type Informer } from '../../runtime/informer.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Store } from '../../store/store.ts';
import { runParentSpan, runSpanId, runTraceId, runTraceParent, stepSpanId } from '../../triggers/tracecontext.ts';

/** Which exporter the environment asks for: OTLP over HTTP, the console, or none (tracing off). */
export function tracesExporterOf(env: Record<string, string | undefined>): 'otlp' | 'console' | undefined {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  const asked = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (asked.includes('none')) return undefined;
  if (asked.includes('otlp')) return 'otlp';
  if (asked.includes('console')) return 'console';
  // no exporter named: on only when an OTLP endpoint is configured
  return !asked.length && (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT) ? 'otlp' : undefined;
}

export interface TracingOptions {
  store: Store;
  /** the process environment (OTEL_* variables) */
  env?: Record<string, string | undefined>;
  /** instead of the exporter the environment names (tests) */
  exporter?: SpanExporter;
  /** service.instance.id: the server's URL */
  instance?: string;
  logger?: Logger;
}

export interface Tracing {
  start(): Promise<void>;
  /** sends what is buffered */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

function succeeded(status: { conditions?: Condition[] } | undefined): Condition | undefined {
  return status?.conditions?.find((c) => c.type === 'Succeeded');
}

function finished(obj: KObject): boolean {
  const c = succeeded(obj.status as { conditions?: Condition[] } | undefined);
  return c?.status === 'True' || c?.status === 'False';
}

/** The tracing of runs the environment asks for, or undefined when it is off. */
export function createTracing({ store, env = process.env, exporter, instance, logger }: TracingOptions): Tracing | undefined {
  const kind = exporter ? 'given' : tracesExporterOf(env);
  if (!kind) return undefined;
  const spanExporter = exporter ?? (kind === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter());
  // the ids of the next span, set just before it starts (spans are started one at a time, synchronously)
  const next = { traceId: '', spanId: '' };
  const idGenerator: IdGenerator = { generateTraceId: () => next.traceId, generateSpanId: () => next.spanId };
  const provider = new TracerProvider({
    idGenerator,
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'kiln', ...(instance ? { 'service.instance.id': instance } : {}) }),
    spanProcessors: [new BatchSpanProcessor({ exporter: spanExporter, scheduledDelayMillis: 500 })],
  });
  const tracer: Tracer = provider.getTracer('kiln');
  const informers: Informer[] = [];
  /** uids of runs exported (bounded) */
  const done = new Set<string>();

  function span(o: { name: string; traceId: string; spanId: string; parent?: { spanId: string; remote: boolean }; sampled: boolean; start: string; end: string; attributes: Attributes; failed?: string }): void {
    const start = Date.parse(o.start);
    const end = Date.parse(o.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) return;
    next.traceId = o.traceId;
    next.spanId = o.spanId;
    const flags = o.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE;
    const ctx = o.parent ? trace.setSpanContext(ROOT_CONTEXT, { traceId: o.traceId, spanId: o.parent.spanId, traceFlags: flags, isRemote: o.parent.remote }) : ROOT_CONTEXT;
    const s = tracer.startSpan(o.name, { kind: SpanKind.INTERNAL, startTime: new Date(start), attributes: o.attributes }, ctx);
    s.setStatus(o.failed === undefined ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: o.failed });
    s.end(new Date(Math.max(start, end)));
  }

  function runSpan(run: KObject, name: string, attributes: Attributes): void {
    const st = run.status as { startTime?: string; completionTime?: string; conditions?: Condition[] } | undefined;
    const c = succeeded(st);
    const uid = run.metadata.uid ?? '';
    const sampled = runTraceParent(run)?.flags !== '00';
    span({
      name, traceId: runTraceId(run), spanId: runSpanId(uid), parent: runParentSpan(run), sampled,
      start: st?.startTime ?? run.metadata.creationTimestamp ?? '', end: st?.completionTime ?? c?.lastTransitionTime ?? '',
      attributes: { ...attributes, 'kiln.namespace': run.metadata.namespace ?? 'default', 'kiln.status': c?.status === 'True' ? 'Succeeded' : 'Failed', 'kiln.reason': c?.reason ?? '' },
      failed: c?.status === 'True' ? undefined : c?.message || c?.reason || 'failed',
    });
  }

  function exportPipelineRun(pr: PipelineRun): void {
    runSpan(pr, `PipelineRun ${pr.spec?.pipelineRef?.name ?? pr.metadata.name}`, { 'tekton.pipelinerun': pr.metadata.name ?? '', 'tekton.pipeline': pr.spec?.pipelineRef?.name ?? '' });
  }

  function exportTaskRun(tr: TaskRun): void {
    const task = tr.metadata.labels?.['tekton.dev/pipelineTask'] ?? tr.spec?.taskRef?.name ?? tr.metadata.name ?? '';
    runSpan(tr, `TaskRun ${task}`, { 'tekton.taskrun': tr.metadata.name ?? '', 'tekton.task': tr.spec?.taskRef?.name ?? '', 'tekton.pipelinetask': tr.metadata.labels?.['tekton.dev/pipelineTask'] ?? '' });
    const uid = tr.metadata.uid ?? '';
    const sampled = runTraceParent(tr)?.flags !== '00';
    const attempts: TaskRunStatus[] = [...(tr.status?.retriesStatus ?? []), tr.status ?? {}];
    attempts.forEach(function attemptSteps(st, attempt) {
      for (const step of st.steps ?? []) {
        const t = step.terminated;
        if (!t?.startedAt || !t.finishedAt) continue;
        span({
          name: `step ${step.name}`, traceId: runTraceId(tr), spanId: stepSpanId(uid, attempt, step.name), parent: { spanId: runSpanId(uid), remote: false }, sampled,
          start: t.startedAt, end: t.finishedAt,
          attributes: { 'tekton.step': step.name, 'tekton.attempt': attempt, 'process.exit.code': t.exitCode ?? 0 },
          failed: t.exitCode ? `exit code ${t.exitCode}` : undefined,
        });
      }
    });
  }

  function follow(type: typeof TASKRUN, onFinished: (obj: KObject) => void): void {
    const informer: Informer = createInformer(store, type, {
      logger,
      handlers: {
        onAdd: (o) => seen(o, !informer.hasSynced()),
        onUpdate: (_old, o) => seen(o, false),
      },
    });
    informers.push(informer);
    function seen(o: KObject, initial: boolean): void {
      const uid = o.metadata.uid ?? '';
      if (!finished(o) || done.has(uid)) return;
      if (done.size > 20_000) done.clear();
      done.add(uid);
      if (initial) return; // finished before kiln started: exported then, or never
      try {
        onFinished(o);
      } catch (e) {
        logger?.error(`tracing: ${o.kind} ${o.metadata.namespace}/${o.metadata.name}: ${(e as Error).message}`);
      }
    }
  }

  return {
    async start() {
      follow(PIPELINERUN, (o) => exportPipelineRun(o as PipelineRun));
      follow(TASKRUN, (o) => exportTaskRun(o as TaskRun));
      await Promise.all(informers.map((i) => i.synced));
    },
    flush: () => provider.forceFlush(),
    async stop() {
      await Promise.all(informers.splice(0).map((i) => i.stop()));
      await provider.shutdown().catch((e: Error) => logger?.error(`tracing: ${e.message}`));
    },
  };
}
