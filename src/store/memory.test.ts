import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import type { ResourceType } from './store.ts';
import { StoreError } from './store.ts';
import { createMemoryStore } from './memory.ts';
import { runStoreSuite } from './suite.ts';

runStoreSuite('memory', () => createMemoryStore({ historySize: 16 }), { historySize: 16 });

const CONFIGMAPS: ResourceType = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };

function cm(name: string, meta: KObject['metadata'] = {}): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data: { k: 'v' } };
}

/** A store whose clock, uids and name suffixes are scripted. */
function scripted(opts: { suffixes?: string[]; historySize?: number } = {}) {
  let t = Date.parse('2024-05-01T10:00:00.000Z');
  let n = 0;
  const suffixes = [...(opts.suffixes ?? [])];
  const store = createMemoryStore({
    now: () => new Date(t),
    uid: () => `uid-${++n}`,
    nameSuffix: () => suffixes.shift() ?? 'zzzzz',
    historySize: opts.historySize,
  });
  return { store, tick: (ms: number) => { t += ms; } };
}

describe('memory store (exact values)', () => {
  it('assigns scripted uid, timestamps and resourceVersions starting after 1', async () => {
    const { store, tick } = scripted();
    assert.equal((await store.list(CONFIGMAPS)).resourceVersion, '1');
    const a = await store.create(CONFIGMAPS, cm('a'));
    assert.deepEqual(a.metadata, {
      name: 'a', namespace: 'default', uid: 'uid-1', resourceVersion: '2', generation: 1, creationTimestamp: '2024-05-01T10:00:00Z',
    });
    tick(1500);
    const b = await store.create(CONFIGMAPS, cm('b', { finalizers: ['f'] }));
    assert.equal(b.metadata.creationTimestamp, '2024-05-01T10:00:01Z');
    tick(60_000);
    await store.delete(CONFIGMAPS, 'default', 'b');
    const got = await store.get(CONFIGMAPS, 'default', 'b');
    assert.equal(got.metadata.deletionTimestamp, '2024-05-01T10:01:01Z');
    assert.equal(got.metadata.resourceVersion, '4');
    assert.equal((await store.list(CONFIGMAPS)).resourceVersion, '4');
  });

  it('draws another generateName suffix when the first is taken', async () => {
    const { store } = scripted({ suffixes: ['aaaaa', 'aaaaa', 'bbbbb'] });
    const a = await store.create(CONFIGMAPS, cm('', { generateName: 'x-' }));
    const b = await store.create(CONFIGMAPS, cm('', { generateName: 'x-' }));
    assert.deepEqual([a.metadata.name, b.metadata.name], ['x-aaaaa', 'x-bbbbb']);
  });

  it('gives up with AlreadyExists when every suffix is taken', async () => {
    const { store } = scripted({ suffixes: Array(20).fill('aaaaa') });
    await store.create(CONFIGMAPS, cm('', { generateName: 'x-' }));
    await assert.rejects(store.create(CONFIGMAPS, cm('', { generateName: 'x-' })), (e: unknown) => e instanceof StoreError && e.reason === 'AlreadyExists');
  });

  it('remembers exactly historySize changes', async () => {
    const { store } = scripted({ historySize: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await store.create(CONFIGMAPS, cm(name)); // rv 2..6; 4,5,6 remembered
    assert.throws(() => store.watch(CONFIGMAPS, { resourceVersion: '2' }), (e: unknown) => e instanceof StoreError && e.reason === 'Gone');
    const w = store.watch(CONFIGMAPS, { resourceVersion: '3' });
    const it = w[Symbol.asyncIterator]();
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await it.next()).value.object.metadata.name);
    w.stop();
    assert.deepEqual(names, ['c', 'd', 'e']);
  });

  it('keeps status given on create', async () => {
    const { store } = scripted();
    const a = await store.create(CONFIGMAPS, { ...cm('a'), status: { s: 1 } });
    assert.deepEqual(a.status, { s: 1 });
  });

  it('rejects names that cannot be keys', async () => {
    const { store } = scripted();
    for (const name of ['a/b', '..', 'a%2f']) {
      await assert.rejects(store.create(CONFIGMAPS, cm(name)), (e: unknown) => e instanceof StoreError && e.reason === 'Invalid');
    }
  });
});
