import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTaskRef, defaultTaskRun } from './taskrun.defaults.ts';
import type { TaskRun } from './taskrun.types.ts';

const base = (spec: TaskRun['spec']): TaskRun => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'r' }, spec });

test('defaultTaskRun', async (t) => {
  const cases: Array<{ name: string; in: TaskRun; config?: { timeout?: string }; check: (tr: TaskRun) => void }> = [
    {
      name: 'timeout 60m and service account default',
      in: base({ taskRef: { name: 't' } }),
      check: (tr) => { assert.equal(tr.spec.timeout, '60m'); assert.equal(tr.spec.serviceAccountName, 'default'); assert.equal(tr.spec.taskRef!.kind, 'Task'); },
    },
    {
      name: 'given values kept; timeout 0 kept',
      in: base({ taskRef: { name: 't' }, timeout: '0', serviceAccountName: 'builder' }),
      check: (tr) => { assert.equal(tr.spec.timeout, '0'); assert.equal(tr.spec.serviceAccountName, 'builder'); },
    },
    {
      name: 'config overrides the default timeout',
      in: base({ taskRef: { name: 't' } }), config: { timeout: '10m' },
      check: (tr) => assert.equal(tr.spec.timeout, '10m'),
    },
    {
      name: 'inline spec defaulted',
      in: base({ taskSpec: { params: [{ name: 'a', default: { k: 'v' } }], steps: [{ image: 'a' }] } }),
      check: (tr) => assert.equal(tr.spec.taskSpec!.params![0].type, 'object'),
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const before = structuredClone(c.in);
      c.check(defaultTaskRun(c.in, c.config));
      assert.deepEqual(c.in, before, 'input not mutated');
    });
  }
});

test('defaultTaskRef leaves resolver refs and custom tasks alone', () => {
  assert.deepEqual(defaultTaskRef({ resolver: 'git' }), { resolver: 'git' });
  assert.deepEqual(defaultTaskRef({ apiVersion: 'x/v1', kind: 'Wait' }), { apiVersion: 'x/v1', kind: 'Wait' });
  assert.deepEqual(defaultTaskRef({ name: 't' }), { name: 't', kind: 'Task' });
});
