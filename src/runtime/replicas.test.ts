import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../store/memory.ts';
import type { Store } from '../store/store.ts';
import { silentLogger } from './logger.ts';
import { createReplicaSet, LEASE, type ReplicaSet } from './replicas.ts';
import { createFakeClock, type FakeClock } from './testing.ts';

const settle = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };
const keys = Array.from({ length: 300 }, (_, i) => `default/run-${i}`);

/** Advances `clock` in renewal-sized steps, letting the store's and informers' promises run between them. */
async function advance(clock: FakeClock, ms: number, step = 500): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

function replica(store: Store, id: string, clock: FakeClock): ReplicaSet {
  return createReplicaSet({ store, id, namespace: 'kiln', durationMs: 3000, renewMs: 1000, clock, logger: silentLogger });
}

test('live replicas share every key, each key with exactly one; a crashed replica\'s keys move within one lease duration', { timeout: 30_000 }, async () => {
  const clock = createFakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const frozen = createFakeClock(Date.parse('2026-01-01T00:00:00Z')); // c's timers never fire: it "crashes" after starting
  const store = createMemoryStore({ now: () => new Date(clock.now()) });
  const [a, b, c] = [replica(store, 'a', clock), replica(store, 'b', clock), replica(store, 'c', frozen)];
  await a.start(); await b.start(); await c.start();
  await settle();
  for (const r of [a, b]) assert.deepEqual(r.members(), ['a', 'b', 'c'], r.id);
  for (const k of keys) assert.equal([a, b, c].filter((r) => r.owns(k)).length, 1, k);
  const ofC = keys.filter((k) => c.owns(k));
  assert.ok(ofC.length > 50, `c owns ${ofC.length} keys`);
  const before = new Map(keys.map((k) => [k, a.owns(k) ? 'a' : b.owns(k) ? 'b' : 'c']));

  let changes = 0;
  a.onChange(() => changes++);
  await advance(clock, 2500);
  assert.deepEqual(a.members(), ['a', 'b', 'c'], 'c is still live before its lease runs out');
  await advance(clock, 1000);
  assert.deepEqual(a.members(), ['a', 'b']);
  assert.deepEqual(b.members(), ['a', 'b']);
  assert.equal(changes, 1);
  assert.equal(a.isLive('c'), false);
  assert.ok((await store.list(LEASE, { namespace: 'kiln' })).items.some((l) => l.metadata.name === 'kiln-controller-c'), 'an expired lease stays a while');
  for (const k of keys) {
    assert.equal([a, b].filter((r) => r.owns(k)).length, 1, k);
    if (before.get(k) !== 'c') assert.ok((before.get(k) === 'a' ? a : b).owns(k), `${k} moved though its replica lives`);
  }
  // four lease durations after its last renewal, the first live replica deletes c's lease
  await advance(clock, 9000);
  assert.deepEqual((await store.list(LEASE, { namespace: 'kiln' })).items.map((l) => l.metadata.name).sort(), ['kiln-controller-a', 'kiln-controller-b']);
  assert.deepEqual(a.members(), ['a', 'b']);
  await a.stop(); await b.stop(); await c.stop();
});

test('a replica that stops deletes its lease: the others take its keys at once', { timeout: 30_000 }, async () => {
  const clock = createFakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = createMemoryStore({ now: () => new Date(clock.now()) });
  const [a, b] = [replica(store, 'a', clock), replica(store, 'b', clock)];
  await a.start(); await b.start();
  await settle();
  assert.deepEqual(a.members(), ['a', 'b']);
  await b.stop();
  await settle();
  assert.deepEqual(a.members(), ['a']);
  assert.ok(keys.every((k) => a.owns(k)));
  assert.deepEqual((await store.list(LEASE, { namespace: 'kiln' })).items.map((l) => l.metadata.name), ['kiln-controller-a']);
  await a.stop();
});

test('a replica that cannot renew its lease counts itself out after a lease duration, and back in when it can', { timeout: 30_000 }, async () => {
  const clock = createFakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = createMemoryStore({ now: () => new Date(clock.now()) });
  let failing = false;
  const flaky: Store = { ...store, update: (t, o) => (failing ? Promise.reject(new Error('connection refused')) : store.update(t, o)) };
  const a = replica(flaky, 'a', clock);
  const b = replica(store, 'b', clock);
  await a.start(); await b.start();
  await settle();
  failing = true;
  await advance(clock, 3500);
  assert.deepEqual(a.members(), ['b'], 'a no longer counts itself');
  assert.ok(!keys.some((k) => a.owns(k)));
  assert.deepEqual(b.members(), ['b']);
  failing = false;
  await advance(clock, 1500);
  assert.deepEqual(a.members(), ['a', 'b']);
  assert.deepEqual(b.members(), ['a', 'b']);
  await a.stop(); await b.stop();
});
