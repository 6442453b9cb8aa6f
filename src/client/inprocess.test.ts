import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import type { KindInfo } from '../api/registry.ts';
import { createMemoryStore } from '../store/memory.ts';
import { isNotFound, type Store } from '../store/store.ts';
import { storeBackend } from '../main.ts';
import type { ClientBackend } from './inprocess.ts';
import { createInProcessClient } from './inprocess.ts';

/** The backend main.ts builds, over a memory store (no controllers, no logs). */
function backendOver(store: Store, hooks: { beforeUpdate?: (k: KindInfo, obj: KObject) => Promise<void> } = {}): ClientBackend {
  const base = storeBackend(store);
  return {
    ...base,
    async update(k, obj) {
      await hooks.beforeUpdate?.(k, obj);
      return base.update(k, obj);
    },
    async *logs() {},
    notices: () => ['a notice'],
    close: () => store.close(),
  };
}

function setup() {
  const store = createMemoryStore({ now: () => new Date(Date.UTC(2024, 0, 1)), uid: () => 'uid-1', nameSuffix: () => 'abcde' });
  return { store, client: createInProcessClient(backendOver(store)) };
}

const task = (image: string): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'hello', namespace: 'ns', labels: { v: image } },
  spec: { steps: [{ name: 's', image }] },
});

const taskRun = (name: string): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: 'ns' },
  spec: { taskRef: { name: 'hello' }, timeout: '1h' },
});

describe('in-process client: apply', () => {
  test('creates, then updates the same object with the spec replaced', async () => {
    const { client } = setup();
    const created = await client.apply(task('alpine'));
    assert.equal(created.metadata.generation, 1);
    const updated = await client.apply(task('busybox'));
    assert.equal(updated.metadata.uid, created.metadata.uid);
    assert.equal(updated.metadata.generation, 2);
    assert.notEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion);
    const all = await client.list('Task', 'ns');
    assert.equal(all.length, 1);
    assert.deepEqual(all[0].spec, { steps: [{ name: 's', image: 'busybox' }] });
    assert.deepEqual(all[0].metadata.labels, { v: 'busybox' });
  });

  test('applying the same object again changes nothing', async () => {
    const { client } = setup();
    const first = await client.apply(task('alpine'));
    const again = await client.apply(task('alpine'));
    assert.equal(again.metadata.resourceVersion, first.metadata.resourceVersion);
  });

  test('an object with only generateName is created each time', async () => {
    const { client } = setup();
    let n = 0;
    const store = createMemoryStore({ nameSuffix: () => `n${n++}` });
    const c = createInProcessClient(backendOver(store));
    const run: KObject = { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { generateName: 'hello-run-', namespace: 'ns' }, spec: {} };
    assert.equal((await c.apply(run)).metadata.name, 'hello-run-n0');
    assert.equal((await c.apply(run)).metadata.name, 'hello-run-n1');
    assert.deepEqual((await c.list('TaskRun', 'ns')).map((o) => o.metadata.name), ['hello-run-n0', 'hello-run-n1']);
    assert.deepEqual(await client.list('TaskRun', 'ns'), []);
  });

  test('a conflicting write in between is retried on the fresh object', async () => {
    const store = createMemoryStore();
    let interfere = 1;
    const client = createInProcessClient(backendOver(store, {
      async beforeUpdate(k, obj) {
        if (interfere-- > 0) await store.update(k, { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined, annotations: { other: 'writer' } } });
      },
    }));
    await client.apply(task('alpine'));
    const got = await client.apply(task('busybox'));
    assert.deepEqual(got.spec, { steps: [{ name: 's', image: 'busybox' }] });
    assert.equal(interfere, -1, 'the second update went through');
  });

  test('accepts kind names as the registry spells them (short names too)', async () => {
    const { client } = setup();
    await client.apply(task('alpine'));
    assert.equal((await client.get('t', 'ns', 'hello')).metadata.name, 'hello');
    assert.equal((await client.get('tasks', 'ns', 'hello')).metadata.name, 'hello');
  });
});

describe('in-process client: cancel', () => {
  test('a TaskRun gets spec.status TaskRunCancelled and the statusMessage, the rest of spec kept', async () => {
    const { client } = setup();
    await client.create(taskRun('tr'));
    await client.cancel('TaskRun', 'ns', 'tr', 'cancelled by the user (Ctrl-C)');
    const got = await client.get('TaskRun', 'ns', 'tr');
    assert.deepEqual(got.spec, { taskRef: { name: 'hello' }, timeout: '1h', status: 'TaskRunCancelled', statusMessage: 'cancelled by the user (Ctrl-C)' });
  });

  test('without a message no statusMessage is set', async () => {
    const { client } = setup();
    await client.create(taskRun('tr'));
    await client.cancel('taskrun', 'ns', 'tr');
    assert.deepEqual((await client.get('TaskRun', 'ns', 'tr')).spec, { taskRef: { name: 'hello' }, timeout: '1h', status: 'TaskRunCancelled' });
  });

  test('a PipelineRun gets spec.status Cancelled', async () => {
    const { client } = setup();
    await client.create({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'pr', namespace: 'ns' }, spec: { pipelineRef: { name: 'p' } } });
    await client.cancel('PipelineRun', 'ns', 'pr', 'stop');
    assert.deepEqual((await client.get('PipelineRun', 'ns', 'pr')).spec, { pipelineRef: { name: 'p' }, status: 'Cancelled' });
  });

  test('a kind that cannot be cancelled, or a missing run, is rejected', async () => {
    const { client } = setup();
    await client.apply(task('alpine'));
    await assert.rejects(client.cancel('Task', 'ns', 'hello'), { message: 'Task cannot be cancelled' });
    await assert.rejects(client.cancel('TaskRun', 'ns', 'nope'), (e: unknown) => isNotFound(e));
  });
});

describe('in-process client: unknown kinds', () => {
  const widget: KObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' } };
  const calls: Array<{ name: string; call: (c: ReturnType<typeof setup>['client']) => Promise<unknown> }> = [
    { name: 'apply', call: (c) => c.apply(widget) },
    { name: 'create', call: (c) => c.create(widget) },
    { name: 'get', call: (c) => c.get('Widget', 'ns', 'w') },
    { name: 'list', call: (c) => c.list('Widget', 'ns') },
    { name: 'delete', call: (c) => c.delete('Widget', 'ns', 'w') },
    { name: 'cancel', call: (c) => c.cancel('Widget', 'ns', 'w') },
  ];
  for (const c of calls) {
    test(`${c.name} returns a rejected promise`, async () => {
      const { client } = setup();
      let result: Promise<unknown> | undefined;
      assert.doesNotThrow(() => { result = c.call(client); }, 'fails through the promise, not synchronously');
      await assert.rejects(result!, { message: 'unknown kind "Widget"' });
    });
  }
  test('watch throws at once', () => {
    const { client } = setup();
    assert.throws(() => client.watch('Widget', 'ns'), { message: 'unknown kind "Widget"' });
  });
});

describe('in-process client: the rest is passed through', () => {
  test('delete, notices and close', async () => {
    const { client } = setup();
    await client.apply(task('alpine'));
    await client.delete('Task', 'ns', 'hello');
    assert.deepEqual(await client.list('Task'), []);
    assert.deepEqual(await client.notices(), ['a notice']);
    await client.close();
  });
});
