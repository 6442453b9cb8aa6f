import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { toClientModel } from './wire.ts';

/** What client-node sends for `obj` (its apply/create/replace serialise the model of the kind). */
const sent = (obj: { apiVersion: string; kind: string }, type: string) => JSON.parse(JSON.stringify(ObjectSerializer.serialize(obj, type)));

describe('toClientModel', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com', versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: {
      open: { 'x-kubernetes-preserve-unknown-fields': true },
      size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      color: { type: 'string', default: 'red', enum: ['red', 'blue'] },
    } } } }] },
  };

  it('keeps the fields whose wire names are not the model\'s (a CRD schema\'s markers, default, enum)', () => {
    const naive = sent(crd, 'V1CustomResourceDefinition');
    assert.deepEqual(naive.spec.versions[0].schema.openAPIV3Schema.properties.open, {}, 'the wire form given as is loses them');
    assert.deepEqual(sent(toClientModel(crd), 'V1CustomResourceDefinition'), crd);
  });

  it('leaves custom resources as they are', () => {
    const w = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { 'x-y': 1, default: 2 } };
    assert.deepEqual(sent(toClientModel(w), 'KubernetesObject'), w);
  });
});
