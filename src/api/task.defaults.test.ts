import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParamSpec } from './param.types.ts';
import { defaultParamSpec, defaultResult, defaultStepAction, defaultTask, inferParamType } from './task.defaults.ts';
import type { Task } from './task.types.ts';

test('inferParamType: explicit type > properties ⇒ object > type of default > string', async (t) => {
  const cases: Array<{ name: string; p: Omit<ParamSpec, 'name'>; want: string }> = [
    { name: 'explicit wins', p: { type: 'array', default: 'x' }, want: 'array' },
    { name: 'properties ⇒ object', p: { properties: { a: {} }, default: ['x'] }, want: 'object' },
    { name: 'array default', p: { default: ['a'] }, want: 'array' },
    { name: 'object default', p: { default: { a: 'b' } }, want: 'object' },
    { name: 'string default', p: { default: 'a' }, want: 'string' },
    { name: 'nothing ⇒ string', p: {}, want: 'string' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(inferParamType(c.p), c.want));
});

test('defaultParamSpec and defaultResult fill types, keep the input', () => {
  const p: ParamSpec = { name: 'o', properties: { k: {} } };
  assert.deepEqual(defaultParamSpec(p), { name: 'o', type: 'object', properties: { k: { type: 'string' } } });
  assert.deepEqual(p, { name: 'o', properties: { k: {} } });
  assert.deepEqual(defaultResult({ name: 'r' }), { name: 'r', type: 'string' });
  assert.deepEqual(defaultResult({ name: 'r', properties: { a: {} } }), { name: 'r', type: 'object', properties: { a: { type: 'string' } } });
});

test('defaultTask: params, results and step results; onError left as given', () => {
  const task: Task = {
    apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 't' },
    spec: { params: [{ name: 'a', default: ['x'] }], results: [{ name: 'r' }], steps: [{ image: 'a', onError: 'continue', results: [{ name: 's' }] }] },
  };
  const out = defaultTask(task);
  assert.equal(out.spec.params![0].type, 'array');
  assert.equal(out.spec.results![0].type, 'string');
  assert.equal(out.spec.steps[0].results![0].type, 'string');
  assert.equal(out.spec.steps[0].onError, 'continue');
  assert.equal(task.spec.params![0].type, undefined, 'input not mutated');
  assert.equal(out.metadata.namespace, undefined, 'namespace not defaulted');
});

test('defaultStepAction', () => {
  const out = defaultStepAction({ apiVersion: 'tekton.dev/v1beta1', kind: 'StepAction', metadata: { name: 's' }, spec: { image: 'a', params: [{ name: 'p' }] } });
  assert.equal(out.spec.params![0].type, 'string');
});
