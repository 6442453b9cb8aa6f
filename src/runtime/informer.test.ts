import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import type { ListResult, ResourceType, Store, Watch, WatchEvent } from '../store/store.ts';
import { StoreError } from '../store/store.ts';
import { createMemoryStore } from '../store/memory.ts';
import { createInformer } from './informer.ts';
import type { EventHandlers } from './informer.ts';
import type { Logger } from './logger.ts';
import { silentLogger } from './logger.ts';
import { until } from './testing.ts';

const CONFIGMAPS: ResourceType = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const SECRETS: ResourceType = { group: '', plural: 'secrets', kind: 'Secret', namespaced: true };

function cm(name: string, meta: KObject['metadata'] = {}, data: Record<string, string> = { k: 'v' }): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data };
}

/** Handlers that record `add ns/name`, `update ns/name`, `delete ns/name`. */
function recorder() {
  const lines: string[] = [];
  const id = (o: KObject) => `${o.metadata.namespace}/${o.metadata.name}`;
  const handlers: EventHandlers = {
    onAdd: (o) => lines.push(`add ${id(o)}`),
    onUpdate: (_, o) => lines.push(`update ${id(o)}`),
    onDelete: (o) => lines.push(`delete ${id(o)}`),
  };
  return { lines, handlers };
}

/**
 * Wraps a store so a test can cut the informer's watch (`drop`) and hold new watches (`hold`)
 * until `release`: then the watch opens from the old resourceVersion, as a reconnecting
 * client would, and the error (Gone) surfaces from next().
 */
function flakyStore(inner: Store) {
  const open = new Set<Watch>();
  let gate: Promise<void> | undefined;
  let release: () => void = () => {};
  let watchCalls = 0;
  let listCalls = 0;
  const store: Store = {
    ...inner,
    list<T extends KObject>(type: ResourceType, opts?: object): Promise<ListResult<T>> {
      listCalls++;
      return inner.list<T>(type, opts);
    },
    watch(type, opts) {
      watchCalls++;
      let real: Watch | undefined;
      let stopped = false;
      const waitFor = gate;
      const iterator: AsyncIterator<WatchEvent> = {
        async next() {
          if (!real) {
            await waitFor;
            if (stopped) return { value: undefined, done: true };
            real = inner.watch(type, opts);
          }
          return real[Symbol.asyncIterator]().next();
        },
        async return() {
          w.stop();
          return { value: undefined, done: true };
        },
      };
      const w: Watch = {
        stop() {
          stopped = true;
          real?.stop();
          open.delete(w);
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      open.add(w);
      return w;
    },
  };
  return {
    store,
    drop() { for (const w of [...open]) w.stop(); },
    hold() { gate = new Promise((resolve) => { release = resolve; }); },
    release() { gate = undefined; release(); },
    get watchCalls() { return watchCalls; },
    get listCalls() { return listCalls; },
  };
}

/** A watch that delivers nothing until stopped, then ends. */
function quietWatch(): Watch {
  let end: (r: IteratorResult<WatchEvent>) => void = () => {};
  const ended = new Promise<IteratorResult<WatchEvent>>((resolve) => { end = resolve; });
  return { stop: () => end({ value: undefined, done: true }), [Symbol.asyncIterator]: () => ({ next: () => ended }) };
}

describe('informer', () => {
  it('lists, then watches: cache and handlers follow the store', async () => {
    const store = createMemoryStore();
    await store.create(CONFIGMAPS, cm('b', { namespace: 'n1' }));
    await store.create(CONFIGMAPS, cm('a', { namespace: 'n2' }));
    await store.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    const rec = recorder();
    const inf = createInformer(store, CONFIGMAPS, { handlers: rec.handlers, logger: silentLogger });
    assert.equal(inf.hasSynced(), false);
    await inf.synced;
    assert.equal(inf.hasSynced(), true);
    assert.deepEqual(rec.lines, ['add n1/b', 'add n2/a']);
    assert.deepEqual(inf.list().map((o) => o.metadata.name), ['b', 'a']);
    assert.deepEqual(inf.list('n2').map((o) => o.metadata.name), ['a']);

    const c = await store.create(CONFIGMAPS, cm('c', { namespace: 'n1' }));
    await store.update(CONFIGMAPS, { ...c, data: { k: '2' } });
    await store.delete(CONFIGMAPS, 'n1', 'b');
    await until(() => rec.lines.length === 5, 'three more events');
    assert.deepEqual(rec.lines.slice(2), ['add n1/c', 'update n1/c', 'delete n1/b']);
    assert.deepEqual(inf.get('n1', 'c')?.data, { k: '2' });
    assert.equal(inf.get('n1', 'b'), undefined);
    assert.equal(inf.resourceVersion, (await store.list(CONFIGMAPS)).resourceVersion);
    await inf.stop();
    await store.close();
  });

  it('cached objects are frozen', async () => {
    const store = createMemoryStore();
    await store.create(CONFIGMAPS, cm('a'));
    const inf = createInformer(store, CONFIGMAPS, { logger: silentLogger });
    await inf.synced;
    const a = inf.get('default', 'a')!;
    assert.throws(() => { a.metadata.name = 'x'; }, TypeError);
    assert.throws(() => { (a.data as Record<string, string>).k = 'x'; }, TypeError);
    await inf.stop();
  });

  it('honours namespace and label selector', async () => {
    const store = createMemoryStore();
    const rec = recorder();
    const inf = createInformer(store, CONFIGMAPS, { namespace: 'n1', labelSelector: 'app=web', handlers: rec.handlers, logger: silentLogger });
    await inf.synced;
    await store.create(CONFIGMAPS, cm('a', { namespace: 'n1', labels: { app: 'web' } }));
    await store.create(CONFIGMAPS, cm('b', { namespace: 'n2', labels: { app: 'web' } }));
    await store.create(CONFIGMAPS, cm('c', { namespace: 'n1', labels: { app: 'db' } }));
    await store.create(CONFIGMAPS, cm('d', { namespace: 'n1', labels: { app: 'web' } }));
    await until(() => rec.lines.length === 2, 'two events');
    assert.deepEqual(rec.lines, ['add n1/a', 'add n1/d']);
    await inf.stop();
  });

  it('lists again after the watch is Gone, and reports what changed meanwhile', async () => {
    const inner = createMemoryStore({ historySize: 4 });
    const flaky = flakyStore(inner);
    for (const n of ['a', 'b', 'c']) await inner.create(CONFIGMAPS, cm(n));
    const rec = recorder();
    const logs: string[] = [];
    const logger: Logger = { info: (m) => logs.push(m), error: (m) => logs.push(`ERROR ${m}`) };
    const inf = createInformer(flaky.store, CONFIGMAPS, { handlers: rec.handlers, logger, retryDelay: 1 });
    await inf.synced;
    assert.equal(flaky.listCalls, 1);
    await until(() => flaky.watchCalls === 1, 'the first watch');

    flaky.hold();
    flaky.drop();
    await until(() => flaky.watchCalls === 2, 'the informer to reconnect');
    await inner.delete(CONFIGMAPS, 'default', 'a');
    await inner.update(CONFIGMAPS, cm('b', {}, { k: 'changed' }));
    await inner.create(CONFIGMAPS, cm('d'));
    for (let i = 0; i < 5; i++) await inner.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}` } });
    flaky.release();

    await until(() => flaky.listCalls === 2, 'a second list');
    await until(() => rec.lines.length === 6, 'the differences');
    assert.deepEqual(rec.lines, ['add default/a', 'add default/b', 'add default/c', 'delete default/a', 'update default/b', 'add default/d']);
    assert.deepEqual(inf.list().map((o) => o.metadata.name), ['b', 'c', 'd']);
    assert.ok(logs.some((l) => /is gone, listing again/.test(l)), logs.join('\n'));
    assert.ok(!logs.some((l) => l.startsWith('ERROR')), logs.join('\n'));

    await inner.create(CONFIGMAPS, cm('e'));
    await until(() => rec.lines.length === 7, 'watching again');
    assert.equal(rec.lines[6], 'add default/e');
    await inf.stop();
  });

  it('lists again when watch() itself throws Gone', async () => {
    let lists = 0;
    let watches = 0;
    const idle = quietWatch();
    const store = {
      async list() { lists++; return { items: [cm(`v${lists}`, { namespace: 'default', resourceVersion: String(lists) })], resourceVersion: String(lists) }; },
      watch() { if (++watches === 1) throw new StoreError('Gone', 'too old'); return idle; },
    } as unknown as Store;
    const rec = recorder();
    const inf = createInformer(store, CONFIGMAPS, { handlers: rec.handlers, logger: silentLogger });
    await until(() => watches === 2, 'a second watch');
    assert.equal(lists, 2);
    assert.deepEqual(rec.lines, ['add default/v1', 'delete default/v1', 'add default/v2']);
    await inf.stop();
  });

  it('retries a failed list after the retry delay', async () => {
    let lists = 0;
    const idle = quietWatch();
    const store = {
      async list() { if (++lists === 1) throw new Error('db locked'); return { items: [], resourceVersion: '5' }; },
      watch() { return idle; },
    } as unknown as Store;
    const errors: string[] = [];
    const timers: number[] = [];
    const inf = createInformer(store, CONFIGMAPS, {
      logger: { info() {}, error: (m) => errors.push(m) },
      clock: { now: () => 0, setTimeout: (fn, ms) => { timers.push(ms); fn(); return 0; }, clearTimeout() {} },
      retryDelay: 250,
    });
    await inf.synced;
    assert.equal(lists, 2);
    assert.deepEqual(timers, [250]);
    assert.deepEqual(errors, ['informer configmaps: list failed']);
    await inf.stop();
  });

  it('stop ends the watch; later changes are not seen', async () => {
    const store = createMemoryStore();
    const rec = recorder();
    const inf = createInformer(store, CONFIGMAPS, { handlers: rec.handlers, logger: silentLogger });
    await inf.synced;
    await store.create(CONFIGMAPS, cm('a'));
    await until(() => rec.lines.length === 1, 'one add');
    await inf.stop();
    await store.create(CONFIGMAPS, cm('b'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(rec.lines, ['add default/a']);
  });

  it('a throwing handler is logged and does not stop the others', async () => {
    const store = createMemoryStore();
    await store.create(CONFIGMAPS, cm('a'));
    const errors: string[] = [];
    const rec = recorder();
    const inf = createInformer(store, CONFIGMAPS, {
      handlers: [{ onAdd() { throw new Error('boom'); } }, rec.handlers],
      logger: { info() {}, error: (m) => errors.push(m) },
    });
    await inf.synced;
    assert.deepEqual(rec.lines, ['add default/a']);
    assert.deepEqual(errors, ['informer configmaps: onAdd handler failed']);
    await inf.stop();
  });
});
