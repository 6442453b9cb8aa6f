// Traces through a real `kiln serve` with OTEL_TRACES_EXPORTER=otlp and its endpoint on a
// loopback OTLP/HTTP receiver: a webhook delivery carrying a `traceparent` starts a PipelineRun
// whose span is the child of the caller's span, its TaskRun's the child of the PipelineRun's, each
// step's the child of the TaskRun's; the step sees its own span as TRACEPARENT.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { kiln, tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; startTimeUnixNano: string; endTimeUnixNano: string; status?: { code?: number } }

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const RESOURCES = [
  {
    apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'traced' },
    spec: { tasks: [{ name: 'build', taskSpec: { steps: [{ name: 'show', image: 'alpine', script: 'echo "TRACEPARENT=$TRACEPARENT"' }, { name: 'second', image: 'alpine', script: 'true' }] } }] },
  },
  {
    apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'traced' },
    spec: { triggers: [{ name: 'run', template: { spec: { resourcetemplates: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { generateName: 'traced-' }, spec: { pipelineRef: { name: 'traced' } } }] } } }] },
  },
];

const servers: Served[] = [];
const receivers: Server[] = [];
after(async () => {
  for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL');
  for (const r of receivers) r.close();
});

test('OTLP traces: caller span → PipelineRun → TaskRun → steps, and TRACEPARENT in the step', { timeout: 180_000 }, async () => {
  const spans: OtlpSpan[] = [];
  const contentTypes = new Set<string>();
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      contentTypes.add(String(req.headers['content-type']));
      if (req.url === '/v1/traces' && /json/.test(String(req.headers['content-type']))) {
        const doc = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  receivers.push(receiver);
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  // the server inherits this test process's environment
  process.env.OTEL_TRACES_EXPORTER = 'otlp';
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  process.env.OTEL_BSP_SCHEDULE_DELAY = '200';
  const dataDir = tempDir('kiln-traces-');
  const s = await startServe(dataDir);
  servers.push(s);
  for (const r of RESOURCES) {
    const path = r.kind === 'Pipeline' ? '/apis/tekton.dev/v1/namespaces/default/pipelines' : '/apis/triggers.tekton.dev/v1beta1/namespaces/default/eventlisteners';
    assert.equal((await api(s, 'POST', path, r)).status, 201);
  }
  const res = await fetch(`${s.url}/hooks/default/traced`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, body: '{}' });
  assert.equal(res.status, 202);

  const named = (prefix: string) => spans.filter((x) => x.name.startsWith(prefix));
  await until('the spans of the run', async () => named('step ').length >= 2 && named('PipelineRun').length >= 1 ? true : undefined, 120_000);
  assert.deepEqual([...contentTypes].filter((c) => !/json/.test(c)), [], 'the exporter sends OTLP JSON');
  for (const x of spans) assert.equal(x.traceId, CALLER_TRACE, x.name);
  const [pr] = named('PipelineRun');
  const [tr] = named('TaskRun');
  assert.equal(pr.name, 'PipelineRun traced');
  assert.equal(pr.parentSpanId, CALLER_SPAN);
  assert.equal(tr.name, 'TaskRun build');
  assert.equal(tr.parentSpanId, pr.spanId);
  const show = named('step show')[0];
  for (const step of named('step ')) assert.equal(step.parentSpanId, tr.spanId, step.name);
  assert.ok(BigInt(pr.startTimeUnixNano) <= BigInt(tr.startTimeUnixNano) && BigInt(tr.endTimeUnixNano) <= BigInt(pr.endTimeUnixNano));

  // the step saw its own span as TRACEPARENT
  const run = (await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns')).json.items[0];
  const logs = await kiln(['logs', run.metadata.name], { env: { KILN_HOME: dataDir } });
  assert.match(logs.stdout, new RegExp(`TRACEPARENT=00-${CALLER_TRACE}-${show.spanId}-01`));
});
