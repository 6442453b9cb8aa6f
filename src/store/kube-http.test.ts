import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statusError } from './kube-http.ts';
import { registryVersion, resourcePath } from './kube.ts';
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

  it('a failure the store has no reason for is a plain Error naming the request', () => {
    const e = statusError(403, { reason: 'Forbidden', message: 'configmaps is forbidden' }, 'GET /api/v1/configmaps');
    assert.ok(!(e instanceof StoreError));
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
