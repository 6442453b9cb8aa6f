import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evalJsonPath, parseJsonPath } from './jsonpath.ts';

const OBJ = {
  metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas: 3, items: [{ name: 'a' }, { name: 'b' }] },
  status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] },
};

describe('evalJsonPath', () => {
  const cases = [
    { name: 'a field', path: '.spec.replicas', want: [3] },
    { name: 'an index', path: '.spec.items[1].name', want: ['b'] },
    { name: 'every item', path: '.spec.items[*].name', want: ['a', 'b'] },
    { name: 'a filter', path: '.status.conditions[?(@.type=="Ready")].status', want: ['True'] },
    { name: 'a quoted key with escaped dots', path: ".metadata.labels['app\\.kubernetes\\.io/name']", want: ['web'] },
    { name: 'braces and $', path: '{$.spec.replicas}', want: [3] },
    { name: 'a missing field', path: '.spec.nothing.here', want: [] },
    { name: 'an index past the end', path: '.spec.items[5]', want: [] },
    { name: 'unsupported syntax yields nothing', path: '.spec..replicas', want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(evalJsonPath(OBJ, c.path), c.want));

  it('parseJsonPath refuses what it does not support', () => {
    assert.equal(parseJsonPath('spec.replicas'), undefined);
    assert.deepEqual(parseJsonPath('.a[0]'), [{ key: 'a' }, { index: 0 }]);
  });
});
