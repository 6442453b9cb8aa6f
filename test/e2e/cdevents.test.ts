// CDEvents and /metrics through a real `kiln serve`: a pipeline (a JUnit-writing step, an image
// result) sends its chain to an HTTP sink on loopback that fails (500) at first; a `kill -9`
// between status changes and their delivery loses nothing; /metrics parses strictly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { fromHttp } from '../../src/events/cloudevent.ts';
import type { CDEvent } from '../../src/events/cdevent.ts';
import { cdeventSchemas } from '../../src/events/schemas.testing.ts';
import { tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';
import { parsePrometheusText, promtoolCheck } from './promtext.ts';

const DIGEST = 'sha256:' + 'ab'.repeat(32);
const JUNIT = '<testsuite name="unit"><testcase classname="a" name="one"/><testcase classname="a" name="two"><failure message="no"/></testcase></testsuite>';

function sinkServer() {
  const received: CDEvent[] = [];
  const attempted: string[] = [];
  let failing = true;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      attempted.push(String(req.headers['ce-id'] ?? ''));
      if (failing) { res.statusCode = 500; res.end(); return; }
      received.push(fromHttp(req.headers, body).cdevent);
      res.statusCode = 202;
      res.end();
    });
  });
  return { server, received, attempted, setFailing: (f: boolean) => { failing = f; } };
}

const task = {
  apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'build' },
  spec: {
    results: [{ name: 'JUNIT_XML' }, { name: 'IMAGE_URL' }, { name: 'IMAGE_DIGEST' }],
    steps: [{ name: 'test', image: 'busybox', script: `printf '%s' '${JUNIT}' > $(results.JUNIT_XML.path)\nprintf 'registry.example/app:1' > $(results.IMAGE_URL.path)\nprintf '${DIGEST}' > $(results.IMAGE_DIGEST.path)\n` }],
  },
};
const pipeline = { apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'ci' }, spec: { tasks: [{ name: 'build', taskRef: { name: 'build' } }] } };
const run = (name: string) => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name }, spec: { pipelineRef: { name: 'ci' } } });
const short = (e: CDEvent) => e.context.type.replace(/^dev\.cdevents\.|\.\d+\.\d+\.\d+$/g, '');
const PRS = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';

async function done(s: Served, name: string): Promise<boolean> {
  const r = await api(s, 'GET', `${PRS}/${name}`);
  return r.json?.status?.conditions?.some((c: { status: string }) => c.status !== 'Unknown') ?? false;
}

test('kiln serve --events-sink: the chain of a run arrives in order after the sink recovers; kill -9 loses no event; /metrics', { timeout: 180_000 }, async () => {
  const sink = sinkServer();
  await new Promise<void>((r) => sink.server.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.server.address() as { port: number }).port}/events`;
  const dataDir = tempDir('kiln-cdevents-');
  const args = ['--insecure-loopback-only', '--events-sink', sinkUrl];
  let s = await startServe(dataDir, args);
  try {
    for (const [plural, obj] of [['tasks', task], ['pipelines', pipeline], ['pipelineruns', run('r1')]] as const) {
      assert.equal((await api(s, 'POST', `/apis/tekton.dev/v1/namespaces/default/${plural}`, obj)).status, 201);
    }
    await until('r1 to finish', () => done(s, 'r1'));
    await until('the sink to be tried a few times', async () => sink.attempted.length >= 3);
    assert.equal(sink.received.length, 0);
    sink.setFailing(false);
    await until('the chain of r1', async () => sink.received.some((e) => short(e) === 'pipelinerun.finished'));
    assert.deepEqual(sink.received.map(short), [
      'pipelinerun.queued', 'pipelinerun.started', 'taskrun.started', 'taskrun.finished',
      'testsuiterun.started', 'testcaserun.started', 'testcaserun.finished', 'testcaserun.started', 'testcaserun.finished', 'testsuiterun.finished',
      'artifact.packaged', 'artifact.published', 'pipelinerun.finished',
    ]);
    const schemas = cdeventSchemas();
    if (schemas) for (const e of sink.received) assert.deepEqual(schemas.errors(e), [], short(e));
    assert.equal(new Set(sink.received.map((e) => e.context.id)).size, sink.received.length);
    assert.equal(new Set(sink.received.map((e) => e.context.chainId)).size, 1);
    assert.equal(sink.received.find((e) => short(e) === 'artifact.published')!.subject.id, `pkg:oci/app@sha256%3A${'ab'.repeat(32)}?repository_url=registry.example/app&tag=1`);

    // /metrics: strict text format, the series after a run
    const res = await fetch(`${s.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    const { types, samples } = parsePrometheusText(text);
    const checked = promtoolCheck(text);
    if (checked) assert.equal(checked.code, 0, `promtool check metrics: ${checked.output}`);
    const value = (name: string, labels: Record<string, string>) => samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
    assert.equal(value('kiln_runs', { kind: 'PipelineRun', status: 'Succeeded', reason: 'Succeeded' }), 1);
    assert.equal(value('kiln_runs', { kind: 'TaskRun', status: 'Succeeded' }), 1);
    assert.equal(types.get('kiln_run_duration_seconds'), 'histogram');
    assert.equal(value('kiln_run_duration_seconds_count', { kind: 'PipelineRun', status: 'Succeeded' }), 1);
    assert.equal(value('kiln_step_duration_seconds_count', { status: 'Succeeded' }), 1);
    assert.equal(value('kiln_taskruns_waiting', {}), 0);
    assert.equal(value('kiln_cdevents_total', { sink: sinkUrl, outcome: 'delivered' }), 13);
    assert.ok((value('kiln_cdevents_total', { sink: sinkUrl, outcome: 'retry' }) ?? 0) >= 3);
    assert.equal(value('kiln_cdevents_pending', { sink: sinkUrl }), 0);
    assert.equal(value('kiln_run_duration_seconds_count', { kind: 'TaskRun', status: 'Succeeded' }), 1);
    assert.equal(value('kiln_taskrun_queue_wait_seconds_count', {}), 1);
    for (const controller of ['taskrun', 'pipelinerun', 'cdevents-taskrun', 'cdevents-pipelinerun']) {
      assert.ok((value('kiln_reconcile_duration_seconds_count', { controller }) ?? 0) >= 1, controller);
      assert.ok((value('kiln_reconcile_total', { controller, outcome: 'success' }) ?? 0) >= 1, controller);
    }
    assert.equal(types.get('kiln_reconcile_errors_total'), 'counter');
    assert.ok((value('kiln_store_size_bytes', {}) ?? 0) > 4096);
    assert.equal(value('kiln_store_objects', { resource: 'tekton.dev/pipelineruns' }), 1);
    assert.equal(value('kiln_store_objects', { resource: 'kiln.dev/cdevents' }), 13);

    // kill -9 while a whole run's events wait for the sink
    sink.setFailing(true);
    const before = sink.received.length;
    assert.equal((await api(s, 'POST', PRS, run('r2'))).status, 201);
    await until('r2 to finish', () => done(s, 'r2'));
    await until('the sink to be tried', async () => sink.attempted.length > 3 + before);
    s.child.kill('SIGKILL');
    await new Promise((r) => s.child.once('exit', r));
    sink.setFailing(false);
    s = await startServe(dataDir, args);
    await until('the chain of r2 after the restart', async () => sink.received.filter((e) => short(e) === 'pipelinerun.finished').length === 2);
    const r2 = sink.received.slice(before);
    assert.equal(r2.length, 13);
    assert.equal(short(r2[0]), 'pipelinerun.queued');
    assert.equal(r2[0].subject.id, 'default/r2');
    assert.equal(new Set(sink.received.map((e) => e.context.id)).size, sink.received.length);
  } finally {
    await s.stop();
    sink.server.close();
  }
});
