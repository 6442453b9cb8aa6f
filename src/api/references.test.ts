import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';
import { refKey, validateReferences } from './references.ts';

function refProblems(yaml: string, known?: Set<string>): string[] {
  const r = loadManifests(yaml, 'f.yaml');
  assert.deepEqual(r.errors, []);
  return validateReferences(r.objects, known).map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`);
}

const TASK = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: build}\nspec:\n  params: [{name: who}]\n  steps: [{image: a}]\n';

test('validateReferences', async (t) => {
  const cases: Array<{ name: string; yaml: string; known?: Set<string>; want: string[] }> = [
    { name: 'TaskRun → Task in the file', yaml: `${TASK}---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef: {name: build}\n  params: [{name: who, value: me}]\n`, want: [] },
    {
      name: 'TaskRun → missing Task, at the right line',
      yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef:\n    name: nope\n',
      want: ['f.yaml:6 spec.taskRef.name: task "nope" not found in this file'],
    },
    { name: 'known names from elsewhere pass', yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef: {name: stored}\n', known: new Set([refKey('Task', 'stored')]), want: [] },
    { name: 'known names with a namespace', yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r, namespace: ci}\nspec:\n  taskRef: {name: stored}\n', known: new Set([refKey('Task', 'stored', 'ci')]), want: [] },
    {
      name: 'another namespace does not count; a missing namespace matches any',
      yaml: `${TASK.replace('{name: build}', '{name: build, namespace: a}')}---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r, namespace: b}\nspec:\n  taskRef: {name: build}\n---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r2}\nspec:\n  taskRef: {name: build}\n  params: [{name: who, value: me}]\n`,
      want: ['f.yaml:12 spec.taskRef.name: task "build" not found in this file'],
    },
    { name: 'resolver references are not checked', yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef: {resolver: git, params: [{name: url, value: x}]}\n', want: [] },
    {
      name: 'step ref → StepAction',
      yaml: 'apiVersion: tekton.dev/v1beta1\nkind: StepAction\nmetadata: {name: act}\nspec: {image: a}\n---\napiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - ref: {name: act}\n    - ref: {name: gone}\n',
      want: ['f.yaml:12 spec.steps[1].ref.name: stepaction "gone" not found in this file'],
    },
    {
      name: 'PipelineRun → Pipeline → Tasks',
      yaml: 'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  tasks:\n    - {name: a, taskRef: {name: missing}}\n    - {name: b, taskRef: {apiVersion: x.dev/v1, kind: Custom}}\n---\napiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: pr}\nspec:\n  pipelineRef: {name: other}\n',
      want: [
        'f.yaml:6 spec.tasks[0].taskRef.name: task "missing" not found in this file',
        'f.yaml:13 spec.pipelineRef.name: pipeline "other" not found in this file',
      ],
    },
    {
      name: 'inline pipelineSpec tasks are checked too',
      yaml: 'apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: pr}\nspec:\n  pipelineSpec:\n    tasks:\n      - {name: a, taskRef: {name: missing}}\n',
      want: ['f.yaml:7 spec.pipelineSpec.tasks[0].taskRef.name: task "missing" not found in this file'],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(refProblems(c.yaml, c.known), c.want));
});

test('validateReferences checks TaskRun params against the Task (through validateParamValues)', () => {
  const yaml = `${TASK}---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef: {name: build}\n`;
  const errs = validateReferences(loadManifests(yaml, 'f.yaml').objects);
  assert.ok(errs.length >= 1, 'the required param "who" is missing');
  for (const e of errs) {
    assert.equal(e.file, 'f.yaml');
    assert.ok(e.path.startsWith('spec'), e.path);
    assert.ok(e.line !== undefined && e.line >= 8, `line ${e.line}`);
  }
});

test('validateReferences: wiring problems carry file:line and severity; runs: false leaves runs to the caller', () => {
  const yaml = `${TASK}---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef: {name: build}\n  params: [{name: extra, value: x}]\n`;
  const objects = loadManifests(yaml, 'f.yaml').objects;
  assert.deepEqual(validateReferences(objects).map((e) => `${e.severity} ${e.file}:${e.line} ${e.path}`), [
    'error f.yaml:13 spec.params',
    'warning f.yaml:13 spec.params[0].name',
  ]);
  assert.deepEqual(validateReferences(objects, undefined, { runs: false }), []);
});
