import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { notOnlyStatus } from './predicates.ts';

const obj = (meta: KObject['metadata'], status: unknown = {}): KObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name: 'a', generation: 1, ...meta }, status });

describe('notOnlyStatus', () => {
  const cases = [
    { name: 'a status-only change is ignored', old: obj({}, { a: 1 }), next: obj({}, { a: 2 }), want: false },
    { name: 'a spec change (generation) counts', old: obj({}), next: obj({ generation: 2 }), want: true },
    { name: 'a label change counts', old: obj({}), next: obj({ labels: { x: '1' } }), want: true },
    { name: 'an annotation change counts', old: obj({ annotations: { a: '1' } }), next: obj({ annotations: { a: '2' } }), want: true },
    { name: 'deletion counts', old: obj({}), next: obj({ deletionTimestamp: '2026-01-01T00:00:00Z' }), want: true },
    { name: 'a finalizer removed counts', old: obj({ finalizers: ['f'] }), next: obj({}), want: true },
  ];
  for (const c of cases) it(c.name, () => assert.equal(notOnlyStatus(c.old, c.next), c.want));
});
