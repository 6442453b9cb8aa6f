import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkQueue } from './workqueue.ts';
import { createFakeClock, flush } from './testing.ts';

function setup(opts: { baseDelay?: number; maxDelay?: number } = {}) {
  const clock = createFakeClock(1000);
  return { clock, q: createWorkQueue({ ...opts, clock }) };
}

/** A get() whose resolution the test can observe without waiting on it. */
function pendingGet(q: ReturnType<typeof setup>['q']) {
  const state: { key?: string | undefined; settled: boolean } = { settled: false };
  const promise = q.get().then((key) => { state.key = key; state.settled = true; return key; });
  return { state, promise };
}

describe('workqueue', () => {
  it('de-duplicates keys and hands them out in order', async () => {
    const { q } = setup();
    for (const k of ['ns/a', 'ns/b', 'ns/a', 'ns/c', 'ns/b']) q.add(k);
    assert.equal(q.length, 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['ns/a', 'ns/b', 'ns/c']);
    assert.equal(q.length, 0);
    assert.equal(q.processing, 3);
  });

  it('a waiting get() receives the next added key', async () => {
    const { q } = setup();
    const g = pendingGet(q);
    await flush();
    assert.equal(g.state.settled, false);
    q.add('ns/a');
    assert.equal(await g.promise, 'ns/a');
    assert.equal(q.length, 0);
  });

  it('does not hand out a key being processed; re-adding marks it dirty and done() requeues it once', async () => {
    const { q } = setup();
    q.add('ns/a');
    assert.equal(await q.get(), 'ns/a');
    q.add('ns/a');
    q.add('ns/a');
    assert.equal(q.length, 0, 'not queued while processing');
    const second = pendingGet(q);
    await flush();
    assert.equal(second.state.settled, false, 'a second worker does not get the key');
    q.done('ns/a');
    assert.equal(await second.promise, 'ns/a');
    q.done('ns/a');
    assert.equal(q.length, 0, 'processed once more, not twice');
    assert.equal(q.processing, 0);
  });

  it('done() without a re-add does not requeue', async () => {
    const { q } = setup();
    q.add('ns/a');
    await q.get();
    q.done('ns/a');
    assert.equal(q.length, 0);
  });

  it('addAfter waits for the clock', async () => {
    const { q, clock } = setup();
    q.addAfter('ns/a', 100);
    assert.equal(q.length, 0);
    assert.equal(q.waiting, 1);
    clock.advance(99);
    assert.equal(q.length, 0);
    clock.advance(1);
    assert.equal(q.length, 1);
    assert.equal(q.waiting, 0);
    assert.equal(await q.get(), 'ns/a');
  });

  it('addAfter keeps the earliest deadline per key', () => {
    const { q, clock } = setup();
    q.addAfter('ns/a', 100);
    q.addAfter('ns/a', 300);
    q.addAfter('ns/a', 50);
    assert.equal(q.waiting, 1);
    assert.equal(clock.pending, 1);
    clock.advance(50);
    assert.equal(q.length, 1);
    clock.advance(1000);
    assert.equal(q.length, 1);
  });

  it('addAfter(0) adds now; addAfter of a queued key is a no-op', () => {
    const { q, clock } = setup();
    q.addAfter('ns/a', 0);
    assert.equal(q.length, 1);
    q.addAfter('ns/a', 10);
    assert.equal(clock.pending, 0);
  });

  it('add() cancels a delayed add of the same key', async () => {
    const { q, clock } = setup();
    q.addAfter('ns/a', 100);
    q.add('ns/a');
    assert.equal(clock.pending, 0);
    assert.equal(await q.get(), 'ns/a');
    q.done('ns/a');
    clock.advance(1000);
    assert.equal(q.length, 0);
  });

  it('backs off exponentially per key up to maxDelay, and forget() resets', () => {
    const { q, clock } = setup({ baseDelay: 5, maxDelay: 100 });
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = clock.now();
      q.addRateLimited('ns/a');
      delays.push(clock.next! - before);
      clock.advance(delays[i]);
      assert.equal(q.length, 1);
      void q.get();
      q.done('ns/a');
    }
    assert.deepEqual(delays, [5, 10, 20, 40, 80, 100, 100]);
    assert.equal(q.numRequeues('ns/a'), 7);
    q.addRateLimited('ns/b');
    assert.equal(clock.next! - clock.now(), 5, 'backoff is per key');
    q.forget('ns/a');
    assert.equal(q.numRequeues('ns/a'), 0);
    clock.advance(5);
    q.addRateLimited('ns/a');
    assert.equal(clock.next! - clock.now(), 5);
  });

  it('default backoff is 5 ms doubling to 30 s', () => {
    const clock = createFakeClock();
    const q = createWorkQueue({ clock });
    const delays: number[] = [];
    for (let i = 0; i < 16; i++) {
      q.addRateLimited('k');
      delays.push(clock.next! - clock.now());
      clock.advance(delays[i]);
      void q.get();
      q.done('k');
    }
    assert.deepEqual(delays.slice(0, 3), [5, 10, 20]);
    assert.equal(delays[12], 20480);
    assert.equal(delays[13], 30000);
    assert.equal(delays[15], 30000);
  });

  it('a rate-limited key waiting for its backoff still runs at once on add()', async () => {
    const { q } = setup();
    q.addRateLimited('ns/a');
    q.add('ns/a');
    assert.equal(await q.get(), 'ns/a');
    assert.equal(q.waiting, 0);
  });

  it('shutdown resolves waiting getters with undefined, clears timers and ignores adds', async () => {
    const { q, clock } = setup();
    const g1 = pendingGet(q);
    const g2 = pendingGet(q);
    q.addAfter('ns/x', 10);
    q.shutdown();
    assert.deepEqual([await g1.promise, await g2.promise], [undefined, undefined]);
    assert.equal(clock.pending, 0);
    q.add('ns/a');
    assert.equal(q.length, 0);
    assert.equal(await q.get(), undefined);
    assert.equal(q.shuttingDown, true);
  });

  it('shutdown drops queued keys and dirty keys are not requeued', async () => {
    const { q } = setup();
    q.add('ns/a');
    q.add('ns/b');
    assert.equal(await q.get(), 'ns/a');
    q.add('ns/a');
    q.shutdown();
    assert.equal(q.length, 0);
    q.done('ns/a');
    assert.equal(q.length, 0);
    assert.equal(q.processing, 0);
  });
});
