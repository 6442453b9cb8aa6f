// A destination over a loopback API that answers as kube-apiserver does: reads share one pooled
// connection (client-node alone opens a pool, and a connection, per request when TLS options are set).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDestination } from './destination.ts';

describe('destination', { timeout: 30_000 }, () => {
  let connections = 0;
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/v1') {
      res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list'] }] }));
      return;
    }
    const m = /^\/api\/v1\/namespaces\/(\w+)\/configmaps\/(\w+)$/.exec(req.url ?? '');
    if (m) {
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: m[1], name: m[2] }, data: { k: 'v' } }));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ kind: 'Status', code: 404, message: `${req.url} not found` }));
  });
  server.on('connection', () => connections++);
  after(() => server.close());

  it('reads through one pool of kept connections, not a connection per request', async () => {
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    // plain HTTP needs skipTLSVerify in client-node: a TLS option, so a pool per request without kiln's
    const dest = createDestination({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    for (let i = 0; i < 5; i++) {
      const got = await dest.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: `c${i}` });
      assert.equal((got?.metadata as { name: string }).name, `c${i}`);
    }
    assert.equal(await dest.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'missing-one' }), null, 'a 404 is no object');
    assert.equal(await dest.namespaced('v1', 'ConfigMap'), true, 'discovery answers whether a kind is namespaced');
    assert.equal(await dest.namespaced('v1', 'Widget'), undefined, 'a kind the API does not serve');
    // one pool: it may open a second connection while the first one's response is still being read
    assert.ok(connections <= 2, `${connections} connections for 8 requests (a pool per request opens one each)`);
  });
});
