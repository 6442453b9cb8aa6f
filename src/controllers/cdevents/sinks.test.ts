import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.ts';
import { CONFIGMAP, PIPELINERUN } from '../../api/registry.ts';
import type { CDEvent } from '../../events/cdevent.ts';
import { fromHttp } from '../../events/cloudevent.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { createCDEvents } from './controller.ts';
import type { Poster } from './delivery.ts';
import { OUTBOX, type OutboxEntry } from './outbox.ts';
import { sinksOfConfigMap } from './sinks.ts';

const source = { source: 'https://kiln.test', apiBase: 'https://kiln.test' };

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

test('sinksOfConfigMap: URLs by line, space or comma; the mode; what cannot be used is named by field', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kiln-events' }, data: { sinks: 'https://a.example/x\nhttp://b.example, ftp://c.example  nope', mode: 'structured' } };
  const { sinks, problems } = sinksOfConfigMap(cm);
  assert.deepEqual(sinks, [{ url: 'https://a.example/x', mode: 'structured' }, { url: 'http://b.example', mode: 'structured' }]);
  assert.deepEqual(problems, ['data.sinks: "ftp://c.example" is not an http(s) URL', 'data.sinks: "nope" is not a URL']);
  assert.deepEqual(sinksOfConfigMap({ ...cm, data: { sinks: 'http://a', mode: 'fast' } }).problems, ['data.mode: "fast" is not binary or structured (binary used)']);
  assert.deepEqual(sinksOfConfigMap(undefined), { sinks: [], problems: [] });
});

test('a namespace with a kiln-events ConfigMap sends its events to its own sinks (and the server\'s); a namespace with none records nothing', async () => {
  const store = createMemoryStore();
  const got: Array<{ url: string; type: string; ns: string }> = [];
  const post: Poster = async (url, headers, body) => {
    const e: CDEvent = fromHttp(headers, body).cdevent;
    got.push({ url, type: e.context.type.replace(/^dev\.cdevents\.|\.\d+\.\d+\.\d+$/g, ''), ns: e.subject.id.split('/')[0] });
    return { status: 202 };
  };
  await store.create(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kiln-events', namespace: 'team-a' }, data: { sinks: 'http://a.test/' } });
  const ce = createCDEvents({ store, sinks: [], source, post, baseDelay: 1, logger: silentLogger });
  await ce.start();
  for (const ns of ['team-a', 'team-b']) await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'p', namespace: ns }, spec: {} });
  await until(() => got.length === 1);
  await ce.idle();
  assert.deepEqual(got, [{ url: 'http://a.test/', type: 'pipelinerun.queued', ns: 'team-a' }]);
  assert.equal((await store.list<OutboxEntry>(OUTBOX, { namespace: 'team-b' })).items.length, 0);
  // team-b names a sink: its later events go there
  await store.create(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kiln-events', namespace: 'team-b' }, data: { sinks: 'http://b.test/', mode: 'structured' } });
  await until(() => ce.sinksOf('team-b').length === 1);
  await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'q', namespace: 'team-b' }, spec: {} });
  await until(() => got.length === 2);
  await ce.idle();
  assert.deepEqual(got[1], { url: 'http://b.test/', type: 'pipelinerun.queued', ns: 'team-b' });
  await ce.stop();
});

test('with no sink anywhere nothing watches runs; the first kiln-events ConfigMap starts it, and that namespace gets no events from before its ConfigMap', async () => {
  const store = createMemoryStore();
  const got: string[] = [];
  const post: Poster = async (_url, headers, body) => { got.push(fromHttp(headers, body).cdevent.subject.id); return { status: 202 }; };
  const old: KObject = await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'old', namespace: 'team-c' }, spec: {} });
  await store.updateStatus(PIPELINERUN, { ...old, status: { startTime: '2020-01-01T00:00:00Z', completionTime: '2020-01-01T00:01:00Z', conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }] } });
  const ce = createCDEvents({ store, sinks: [], source, post, baseDelay: 1, logger: silentLogger });
  await ce.start();
  await ce.idle();
  assert.equal(ce.recorded(), 0);
  // creation times have whole seconds: the ConfigMap comes a second after the old run
  await until(() => new Date().toISOString().slice(0, 19) > old.metadata.creationTimestamp!.slice(0, 19));
  await store.create(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kiln-events', namespace: 'team-c' }, data: { sinks: 'http://c.test/' } });
  await until(() => ce.sinksOf('team-c').length === 1);
  await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'new', namespace: 'team-c' }, spec: {} });
  await until(() => got.length === 1);
  await ce.idle();
  assert.deepEqual(got, ['team-c/new']);
  assert.equal((await store.list<OutboxEntry>(OUTBOX, { namespace: 'team-c' })).items.length, 1);
  await ce.stop();
});
