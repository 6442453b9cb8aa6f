// One software delivery as CDEvents through a real `kiln serve` with no server-wide sink: the
// namespace names its sink in a ConfigMap `kiln-events`; a signed GitHub push to an EventListener
// yields repository.modified, then the PipelineRun it starts (linked to it, on its chain), its
// TaskRun, the tests of the JUnit report it wrote and the image it built; the outbox is readable
// with `kiln get cdevents`.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fromHttp } from '../../src/events/cloudevent.ts';
import type { CDEvent } from '../../src/events/cdevent.ts';
import { cdeventSchemas } from '../../src/events/schemas.testing.ts';
import { kiln, tempDir } from './helpers.ts';
import { parsePrometheusText } from './promtext.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const PUSH = JSON.stringify({
  ref: 'refs/heads/main', before: '1'.repeat(40), after: '9fceb02d0ae598e95dc970b74767f19372d61af8',
  head_commit: { id: '9fceb02d0ae598e95dc970b74767f19372d61af8', message: 'fix' },
  repository: { full_name: 'acme/app', name: 'app', clone_url: 'https://example.test/acme/app.git', html_url: 'https://example.test/acme/app', owner: { login: 'acme' } },
  pusher: { name: 'octocat' },
});
const JUNIT = '<testsuite name="unit"><testcase classname="a" name="one"/><testcase classname="a" name="two"><failure message="no"/></testcase></testsuite>';
const PIPELINE = {
  apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'build' },
  spec: {
    params: [{ name: 'revision' }, { name: 'url' }, { name: 'pusher' }],
    tasks: [{
      name: 'checkout',
      params: [{ name: 'revision', value: '$(params.revision)' }],
      taskSpec: {
        params: [{ name: 'revision' }],
        results: [{ name: 'JUNIT_XML' }, { name: 'IMAGE_URL' }, { name: 'IMAGE_DIGEST' }],
        steps: [{
          name: 'build', image: 'alpine',
          script: `printf '%s' '${JUNIT}' > $(results.JUNIT_XML.path)\nrev=$(params.revision)\nprintf "registry.example/acme/app:$(echo $rev | cut -c1-7)" > $(results.IMAGE_URL.path)\nprintf 'sha256:${'ab'.repeat(32)}' > $(results.IMAGE_DIGEST.path)\n`,
        }],
      },
    }],
  },
};
const sign = (body: string) => `sha256=${createHmac('sha256', 'change-me').update(body).digest('hex')}`;
const short = (e: CDEvent) => e.context.type.replace(/^dev\.cdevents\.|\.\d+\.\d+\.\d+$/g, '');

const servers: Served[] = [];
const sinks: Server[] = [];
after(async () => {
  for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL');
  for (const s of sinks) s.close();
});

test('a signed push: repository.modified → pipelinerun queued/started → taskrun → tests → artifact → pipelinerun.finished at the namespace\'s sink, linked, on one chain; kiln get cdevents', { timeout: 180_000 }, async () => {
  const received: CDEvent[] = [];
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(fromHttp(req.headers, body).cdevent);
      res.statusCode = 202;
      res.end();
    });
  });
  sinks.push(sink);
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/ns-default`;
  const dataDir = tempDir('kiln-cdevents-chain-');
  const s = await startServe(dataDir);
  servers.push(s);
  const env = { KILN_HOME: dataDir };
  assert.equal((await api(s, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kiln-events' }, data: { sinks: sinkUrl, mode: 'structured' } })).status, 201);
  const applied = await kiln(['apply', '-f', 'examples/triggers/github-push.yaml'], { env });
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  // the example's pipeline, its step also writing a JUnit report and an image's URL and digest
  const pipeline = join(dataDir, 'pipeline.json');
  writeFileSync(pipeline, JSON.stringify(PIPELINE));
  const replaced = await kiln(['apply', '-f', pipeline], { env });
  assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);

  const res = await fetch(`${s.url}/hooks/default/github`, {
    method: 'POST', body: PUSH,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': sign(PUSH), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  });
  assert.equal(res.status, 202);
  const { eventID } = (await res.json()) as { eventID: string };
  await until('the chain up to pipelinerun.finished', async () => received.some((e) => short(e) === 'pipelinerun.finished'), 120_000);
  assert.deepEqual(received.map(short), [
    'repository.modified', 'pipelinerun.queued', 'pipelinerun.started', 'taskrun.started', 'taskrun.finished',
    'testsuiterun.started', 'testcaserun.started', 'testcaserun.finished', 'testcaserun.started', 'testcaserun.finished', 'testsuiterun.finished',
    'artifact.packaged', 'artifact.published', 'pipelinerun.finished',
  ]);
  const schemas = cdeventSchemas();
  if (schemas) for (const e of received) assert.deepEqual(schemas.errors(e), [], short(e));
  const [repo, queued, started, trStarted] = received;
  assert.equal(repo.subject.id, 'acme/app');
  assert.deepEqual(queued.context.links, [{ linkType: 'RELATION', linkKind: 'TRIGGER', target: { contextId: repo.context.id } }]);
  assert.deepEqual(trStarted.context.links, [{ linkType: 'PATH', from: { contextId: started.context.id } }]);
  assert.equal(new Set(received.map((e) => e.context.chainId)).size, 1);
  const trFinished = received[4];
  const packaged = received.find((e) => short(e) === 'artifact.packaged')!;
  assert.deepEqual(packaged.context.links, [{ linkType: 'PATH', from: { contextId: trFinished.context.id } }]);
  assert.equal(packaged.subject.id, `pkg:oci/app@sha256%3A${'ab'.repeat(32)}?repository_url=registry.example/acme/app&tag=9fceb02`);
  assert.equal(new Set(received.map((e) => e.context.id)).size, received.length);

  // what the push created carries its trace context and its cause
  const pr = (await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns')).json.items[0];
  assert.equal(pr.metadata.labels['triggers.tekton.dev/triggers-eventid'], eventID);
  assert.equal(pr.metadata.annotations['kiln.dev/traceparent'], '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  assert.equal(pr.metadata.annotations['cdevents.kiln.dev/trigger-event'], repo.context.id);

  // the outbox, with each entry's delivery state
  const listed = await until('every entry delivered', async () => {
    const r = await kiln(['get', 'cdevents'], { env });
    return r.code === 0 && (r.stdout.match(/Delivered/g) ?? []).length === 14 ? r : undefined;
  });
  assert.match(listed.stdout, /^NAME\s+TYPE\s+SUBJECT\s+FROM\s+DELIVERY\s+AGE$/m);
  assert.match(listed.stdout, new RegExp(`^${repo.context.id}\\s+repository\\.modified\\s+acme/app\\s+EventListener/default/github\\s+Delivered\\s`, 'm'));
  // the delivery is counted by listener and outcome in /metrics
  const metrics = parsePrometheusText(await (await fetch(`${s.url}/metrics`)).text());
  const delivered = metrics.samples.find((x) => x.name === 'kiln_webhook_deliveries_total' && x.labels.listener === 'default/github' && x.labels.outcome === 'TriggerAccepted');
  assert.equal(delivered?.value, 1);
  assert.equal(metrics.samples.find((x) => x.name === 'kiln_cdevents_total' && x.labels.sink === sinkUrl && x.labels.outcome === 'delivered')?.value, 14);

  const one = await kiln(['get', 'cde', queued.context.id, '-o', 'json'], { env });
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(JSON.parse(one.stdout).status.sinks.map((x: { sink: string; state: string }) => [x.sink, x.state]), [[sinkUrl, 'Delivered']]);
  // the push's entry belongs to the PipelineRun it started (it goes with it)
  const pushEntry = JSON.parse((await kiln(['get', 'cde', repo.context.id, '-o', 'json'], { env })).stdout);
  assert.deepEqual(pushEntry.metadata.ownerReferences.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`), [`PipelineRun/${pr.metadata.name}`]);
});
