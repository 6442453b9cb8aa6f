import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENTLISTENER, PIPELINERUN } from '../../api/registry.ts';
import { buildCDEvent, type CDEvent } from '../../events/cdevent.ts';
import { fromHttp, toHttp } from '../../events/cloudevent.ts';
import { ANNOTATION_CHAIN_ID, ANNOTATION_TRIGGER_EVENT } from '../../events/runs.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { createCDEvents } from './controller.ts';
import type { Poster } from './delivery.ts';
import { OUTBOX, type OutboxEntry } from './outbox.ts';

const source = { source: 'https://kiln.test', apiBase: 'https://kiln.test' };
const PUSH = { ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'b'.repeat(40), repository: { full_name: 'acme/app', name: 'app', clone_url: 'https://git.example/acme/app.git', html_url: 'https://git.example/acme/app', owner: { login: 'acme' } } };

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

test('a push delivery records its repository event before what it creates; the PipelineRun links to it and shares its chain', async () => {
  const store = createMemoryStore();
  const received: CDEvent[] = [];
  const post: Poster = async (_u, h, b) => { received.push(fromHttp(h, b).cdevent); return { status: 200 }; };
  const ce = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post, baseDelay: 1, logger: silentLogger });
  await ce.start();
  const el = await store.create(EVENTLISTENER, { apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'github', namespace: 'ci' }, spec: { triggers: [] } });
  const annotations = await ce.prepareDelivery({ listener: el, eventID: 'ev-1', header: { 'X-Github-Event': ['push'] }, body: JSON.stringify(PUSH) });
  assert.deepEqual(Object.keys(annotations), [ANNOTATION_TRIGGER_EVENT, ANNOTATION_CHAIN_ID]);
  const pr = await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'build-1', namespace: 'ci', labels: { 'triggers.tekton.dev/triggers-eventid': 'ev-1' }, annotations }, spec: {} });
  await ce.deliveryCreated({ eventID: 'ev-1' }, pr);
  await until(() => received.length === 2);
  await ce.idle();
  const [repo, queued] = received;
  assert.equal(repo.context.type, 'dev.cdevents.repository.modified.0.3.0');
  assert.equal(repo.context.id, annotations[ANNOTATION_TRIGGER_EVENT]);
  assert.equal(queued.context.type, 'dev.cdevents.pipelinerun.queued.0.3.0');
  assert.deepEqual(queued.context.links, [{ linkType: 'RELATION', linkKind: 'TRIGGER', target: { contextId: repo.context.id } }]);
  assert.equal(queued.context.chainId, repo.context.chainId);
  assert.equal(annotations[ANNOTATION_CHAIN_ID], repo.context.chainId, 'the runs continue the pushed commit\'s chain');
  // the delivery's entry is the PipelineRun's (it goes with it), no longer the listener's
  const entry = (await store.list<OutboxEntry>(OUTBOX, { namespace: 'ci' })).items.find((e) => e.metadata.name === repo.context.id)!;
  assert.deepEqual(entry.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`), ['PipelineRun/build-1']);
  assert.equal(entry.spec.run, 'EventListener/ci/github');
  // the same delivery prepared again (a second trigger of it, a retry) records nothing twice
  assert.deepEqual(await ce.prepareDelivery({ listener: el, eventID: 'ev-1', header: { 'X-Github-Event': ['push'] }, body: JSON.stringify(PUSH) }), annotations);
  await ce.idle();
  assert.equal(received.length, 2);
  await store.delete(PIPELINERUN, 'ci', 'build-1');
  assert.deepEqual((await store.list<OutboxEntry>(OUTBOX, { namespace: 'ci' })).items, []);
  await ce.stop();
});

test('a received CDEvent is the cause: annotations name it and its chain; nothing is recorded for it; other bodies give nothing', async () => {
  const store = createMemoryStore();
  const ce = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post: async () => ({ status: 200 }), baseDelay: 1, logger: silentLogger });
  await ce.start();
  const el = { apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'cd', namespace: 'ci', uid: 'el-uid' } };
  const e = buildCDEvent('dev.cdevents.artifact.published.0.3.0', { id: 'up-1', source: '/up', timestamp: '2024-01-01T00:00:00Z', chainId: 'up-chain' }, { id: 'pkg:oci/a@sha256%3A1', content: {} });
  const m = toHttp(e, 'binary');
  const header = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, [v]]));
  assert.deepEqual(await ce.prepareDelivery({ listener: el, eventID: 'x', header, body: m.body }), { [ANNOTATION_TRIGGER_EVENT]: 'up-1', [ANNOTATION_CHAIN_ID]: 'up-chain' });
  assert.deepEqual(await ce.prepareDelivery({ listener: el, eventID: 'y', header: {}, body: '{"hello":1}' }), {});
  assert.deepEqual(await ce.prepareDelivery({ listener: el, eventID: 'z', header: { 'X-Github-Event': ['ping'] }, body: JSON.stringify(PUSH) }), {});
  assert.equal(ce.recorded(), 0);
  await ce.stop();
});
