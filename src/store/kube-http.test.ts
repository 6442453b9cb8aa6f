import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { KObject } from '../api/meta.ts';
import { KubeRequestError, statusError } from './kube-http.ts';
import { createKubeStore, registryVersion, resourcePath } from './kube.ts';
import { StoreError } from './store.ts';

describe('statusError', () => {
  const cases = [
    { name: 'a Status reason', code: 409, status: { reason: 'AlreadyExists', message: 'exists' }, want: ['AlreadyExists', 409, 'exists'] },
    { name: 'Conflict', code: 409, status: { reason: 'Conflict', message: 'modified' }, want: ['Conflict', 409, 'modified'] },
    { name: 'Expired (a continue token too old) by its code', code: 410, status: { reason: 'Expired', code: 410, message: 'too old' }, want: ['Gone', 410, 'too old'] },
    { name: 'no Status body: by the HTTP code', code: 404, status: undefined, want: ['NotFound', 404, 'GET /x: HTTP 404'] },
    { name: 'a 422 without reason', code: 422, status: { message: 'bad' }, want: ['Invalid', 422, 'bad'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = statusError(c.code, c.status, 'GET /x');
      assert.ok(e instanceof StoreError);
      assert.deepEqual([e.reason, e.code, e.message], c.want);
    });
  }

  it('a failure the store has no reason for is a KubeRequestError naming the request', () => {
    const e = statusError(403, { reason: 'Forbidden', message: 'configmaps is forbidden' }, 'GET /api/v1/configmaps');
    assert.ok(e instanceof KubeRequestError && !(e instanceof StoreError));
    assert.equal(e.code, 403);
    assert.equal(e.message, 'GET /api/v1/configmaps: configmaps is forbidden');
  });
});

describe('resourcePath', () => {
  const cases: Array<{ name: string; got: string; want: string }> = [
    { name: 'core, namespaced', got: resourcePath({ group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true }, 'v1', 'n1', 'a b'), want: '/api/v1/namespaces/n1/configmaps/a%20b' },
    { name: 'all namespaces', got: resourcePath({ group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true }, 'v1', ''), want: '/api/v1/configmaps' },
    { name: 'a group, status', got: resourcePath({ group: 'tekton.dev', plural: 'taskruns', kind: 'TaskRun', namespaced: true }, 'v1', 'd', 't', 'status'), want: '/apis/tekton.dev/v1/namespaces/d/taskruns/t/status' },
    { name: 'cluster-scoped ignores the namespace', got: resourcePath({ group: '', plural: 'namespaces', kind: 'Namespace', namespaced: false }, 'v1', 'x', 'team'), want: '/api/v1/namespaces/team' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(c.got, c.want));

  it('versions come from kiln\'s registry', () => {
    assert.equal(registryVersion({ group: 'tekton.dev', plural: 'taskruns', kind: 'TaskRun', namespaced: true }), 'v1');
    assert.equal(registryVersion({ group: 'triggers.tekton.dev', plural: 'eventlisteners', kind: 'EventListener', namespaced: true }), 'v1beta1');
    assert.equal(registryVersion({ group: 'argoproj.io', plural: 'applications', kind: 'Application', namespaced: true }), 'v1alpha1');
    assert.equal(registryVersion({ group: 'example.com', plural: 'widgets', kind: 'Widget', namespaced: true }), undefined);
  });
});

describe('createKubeStore against a server that refuses unconditional updates (as custom resources do)', () => {
  it('an update without resourceVersion sends the current one, again after a Conflict', async () => {
    const seen: string[] = [];
    let rv = 1;
    let conflicts = 1;
    const server = createHttpServer((req, res) => {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        const send = (code: number, body: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        const url = new URL(req.url!, 'http://x');
        if (url.pathname === '/api/v1/namespaces') return send(200, { items: [], metadata: { resourceVersion: String(rv) } });
        const sent = text ? (JSON.parse(text) as KObject).metadata.resourceVersion : undefined;
        seen.push(`${req.method} ${url.pathname}${req.method === 'PUT' ? ` rv=${sent ?? 'none'}` : ''}`);
        const obj: KObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'd', resourceVersion: String(rv) }, spec: {} };
        if (req.method === 'GET') return send(200, obj);
        if (!sent) return send(422, { kind: 'Status', reason: 'Invalid', code: 422, message: 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update' });
        if (conflicts-- > 0) {
          rv++; // another writer came in between
          return send(409, { kind: 'Status', reason: 'Conflict', code: 409, message: 'the object has been modified' });
        }
        rv++;
        return send(200, { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) }, spec: JSON.parse(text).spec });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
    });
    const WIDGETS = { group: 'example.com', plural: 'widgets', kind: 'Widget', namespaced: true };
    const store = await createKubeStore({ kubeConfig: kc, versionOf: () => 'v1' });
    try {
      const out = await store.update<KObject>(WIDGETS, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'd' }, spec: { size: 2 } });
      assert.deepEqual(out.spec, { size: 2 });
      assert.equal(out.metadata.resourceVersion, '3');
      const path = '/apis/example.com/v1/namespaces/d/widgets/w';
      assert.deepEqual(seen, [`GET ${path}`, `PUT ${path} rv=1`, `GET ${path}`, `PUT ${path} rv=2`]);
      conflicts = 1;
      const stale = store.update(WIDGETS, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'd', resourceVersion: '1' }, spec: {} });
      await assert.rejects(stale, (e: unknown) => e instanceof StoreError && e.reason === 'Conflict', 'a resourceVersion given is a precondition: no retry');
    } finally {
      await store.close();
      server.close();
    }
  });
});
