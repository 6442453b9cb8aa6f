import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../meta.ts';
import { crdStatus, kindFromCrd, validateCrd } from './crd.ts';

const SCHEMA = { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } };

function crd(over: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: SCHEMA } },
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: SCHEMA }, subresources: { status: {} },
          additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] },
      ],
      ...over,
    },
  };
}

describe('validateCrd', () => {
  const cases: Array<{ name: string; crd: KObject; want: string[] }> = [
    { name: 'a valid CRD', crd: crd(), want: [] },
    { name: 'group without a dot', crd: { ...crd({ group: 'example' }), metadata: { name: 'widgets.example' } }, want: ['spec.group'] },
    { name: 'metadata.name is plural.group', crd: { ...crd(), metadata: { name: 'widget.example.com' } }, want: ['metadata.name'] },
    { name: 'scope', crd: crd({ scope: 'Global' }), want: ['spec.scope'] },
    { name: 'names.kind required, plural lowercase', crd: crd({ names: { plural: 'Widgets' } }), want: ['spec.names.plural', 'spec.names.kind', 'metadata.name'] },
    { name: 'exactly one storage version', crd: crd({ versions: [{ name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: SCHEMA } }] }), want: ['spec.versions'] },
    { name: 'a schema is required', crd: crd({ versions: [{ name: 'v1', served: true, storage: true }] }), want: ['spec.versions[0].schema.openAPIV3Schema'] },
    {
      name: 'a structural schema: every node has a type',
      crd: crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: {} } } } } }] }),
      want: ['spec.versions[0].schema.openAPIV3Schema.properties.spec.type'],
    },
    {
      name: 'printer columns need a type and a JSON path',
      crd: crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: SCHEMA }, additionalPrinterColumns: [{ name: 'X', type: 'float', jsonPath: 'spec' }] }] }),
      want: ['spec.versions[0].additionalPrinterColumns[0].type', 'spec.versions[0].additionalPrinterColumns[0].jsonPath'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(validateCrd(c.crd).map((e) => e.path), c.want));
});

describe('kindFromCrd', () => {
  it('the kind a CRD adds: storage version first, status subresource, names, columns and schemas', () => {
    assert.deepEqual(kindFromCrd(crd()), {
      group: 'example.com', versions: ['v1', 'v1beta1'], kind: 'Widget', plural: 'widgets', singular: 'widget', shortNames: ['wd'],
      namespaced: true, generic: true, subresources: ['status'], schemas: { v1beta1: SCHEMA, v1: SCHEMA }, categories: ['all'],
      columns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
    });
  });
  it('cluster scope; none for an invalid CRD', () => {
    assert.equal(kindFromCrd(crd({ scope: 'Cluster' }))?.namespaced, false);
    assert.equal(kindFromCrd(crd({ scope: 'x' })), undefined);
  });
});

describe('crdStatus', () => {
  it('Established and NamesAccepted, keeping transition times that did not change', () => {
    const first = crdStatus(crd(), true, 'T1');
    assert.deepEqual(first.storedVersions, ['v1']);
    assert.deepEqual((first.conditions as Array<Record<string, string>>).map((c) => [c.type, c.status, c.lastTransitionTime]), [['NamesAccepted', 'True', 'T1'], ['Established', 'True', 'T1']]);
    const again = crdStatus({ ...crd(), status: first }, true, 'T2');
    assert.deepEqual(again, first);
    const refused = crdStatus({ ...crd(), status: first }, false, 'T3');
    assert.deepEqual((refused.conditions as Array<Record<string, string>>).map((c) => [c.status, c.lastTransitionTime]), [['False', 'T3'], ['False', 'T3']]);
  });
});
