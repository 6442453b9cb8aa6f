import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';

/** A TaskRun whose spec body starts at line 5. */
function taskRun(body: string): string {
  return `apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n${body}`;
}

function problems(yaml: string): string[] {
  return loadManifests(yaml, 'f.yaml').errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
}

const INLINE = '  taskSpec: {steps: [{image: a}]}\n';

test('TaskRun validation: exact paths and lines', async (t) => {
  const cases: Array<{ name: string; yaml: string; want: string[] }> = [
    { name: 'by reference', yaml: taskRun('  taskRef: {name: build}\n'), want: [] },
    { name: 'inline spec using propagated params', yaml: taskRun('  params: [{name: p, value: x}]\n  taskSpec: {steps: [{image: a, script: echo $(params.p)}]}\n'), want: [] },
    { name: 'neither taskRef nor taskSpec', yaml: taskRun('  timeout: 1h\n'), want: ['4 spec: expected exactly one, got neither: taskRef, taskSpec'] },
    { name: 'both taskRef and taskSpec', yaml: taskRun(`  taskRef: {name: b}\n${INLINE}`), want: ['4 spec: expected exactly one, got both: taskRef, taskSpec'] },
    { name: 'errors inside the inline spec', yaml: taskRun('  taskSpec:\n    steps:\n      - script: echo\n'), want: ['7 spec.taskSpec.steps[0].image: missing field(s)'] },
    { name: 'taskRef with resolver and params', yaml: taskRun('  taskRef:\n    resolver: git\n    params: [{name: url, value: x}]\n'), want: [] },
    { name: 'taskRef without name', yaml: taskRun('  taskRef: {kind: Task}\n'), want: ['5 spec.taskRef.name: missing field(s)'] },
    {
      name: 'timeout, retries, status',
      yaml: taskRun(`${INLINE}  timeout: -5m\n  retries: -1\n  status: Stop\n`),
      want: [
        '6 spec.timeout: invalid value: -5m0s should be >= 0',
        '7 spec.retries: invalid value: -1 should be >= 0',
        '8 spec.status: invalid value: Stop: should be TaskRunCancelled or TaskRunPending',
      ],
    },
    { name: 'timeout 0 means none', yaml: taskRun(`${INLINE}  timeout: "0"\n  status: TaskRunPending\n`), want: [] },
    {
      name: 'params: names unique, values present',
      yaml: taskRun(`${INLINE}  params:\n    - {name: a, value: x}\n    - {name: a, value: y}\n    - {name: b}\n`),
      want: [
        '8 spec.params[1].name: parameter names must be unique, the parameter "a" is also defined earlier',
        '9 spec.params[2].value: missing field(s)',
      ],
    },
    {
      name: 'workspace bindings',
      yaml: taskRun(`${INLINE}  workspaces:\n    - name: a\n    - {name: b, emptyDir: {}, configMap: {name: c}}\n    - {name: c, persistentVolumeClaim: {}}\n    - {name: c, secret: {secretName: s}}\n`),
      want: [
        '7 spec.workspaces[0]: expected exactly one, got neither: emptyDir, persistentVolumeClaim, volumeClaimTemplate, configMap, secret, projected, csi, hostPath',
        '8 spec.workspaces[1]: expected exactly one, got both: emptyDir, configMap',
        '9 spec.workspaces[2].persistentVolumeClaim.claimName: missing field(s)',
        '10 spec.workspaces[3].name: workspace name "c" provided more than once',
      ],
    },
    {
      name: 'stepSpecs and debug',
      yaml: taskRun(`${INLINE}  stepSpecs: [{name: s}, {name: s}, {computeResources: {}}]\n  debug: {breakpoints: {onFailure: yes-please}}\n`),
      want: [
        '6 spec.stepSpecs[1].name: "s" appears more than once',
        '6 spec.stepSpecs[2].name: missing field(s)',
        '7 spec.debug.breakpoints.onFailure: invalid value: yes-please: onFailure breakpoint is empty or "enabled"',
      ],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.yaml), c.want));
});
