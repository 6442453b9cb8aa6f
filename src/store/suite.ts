// The one conformance suite every Store implementation runs (memory, sqlite, kube):
//   runStoreSuite('memory', () => createMemoryStore({ historySize: 16 }), { historySize: 16 });
// Each case gets a fresh store and closes it. Assertions are exact and never depend on timing:
// "no event" is shown by writing a sentinel and seeing it arrive next.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject, ObjectMeta } from '../api/meta.ts';
import type { ListPageOptions, ResourceType, Store, Watch, WatchEvent } from './store.ts';
import { StoreError } from './store.ts';

export interface StoreSuiteOptions {
  /** test titles (or group titles) to skip, each a declared gap of the implementation */
  skip?: string[];
  /**
   * Test titles (or group titles) to skip, each with the reason it cannot hold for this
   * implementation (e.g. a real API server defaults TaskRun specs as Tekton's webhook does).
   */
  skipWithReason?: Record<string, string>;
  /**
   * The most changes a store made by `newStore` remembers for watches: the Gone test writes more
   * than twice as many. Without it the Gone test is skipped.
   */
  historySize?: number;
}

const CONFIGMAPS: ResourceType = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const TASKRUNS: ResourceType = { group: 'tekton.dev', plural: 'taskruns', kind: 'TaskRun', namespaced: true };
const PIPELINERUNS: ResourceType = { group: 'tekton.dev', plural: 'pipelineruns', kind: 'PipelineRun', namespaced: true };
const NAMESPACES: ResourceType = { group: '', plural: 'namespaces', kind: 'Namespace', namespaced: false };
const EVENTS: ResourceType = { group: '', plural: 'events', kind: 'Event', namespaced: true };

/** Hang guard for reads that must succeed; only reached when an implementation is broken. */
const GUARD_MS = 5000;

function cm(name: string, meta: ObjectMeta = {}, data: Record<string, string> = { k: 'v' }): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data };
}

function tr(name: string, meta: ObjectMeta = {}, spec: unknown = { taskRef: { name: 't' } }): KObject {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, ...meta }, spec };
}

function pr(name: string, meta: ObjectMeta = {}): KObject {
  return { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, ...meta }, spec: { pipelineRef: { name: 'p' } } };
}

/** A core/v1 Event about `kind/name` (uid `uid`). */
function ev(name: string, kind: string, involved: string, uid: string, reason = 'Started'): KObject {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: { apiVersion: 'tekton.dev/v1', kind, name: involved, namespace: 'default', uid }, reason, type: 'Normal' };
}

function ownerRef(owner: KObject) {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true };
}

function rvOf(obj: KObject): number {
  const rv = obj.metadata.resourceVersion;
  assert.match(rv ?? '', /^\d+$/, 'resourceVersion is a decimal string');
  return Number(rv);
}

async function rejectsWith(p: Promise<unknown>, reason: StoreError['reason']): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StoreError, `expected StoreError, got ${String(e)}`);
    assert.equal(e.reason, reason);
    return true;
  });
}

function guard<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), GUARD_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Reads the next `n` events as `TYPE name` plus the events themselves. */
async function take(w: Watch, n: number): Promise<{ lines: string[]; events: WatchEvent[] }> {
  const it = w[Symbol.asyncIterator]();
  const events: WatchEvent[] = [];
  while (events.length < n) {
    const r = await guard(it.next(), `event ${events.length + 1} of ${n}`);
    assert.ok(!r.done, `watch ended after ${events.length} of ${n} events`);
    events.push(r.value);
  }
  return { lines: events.map((e) => `${e.type} ${e.object.metadata.name}`), events };
}

/** The error a watch fails with, whether at watch() or at its first next(). */
async function watchError(open: () => Watch): Promise<unknown> {
  let w: Watch | undefined;
  try {
    w = open();
    const r = await guard(w[Symbol.asyncIterator]().next(), 'the watch to fail');
    return new Error(`watch did not fail (got ${r.done ? 'end' : r.value.type})`);
  } catch (e) {
    return e;
  } finally {
    w?.stop();
  }
}

function assertReason(e: unknown, reason: StoreError['reason'], code: number): void {
  assert.ok(e instanceof StoreError, `expected StoreError(${reason}), got ${String(e)}`);
  assert.equal(e.reason, reason);
  assert.equal(e.code, code);
}

/**
 * Registers node:test cases for every semantic documented on the Store interface. `newStore` is
 * called once per case; the store is closed after it.
 */
export function runStoreSuite(name: string, newStore: () => Promise<Store> | Store, opts: StoreSuiteOptions = {}): void {
  const skip = new Set(opts.skip ?? []);

  function test(group: string, title: string, fn: (s: Store) => Promise<void>, extraSkip: string | false = false): void {
    const why = opts.skipWithReason?.[title] ?? opts.skipWithReason?.[group];
    const skipped = why ?? (skip.has(title) || skip.has(group) ? 'declared skip' : extraSkip);
    it(title, { skip: skipped }, async function runCase() {
      const s = await newStore();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    });
  }

  describe(`Store conformance: ${name}`, () => {
    describe('create', () => {
      const g = 'create';
      test(g, 'create assigns uid, resourceVersion, creationTimestamp and generation 1', async (s) => {
        const out = await s.create(CONFIGMAPS, cm('a', { namespace: 'ns1', labels: { x: 'y' } }));
        assert.equal(out.metadata.name, 'a');
        assert.equal(out.metadata.namespace, 'ns1');
        assert.deepEqual(out.metadata.labels, { x: 'y' });
        assert.equal(out.metadata.generation, 1);
        assert.ok(out.metadata.uid, 'uid is set');
        assert.ok(rvOf(out) > 0);
        assert.ok(!Number.isNaN(Date.parse(out.metadata.creationTimestamp ?? '')), 'creationTimestamp is a date');
        assert.equal(out.metadata.deletionTimestamp, undefined);
        assert.deepEqual(out.data, { k: 'v' });
        assert.deepEqual(await s.get(CONFIGMAPS, 'ns1', 'a'), out);
      });

      test(g, 'create ignores system fields given by the caller', async (s) => {
        const given = cm('a', { uid: 'mine', resourceVersion: '999999', generation: 7, deletionTimestamp: '2020-01-01T00:00:00Z' });
        const out = await s.create(CONFIGMAPS, given);
        assert.notEqual(out.metadata.uid, 'mine');
        assert.notEqual(out.metadata.resourceVersion, '999999');
        assert.equal(out.metadata.generation, 1);
        assert.equal(out.metadata.deletionTimestamp, undefined);
      });

      test(g, "create defaults the namespace to 'default'", async (s) => {
        const out = await s.create(CONFIGMAPS, cm('a'));
        assert.equal(out.metadata.namespace, 'default');
        assert.equal((await s.get(CONFIGMAPS, 'default', 'a')).metadata.name, 'a');
      });

      test(g, 'cluster-scoped objects have no namespace', async (s) => {
        const out = await s.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', namespace: 'ignored' } });
        assert.equal(out.metadata.namespace, undefined);
        assert.equal((await s.get(NAMESPACES, '', 'team-a')).metadata.name, 'team-a');
        assert.deepEqual((await s.list(NAMESPACES, { namespace: 'whatever' })).items.map((o) => o.metadata.name), ['team-a']);
      });

      test(g, 'create generates a name from generateName', async (s) => {
        const a = await s.create(TASKRUNS, tr('', { generateName: 'build-' }));
        const b = await s.create(TASKRUNS, tr('', { generateName: 'build-' }));
        assert.match(a.metadata.name!, /^build-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        assert.match(b.metadata.name!, /^build-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        assert.notEqual(a.metadata.name, b.metadata.name);
        assert.equal(a.metadata.generateName, 'build-');
        assert.equal((await s.get(TASKRUNS, 'default', a.metadata.name!)).metadata.uid, a.metadata.uid);
      });

      test(g, 'a generated name keeps at most 58 characters of generateName (a DNS label with the suffix, as Kubernetes)', async (s) => {
        const long = `${'a'.repeat(300)}-`;
        const made = await s.create(TASKRUNS, tr('', { generateName: long }));
        assert.match(made.metadata.name!, /^a{58}[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        assert.equal(made.metadata.generateName, long);
      });

      test(g, 'a given name wins over generateName', async (s) => {
        const out = await s.create(TASKRUNS, tr('fixed', { generateName: 'build-' }));
        assert.equal(out.metadata.name, 'fixed');
      });

      test(g, 'create without name or generateName is Invalid', async (s) => {
        await rejectsWith(s.create(CONFIGMAPS, cm('')), 'Invalid');
        await rejectsWith(s.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), 'Invalid');
      });

      test(g, 'create of a duplicate is AlreadyExists (409)', async (s) => {
        await s.create(CONFIGMAPS, cm('a'));
        const e = await s.create(CONFIGMAPS, cm('a', {}, { other: 'x' })).catch((err: unknown) => err);
        assertReason(e, 'AlreadyExists', 409);
        assert.deepEqual((await s.get(CONFIGMAPS, 'default', 'a')).data, { k: 'v' });
      });

      test(g, 'the same name may exist in two namespaces and in two kinds', async (s) => {
        const a = await s.create(TASKRUNS, tr('x', { namespace: 'n1' }));
        const b = await s.create(TASKRUNS, tr('x', { namespace: 'n2' }));
        const c = await s.create(PIPELINERUNS, pr('x', { namespace: 'n1' }));
        assert.equal(new Set([a.metadata.uid, b.metadata.uid, c.metadata.uid]).size, 3);
        assert.equal((await s.get(TASKRUNS, 'n2', 'x')).metadata.uid, b.metadata.uid);
        assert.equal((await s.get(PIPELINERUNS, 'n1', 'x')).metadata.uid, c.metadata.uid);
      });

      test(g, 'resourceVersion increases across kinds and uids are unique', async (s) => {
        const made: KObject[] = [];
        for (let i = 0; i < 5; i++) {
          made.push(await s.create(CONFIGMAPS, cm(`c${i}`)));
          made.push(await s.create(TASKRUNS, tr(`t${i}`)));
        }
        const rvs = made.map(rvOf);
        assert.deepEqual([...rvs].sort((x, y) => x - y), rvs);
        assert.equal(new Set(rvs).size, rvs.length);
        assert.equal(new Set(made.map((o) => o.metadata.uid)).size, made.length);
      });
    });

    describe('get and list', () => {
      const g = 'get and list';
      test(g, 'get of a missing object is NotFound (404)', async (s) => {
        await s.create(CONFIGMAPS, cm('a', { namespace: 'n1' }));
        for (const [ns, n] of [['n1', 'b'], ['n2', 'a']]) {
          const e = await s.get(CONFIGMAPS, ns, n).catch((err: unknown) => err);
          assertReason(e, 'NotFound', 404);
        }
        await rejectsWith(s.get(TASKRUNS, 'n1', 'a'), 'NotFound');
      });

      test(g, 'list returns items by namespace then name, with the store resourceVersion', async (s) => {
        await s.create(CONFIGMAPS, cm('b', { namespace: 'n2' }));
        await s.create(CONFIGMAPS, cm('b', { namespace: 'n1' }));
        const last = await s.create(CONFIGMAPS, cm('a', { namespace: 'n2' }));
        await s.create(TASKRUNS, tr('z', { namespace: 'n1' }));
        const out = await s.list(CONFIGMAPS);
        assert.deepEqual(out.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['n1/b', 'n2/a', 'n2/b']);
        assert.ok(Number(out.resourceVersion) >= rvOf(last), 'list resourceVersion covers every item');
        assert.deepEqual((await s.list(PIPELINERUNS)).items, []);
      });

      test(g, 'list filters by namespace', async (s) => {
        await s.create(CONFIGMAPS, cm('a', { namespace: 'n1' }));
        await s.create(CONFIGMAPS, cm('b', { namespace: 'n2' }));
        await s.create(CONFIGMAPS, cm('c', { namespace: 'n1' }));
        assert.deepEqual((await s.list(CONFIGMAPS, { namespace: 'n1' })).items.map((o) => o.metadata.name), ['a', 'c']);
        assert.deepEqual((await s.list(CONFIGMAPS, { namespace: 'n3' })).items, []);
        assert.equal((await s.list(CONFIGMAPS, { namespace: '' })).items.length, 3);
      });

      test(g, 'list filters by label selector', async (s) => {
        await s.create(CONFIGMAPS, cm('a', { labels: { app: 'web', tier: 'front' } }));
        await s.create(CONFIGMAPS, cm('b', { labels: { app: 'web', tier: 'back' } }));
        await s.create(CONFIGMAPS, cm('c', { labels: { app: 'db' } }));
        await s.create(CONFIGMAPS, cm('d'));
        const cases: Array<[string, string[]]> = [
          ['', ['a', 'b', 'c', 'd']],
          ['app=web', ['a', 'b']],
          ['app==web', ['a', 'b']],
          ['app!=web', ['c', 'd']],
          ['tier in (front,back)', ['a', 'b']],
          ['tier notin (front)', ['b', 'c', 'd']],
          ['tier', ['a', 'b']],
          ['!tier', ['c', 'd']],
          ['app=web,tier!=back', ['a']],
          ['app in (web,db),!tier', ['c']],
        ];
        for (const [labelSelector, want] of cases) {
          const got = (await s.list(CONFIGMAPS, { labelSelector })).items.map((o) => o.metadata.name);
          assert.deepEqual(got, want, `labelSelector ${JSON.stringify(labelSelector)}`);
        }
      });

      test(g, 'list filters by field selector', async (s) => {
        await s.create(CONFIGMAPS, cm('a', { namespace: 'n1' }));
        await s.create(CONFIGMAPS, cm('a', { namespace: 'n2' }));
        await s.create(CONFIGMAPS, cm('b', { namespace: 'n1' }));
        const cases: Array<[string, string[]]> = [
          ['metadata.name=a', ['n1/a', 'n2/a']],
          ['metadata.name!=a', ['n1/b']],
          ['metadata.namespace=n1', ['n1/a', 'n1/b']],
          ['metadata.namespace==n2,metadata.name=a', ['n2/a']],
        ];
        for (const [fieldSelector, want] of cases) {
          const got = (await s.list(CONFIGMAPS, { fieldSelector })).items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
          assert.deepEqual(got, want, `fieldSelector ${JSON.stringify(fieldSelector)}`);
        }
      });

      test(g, "Events are selected by their involvedObject (what kubectl describe asks for)", async (s) => {
        await s.create(EVENTS, ev('a', 'PipelineRun', 'run', 'u1'));
        await s.create(EVENTS, ev('b', 'TaskRun', 'run', 'u2'));
        await s.create(EVENTS, ev('c', 'PipelineRun', 'run', 'u0', 'Running'));
        await s.create(EVENTS, ev('d', 'PipelineRun', 'other', 'u3'));
        const cases: Array<[string, string[]]> = [
          ['involvedObject.name=run,involvedObject.namespace=default,involvedObject.kind=PipelineRun,involvedObject.uid=u1', ['a']],
          ['involvedObject.name=run,involvedObject.kind=PipelineRun', ['a', 'c']],
          ['involvedObject.kind!=PipelineRun', ['b']],
          ['reason=Running', ['c']],
        ];
        for (const [fieldSelector, want] of cases) {
          const got = (await s.list(EVENTS, { namespace: 'default', fieldSelector })).items.map((o) => o.metadata.name);
          assert.deepEqual(got, want, `fieldSelector ${JSON.stringify(fieldSelector)}`);
        }
        const paged = await s.list(EVENTS, { namespace: 'default', fieldSelector: 'involvedObject.name=run,involvedObject.kind=PipelineRun', limit: 1 });
        assert.deepEqual(paged.items.map((o) => o.metadata.name), ['a'], 'a page of a selection');
        const rest = await s.list(EVENTS, { namespace: 'default', fieldSelector: 'involvedObject.name=run,involvedObject.kind=PipelineRun', limit: 1, continue: paged.continue });
        assert.deepEqual(rest.items.map((o) => o.metadata.name), ['c']);
        assertReason(await s.list(CONFIGMAPS, { fieldSelector: 'involvedObject.name=run' }).catch((e: unknown) => e), 'BadRequest', 400);
      });

      test(g, 'a bad selector is BadRequest (400)', async (s) => {
        for (const o of [{ labelSelector: 'a in (' }, { labelSelector: 'a=b,' }, { fieldSelector: 'spec.x=y' }]) {
          const e = await s.list(CONFIGMAPS, o).catch((err: unknown) => err);
          assertReason(e, 'BadRequest', 400);
        }
      });
    });

    describe('list pages', () => {
      const g = 'list pages';
      const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

      /** Every page of a list of `limit`, following continue; checks remainingItemCount when given. */
      async function allPages(s: Store, type: ResourceType, opts: ListPageOptions): Promise<{ pages: string[][]; versions: string[] }> {
        const pages: string[][] = [];
        const versions: string[] = [];
        let token: string | undefined;
        do {
          const page = await s.list(type, { ...opts, continue: token });
          pages.push(page.items.map(keyOf));
          versions.push(page.resourceVersion);
          token = page.continue;
          assert.ok(pages.length <= 100, 'the pages end');
          if (!token) assert.equal(page.remainingItemCount, undefined, 'no remainingItemCount on the last page');
          else if (page.remainingItemCount !== undefined) pages.push([`remaining ${page.remainingItemCount}`]);
        } while (token);
        return { pages, versions };
      }

      test(g, 'limit and continue give every item once, in order, each page with the first page\'s resourceVersion', async (s) => {
        for (const [ns, name] of [['n2', 'b'], ['n1', 'c'], ['n1', 'a'], ['n2', 'a'], ['n1', 'b'], ['n3', 'a'], ['n1', 'd']]) {
          await s.create(CONFIGMAPS, cm(name, { namespace: ns }));
        }
        const whole = (await s.list(CONFIGMAPS)).items.map(keyOf);
        const { pages, versions } = await allPages(s, CONFIGMAPS, { limit: 3 });
        const items = pages.filter((p) => !p[0]?.startsWith('remaining'));
        assert.deepEqual(items, [['n1/a', 'n1/b', 'n1/c'], ['n1/d', 'n2/a', 'n2/b'], ['n3/a']]);
        assert.deepEqual(items.flat(), whole);
        for (const p of pages.filter((x) => x[0]?.startsWith('remaining'))) assert.ok(['remaining 4', 'remaining 1'].includes(p[0]), p[0]);
        assert.deepEqual(new Set(versions).size, 1, 'one resourceVersion for every page');
        assert.equal(versions[0], (await s.list(CONFIGMAPS)).resourceVersion);
      });

      test(g, 'remainingItemCount, when given, counts the items after the page', async (s) => {
        for (const name of ['a', 'b', 'c', 'd', 'e']) await s.create(CONFIGMAPS, cm(name));
        const first = await s.list(CONFIGMAPS, { limit: 2 });
        assert.ok(first.continue);
        if (first.remainingItemCount !== undefined) assert.equal(first.remainingItemCount, 3);
        const second = await s.list(CONFIGMAPS, { limit: 2, continue: first.continue });
        assert.deepEqual(second.items.map((o) => o.metadata.name), ['c', 'd']);
        if (second.remainingItemCount !== undefined) assert.equal(second.remainingItemCount, 1);
      });

      test(g, 'no continue when the page holds the rest; no limit (or 0) gives everything', async (s) => {
        for (const name of ['a', 'b', 'c']) await s.create(CONFIGMAPS, cm(name));
        const exact = await s.list(CONFIGMAPS, { limit: 3 });
        assert.deepEqual([exact.items.length, exact.continue, exact.remainingItemCount], [3, undefined, undefined]);
        assert.equal((await s.list(CONFIGMAPS, { limit: 10 })).continue, undefined);
        assert.equal((await s.list(CONFIGMAPS, { limit: 0 })).items.length, 3);
        const first = await s.list(CONFIGMAPS, { limit: 1 });
        const rest = await s.list(CONFIGMAPS, { continue: first.continue });
        assert.deepEqual(rest.items.map((o) => o.metadata.name), ['b', 'c'], 'continue without limit: every item after the key');
        assert.equal(rest.continue, undefined);
        assert.deepEqual((await s.list(PIPELINERUNS, { limit: 5 })).items, []);
      });

      test(g, 'pages honour the namespace and selectors', async (s) => {
        for (const [ns, name, app] of [['n1', 'a', 'web'], ['n1', 'b', 'db'], ['n1', 'c', 'web'], ['n2', 'a', 'web'], ['n1', 'd', 'web'], ['n1', 'e', 'db']]) {
          await s.create(CONFIGMAPS, cm(name, { namespace: ns, labels: { app } }));
        }
        const flat = async (opts: ListPageOptions) => (await allPages(s, CONFIGMAPS, opts)).pages.filter((p) => !p[0]?.startsWith('remaining'));
        assert.deepEqual(await flat({ limit: 2, namespace: 'n1' }), [['n1/a', 'n1/b'], ['n1/c', 'n1/d'], ['n1/e']]);
        assert.deepEqual(await flat({ limit: 2, labelSelector: 'app=web' }), [['n1/a', 'n1/c'], ['n1/d', 'n2/a']]);
        assert.deepEqual(await flat({ limit: 1, namespace: 'n1', labelSelector: 'app=db' }), [['n1/b'], ['n1/e']]);
        assert.deepEqual(await flat({ limit: 2, fieldSelector: 'metadata.name=a' }), [['n1/a', 'n2/a']]);
      });

      test(g, 'cluster-scoped kinds page too', async (s) => {
        for (const name of ['c', 'a', 'b']) await s.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        const { pages } = await allPages(s, NAMESPACES, { limit: 2 });
        assert.deepEqual(pages.filter((p) => !p[0]?.startsWith('remaining')), [['/a', '/b'], ['/c']]);
      });

      test(g, 'a later page reads the current state; a watch from the pages\' resourceVersion replays what changed', async (s) => {
        for (const name of ['b', 'c', 'd', 'f']) await s.create(CONFIGMAPS, cm(name));
        const first = await s.list(CONFIGMAPS, { limit: 2 });
        assert.deepEqual(first.items.map((o) => o.metadata.name), ['b', 'c']);
        await s.create(CONFIGMAPS, cm('a')); // behind the key: not listed
        await s.delete(CONFIGMAPS, 'default', 'd'); // ahead: gone
        await s.create(CONFIGMAPS, cm('e')); // ahead: listed
        const f = await s.get(CONFIGMAPS, 'default', 'f');
        const changed = await s.update(CONFIGMAPS, { ...f, data: { k: '2' } });
        const second = await s.list(CONFIGMAPS, { limit: 2, continue: first.continue });
        assert.deepEqual(second.items.map((o) => o.metadata.name), ['e', 'f']);
        assert.deepEqual(second.items[1].data, { k: '2' });
        assert.equal(second.items[1].metadata.resourceVersion, changed.metadata.resourceVersion);
        assert.equal(second.continue, undefined);
        assert.equal(second.resourceVersion, first.resourceVersion);
        const w = s.watch(CONFIGMAPS, { resourceVersion: second.resourceVersion });
        try {
          assert.deepEqual((await take(w, 4)).lines, ['ADDED a', 'DELETED d', 'ADDED e', 'MODIFIED f']);
        } finally {
          w.stop();
        }
      });

      test(g, 'a continue token that is not one is BadRequest (400)', async (s) => {
        await s.create(CONFIGMAPS, cm('a'));
        await s.create(CONFIGMAPS, cm('b'));
        const good = (await s.list(CONFIGMAPS, { limit: 1 })).continue!;
        const notJson = Buffer.from('not json').toString('base64url');
        const foreign = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: 'a\u0000' })).toString('base64url');
        for (const token of ['%%%', 'x', notJson, foreign, good.slice(0, -3)]) {
          const e = await s.list(CONFIGMAPS, { limit: 1, continue: token }).catch((err: unknown) => err);
          assertReason(e, 'BadRequest', 400);
          assert.match((e as Error).message, /continue/, token);
        }
      });

      test(g, 'a continue token from a resourceVersion the store has not reached is BadRequest', async (s) => {
        // a token issued by another store (the same format) whose resourceVersion is ahead of this one
        const other = await newStore();
        let token: string;
        try {
          for (let i = 0; i < 6; i++) await other.create(CONFIGMAPS, cm(`x${i}`));
          token = (await other.list(CONFIGMAPS, { limit: 1 })).continue!;
        } finally {
          await other.close();
        }
        await s.create(CONFIGMAPS, cm('a'));
        const e = await s.list(CONFIGMAPS, { limit: 1, continue: token }).catch((err: unknown) => err);
        assertReason(e, 'BadRequest', 400);
      });
    });

    describe('copies', () => {
      const g = 'copies';
      test(g, 'mutating the object given to create or update does not change the store', async (s) => {
        const input = cm('a', { labels: { x: '1' } });
        await s.create(CONFIGMAPS, input);
        input.metadata.labels!.x = '2';
        (input.data as Record<string, string>).k = 'changed';
        const got = await s.get(CONFIGMAPS, 'default', 'a');
        assert.deepEqual(got.metadata.labels, { x: '1' });
        assert.deepEqual(got.data, { k: 'v' });
        const upd = { ...got, data: { k: 'u' } };
        await s.update(CONFIGMAPS, upd);
        upd.data.k = 'mutated';
        assert.deepEqual((await s.get(CONFIGMAPS, 'default', 'a')).data, { k: 'u' });
      });

      test(g, 'mutating returned objects does not change the store', async (s) => {
        const created = await s.create(CONFIGMAPS, cm('a', { labels: { x: '1' } }));
        created.metadata.labels!.x = 'c';
        const got = await s.get(CONFIGMAPS, 'default', 'a');
        got.metadata.labels!.x = 'g';
        (got.data as Record<string, string>).k = 'g';
        const listed = await s.list(CONFIGMAPS);
        listed.items[0].metadata.name = 'renamed';
        const updated = await s.update(CONFIGMAPS, cm('a', { labels: { x: '2' } }));
        updated.metadata.labels!.x = 'u';
        const status = await s.updateStatus(CONFIGMAPS, { ...cm('a'), status: { n: 1 } });
        (status.status as { n: number }).n = 99;
        const fresh = await s.get(CONFIGMAPS, 'default', 'a');
        assert.deepEqual(fresh.metadata.labels, { x: '2' });
        assert.deepEqual(fresh.data, { k: 'v' });
        assert.deepEqual(fresh.status, { n: 1 });
        assert.deepEqual((await s.list(CONFIGMAPS)).items.map((o) => o.metadata.name), ['a']);
      });

      test(g, 'watched objects are read-only or private: mutating one changes neither the store nor other watches', async (s) => {
        const w1 = s.watch(CONFIGMAPS);
        const w2 = s.watch(CONFIGMAPS);
        try {
          await s.create(CONFIGMAPS, cm('a', { labels: { x: '1' } }));
          const [e1] = (await take(w1, 1)).events;
          try {
            e1.object.metadata.labels!.x = 'mutated';
          } catch (e) {
            assert.ok(e instanceof TypeError, 'a shared event object must be frozen');
          }
          const [e2] = (await take(w2, 1)).events;
          assert.deepEqual(e2.object.metadata.labels, { x: '1' });
          assert.deepEqual((await s.get(CONFIGMAPS, 'default', 'a')).metadata.labels, { x: '1' });
        } finally {
          w1.stop();
          w2.stop();
        }
      });
    });

    describe('update', () => {
      const g = 'update';
      test(g, 'update replaces labels, annotations and spec and bumps resourceVersion', async (s) => {
        const a = await s.create(TASKRUNS, tr('a', { labels: { x: '1', y: '1' }, annotations: { n: 'a' } }));
        const out = await s.update(TASKRUNS, tr('a', { labels: { x: '2' } }, { taskRef: { name: 'other' } }));
        assert.deepEqual(out.metadata.labels, { x: '2' });
        assert.equal(out.metadata.annotations, undefined);
        assert.deepEqual(out.spec, { taskRef: { name: 'other' } });
        assert.ok(rvOf(out) > rvOf(a));
        assert.deepEqual(await s.get(TASKRUNS, 'default', 'a'), out);
      });

      test(g, 'update keeps uid, creationTimestamp and deletionTimestamp', async (s) => {
        const a = await s.create(TASKRUNS, tr('a', { finalizers: ['f'] }));
        await s.delete(TASKRUNS, 'default', 'a');
        const deleting = await s.get(TASKRUNS, 'default', 'a');
        const out = await s.update(TASKRUNS, tr('a', {
          finalizers: ['f'], uid: 'forged', creationTimestamp: '2000-01-01T00:00:00Z', deletionTimestamp: undefined, labels: { l: '1' },
        }));
        assert.equal(out.metadata.uid, a.metadata.uid);
        assert.equal(out.metadata.creationTimestamp, a.metadata.creationTimestamp);
        assert.equal(out.metadata.deletionTimestamp, deleting.metadata.deletionTimestamp);
        assert.deepEqual(out.metadata.labels, { l: '1' });
      });

      test(g, 'update never changes status', async (s) => {
        await s.create(TASKRUNS, tr('a'));
        const withStatus = await s.updateStatus(TASKRUNS, { ...tr('a'), status: { phase: 'Running' } });
        const out = await s.update(TASKRUNS, { ...withStatus, spec: { taskRef: { name: 'u' } }, status: { phase: 'Hacked' } });
        assert.deepEqual(out.status, { phase: 'Running' });
        const out2 = await s.update(TASKRUNS, { ...tr('a'), status: undefined });
        assert.deepEqual(out2.status, { phase: 'Running' });
        assert.deepEqual((await s.get(TASKRUNS, 'default', 'a')).status, { phase: 'Running' });
      });

      test(g, 'generation increments only when content other than metadata and status changes', async (s) => {
        const a = await s.create(CONFIGMAPS, cm('a'));
        const steps: Array<[string, (o: KObject) => KObject, number]> = [
          ['labels', (o) => ({ ...o, metadata: { ...o.metadata, labels: { x: '1' } } }), 1],
          ['annotations', (o) => ({ ...o, metadata: { ...o.metadata, annotations: { y: '1' } } }), 1],
          ['finalizers', (o) => ({ ...o, metadata: { ...o.metadata, finalizers: ['f'] } }), 1],
          ['data', (o) => ({ ...o, data: { k: 'changed' } }), 2],
          ['a new top-level field', (o) => ({ ...o, binaryData: { b: 'AA==' } }), 3],
          ['same content again', (o) => ({ ...o }), 3],
        ];
        let cur = a;
        for (const [what, change, want] of steps) {
          cur = await s.update(CONFIGMAPS, change(cur));
          assert.equal(cur.metadata.generation, want, `after changing ${what}`);
        }
        cur = await s.updateStatus(CONFIGMAPS, { ...cur, status: { s: 1 } });
        assert.equal(cur.metadata.generation, 3, 'after updateStatus');
        const spec = await s.create(TASKRUNS, tr('t'));
        const specOut = await s.update(TASKRUNS, { ...spec, spec: { taskRef: { name: 'other' } } });
        assert.equal(specOut.metadata.generation, 2, 'after changing spec');
      });

      test(g, 'update with a stale resourceVersion is a Conflict (409)', async (s) => {
        const a = await s.create(CONFIGMAPS, cm('a'));
        const b = await s.update(CONFIGMAPS, { ...a, data: { k: 'first' } });
        const e = await s.update(CONFIGMAPS, { ...a, data: { k: 'second' } }).catch((err: unknown) => err);
        assertReason(e, 'Conflict', 409);
        assert.deepEqual((await s.get(CONFIGMAPS, 'default', 'a')).data, { k: 'first' });
        const c = await s.update(CONFIGMAPS, { ...b, data: { k: 'third' } });
        assert.deepEqual(c.data, { k: 'third' });
      });

      test(g, 'update without resourceVersion overwrites', async (s) => {
        await s.create(CONFIGMAPS, cm('a'));
        await s.update(CONFIGMAPS, cm('a', {}, { k: 'one' }));
        const out = await s.update(CONFIGMAPS, cm('a', {}, { k: 'two' }));
        assert.deepEqual(out.data, { k: 'two' });
      });

      test(g, 'update of a missing object is NotFound', async (s) => {
        await rejectsWith(s.update(CONFIGMAPS, cm('missing')), 'NotFound');
        await s.create(CONFIGMAPS, cm('a', { namespace: 'n1' }));
        await rejectsWith(s.update(CONFIGMAPS, cm('a', { namespace: 'n2' })), 'NotFound');
      });

      test(g, 'an update that changes nothing keeps the resourceVersion and emits no event', async (s) => {
        const a = await s.create(CONFIGMAPS, cm('a', { labels: { x: '1' } }));
        const w = s.watch(CONFIGMAPS, { resourceVersion: a.metadata.resourceVersion });
        try {
          const same = await s.update(CONFIGMAPS, a);
          assert.equal(same.metadata.resourceVersion, a.metadata.resourceVersion);
          const sameStatus = await s.updateStatus(CONFIGMAPS, a);
          assert.equal(sameStatus.metadata.resourceVersion, a.metadata.resourceVersion);
          await s.create(CONFIGMAPS, cm('sentinel'));
          assert.deepEqual((await take(w, 1)).lines, ['ADDED sentinel']);
        } finally {
          w.stop();
        }
      });
    });

    describe('updateStatus', () => {
      const g = 'updateStatus';
      test(g, 'updateStatus replaces status only', async (s) => {
        const a = await s.create(TASKRUNS, tr('a', { labels: { x: '1' } }));
        const out = await s.updateStatus(TASKRUNS, {
          ...tr('a', { labels: { x: 'changed' } }, { taskRef: { name: 'changed' } }),
          status: { conditions: [{ type: 'Succeeded', status: 'Unknown' }] },
        });
        assert.deepEqual(out.status, { conditions: [{ type: 'Succeeded', status: 'Unknown' }] });
        assert.deepEqual(out.metadata.labels, { x: '1' });
        assert.deepEqual(out.spec, a.spec);
        assert.equal(out.metadata.generation, 1);
        assert.ok(rvOf(out) > rvOf(a));
        const again = await s.updateStatus(TASKRUNS, { ...out, status: { podName: 'p' } });
        assert.deepEqual(again.status, { podName: 'p' }, 'status is replaced, not merged');
        assert.deepEqual(await s.get(TASKRUNS, 'default', 'a'), again);
      });

      test(g, 'updateStatus with a stale resourceVersion is a Conflict', async (s) => {
        const a = await s.create(TASKRUNS, tr('a'));
        await s.updateStatus(TASKRUNS, { ...a, status: { n: 1 } });
        await rejectsWith(s.updateStatus(TASKRUNS, { ...a, status: { n: 2 } }), 'Conflict');
        await s.update(TASKRUNS, { ...tr('a', { labels: { x: '1' } }) });
        const cur = await s.get(TASKRUNS, 'default', 'a');
        await rejectsWith(s.update(TASKRUNS, { ...a }), 'Conflict');
        const ok = await s.updateStatus(TASKRUNS, { ...cur, status: { n: 3 } });
        assert.deepEqual(ok.status, { n: 3 });
      });

      test(g, 'updateStatus of a missing object is NotFound', async (s) => {
        await rejectsWith(s.updateStatus(TASKRUNS, { ...tr('missing'), status: {} }), 'NotFound');
      });
    });

    describe('delete', () => {
      const g = 'delete';
      test(g, 'delete removes the object', async (s) => {
        await s.create(CONFIGMAPS, cm('a'));
        await s.create(CONFIGMAPS, cm('b'));
        await s.delete(CONFIGMAPS, 'default', 'a');
        await rejectsWith(s.get(CONFIGMAPS, 'default', 'a'), 'NotFound');
        assert.deepEqual((await s.list(CONFIGMAPS)).items.map((o) => o.metadata.name), ['b']);
        const again = await s.create(CONFIGMAPS, cm('a'));
        assert.equal(again.metadata.generation, 1, 'the name can be reused');
      });

      test(g, 'delete of a missing object is NotFound', async (s) => {
        await rejectsWith(s.delete(CONFIGMAPS, 'default', 'missing'), 'NotFound');
      });

      test(g, 'delete cascades to owned objects across kinds, recursively', async (s) => {
        const run = await s.create(PIPELINERUNS, pr('run'));
        const t1 = await s.create(TASKRUNS, tr('run-t1', { ownerReferences: [ownerRef(run)] }));
        await s.create(TASKRUNS, tr('run-t2', { ownerReferences: [ownerRef(run)] }));
        await s.create(CONFIGMAPS, cm('t1-cm', { ownerReferences: [ownerRef(t1)] }));
        await s.create(CONFIGMAPS, cm('unrelated'));
        await s.create(TASKRUNS, tr('other', { namespace: 'n2' }));
        await s.delete(PIPELINERUNS, 'default', 'run');
        assert.deepEqual((await s.list(PIPELINERUNS)).items, []);
        assert.deepEqual((await s.list(TASKRUNS)).items.map((o) => o.metadata.name), ['other']);
        assert.deepEqual((await s.list(CONFIGMAPS)).items.map((o) => o.metadata.name), ['unrelated']);
      });

      test(g, 'delete with finalizers only sets deletionTimestamp', async (s) => {
        const a = await s.create(CONFIGMAPS, cm('a', { finalizers: ['kiln.dev/logs'] }));
        await s.delete(CONFIGMAPS, 'default', 'a');
        const got = await s.get(CONFIGMAPS, 'default', 'a');
        assert.ok(!Number.isNaN(Date.parse(got.metadata.deletionTimestamp ?? '')), 'deletionTimestamp is set');
        assert.ok(rvOf(got) > rvOf(a));
        assert.deepEqual(got.metadata.finalizers, ['kiln.dev/logs']);
        assert.equal((await s.list(CONFIGMAPS)).items.length, 1);
        await s.delete(CONFIGMAPS, 'default', 'a');
        assert.deepEqual(await s.get(CONFIGMAPS, 'default', 'a'), got, 'deleting again changes nothing');
      });

      test(g, 'removing the last finalizer deletes the object', async (s) => {
        await s.create(CONFIGMAPS, cm('a', { finalizers: ['f1', 'f2'] }));
        await s.delete(CONFIGMAPS, 'default', 'a');
        const marked = await s.get(CONFIGMAPS, 'default', 'a');
        const one: KObject = await s.update(CONFIGMAPS, { ...marked, metadata: { name: 'a', finalizers: ['f2'] } });
        assert.deepEqual(one.metadata.finalizers, ['f2']);
        assert.ok(one.metadata.deletionTimestamp);
        assert.deepEqual((await s.get(CONFIGMAPS, 'default', 'a')).metadata.finalizers, ['f2']);
        await s.update(CONFIGMAPS, { ...one, metadata: { ...one.metadata, finalizers: [] } });
        await rejectsWith(s.get(CONFIGMAPS, 'default', 'a'), 'NotFound');
      });

      test(g, 'removing finalizers from an object not being deleted keeps it', async (s) => {
        const a = await s.create(CONFIGMAPS, cm('a', { finalizers: ['f'] }));
        await s.update(CONFIGMAPS, { ...a, metadata: { ...a.metadata, finalizers: [] } });
        assert.equal((await s.get(CONFIGMAPS, 'default', 'a')).metadata.name, 'a');
      });

      test(g, 'no finalizer can be added to an object being deleted', async (s) => {
        await s.create(CONFIGMAPS, cm('a', { finalizers: ['f'] }));
        await s.delete(CONFIGMAPS, 'default', 'a');
        const cur = await s.get(CONFIGMAPS, 'default', 'a');
        await rejectsWith(s.update(CONFIGMAPS, { ...cur, metadata: { ...cur.metadata, finalizers: ['f', 'g'] } }), 'Invalid');
      });

      test(g, 'cascade marks owned objects with finalizers and continues when they are released', async (s) => {
        const run = await s.create(PIPELINERUNS, pr('run', { finalizers: ['f'] }));
        const child = await s.create(TASKRUNS, tr('child', { ownerReferences: [ownerRef(run)], finalizers: ['f'] }));
        await s.create(CONFIGMAPS, cm('grandchild', { ownerReferences: [ownerRef(child)] }));
        await s.delete(PIPELINERUNS, 'default', 'run');
        assert.ok((await s.get(TASKRUNS, 'default', 'child')).metadata.deletionTimestamp === undefined, 'dependents wait for their owner to go');
        const runNow = await s.get(PIPELINERUNS, 'default', 'run');
        await s.update(PIPELINERUNS, { ...runNow, metadata: { ...runNow.metadata, finalizers: [] } });
        await rejectsWith(s.get(PIPELINERUNS, 'default', 'run'), 'NotFound');
        const childNow = await s.get(TASKRUNS, 'default', 'child');
        assert.ok(childNow.metadata.deletionTimestamp, 'the child is being deleted');
        assert.equal((await s.get(CONFIGMAPS, 'default', 'grandchild')).metadata.name, 'grandchild');
        await s.update(TASKRUNS, { ...childNow, metadata: { ...childNow.metadata, finalizers: [] } });
        await rejectsWith(s.get(TASKRUNS, 'default', 'child'), 'NotFound');
        await rejectsWith(s.get(CONFIGMAPS, 'default', 'grandchild'), 'NotFound');
      });
    });

    describe('watch', () => {
      const g = 'watch';
      test(g, 'watch delivers ADDED, MODIFIED and DELETED in resourceVersion order', async (s) => {
        const w = s.watch(CONFIGMAPS);
        try {
          const a = await s.create(CONFIGMAPS, cm('a'));
          const a2 = await s.update(CONFIGMAPS, { ...a, data: { k: '2' } });
          const a3 = await s.updateStatus(CONFIGMAPS, { ...a2, status: { ok: true } });
          await s.create(CONFIGMAPS, cm('b', { namespace: 'n2' }));
          await s.delete(CONFIGMAPS, 'default', 'a');
          const { lines, events } = await take(w, 5);
          assert.deepEqual(lines, ['ADDED a', 'MODIFIED a', 'MODIFIED a', 'ADDED b', 'DELETED a']);
          assert.deepEqual(events[0].object, a);
          assert.deepEqual(events[1].object, a2);
          assert.deepEqual(events[2].object, a3);
          const rvs = events.map((e) => rvOf(e.object));
          for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i] > rvs[i - 1], `event ${i} has a later resourceVersion`);
          assert.deepEqual(events[4].object.status, { ok: true }, 'DELETED carries the last state');
        } finally {
          w.stop();
        }
      });

      test(g, 'watch sees only its kind', async (s) => {
        const w = s.watch(TASKRUNS);
        try {
          await s.create(CONFIGMAPS, cm('x'));
          await s.create(PIPELINERUNS, pr('x'));
          await s.create(TASKRUNS, tr('x'));
          const { lines, events } = await take(w, 1);
          assert.deepEqual(lines, ['ADDED x']);
          assert.equal(events[0].object.kind, 'TaskRun');
        } finally {
          w.stop();
        }
      });

      test(g, 'watch filters by namespace', async (s) => {
        const w = s.watch(CONFIGMAPS, { namespace: 'n2' });
        try {
          await s.create(CONFIGMAPS, cm('a', { namespace: 'n1' }));
          await s.create(CONFIGMAPS, cm('b', { namespace: 'n2' }));
          await s.delete(CONFIGMAPS, 'n1', 'a');
          await s.create(CONFIGMAPS, cm('sentinel', { namespace: 'n2' }));
          assert.deepEqual((await take(w, 2)).lines, ['ADDED b', 'ADDED sentinel']);
        } finally {
          w.stop();
        }
      });

      test(g, 'watch with a label selector reports objects entering and leaving it', async (s) => {
        const w = s.watch(CONFIGMAPS, { labelSelector: 'app=web' });
        try {
          const a = await s.create(CONFIGMAPS, cm('a', { labels: { app: 'web' } }));
          const b = await s.create(CONFIGMAPS, cm('b', { labels: { app: 'db' } }));
          await s.update(CONFIGMAPS, { ...a, metadata: { ...a.metadata, labels: { app: 'db' } } });
          await s.update(CONFIGMAPS, { ...b, metadata: { ...b.metadata, labels: { app: 'web' } } });
          await s.update(CONFIGMAPS, cm('b', { labels: { app: 'web' } }, { k: 'changed' }));
          await s.delete(CONFIGMAPS, 'default', 'a');
          await s.delete(CONFIGMAPS, 'default', 'b');
          const { lines, events } = await take(w, 5);
          assert.deepEqual(lines, ['ADDED a', 'DELETED a', 'ADDED b', 'MODIFIED b', 'DELETED b']);
          assert.deepEqual(events[1].object.metadata.labels, { app: 'db' }, 'leaving carries the new state');
        } finally {
          w.stop();
        }
      });

      test(g, 'watch with a field selector', async (s) => {
        const w = s.watch(CONFIGMAPS, { fieldSelector: 'metadata.name=b' });
        try {
          await s.create(CONFIGMAPS, cm('a'));
          await s.create(CONFIGMAPS, cm('b'));
          await s.create(CONFIGMAPS, cm('b', { namespace: 'n2' }));
          const { events } = await take(w, 2);
          assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`), ['ADDED default/b', 'ADDED n2/b']);
        } finally {
          w.stop();
        }
      });

      test(g, "watch of Events with an involvedObject field selector", async (s) => {
        const w = s.watch(EVENTS, { fieldSelector: 'involvedObject.uid=u1' });
        try {
          await s.create(EVENTS, ev('a', 'TaskRun', 'run', 'u2'));
          await s.create(EVENTS, ev('b', 'TaskRun', 'run', 'u1'));
          await s.create(EVENTS, ev('c', 'TaskRun', 'run', 'u1', 'Running'));
          const { lines } = await take(w, 2);
          assert.deepEqual(lines, ['ADDED b', 'ADDED c']);
        } finally {
          w.stop();
        }
      });

      test(g, 'watch from a resourceVersion delivers only later changes', async (s) => {
        await s.create(CONFIGMAPS, cm('a'));
        const b = await s.create(CONFIGMAPS, cm('b'));
        await s.create(CONFIGMAPS, cm('c'));
        await s.create(TASKRUNS, tr('t'));
        await s.update(CONFIGMAPS, { ...b, data: { k: '2' } });
        await s.delete(CONFIGMAPS, 'default', 'a');
        const w = s.watch(CONFIGMAPS, { resourceVersion: b.metadata.resourceVersion });
        try {
          await s.create(CONFIGMAPS, cm('d'));
          assert.deepEqual((await take(w, 4)).lines, ['ADDED c', 'MODIFIED b', 'DELETED a', 'ADDED d']);
        } finally {
          w.stop();
        }
      });

      test(g, 'watch from the resourceVersion of a list misses nothing', async (s) => {
        await s.create(CONFIGMAPS, cm('a'));
        const listed = await s.list(CONFIGMAPS);
        await s.create(CONFIGMAPS, cm('b'));
        await s.delete(CONFIGMAPS, 'default', 'a');
        const w = s.watch(CONFIGMAPS, { resourceVersion: listed.resourceVersion });
        try {
          assert.deepEqual((await take(w, 2)).lines, ['ADDED b', 'DELETED a']);
        } finally {
          w.stop();
        }
      });

      test(g, 'watch from an empty store list misses nothing', async (s) => {
        const listed = await s.list(CONFIGMAPS);
        await s.create(CONFIGMAPS, cm('a'));
        await s.delete(CONFIGMAPS, 'default', 'a');
        const w = s.watch(CONFIGMAPS, { resourceVersion: listed.resourceVersion });
        try {
          assert.deepEqual((await take(w, 2)).lines, ['ADDED a', 'DELETED a']);
        } finally {
          w.stop();
        }
      });

      test(g, "watch from resourceVersion '0' starts with ADDED for existing objects", async (s) => {
        await s.create(CONFIGMAPS, cm('b', { labels: { app: 'web' } }));
        const a = await s.create(CONFIGMAPS, cm('a', { labels: { app: 'web' } }));
        await s.create(CONFIGMAPS, cm('c'));
        await s.update(CONFIGMAPS, { ...a, data: { k: '2' } });
        await s.delete(CONFIGMAPS, 'default', 'c');
        const w = s.watch(CONFIGMAPS, { resourceVersion: '0', labelSelector: 'app=web' });
        try {
          await s.create(CONFIGMAPS, cm('d', { labels: { app: 'web' } }));
          const { lines, events } = await take(w, 3);
          assert.deepEqual(lines.slice(0, 2).sort(), ['ADDED a', 'ADDED b']);
          assert.equal(lines[2], 'ADDED d');
          assert.deepEqual(events.find((e) => e.object.metadata.name === 'a')!.object.data, { k: '2' }, 'the current state');
        } finally {
          w.stop();
        }
      });

      test(g, 'watch from a forgotten resourceVersion is Gone (410)', async (s) => {
        const n = opts.historySize!;
        const first = await s.create(CONFIGMAPS, cm('first'));
        let cur = first;
        for (let i = 0; i <= 2 * n; i++) cur = await s.update(CONFIGMAPS, { ...cur, data: { i: String(i) } });
        assertReason(await watchError(() => s.watch(CONFIGMAPS, { resourceVersion: first.metadata.resourceVersion })), 'Gone', 410);
        const listed = await s.list(CONFIGMAPS);
        const w = s.watch(CONFIGMAPS, { resourceVersion: listed.resourceVersion });
        try {
          await s.delete(CONFIGMAPS, 'default', 'first');
          assert.deepEqual((await take(w, 1)).lines, ['DELETED first'], 'a recent resourceVersion still works');
        } finally {
          w.stop();
        }
      }, opts.historySize === undefined ? 'no historySize given' : false);

      test(g, 'watch from a resourceVersion newer than the store\'s is Gone (410), not a watch that waits', async (s) => {
        const made = await s.create(CONFIGMAPS, cm('now'));
        const current = Number(made.metadata.resourceVersion);
        const e = await watchError(() => s.watch(CONFIGMAPS, { resourceVersion: String(current + 1000) }));
        assertReason(e, 'Gone', 410);
        assert.equal((e as Error).message, `Too large resource version: ${current + 1000}, current: ${current}`);
        const w = s.watch(CONFIGMAPS, { resourceVersion: String(current) });
        try {
          await s.delete(CONFIGMAPS, 'default', 'now');
          assert.deepEqual((await take(w, 1)).lines, ['DELETED now'], 'the current resourceVersion still works');
        } finally {
          w.stop();
        }
      });

      test(g, 'watch rejects a bad selector or resourceVersion with BadRequest', async (s) => {
        assertReason(await watchError(() => s.watch(CONFIGMAPS, { labelSelector: 'a in (' })), 'BadRequest', 400);
        assertReason(await watchError(() => s.watch(CONFIGMAPS, { fieldSelector: 'spec.x=1' })), 'BadRequest', 400);
        assertReason(await watchError(() => s.watch(CONFIGMAPS, { resourceVersion: 'abc' })), 'BadRequest', 400);
      });

      test(g, 'stop ends the watch', async (s) => {
        const w = s.watch(CONFIGMAPS);
        const seen: string[] = [];
        const done = (async function consume() {
          for await (const ev of w) {
            seen.push(`${ev.type} ${ev.object.metadata.name}`);
            if (seen.length === 1) w.stop();
          }
        })();
        await s.create(CONFIGMAPS, cm('a'));
        await guard(done, 'the watch to end');
        await s.create(CONFIGMAPS, cm('b'));
        assert.deepEqual(seen, ['ADDED a']);
        const r = await guard(w[Symbol.asyncIterator]().next(), 'next after stop');
        assert.equal(r.done, true);
      });

      test(g, 'stop ends a pending next()', async (s) => {
        const w = s.watch(CONFIGMAPS);
        const pending = w[Symbol.asyncIterator]().next();
        w.stop();
        assert.equal((await guard(pending, 'next to end')).done, true);
      });

      test(g, 'close ends every watch', async (s) => {
        const w1 = s.watch(CONFIGMAPS);
        const w2 = s.watch(TASKRUNS, { resourceVersion: '0' });
        const ends = [w1, w2].map(async function drain(w) {
          let n = 0;
          for await (const _ of w) n++;
          return n;
        });
        await s.close();
        assert.deepEqual(await guard(Promise.all(ends), 'watches to end'), [0, 0]);
      });

      test(g, 'watch reports finalizer and cascading deletes', async (s) => {
        const run = await s.create(PIPELINERUNS, pr('run', { finalizers: ['f'] }));
        await s.create(TASKRUNS, tr('child', { ownerReferences: [ownerRef(run)] }));
        const wp = s.watch(PIPELINERUNS);
        const wt = s.watch(TASKRUNS);
        try {
          await s.delete(PIPELINERUNS, 'default', 'run');
          const marked = (await take(wp, 1)).events[0];
          assert.equal(marked.type, 'MODIFIED');
          assert.ok(marked.object.metadata.deletionTimestamp);
          await s.update(PIPELINERUNS, { ...marked.object, metadata: { ...marked.object.metadata, finalizers: [] } });
          await s.create(PIPELINERUNS, pr('sentinel'));
          const { lines } = await take(wp, 2);
          assert.deepEqual(lines, ['DELETED run', 'ADDED sentinel']);
          assert.deepEqual((await take(wt, 1)).lines, ['DELETED child']);
        } finally {
          wp.stop();
          wt.stop();
        }
      });
    });
  });
}
