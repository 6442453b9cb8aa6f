// The tracked-object cache against a small loopback API that answers lists and streams watch events
// as kube-apiserver does: first list, events applied, wakes by label value, a 410 re-lists.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTrackedCache } from './cache.ts';
import { kubeConfigOf, type Obj } from './destination.ts';

const LABEL = 'app.kubernetes.io/instance';
const cm = (name: string, app: string | undefined, rv: number, data: Record<string, string> = {}): Obj =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: String(rv), ...(app ? { labels: { [LABEL]: app } } : {}) }, data });

describe('tracked-object cache', { timeout: 30_000 }, () => {
  let items: Obj[] = [cm('a1', 'one', 1), cm('b1', 'two', 2)];
  let rv = 2;
  let lists = 0;
  const watchers: ServerResponse[] = [];
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    queries.push(url.searchParams);
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      watchers.push(res);
      return;
    }
    lists++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: String(rv) }, items }));
  });
  const send = (type: string, object: Obj) => { for (const w of watchers) w.write(JSON.stringify({ type, object }) + '\n'); };
  const until = async (what: string, ok: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200; i++) { if (await ok()) return; await new Promise((r) => setTimeout(r, 20)); }
    assert.fail(`timed out waiting for ${what}`);
  };
  after(() => { for (const w of watchers) w.destroy(); server.close(); });

  it('lists a kind once, then keeps it current from the watch and wakes the label values that changed', async () => {
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const woken: string[] = [];
    const cache = createTrackedCache(kubeConfigOf({ server: base }), {
      path: async (_av, kind) => (kind === 'ConfigMap' ? '/api/v1/configmaps' : undefined),
      list: async (_av, _kind, selector) => {
        const r = await (await fetch(`${base}/api/v1/configmaps?labelSelector=${encodeURIComponent(selector)}`)).json() as { items: Obj[]; metadata: { resourceVersion: string } };
        return { items: r.items, resourceVersion: r.metadata.resourceVersion };
      },
      get: async () => null,
    }, LABEL, (v) => woken.push(v));
    try {
      const names = async (v: string) => ((await cache.tracked('v1', 'ConfigMap', v)) ?? []).map((o) => (o.metadata as { name: string }).name).sort();
      assert.deepEqual(await names('one'), ['a1']);
      assert.deepEqual(await names('two'), ['b1']);
      assert.equal(await cache.tracked('v1', 'Widget', 'one'), undefined, 'a kind the API does not serve is not cached');
      assert.equal(lists, 1, 'one list for the kind, whatever the number of values asked');
      assert.deepEqual(woken, [], 'the first list wakes nobody');
      await until('the watch', () => watchers.length === 1);
      const w = queries.find((q) => q.get('watch') === 'true')!;
      assert.equal(w.get('resourceVersion'), '2');
      assert.equal(w.get('labelSelector'), LABEL);
      assert.equal(w.get('includeSecretData'), 'true');

      send('ADDED', cm('a2', 'one', 3));
      await until('a2 added', async () => (await names('one')).length === 2);
      send('MODIFIED', cm('b1', 'one', 4)); // relabelled: moves from two to one
      await until('b1 moved', async () => (await names('one')).includes('b1'));
      assert.deepEqual(await names('two'), []);
      send('DELETED', cm('a1', 'one', 5));
      await until('a1 deleted', async () => !(await names('one')).includes('a1'));
      assert.deepEqual(woken, ['one', 'two', 'one', 'one']);
      const got = (await cache.tracked('v1', 'ConfigMap', 'one'))!;
      (got[0].metadata as { name: string }).name = 'changed by a caller';
      assert.deepEqual(await names('one'), ['a2', 'b1'], 'callers get copies');

      // the watched version is gone: the cache lists again and wakes what the list changed
      items = [cm('a2', 'one', 3), cm('c1', 'three', 9)];
      rv = 9;
      woken.length = 0;
      send('ERROR', { kind: 'Status', code: 410, message: 'too old resource version' } as Obj);
      for (const x of watchers.splice(0)) x.end();
      await until('re-list', async () => lists === 2 && (await names('three')).length === 1);
      assert.deepEqual(await names('one'), ['a2']);
      assert.deepEqual(woken.sort(), ['one', 'three']);
      await until('watch again from the new list', () => watchers.length === 1);
      assert.equal(queries.filter((q) => q.get('watch') === 'true').at(-1)!.get('resourceVersion'), '9');
    } finally {
      cache.stop();
    }
  });
});
