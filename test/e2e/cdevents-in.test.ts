// CDEvents into `kiln serve`: an artifact.published CDEvent posted to an EventListener (as a
// CloudEvent, binary and structured HTTP modes) starts the PipelineRun its trigger names, with
// params bound from the event; other event types and subjects start nothing and say why.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCDEvent } from '../../src/events/cdevent.ts';
import { toHttp } from '../../src/events/cloudevent.ts';
import { kiln, tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const EXAMPLE = 'examples/cdevents/deploy-on-artifact.yaml';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const PURL = (d: string) => `pkg:oci/app@sha256%3A${d}?repository_url=registry.example/team/app`;

function artifact(type: string, id: string, subject: string) {
  return buildCDEvent(type, { id, source: '/ci/elsewhere', timestamp: '2024-05-01T10:00:00Z', chainId: `chain-${id}` }, { id: subject, content: type.includes('published') ? { user: 'ci-bot' } : { change: { id: 'c1' } } });
}

const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

const prs = async (s: Served) => (await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns')).json.items as any[];
const events = async (s: Served) => (await api(s, 'GET', '/api/v1/namespaces/default/events?labelSelector=triggers.tekton.dev/eventlistener=cdevents')).json.items as any[];

test('a CDEvent posted to an EventListener starts the PipelineRun its trigger names (binary and structured modes)', { timeout: 180_000 }, async () => {
  const dataDir = tempDir('kiln-cdevents-in-');
  const s = await startServe(dataDir);
  servers.push(s);
  const env = { KILN_HOME: dataDir };
  const applied = await kiln(['apply', '-f', EXAMPLE], { env });
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);

  async function post(e: ReturnType<typeof artifact>, mode: 'binary' | 'structured'): Promise<string> {
    const m = toHttp(e, mode);
    // the CloudEvents distributed-tracing extension, as a structured event carries it
    if (mode === 'structured') m.body = JSON.stringify({ ...JSON.parse(m.body), traceparent: TRACEPARENT });
    const res = await fetch(`${s.url}/hooks/default/cdevents`, { method: 'POST', headers: m.headers, body: m.body });
    assert.equal(res.status, 202);
    return ((await res.json()) as { eventID: string }).eventID;
  }
  const binary = await post(artifact('dev.cdevents.artifact.published.0.3.0', 'a1', PURL('aa11')), 'binary');
  const structured = await post(artifact('dev.cdevents.artifact.published.0.3.0', 'a2', PURL('bb22')), 'structured');
  const packaged = await post(artifact('dev.cdevents.artifact.packaged.0.3.0', 'a3', PURL('cc33')), 'binary');
  const otherImage = await post(artifact('dev.cdevents.artifact.published.0.3.0', 'a4', 'pkg:oci/web@sha256%3Add44'), 'structured');

  const runs = await until('both deploy runs to finish', async () => {
    const items = await prs(s);
    const done = items.filter((p) => p.status?.conditions?.some((c: any) => c.type === 'Succeeded' && c.status !== 'Unknown'));
    return done.length === 2 ? done : undefined;
  }, 120_000);
  for (const [eventID, digest, chain] of [[binary, 'aa11', 'chain-a1'], [structured, 'bb22', 'chain-a2']]) {
    const run = runs.find((p) => p.metadata.labels['triggers.tekton.dev/triggers-eventid'] === eventID);
    assert.ok(run, `a run for event ${eventID}`);
    assert.equal(run.status.conditions[0].status, 'True', JSON.stringify(run.status));
    assert.equal(run.metadata.labels['triggers.tekton.dev/trigger'], 'on-artifact-published');
    assert.deepEqual(run.spec.params, [{ name: 'artifact', value: PURL(digest) }, { name: 'by', value: 'ci-bot' }, { name: 'chain', value: chain }]);
    assert.equal(run.metadata.annotations['kiln.dev/traceparent'], eventID === structured ? TRACEPARENT : undefined);
    const logs = await kiln(['logs', run.metadata.name], { env });
    assert.match(logs.stdout, new RegExp(`deploying ${PURL(digest).replace(/[.?%]/g, '\\$&')} published by ci-bot \\(chain ${chain}\\)`));
  }
  const recorded = await until('the four deliveries to be recorded', async () => {
    const evs = await events(s);
    return evs.length === 4 ? evs : undefined;
  });
  const reasonOf = (id: string) => recorded.find((e) => e.metadata.labels['triggers.tekton.dev/triggers-eventid'] === id);
  assert.equal(reasonOf(binary).reason, 'TriggerAccepted');
  assert.equal(reasonOf(structured).reason, 'TriggerAccepted');
  assert.equal(reasonOf(packaged).reason, 'TriggerRejected');
  assert.match(reasonOf(packaged).message, /interceptor cdevents rejected the event: event type dev\.cdevents\.artifact\.packaged\.0\.3\.0 is not allowed/);
  assert.equal(reasonOf(otherImage).reason, 'TriggerRejected');
  assert.match(reasonOf(otherImage).message, /subject\.id "pkg:oci\/web@sha256%3Add44" matches none of \["pkg:oci\/app@\*"\]/);
  assert.equal((await prs(s)).length, 2);
});
