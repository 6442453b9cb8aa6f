import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { createMemoryStore } from '../store/memory.ts';
import type { ResourceType } from '../store/store.ts';
import { createController, type ControllerShard } from './controller.ts';
import { requestKey } from './result.ts';

const RUNS: ResourceType = { group: 'tekton.dev', plural: 'taskruns', kind: 'TaskRun', namespaced: true };
const run = (name: string): KObject => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name }, spec: {} });

/** A shard whose owned names the test sets, telling its listeners. */
function fakeShard(owned: (name: string) => boolean) {
  const listeners = new Set<() => void>();
  let rule = owned;
  const shard: ControllerShard = { owns: (o) => rule(o.metadata.name ?? ''), onChange: (l) => { listeners.add(l); return () => listeners.delete(l); } };
  return { shard, set(next: (name: string) => boolean) { rule = next; for (const l of listeners) l(); } };
}

test('a sharded controller reconciles only the objects it owns, and on a membership change requeues what it now owns', { timeout: 20_000 }, async () => {
  const store = createMemoryStore();
  for (const n of ['a1', 'a2', 'b1', 'b2']) await store.create(RUNS, run(n));
  const calls = { A: [] as string[], B: [] as string[] };
  const shards = { A: fakeShard((n) => n.startsWith('a')), B: fakeShard((n) => n.startsWith('b')) };
  const ctls = (['A', 'B'] as const).map((r) => createController({
    name: `runs-${r}`, store, type: RUNS, workers: 2, shard: shards[r].shard,
    reconciler: { async reconcile(req) { calls[r].push(requestKey(req)); } },
  }));
  await Promise.all(ctls.map((c) => c.start()));
  await Promise.all(ctls.map((c) => c.idle()));
  assert.deepEqual(calls.A.sort(), ['default/a1', 'default/a2']);
  assert.deepEqual(calls.B.sort(), ['default/b1', 'default/b2']);

  // B goes away: A now owns everything and is woken for B's objects without any event on them
  calls.A.length = 0;
  shards.A.set(() => true);
  shards.B.set(() => false);
  await Promise.all(ctls.map((c) => c.idle()));
  assert.deepEqual(calls.A.sort(), ['default/a1', 'default/a2', 'default/b1', 'default/b2']);

  calls.B.length = 0;
  await store.create(RUNS, run('b3'));
  await Promise.all(ctls.map((c) => c.idle()));
  assert.ok(calls.A.includes('default/b3'));
  assert.equal(calls.B.length, 0, 'B owns nothing any more');

  // a deleted object is not cached: every replica may clean up what it held
  await store.delete(RUNS, 'default', 'a1');
  await Promise.all(ctls.map((c) => c.idle()));
  assert.ok(calls.B.includes('default/a1'));
  await Promise.all(ctls.map((c) => c.stop()));
});
