// The plan names the steps whose `when` is decided as each starts (beforeStep), so an executor that
// cannot call it (a Pod written up front) can refuse them instead of running them unconditionally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Executor } from '../../executor/executor.ts';
import { prepareAttempt } from './prepare.ts';

const noExecutor = { name: 'none', check: () => [] } as unknown as Executor;
const run = (steps: unknown[]): TaskRun => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'w', namespace: 'default', uid: 'u' }, spec: { taskSpec: { steps } } } as TaskRun);

test('stepWhen lists the steps with when expressions, by name; none without', async () => {
  const store = createMemoryStore();
  const p = await prepareAttempt(run([
    { name: 'a', image: 'busybox', script: 'true' },
    { name: 'b', image: 'busybox', script: 'true', when: [{ input: 'x', operator: 'in', values: ['x'] }] },
  ]), 0, { store, executor: noExecutor, offline: false });
  assert.ok(p.ok, JSON.stringify(p));
  assert.deepEqual(p.plan.stepWhen, ['b']);
  const q = await prepareAttempt(run([{ name: 'a', image: 'busybox', script: 'true' }]), 0, { store, executor: noExecutor, offline: false });
  assert.ok(q.ok);
  assert.equal(q.plan.stepWhen, undefined);
});

test('beforeStepReads lists the steps whose beforeStep reads earlier steps (a $(steps.…) reference anywhere, or in when)', async () => {
  const store = createMemoryStore();
  const p = await prepareAttempt(run([
    { name: 'a', image: 'busybox', script: 'true', results: [{ name: 'r' }] },
    { name: 'b', image: 'busybox', script: 'true', when: [{ input: '$(steps.a.results.r)', operator: 'in', values: ['x'] }] },
    { name: 'c', image: 'busybox', command: ['echo'], args: ['$(steps.a.results.r)'] },
    { name: 'd', image: 'busybox', env: [{ name: 'V', value: '$(steps.a.results.r)' }], script: 'true' },
    { name: 'e', image: 'busybox', script: 'true', when: [{ input: 'x', operator: 'in', values: ['x'] }] },
  ]), 0, { store, executor: noExecutor, offline: false });
  assert.ok(p.ok, JSON.stringify(p));
  assert.deepEqual(p.plan.beforeStepReads, ['b', 'c', 'd']);
});
