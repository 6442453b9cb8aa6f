import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareObject, type PrepareOptions } from './prepare.ts';

const TASK = {
  apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 't' },
  spec: { steps: [{ image: 'alpine', script: 'echo', scirpt: 'echo' }] },
};
const UNKNOWN = 'spec.steps[0].scirpt: unknown field "scirpt"; did you mean "script"?';

test('prepareObject: what unknown fields are (fieldValidation)', async (t) => {
  const cases: Array<{ name: string; opts: PrepareOptions; errors: string[]; warnings: string[] }> = [
    { name: 'default: a warning (the API decides per request)', opts: {}, errors: [], warnings: [UNKNOWN] },
    { name: 'Strict: an error', opts: { fieldValidation: 'Strict' }, errors: [UNKNOWN], warnings: [] },
    { name: 'strict: true is Strict', opts: { strict: true }, errors: [UNKNOWN], warnings: [] },
    { name: 'Warn: a warning', opts: { fieldValidation: 'Warn' }, errors: [], warnings: [UNKNOWN] },
    { name: 'Ignore: dropped without a word', opts: { fieldValidation: 'Ignore' }, errors: [], warnings: [] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const p = prepareObject(structuredClone(TASK), c.opts);
      assert.deepEqual(p.errors.map((e) => `${e.path}: ${e.message}`), c.errors);
      assert.deepEqual(p.warnings.map((e) => `${e.path}: ${e.message}`), c.warnings);
      const step = (p.object?.spec as { steps: Array<Record<string, unknown>> }).steps[0];
      assert.equal(step.scirpt, undefined, 'the unknown field never reaches the object');
    });
  }
});

test('prepareObject: problems of v1beta1 input name the fields as the input spells them', () => {
  const p = prepareObject({
    apiVersion: 'tekton.dev/v1beta1', kind: 'PipelineRun', metadata: { name: 'pr' },
    spec: {
      pipelineRef: { name: 'p' }, timeout: '1x', serviceAccountName: 'a b',
      taskRunSpecs: [{ pipelineTaskName: 'a', taskPodTemplate: {}, stepOverrides: [{ name: 's', resources: {}, rezources: {} }] }],
    },
  });
  assert.deepEqual(p.errors.map((e) => e.path), ['spec.timeout']);
  assert.deepEqual(p.warnings.map((e) => e.path), ['spec.taskRunSpecs[0].stepOverrides[0].rezources']);
  assert.equal(p.sourcePath?.('spec.taskRunSpecs[0].podTemplate'), 'spec.taskRunSpecs[0].taskPodTemplate');
  assert.equal(p.sourcePath?.('spec.taskRunTemplate.serviceAccountName'), 'spec.serviceAccountName');
  assert.equal(prepareObject(structuredClone(TASK)).sourcePath, undefined, 'v1 input: paths are the object\'s own');
});
