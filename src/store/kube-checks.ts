// Checks of store/kube that hold against any Kubernetes API, shared or not (a running `kiln serve`
// with its controllers, a real cluster): each run works in a namespace of its own that it creates
// and deletes, and touches only ConfigMaps and that Namespace (no controller acts on them).
//   runKubeChecks('kiln serve', async () => createKubeStore({ kubeConfig }));
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { KObject } from '../api/meta.ts';
import type { ResourceType, Store, Watch, WatchEvent } from './store.ts';
import { StoreError } from './store.ts';

const CONFIGMAPS: ResourceType = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const NAMESPACES: ResourceType = { group: '', plural: 'namespaces', kind: 'Namespace', namespaced: false };

function isReason(reason: StoreError['reason']) {
  return (e: unknown) => e instanceof StoreError && e.reason === reason;
}

/** The next `n` events of `w` as `TYPE name`, or a timeout error after `ms`. */
async function take(w: Watch, n: number, ms = 10_000): Promise<string[]> {
  const it = w[Symbol.asyncIterator]();
  const out: WatchEvent[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([it.next(), new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${out.length} of ${n} events`)), deadline - Date.now()); })])
      .finally(() => clearTimeout(timer));
    assert.ok(!r.done, `the watch ended after ${out.length} of ${n} events`);
    out.push(r.value);
  }
  return out.map((e) => `${e.type} ${e.object.metadata.name}`);
}

export interface KubeChecksOptions {
  /** why the checks cannot run (they are then skipped with it) */
  skip?: string;
  /** the watch resume check: a store whose server ends each watch request after about a second */
  resumingStore?: () => Promise<Store>;
}

/** Registers the checks; `open` gives the store under test (closed after them). */
export function runKubeChecks(name: string, open: () => Promise<Store>, opts: KubeChecksOptions = {}): void {
  describe(`store/kube against ${name}`, { skip: opts.skip }, () => {
    const ns = `kiln-store-${randomBytes(4).toString('hex')}`;
    const cm = (n: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): KObject =>
      ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: ns, labels }, data });
    let s: Store;
    before(async () => {
      s = await open();
      await s.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    });
    after(async () => {
      await s?.delete(NAMESPACES, '', ns).catch(() => undefined);
      await s?.close();
    });

    it('creates, gets and lists by label selector; NotFound and AlreadyExists are the store\'s errors', async () => {
      const a = await s.create(CONFIGMAPS, cm('a', { app: 'web' }));
      await s.create(CONFIGMAPS, cm('b', { app: 'db' }));
      assert.equal(a.metadata.namespace, ns);
      assert.match(a.metadata.resourceVersion ?? '', /^\d+$/);
      assert.deepEqual(await s.get(CONFIGMAPS, ns, 'a'), a);
      const listed = await s.list(CONFIGMAPS, { namespace: ns, labelSelector: 'app in (web,db),app!=db' });
      assert.deepEqual(listed.items.map((o) => `${o.kind} ${o.metadata.name}`), ['ConfigMap a']);
      assert.ok(Number(listed.resourceVersion) >= Number(a.metadata.resourceVersion));
      await assert.rejects(s.get(CONFIGMAPS, ns, 'missing'), isReason('NotFound'));
      await assert.rejects(s.create(CONFIGMAPS, cm('a')), isReason('AlreadyExists'));
      await assert.rejects(s.list(CONFIGMAPS, { namespace: ns, labelSelector: 'a in (' }), isReason('BadRequest'));
    });

    it('an update with a stale resourceVersion is a Conflict; the current one wins', async () => {
      const c = await s.create(CONFIGMAPS, cm('c'));
      const c2 = await s.update(CONFIGMAPS, { ...c, data: { k: 'first' } });
      await assert.rejects(s.update(CONFIGMAPS, { ...c, data: { k: 'second' } }), isReason('Conflict'));
      const c3 = await s.update(CONFIGMAPS, { ...c2, data: { k: 'third' } });
      assert.ok(Number(c3.metadata.resourceVersion) > Number(c2.metadata.resourceVersion));
      assert.deepEqual((await s.get(CONFIGMAPS, ns, 'c')).data, { k: 'third' });
      await assert.rejects(s.update(CONFIGMAPS, cm('never-made')), isReason('NotFound'));
    });

    it('pages a list with limit and continue', async () => {
      for (const n of ['p1', 'p2', 'p3']) await s.create(CONFIGMAPS, cm(n, { page: 'yes' }));
      const first = await s.list(CONFIGMAPS, { namespace: ns, labelSelector: 'page', limit: 2 });
      assert.deepEqual(first.items.map((o) => o.metadata.name), ['p1', 'p2']);
      assert.ok(first.continue);
      const rest = await s.list(CONFIGMAPS, { namespace: ns, labelSelector: 'page', limit: 2, continue: first.continue });
      assert.deepEqual(rest.items.map((o) => o.metadata.name), ['p3']);
      assert.equal(rest.continue, undefined);
    });

    it('updateStatus writes the status subresource only', async () => {
      const cur = await s.get(NAMESPACES, '', ns);
      const out = await s.updateStatus(NAMESPACES, { ...cur, metadata: { ...cur.metadata, labels: { ignored: 'yes' } }, status: { phase: 'Active' } });
      assert.deepEqual(out.status, { phase: 'Active' });
      assert.equal(out.metadata.labels?.ignored, undefined, 'labels are not written through status');
    });

    it('watches from now and from a list\'s resourceVersion, with selectors', async () => {
      const listed = await s.list(CONFIGMAPS, { namespace: ns });
      const w = s.watch(CONFIGMAPS, { namespace: ns, labelSelector: 'watched=yes' });
      try {
        const d = await s.create(CONFIGMAPS, cm('d', { watched: 'yes' }));
        await s.create(CONFIGMAPS, cm('e', { watched: 'no' }));
        await s.update(CONFIGMAPS, { ...d, data: { k: '2' } });
        await s.delete(CONFIGMAPS, ns, 'd');
        assert.deepEqual(await take(w, 3), ['ADDED d', 'MODIFIED d', 'DELETED d']);
      } finally {
        w.stop();
      }
      const replay = s.watch(CONFIGMAPS, { namespace: ns, resourceVersion: listed.resourceVersion, fieldSelector: 'metadata.name=e' });
      try {
        assert.deepEqual(await take(replay, 1), ['ADDED e']);
      } finally {
        replay.stop();
      }
    });

    it('a watch resumes from its last resourceVersion when the server ends it', { skip: opts.resumingStore ? false : 'no store with short watch requests given' }, async () => {
      const r = await opts.resumingStore!();
      const w = r.watch(CONFIGMAPS, { namespace: ns, labelSelector: 'resume=yes' });
      try {
        await r.create(CONFIGMAPS, cm('before', { resume: 'yes' }));
        await new Promise((done) => setTimeout(done, 2500)); // the server ends the first request meanwhile
        await r.create(CONFIGMAPS, cm('after', { resume: 'yes' }));
        assert.deepEqual(await take(w, 2), ['ADDED before', 'ADDED after'], 'each event once');
      } finally {
        w.stop();
        await r.close();
      }
    });
  });
}
