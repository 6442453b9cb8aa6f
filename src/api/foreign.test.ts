import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isForeignKind, notAppliedError, notAppliedSubject } from './foreign.ts';
import { loadManifests } from './load.ts';

describe('isForeignKind', () => {
  const cases: Array<{ apiVersion: string; kind: string; want: boolean }> = [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', want: true },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', want: true },
    { apiVersion: 'apps/v1', kind: 'Deployment', want: true },
    { apiVersion: 'v1', kind: 'Service', want: true },
    { apiVersion: 'v1', kind: 'PersistentVolume', want: true },
    { apiVersion: 'v1', kind: 'Pod', want: true },
    { apiVersion: 'v1', kind: 'ConfigMpa', want: false },
    { apiVersion: 'v1', kind: 'Secrte', want: false },
    { apiVersion: 'tekton.dev/v1', kind: 'Taks', want: false },
    { apiVersion: 'tekton.dev/v1beta1', kind: 'CustomRun', want: false },
    { apiVersion: 'resolution.tekton.dev/v1beta1', kind: 'ResolutionRequest', want: false },
    { apiVersion: 'v1', kind: 'ConfigMap', want: false },
  ];
  for (const c of cases) test(`${c.apiVersion} ${c.kind} → ${c.want}`, () => assert.equal(isForeignKind(c.apiVersion, c.kind), c.want));
});

describe('notAppliedError / notAppliedSubject', () => {
  test('the subject is read back from the error', () => {
    const e = notAppliedError('apps/v1', 'Deployment', 'web');
    assert.equal(e.path, 'kind');
    assert.match(e.message, /^Deployment\/web \(apps\/v1\): not applied here: /);
    assert.equal(notAppliedSubject(e), 'Deployment/web');
    assert.equal(notAppliedSubject(notAppliedError('v1', 'Service', undefined)), 'Service/(unnamed)');
  });

  test('other errors have no subject', () => {
    assert.equal(notAppliedSubject({ path: 'kind', message: 'unknown kind "Taks"' }), undefined);
    assert.equal(notAppliedSubject({ path: 'spec', message: 'Role/x (v1): not applied here' }), undefined);
  });

  test('loading a file: a foreign kind is one error at its kind, recognisable; a typo is not', () => {
    const res = loadManifests('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []\n---\napiVersion: tekton.dev/v1\nkind: Taks\nmetadata: {name: t}\n', 'f.yaml');
    assert.deepEqual(res.errors.map((e) => [e.line, notAppliedSubject(e)]), [[2, 'Role/r'], [7, undefined]]);
    assert.deepEqual(res.objects, []);
  });
});
