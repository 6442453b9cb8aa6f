// Argo CD's kinds as kiln serves them: a valid CRD, typed fields refused with their paths, passed-through blocks kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateCrd } from '../../api/generic/crd.ts';
import { applySchema } from '../../api/generic/schema.ts';
import { APPLICATION_CRD, APPPROJECT_CRD } from './crds.ts';
import { APPLICATION_SCHEMA, APPPROJECT_SCHEMA } from './schema.ts';

const app = (spec: unknown) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec });

describe('Argo CD schemas', () => {
  it('the CRDs are valid CustomResourceDefinitions', () => {
    assert.deepEqual(validateCrd(APPLICATION_CRD), []);
    assert.deepEqual(validateCrd(APPPROJECT_CRD), []);
  });

  it('an Application with wrong types or no destination is refused, naming each field', () => {
    const r = applySchema(app({ source: 'x', destination: { namespace: 3 }, syncPolicy: { automated: { prune: 'yes' }, syncOptions: [true] } }), APPLICATION_SCHEMA);
    assert.deepEqual(r.errors.map((e) => e.path).sort(), ['spec.destination.namespace', 'spec.source', 'spec.syncPolicy.automated.prune', 'spec.syncPolicy.syncOptions[0]']);
    assert.deepEqual(applySchema(app({ source: { path: 'p' } }), APPLICATION_SCHEMA).errors.map((e) => `${e.path}: ${e.message}`).sort(),
      ['spec.destination: Required value', 'spec.source.repoURL: Required value']);
  });

  it('a valid Application keeps the blocks kiln passes through and fields it does not model', () => {
    const spec = { source: { repoURL: 'https://example.com/r.git', helm: { values: 'a: 1', parameters: [{ name: 'x', value: '1' }] } }, destination: { server: 'https://kubernetes.default.svc' }, future: { kept: true } };
    const r = applySchema(app(spec), APPLICATION_SCHEMA);
    assert.deepEqual(r.errors, []);
    assert.deepEqual((r.value as { spec: unknown }).spec, spec);
  });

  it('an AppProject kind list needs group and kind', () => {
    const r = applySchema({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p' }, spec: { clusterResourceWhitelist: [{ kind: 'Namespace' }], sourceRepos: 'x' } }, APPPROJECT_SCHEMA);
    assert.deepEqual(r.errors.map((e) => e.path).sort(), ['spec.clusterResourceWhitelist[0].group', 'spec.sourceRepos']);
  });
});
