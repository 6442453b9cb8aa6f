import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { KObject } from '../../api/meta.ts';
import { PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { ANNOTATION_TRACEPARENT, stepTraceParent } from '../../triggers/tracecontext.ts';
import { createTracing, tracesExporterOf } from './tracing.ts';

test('tracesExporterOf: off by default; OTEL_TRACES_EXPORTER, an OTLP endpoint, OTEL_SDK_DISABLED', () => {
  const cases: Array<{ name: string; env: Record<string, string>; want: string | undefined }> = [
    { name: 'nothing set', env: {}, want: undefined },
    { name: 'otlp', env: { OTEL_TRACES_EXPORTER: 'otlp' }, want: 'otlp' },
    { name: 'console', env: { OTEL_TRACES_EXPORTER: 'console' }, want: 'console' },
    { name: 'none', env: { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }, want: undefined },
    { name: 'endpoint only', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' }, want: 'otlp' },
    { name: 'traces endpoint only', env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:4318/v1/traces' }, want: 'otlp' },
    { name: 'disabled', env: { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, want: undefined },
  ];
  for (const c of cases) assert.equal(tracesExporterOf(c.env), c.want, c.name);
  assert.equal(createTracing({ store: createMemoryStore(), env: {} }), undefined);
});

async function setStatus(store: Store, type: typeof TASKRUN, ns: string, name: string, status: object): Promise<void> {
  const cur = await store.get(type, ns, name);
  await store.updateStatus(type, { ...cur, status });
}

const ok = (start: string, end: string) => ({ startTime: start, completionTime: end, conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }] });

test('a finished PipelineRun, its TaskRun and steps become spans: parent → child, in the caller\'s trace, the step span being the one its TRACEPARENT names', async () => {
  const store = createMemoryStore();
  const exporter = new InMemorySpanExporter();
  const tracing = createTracing({ store, exporter, env: {}, logger: silentLogger })!;
  const before = await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'old', namespace: 'ci' }, spec: {} });
  await setStatus(store, PIPELINERUN, 'ci', 'old', ok('2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z'));
  await tracing.start();
  const caller = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const pr: KObject = await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'p', namespace: 'ci', annotations: { [ANNOTATION_TRACEPARENT]: caller } }, spec: { pipelineRef: { name: 'build' } } });
  const tr = await store.create(TASKRUN, {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun',
    metadata: { name: 'p-a', namespace: 'ci', annotations: { [ANNOTATION_TRACEPARENT]: caller }, labels: { 'tekton.dev/pipelineTask': 'a' }, ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'p', uid: pr.metadata.uid!, controller: true }] },
    spec: {},
  });
  const steps = [
    { name: 'compile', terminated: { exitCode: 0, startedAt: '2024-05-01T10:00:01Z', finishedAt: '2024-05-01T10:00:02Z', reason: 'Completed' } },
    { name: 'test', terminated: { exitCode: 1, startedAt: '2024-05-01T10:00:02Z', finishedAt: '2024-05-01T10:00:03Z', reason: 'Error' } },
  ];
  await setStatus(store, TASKRUN, 'ci', 'p-a', { ...ok('2024-05-01T10:00:01Z', '2024-05-01T10:00:03Z'), steps });
  await setStatus(store, PIPELINERUN, 'ci', 'p', ok('2024-05-01T10:00:00Z', '2024-05-01T10:00:04Z'));
  for (let i = 0; i < 400 && exporter.getFinishedSpans().length < 4; i++) {
    await tracing.flush();
    await new Promise((r) => setTimeout(r, 5));
  }
  const spans = exporter.getFinishedSpans();
  assert.deepEqual(spans.map((s) => s.name).sort(), ['PipelineRun build', 'TaskRun a', 'step compile', 'step test']);
  const by = (n: string) => spans.find((s) => s.name === n)!;
  const [prSpan, trSpan, compile, failing] = ['PipelineRun build', 'TaskRun a', 'step compile', 'step test'].map(by);
  for (const s of spans) assert.equal(s.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736', s.name);
  assert.equal(prSpan.parentSpanContext?.spanId, '00f067aa0ba902b7');
  assert.equal(trSpan.parentSpanContext?.spanId, prSpan.spanContext().spanId);
  assert.equal(compile.parentSpanContext?.spanId, trSpan.spanContext().spanId);
  assert.equal(stepTraceParent(tr, 0, 'compile', false), `00-4bf92f3577b34da6a3ce929d0e0e4736-${compile.spanContext().spanId}-01`);
  assert.equal(failing.status.code, 2);
  assert.deepEqual([compile.startTime, compile.endTime], [[Date.parse('2024-05-01T10:00:01Z') / 1000, 0], [Date.parse('2024-05-01T10:00:02Z') / 1000, 0]]);
  assert.ok(!spans.some((s) => s.attributes['tekton.pipelinerun'] === before.metadata.name), 'a run finished before the start is not exported');
  await tracing.stop();
});
