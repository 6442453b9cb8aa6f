import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { KObject } from '../api/meta.ts';
import type { ResourceType, Store, Watch, WatchEvent } from './store.ts';
import { StoreError } from './store.ts';
import { createMemoryStore } from './memory.ts';
import { createSqliteStore } from './sqlite.ts';
import type { SqliteStoreOptions } from './sqlite.ts';
import { runStoreSuite } from './suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A fresh database file in the test directory. */
function freshPath(): string {
  return join(dir, `store-${++files}.db`);
}

runStoreSuite('sqlite', () => createSqliteStore({ path: freshPath(), historySize: 16 }), { historySize: 16 });

const CONFIGMAPS: ResourceType = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const TASKRUNS: ResourceType = { group: 'tekton.dev', plural: 'taskruns', kind: 'TaskRun', namespaced: true };
const PIPELINERUNS: ResourceType = { group: 'tekton.dev', plural: 'pipelineruns', kind: 'PipelineRun', namespaced: true };

function cm(name: string, meta: KObject['metadata'] = {}, data: Record<string, string> = { k: 'v' }): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data };
}
function tr(name: string, meta: KObject['metadata'] = {}): KObject {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, ...meta }, spec: { taskRef: { name: 't' } } };
}
function pr(name: string, meta: KObject['metadata'] = {}): KObject {
  return { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, ...meta }, spec: { pipelineRef: { name: 'p' } } };
}
function ownerRef(owner: KObject) {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true };
}

function isReason(reason: StoreError['reason']) {
  return (e: unknown) => e instanceof StoreError && e.reason === reason;
}

async function take(w: Watch, n: number): Promise<WatchEvent[]> {
  const it = w[Symbol.asyncIterator]();
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    assert.ok(!r.done, `watch ended after ${out.length} of ${n} events`);
    out.push(r.value);
  }
  return out;
}
const lines = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.object.metadata.name}`);

/** Everything a store holds, as comparable text: objects of the kinds used here, and the resourceVersion. */
async function dump(s: Store): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const t of [CONFIGMAPS, TASKRUNS, PIPELINERUNS]) {
    const l = await s.list(t);
    out[t.plural] = l.items;
    out.rv = l.resourceVersion;
  }
  return out;
}

/** Options whose clock, uids and suffixes are scripted, for a memory and a sqlite store alike. */
function scriptedOptions(): Omit<SqliteStoreOptions, 'path'> {
  let t = Date.parse('2024-05-01T10:00:00.000Z');
  let n = 0;
  let s = 0;
  return {
    now: () => new Date((t += 1000)),
    uid: () => `uid-${++n}`,
    nameSuffix: () => `sfx${String(++s).padStart(2, '0')}`,
    historySize: 8,
  };
}

describe('sqlite store', () => {
  it('opens the file in WAL mode', async () => {
    const path = freshPath();
    const s = createSqliteStore({ path });
    await s.create(CONFIGMAPS, cm('a'));
    const raw = new DatabaseSync(path);
    try {
      assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      assert.equal((raw.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n, 1);
    } finally {
      raw.close();
      await s.close();
    }
  });

  it('computes exactly what the memory store computes (objects, resourceVersions, events)', async () => {
    async function script(s: Store): Promise<unknown> {
      const w = s.watch(CONFIGMAPS, { labelSelector: 'app=web' });
      const all = s.watch(TASKRUNS);
      const out: unknown[] = [];
      try {
        const run = await s.create(PIPELINERUNS, pr('run', { finalizers: ['f'] }));
        const a = await s.create(CONFIGMAPS, cm('a', { labels: { app: 'web' } }));
        out.push(await s.create(CONFIGMAPS, cm('', { generateName: 'gen-', labels: { app: 'web' } })));
        const t1 = await s.create(TASKRUNS, tr('t1', { ownerReferences: [ownerRef(run)], finalizers: ['g'] }));
        await s.create(TASKRUNS, tr('t2', { ownerReferences: [ownerRef(run)] }));
        await s.create(CONFIGMAPS, cm('t1-cm', { ownerReferences: [ownerRef(t1)], labels: { app: 'web' } }));
        out.push(await s.update(CONFIGMAPS, { ...a, metadata: { ...a.metadata, labels: { app: 'db' } } }));
        out.push(await s.updateStatus(CONFIGMAPS, { ...cm('a'), status: { phase: 'x' } }));
        out.push(await s.update(CONFIGMAPS, cm('a', { labels: { app: 'web' } }, { k: 'changed' })));
        await s.delete(PIPELINERUNS, 'default', 'run');
        const marked = await s.get(PIPELINERUNS, 'default', 'run');
        out.push(await s.update(PIPELINERUNS, { ...marked, metadata: { ...marked.metadata, finalizers: [] } }));
        const t1Now = await s.get(TASKRUNS, 'default', 't1');
        await s.update(TASKRUNS, { ...t1Now, metadata: { ...t1Now.metadata, finalizers: [] } });
        out.push(await dump(s));
        out.push(await take(w, 6), await take(all, 5));
      } finally {
        w.stop();
        all.stop();
        await s.close();
      }
      return out;
    }
    const fromMemory = await script(createMemoryStore(scriptedOptions()));
    const fromSqlite = await script(createSqliteStore({ path: freshPath(), ...scriptedOptions() }));
    assert.deepEqual(fromSqlite, fromMemory);
  });

  describe('close and reopen', () => {
    it('keeps objects, uids, status and the resourceVersion counter', async () => {
      const path = freshPath();
      const s1 = createSqliteStore({ path });
      const a = await s1.create(CONFIGMAPS, cm('a', { labels: { x: '1' }, finalizers: ['f'] }));
      await s1.create(TASKRUNS, tr('t', { namespace: 'n2' }));
      const a2 = await s1.updateStatus(CONFIGMAPS, { ...a, status: { ok: true } });
      await s1.delete(CONFIGMAPS, 'default', 'a');
      const before = await dump(s1);
      const lastRv = Number((await s1.list(CONFIGMAPS)).resourceVersion);
      await s1.close();

      const s2 = createSqliteStore({ path });
      try {
        assert.deepEqual(await dump(s2), before);
        const got = await s2.get(CONFIGMAPS, 'default', 'a');
        assert.equal(got.metadata.uid, a.metadata.uid);
        assert.deepEqual(got.status, a2.status);
        assert.ok(got.metadata.deletionTimestamp, 'the deletion mark is kept');
        const b = await s2.create(CONFIGMAPS, cm('b'));
        assert.equal(Number(b.metadata.resourceVersion), lastRv + 1, 'the counter continues');
        await s2.update(CONFIGMAPS, { ...got, metadata: { ...got.metadata, finalizers: [] } });
        await assert.rejects(s2.get(CONFIGMAPS, 'default', 'a'), isReason('NotFound'));
      } finally {
        await s2.close();
      }
    });

    it('keeps ownerReferences for cascading deletes', async () => {
      const path = freshPath();
      const s1 = createSqliteStore({ path });
      const run = await s1.create(PIPELINERUNS, pr('run'));
      await s1.create(TASKRUNS, tr('child', { ownerReferences: [ownerRef(run)] }));
      await s1.create(TASKRUNS, tr('other'));
      await s1.close();
      const s2 = createSqliteStore({ path });
      try {
        await s2.delete(PIPELINERUNS, 'default', 'run');
        assert.deepEqual((await s2.list(TASKRUNS)).items.map((o) => o.metadata.name), ['other']);
      } finally {
        await s2.close();
      }
    });

    it('resumes a watch from a resourceVersion in the persisted history, selectors included', async () => {
      const path = freshPath();
      const s1 = createSqliteStore({ path, historySize: 8 });
      const a = await s1.create(CONFIGMAPS, cm('a', { labels: { app: 'web' } }));
      const from = a.metadata.resourceVersion;
      const b = await s1.create(CONFIGMAPS, cm('b', { labels: { app: 'db' } }));
      await s1.update(CONFIGMAPS, { ...a, metadata: { ...a.metadata, labels: { app: 'db' } } }); // leaves app=web
      await s1.update(CONFIGMAPS, { ...b, metadata: { ...b.metadata, labels: { app: 'web' } } }); // enters app=web
      await s1.updateStatus(CONFIGMAPS, { ...cm('b'), status: { n: 1 } });
      await s1.delete(CONFIGMAPS, 'default', 'a');
      await s1.close();

      const s2 = createSqliteStore({ path, historySize: 8 });
      const all = s2.watch(CONFIGMAPS, { resourceVersion: from });
      const web = s2.watch(CONFIGMAPS, { resourceVersion: from, labelSelector: 'app=web' });
      try {
        await s2.create(CONFIGMAPS, cm('c', { labels: { app: 'web' } }));
        assert.deepEqual(lines(await take(all, 6)), ['ADDED b', 'MODIFIED a', 'MODIFIED b', 'MODIFIED b', 'DELETED a', 'ADDED c']);
        const events = await take(web, 4);
        assert.deepEqual(lines(events), ['DELETED a', 'ADDED b', 'MODIFIED b', 'ADDED c']);
        assert.deepEqual(events[2].object.status, { n: 1 });
        assert.ok(Object.isFrozen(events[0].object), 'replayed events are frozen shared copies');
      } finally {
        all.stop();
        web.stop();
        await s2.close();
      }
    });

    it('is Gone for a resourceVersion older than the persisted history', async () => {
      const path = freshPath();
      const s1 = createSqliteStore({ path, historySize: 4 });
      const made: KObject[] = [];
      for (let i = 0; i < 10; i++) made.push(await s1.create(CONFIGMAPS, cm(`c${i}`))); // rv 2..11; 8..11 remembered
      await s1.close();
      const s2 = createSqliteStore({ path, historySize: 4 });
      try {
        assert.throws(() => s2.watch(CONFIGMAPS, { resourceVersion: made[4].metadata.resourceVersion }), isReason('Gone'));
        const w = s2.watch(CONFIGMAPS, { resourceVersion: made[5].metadata.resourceVersion });
        assert.deepEqual(lines(await take(w, 4)), ['ADDED c6', 'ADDED c7', 'ADDED c8', 'ADDED c9']);
        w.stop();
      } finally {
        await s2.close();
      }
      const raw = new DatabaseSync(path);
      try {
        assert.equal((raw.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 4, 'the table is bounded by historySize');
      } finally {
        raw.close();
      }
    });

    it('reopening with a smaller historySize forgets the oldest changes', async () => {
      const path = freshPath();
      const s1 = createSqliteStore({ path, historySize: 100 });
      const made: KObject[] = [];
      for (let i = 0; i < 10; i++) made.push(await s1.create(CONFIGMAPS, cm(`c${i}`)));
      await s1.close();
      const s2 = createSqliteStore({ path, historySize: 3 });
      try {
        assert.throws(() => s2.watch(CONFIGMAPS, { resourceVersion: made[5].metadata.resourceVersion }), isReason('Gone'));
        const w = s2.watch(CONFIGMAPS, { resourceVersion: made[6].metadata.resourceVersion });
        assert.deepEqual(lines(await take(w, 3)), ['ADDED c7', 'ADDED c8', 'ADDED c9']);
        w.stop();
      } finally {
        await s2.close();
      }
    });

    it('reopening with a larger historySize keeps what was forgotten Gone', async () => {
      const path = freshPath();
      const s1 = createSqliteStore({ path, historySize: 3 });
      const made: KObject[] = [];
      for (let i = 0; i < 10; i++) made.push(await s1.create(CONFIGMAPS, cm(`c${i}`)));
      await s1.close();
      const s2 = createSqliteStore({ path, historySize: 100 });
      try {
        assert.throws(() => s2.watch(CONFIGMAPS, { resourceVersion: made[5].metadata.resourceVersion }), isReason('Gone'));
        const w = s2.watch(CONFIGMAPS, { resourceVersion: made[6].metadata.resourceVersion });
        assert.deepEqual(lines(await take(w, 3)), ['ADDED c7', 'ADDED c8', 'ADDED c9']);
        w.stop();
      } finally {
        await s2.close();
      }
    });
  });

  describe('failed writes', () => {
    it('a write that throws inside its transaction leaves nothing behind and tells no watcher', async () => {
      const path = freshPath();
      const s = createSqliteStore({ path });
      try {
        const run = await s.create(PIPELINERUNS, pr('run'));
        await s.create(TASKRUNS, tr('t1', { ownerReferences: [ownerRef(run)] }));
        await s.create(TASKRUNS, tr('t2', { ownerReferences: [ownerRef(run)] }));
        const before = await dump(s);
        // another connection installs a trigger that fails the cascade at its second dependent,
        // after the owner and t1 were already deleted inside the transaction
        const raw = new DatabaseSync(path);
        raw.exec(`CREATE TRIGGER fail_t2 BEFORE DELETE ON objects WHEN old.name = 't2' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
        const w = s.watch(TASKRUNS);
        const wp = s.watch(PIPELINERUNS);
        try {
          await assert.rejects(s.delete(PIPELINERUNS, 'default', 'run'), /injected failure/);
          assert.deepEqual(await dump(s), before, 'no partial write, resourceVersion unchanged');
          raw.exec('DROP TRIGGER fail_t2');
          await s.create(TASKRUNS, tr('sentinel'));
          assert.deepEqual(lines(await take(w, 1)), ['ADDED sentinel'], 'no event from the failed write');
          assert.equal(Number((await s.get(TASKRUNS, 'default', 'sentinel')).metadata.resourceVersion), Number((before as { rv: string }).rv) + 1);
          await s.delete(PIPELINERUNS, 'default', 'run');
          assert.deepEqual(lines(await take(wp, 1)), ['DELETED run']);
          assert.deepEqual(lines(await take(w, 2)), ['DELETED t1', 'DELETED t2']);
        } finally {
          w.stop();
          wp.stop();
          raw.close();
        }
      } finally {
        await s.close();
      }
    });

    it('a process killed in the middle of a write leaves the last committed state', async () => {
      const path = freshPath();
      const s1 = createSqliteStore({ path });
      const run = await s1.create(PIPELINERUNS, pr('run'));
      for (const name of ['t1', 't2', 't3']) await s1.create(TASKRUNS, tr(name, { ownerReferences: [ownerRef(run)] }));
      const before = await dump(s1);
      await s1.close();

      // the child deletes the owner and SIGKILLs itself on the 4th statement it runs in of that transaction:
      // the owner's row deletion, its refs and its event are written, the first dependent is not
      const child = `
        import { StatementSync } from 'node:sqlite';
        import { createSqliteStore } from ${JSON.stringify(new URL('./sqlite.ts', import.meta.url).href)};
        const s = createSqliteStore({ path: ${JSON.stringify(path)} });
        const run = StatementSync.prototype.run;
        let n = 0;
        StatementSync.prototype.run = function killing(...args) {
          if (++n === 4) process.kill(process.pid, 'SIGKILL');
          return run.apply(this, args);
        };
        await s.delete({ group: 'tekton.dev', plural: 'pipelineruns', kind: 'PipelineRun', namespaced: true }, 'default', 'run');
        console.log('not killed');
      `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
      assert.equal(r.signal, 'SIGKILL', `the child was killed mid-write (stdout ${r.stdout}, stderr ${r.stderr})`);

      const s2 = createSqliteStore({ path });
      try {
        assert.deepEqual(await dump(s2), before);
        await s2.delete(PIPELINERUNS, 'default', 'run');
        assert.deepEqual((await s2.list(TASKRUNS)).items, []);
      } finally {
        await s2.close();
      }
    });
  });

  it('is single-writer: a second instance writing to the same file is refused', async () => {
    const path = freshPath();
    const first = createSqliteStore({ path });
    const second = createSqliteStore({ path });
    try {
      await first.create(CONFIGMAPS, cm('a'));
      assert.equal((await second.get(CONFIGMAPS, 'default', 'a')).metadata.name, 'a', 'reads see the other writer');
      await assert.rejects(second.create(CONFIGMAPS, cm('b')), /one writer per file/);
      await assert.rejects(second.get(CONFIGMAPS, 'default', 'b'), isReason('NotFound'));
      await first.create(CONFIGMAPS, cm('c'));
      assert.deepEqual((await first.list(CONFIGMAPS)).items.map((o) => o.metadata.name), ['a', 'c']);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('refuses a file with a newer schema', () => {
    const path = freshPath();
    const raw = new DatabaseSync(path);
    raw.exec('PRAGMA user_version = 99');
    raw.close();
    assert.throws(() => createSqliteStore({ path }), /schema version 99/);
  });

  it('lists thousands of objects with selectors', async () => {
    const s = createSqliteStore({ path: freshPath() });
    try {
      for (let i = 0; i < 2000; i++) {
        await s.create(TASKRUNS, tr(`t${String(i).padStart(4, '0')}`, { namespace: i % 2 ? 'odd' : 'even', labels: { mod: String(i % 10) } }));
      }
      assert.equal((await s.list(TASKRUNS)).items.length, 2000);
      const sel = await s.list(TASKRUNS, { namespace: 'odd', labelSelector: 'mod in (1,3)' });
      assert.equal(sel.items.length, 400);
      assert.equal(sel.items[0].metadata.name, 't0001');
      assert.equal((await s.list(TASKRUNS, { fieldSelector: 'metadata.name=t1999' })).items[0].metadata.namespace, 'odd');
    } finally {
      await s.close();
    }
  });

  it('keeps its file and the -wal/-shm beside it private (0600), also when they were not', async () => {
    const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);
    const old = process.umask(0o022);
    try {
      const path = freshPath();
      const s = createSqliteStore({ path });
      await s.create(TASKRUNS, tr('a'));
      assert.deepEqual([path, `${path}-wal`, `${path}-shm`].map(mode), ['600', '600', '600']);
      await s.close();
      const reopened = freshPath();
      for (const f of [reopened, `${reopened}-wal`]) writeFileSync(f, '');
      for (const f of [reopened, `${reopened}-wal`]) chmodSync(f, 0o644);
      const again = createSqliteStore({ path: reopened });
      await again.create(TASKRUNS, tr('b'));
      assert.deepEqual([reopened, `${reopened}-wal`, `${reopened}-shm`].map(mode), ['600', '600', '600']);
      await again.close();
    } finally {
      process.umask(old);
    }
  });
});
