import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { TASKRUN } from '../api/registry.ts';
import { RESOLUTION_REQUEST, type ResolutionRequestObject } from '../api/resolutionrequest.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createResolution, requestName, ResolverError, type Resolver } from './framework.ts';
import { recordResolutions } from './requests.ts';
import { ownerOf, type ResolutionRequest } from './resolver.ts';

const TASK = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps: [{name: s, image: busybox, script: echo hi}]\n';
const NOW = new Date('2026-12-05T10:00:00Z');

function fake(data: string | Error = TASK): Resolver & { calls: number } {
  const r = {
    calls: 0,
    title: 'Fake',
    async fetch() {
      r.calls++;
      if (data instanceof Error) throw data;
      return { data, refSource: { uri: 'fake://repo', digest: { sha1: 'c0ffee' }, entryPoint: 'task.yaml' }, source: 'fake://repo' };
    },
  };
  return r;
}

async function setup(data?: string | Error) {
  const store = createMemoryStore();
  const run = await store.create<KObject>(TASKRUN, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'build', namespace: 'ns' }, spec: {} });
  const resolver = fake(data);
  const resolution = recordResolutions(createResolution({ resolvers: { fake: resolver } }), { store, now: () => NOW });
  const req: ResolutionRequest = { resolver: 'fake', namespace: 'ns', kind: 'Task', params: [{ name: 'url', value: 'fake://repo' }, { name: 'pathInRepo', value: 'task.yaml' }], owner: ownerOf(run) };
  return { store, run, resolver, resolution, req };
}

test('a run\'s resolution is recorded as a ResolutionRequest it owns, as Tekton records it', async () => {
  const { store, run, resolution, req } = await setup();
  const r = await resolution.resolve(req);
  assert.ok(r.ok);
  const rr = await store.get<ResolutionRequestObject>(RESOLUTION_REQUEST, 'ns', requestName(req));
  assert.match(rr.metadata.name!, /^fake-[0-9a-f]{32}$/);
  assert.equal(rr.apiVersion, 'resolution.tekton.dev/v1beta1');
  assert.deepEqual(rr.metadata.labels, { 'resolution.tekton.dev/type': 'fake' });
  assert.deepEqual(rr.metadata.ownerReferences, [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'build', uid: run.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(rr.spec.params, req.params);
  assert.deepEqual(rr.status, {
    conditions: [{ type: 'Succeeded', status: 'True', reason: '', message: '', lastTransitionTime: NOW.toISOString() }],
    data: Buffer.from(TASK).toString('base64'),
    refSource: { uri: 'fake://repo', digest: { sha1: 'c0ffee' }, entryPoint: 'task.yaml' },
  });
});

test('a request already recorded as succeeded is read back, not resolved again', async () => {
  const { resolver, resolution, req } = await setup();
  const first = await resolution.resolve(req);
  const again = await resolution.resolve(req);
  assert.equal(resolver.calls, 1);
  assert.ok(first.ok && again.ok);
  assert.deepEqual(again.object, first.object);
  assert.deepEqual(again.refSource, first.refSource);
});

test('a failure is recorded with Tekton\'s reason and the message the run gets; the run\'s deletion takes its requests', async () => {
  const { store, run, resolution, req } = await setup(new ResolverError('revision "nope" not found'));
  const r = await resolution.resolve(req);
  assert.ok(!r.ok);
  const name = requestName(req);
  assert.equal(r.message, `error requesting remote resource: error getting "Fake" "ns/${name}": revision "nope" not found`);
  const rr = await store.get<ResolutionRequestObject>(RESOLUTION_REQUEST, 'ns', name);
  assert.deepEqual(rr.status?.conditions, [{ type: 'Succeeded', status: 'False', reason: 'ResolutionFailed', message: r.message, lastTransitionTime: NOW.toISOString() }]);
  await store.delete(TASKRUN, 'ns', run.metadata.name!);
  assert.deepEqual((await store.list(RESOLUTION_REQUEST, { namespace: 'ns' })).items, []);
});

test('names: one per owner and params (order-free), different for another run', async () => {
  const { req } = await setup();
  const swapped = { ...req, params: [...req.params].reverse() };
  assert.equal(requestName(swapped), requestName(req));
  assert.notEqual(requestName({ ...req, owner: { ...req.owner!, name: 'other' } }), requestName(req));
  assert.notEqual(requestName({ ...req, params: [{ name: 'url', value: 'fake://other' }] }), requestName(req));
});

test('a request without an owner is resolved without a record', async () => {
  const { store, resolution, req } = await setup();
  const r = await resolution.resolve({ ...req, owner: undefined });
  assert.ok(r.ok);
  assert.deepEqual((await store.list(RESOLUTION_REQUEST, { namespace: 'ns' })).items, []);
});
