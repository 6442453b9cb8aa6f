import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.ts';
import { PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import type { CDEvent } from '../../events/cdevent.ts';
import { fromHttp } from '../../events/cloudevent.ts';
import { createCDEvents } from './controller.ts';
import type { Poster } from './delivery.ts';
import { OUTBOX, type OutboxEntry } from './outbox.ts';

const source = { source: 'https://kiln.test', apiBase: 'https://kiln.test' };

/** A sink in memory: answers `fail` while it is set, else 200; keeps what it accepted. */
function fakeSink() {
  const received: CDEvent[] = [];
  let failing = 0;
  const post: Poster = async (_url, headers, body) => {
    if (failing > 0) { failing--; return { status: 500 }; }
    received.push(fromHttp(headers, body).cdevent);
    return { status: 202 };
  };
  return { received, post, failFor: (n: number) => { failing = n; } };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

async function setStatus(store: Store, type: typeof TASKRUN, ns: string, name: string, status: object): Promise<void> {
  const cur = await store.get(type, ns, name);
  await store.updateStatus(type, { ...cur, status });
}

async function pipeline(store: Store): Promise<{ pr: KObject; tr: KObject }> {
  const pr: KObject = await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'p1', namespace: 'ci' }, spec: { pipelineRef: { name: 'build' } } });
  const tr = await store.create(TASKRUN, {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun',
    metadata: { name: 'p1-a', namespace: 'ci', labels: { 'tekton.dev/pipelineRun': 'p1', 'tekton.dev/pipelineTask': 'a' }, ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'p1', uid: pr.metadata.uid!, controller: true }] },
    spec: {},
  });
  return { pr, tr };
}

const running = (t: string) => ({ startTime: t, conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] });
const succeeded = (t: string, end: string) => ({ startTime: t, completionTime: end, conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }] });
const CHAIN = ['pipelinerun.queued', 'pipelinerun.started', 'taskrun.started', 'taskrun.finished', 'pipelinerun.finished'];
const short = (e: CDEvent) => e.context.type.replace(/^dev\.cdevents\.|\.\d+\.\d+\.\d+$/g, '');

test('a run through its states: the sink gets the chain in causal order even when the TaskRun starts before its PipelineRun says so', async () => {
  const store = createMemoryStore();
  const sink = fakeSink();
  const ce = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post: sink.post, baseDelay: 1 });
  await ce.start();
  await pipeline(store);
  await setStatus(store, TASKRUN, 'ci', 'p1-a', running('2024-01-01T00:00:02Z'));
  await new Promise((r) => setTimeout(r, 30));
  await setStatus(store, PIPELINERUN, 'ci', 'p1', running('2024-01-01T00:00:01Z'));
  await setStatus(store, TASKRUN, 'ci', 'p1-a', succeeded('2024-01-01T00:00:02Z', '2024-01-01T00:00:03Z'));
  await setStatus(store, PIPELINERUN, 'ci', 'p1', succeeded('2024-01-01T00:00:01Z', '2024-01-01T00:00:04Z'));
  await until(() => sink.received.length === 5);
  await ce.idle();
  assert.deepEqual(sink.received.map(short), CHAIN);
  const { items } = await store.list<OutboxEntry>(OUTBOX, { namespace: 'ci' });
  assert.equal(items.length, 5);
  for (const e of items) assert.deepEqual(e.status?.sinks?.map((s) => [s.sink, s.state]), [['http://sink.test/', 'Delivered']]);
  await ce.stop();
});

test('a sink failing (500) for a while gets every event, in order, once it recovers; each entry says how many attempts it took', async () => {
  const store = createMemoryStore();
  const sink = fakeSink();
  sink.failFor(6);
  const ce = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post: sink.post, baseDelay: 1, maxDelay: 5 });
  await ce.start();
  await pipeline(store);
  await setStatus(store, PIPELINERUN, 'ci', 'p1', running('2024-01-01T00:00:01Z'));
  await setStatus(store, TASKRUN, 'ci', 'p1-a', succeeded('2024-01-01T00:00:02Z', '2024-01-01T00:00:03Z'));
  await setStatus(store, PIPELINERUN, 'ci', 'p1', succeeded('2024-01-01T00:00:01Z', '2024-01-01T00:00:04Z'));
  await until(() => sink.received.length === 5);
  assert.deepEqual(sink.received.map(short), CHAIN);
  await ce.idle();
  const { items } = await store.list<OutboxEntry>(OUTBOX, { namespace: 'ci' });
  const first = items.find((e) => e.spec.event.context.type.includes('pipelinerun.queued'))!;
  assert.equal(first.status?.sinks?.[0].attempts, 7);
  await ce.stop();
});

test('a status written while nothing recorded it (a crash between the two) is recorded and delivered after a restart, with the same ids; nothing twice', async () => {
  const store = createMemoryStore();
  const sink1 = fakeSink();
  const ce1 = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post: sink1.post, baseDelay: 1 });
  await ce1.start();
  await pipeline(store);
  await setStatus(store, PIPELINERUN, 'ci', 'p1', running('2024-01-01T00:00:01Z'));
  await until(() => sink1.received.length === 2);
  await ce1.idle();
  await ce1.stop();
  // kiln is down: the TaskRun and the PipelineRun finish
  await setStatus(store, TASKRUN, 'ci', 'p1-a', succeeded('2024-01-01T00:00:02Z', '2024-01-01T00:00:03Z'));
  await setStatus(store, PIPELINERUN, 'ci', 'p1', succeeded('2024-01-01T00:00:01Z', '2024-01-01T00:00:04Z'));
  const sink2 = fakeSink();
  const ce2 = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post: sink2.post, baseDelay: 1 });
  await ce2.start();
  await until(() => sink2.received.length === 3);
  await ce2.idle();
  assert.deepEqual(sink2.received.map(short), CHAIN.slice(2));
  const all = [...sink1.received, ...sink2.received];
  assert.equal(new Set(all.map((e) => e.context.id)).size, 5);
  await ce2.stop();
});

test('an entry recorded but not delivered when kiln stopped is delivered after a restart (the outbox is loaded again)', async () => {
  const store = createMemoryStore();
  const down: Poster = async () => ({ error: 'connect ECONNREFUSED' });
  const ce1 = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post: down, baseDelay: 1, maxDelay: 2 });
  await ce1.start();
  await pipeline(store);
  await until(() => ce1.recorded() === 1);
  await ce1.stop();
  const sink = fakeSink();
  const ce2 = createCDEvents({ store, sinks: [{ url: 'http://sink.test/' }], source, post: sink.post, baseDelay: 1 });
  await ce2.start();
  await until(() => sink.received.length === 1);
  assert.equal(short(sink.received[0]), 'pipelinerun.queued');
  await ce2.idle();
  assert.equal(ce2.recorded(), 0);
  await ce2.stop();
});

test('a sink refusing an event for good (400) marks it Failed and goes on with the next', async () => {
  const store = createMemoryStore();
  const seen: string[] = [];
  const post: Poster = async (_u, h) => { seen.push(h['ce-type']); return { status: seen.length === 1 ? 400 : 200 }; };
  const ce = createCDEvents({ store, sinks: [{ url: 'http://user:secret@sink.test/x?token=1', mode: 'structured' }], source, post, baseDelay: 1 });
  await ce.start();
  await pipeline(store);
  await setStatus(store, PIPELINERUN, 'ci', 'p1', running('2024-01-01T00:00:01Z'));
  await until(() => seen.length === 2);
  await ce.idle();
  const { items } = await store.list<OutboxEntry>(OUTBOX, { namespace: 'ci' });
  const states = items.map((e) => e.status?.sinks?.[0]).sort((a, b) => (a!.state < b!.state ? -1 : 1));
  assert.deepEqual(states.map((s) => [s?.sink, s?.state, s?.lastError]), [['http://sink.test/x', 'Delivered', undefined], ['http://sink.test/x', 'Failed', 'HTTP 400']]);
  await ce.stop();
});
