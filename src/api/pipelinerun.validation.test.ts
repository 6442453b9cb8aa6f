import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';
import { validateTimeouts } from './pipelinerun.validation.ts';

/** A PipelineRun whose spec body starts at line 5. */
function pipelineRun(body: string): string {
  return `apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: pr}\nspec:\n${body}`;
}

function problems(yaml: string): string[] {
  return loadManifests(yaml, 'f.yaml').errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
}

const INLINE = '  pipelineSpec:\n    tasks: [{name: a, taskSpec: {steps: [{image: x, script: echo $(params.p)}]}}]\n';

test('PipelineRun validation: exact paths and lines', async (t) => {
  const cases: Array<{ name: string; yaml: string; want: string[] }> = [
    { name: 'by reference', yaml: pipelineRun('  pipelineRef: {name: p}\n'), want: [] },
    { name: 'inline spec using propagated params', yaml: pipelineRun(`  params: [{name: p, value: x}]\n${INLINE}`), want: [] },
    { name: 'neither', yaml: pipelineRun('  params: []\n'), want: ['4 spec: expected exactly one, got neither: pipelineRef, pipelineSpec'] },
    { name: 'both', yaml: pipelineRun(`  pipelineRef: {name: p}\n${INLINE}`), want: ['4 spec: expected exactly one, got both: pipelineRef, pipelineSpec'] },
    { name: 'errors inside the inline spec', yaml: pipelineRun('  pipelineSpec:\n    tasks: [{name: A_1, taskRef: {name: t}}]\n'), want: ['6 spec.pipelineSpec.tasks[0].name: invalid value: A_1: Pipeline Task name must be a valid DNS Label'] },
    { name: 'status', yaml: pipelineRun('  pipelineRef: {name: p}\n  status: Stop\n'), want: ['6 spec.status: invalid value: Stop: should be Cancelled, CancelledRunFinally, StoppedRunFinally, PipelineRunPending'] },
    { name: 'timeouts within pipeline', yaml: pipelineRun('  pipelineRef: {name: p}\n  timeouts: {pipeline: 2h, tasks: 90m, finally: 30m}\n'), want: [] },
    { name: 'tasks over the default pipeline timeout', yaml: pipelineRun('  pipelineRef: {name: p}\n  timeouts:\n    tasks: 2h\n'), want: ['7 spec.timeouts.tasks: invalid value: 2h0m0s should be <= pipeline duration'] },
    { name: 'pipeline 0 means none, anything goes', yaml: pipelineRun('  pipelineRef: {name: p}\n  timeouts: {pipeline: "0", tasks: "0", finally: 5h}\n'), want: [] },
    {
      name: 'tasks 0 needs pipeline 0; sums checked; negatives rejected',
      yaml: pipelineRun('  pipelineRef: {name: p}\n  timeouts:\n    pipeline: 1h\n    tasks: "0"\n---\n' + pipelineRun('  pipelineRef: {name: p}\n  timeouts:\n    pipeline: 1h\n    tasks: 40m\n    finally: 30m\n---\n' + pipelineRun('  pipelineRef: {name: p}\n  timeouts: {pipeline: -1h}\n'))),
      want: [
        '8 spec.timeouts.tasks: invalid value: 0s (no timeout) should be <= pipeline duration: set timeouts.pipeline to 0 too',
        '18 spec.timeouts.finally: invalid value: 40m0s + 30m0s should be <= pipeline duration',
        '25 spec.timeouts.pipeline: invalid value: -1h0m0s should be >= 0',
      ],
    },
    {
      name: 'taskRunSpecs',
      yaml: pipelineRun(`${INLINE}  taskRunSpecs:\n    - {pipelineTaskName: a, timeout: soon}\n    - {pipelineTaskName: a}\n    - {pipelineTaskName: zz}\n    - {serviceAccountName: x}\n`),
      want: [
        '8 spec.taskRunSpecs[0].timeout: invalid value: soon: not a valid duration (e.g. "1h30m", "10s", "500ms", "0")',
        '9 spec.taskRunSpecs[1].pipelineTaskName: "a" appears more than once',
        '10 spec.taskRunSpecs[2].pipelineTaskName: invalid value: zz: not a task of the pipeline',
        '11 spec.taskRunSpecs[3].pipelineTaskName: missing field(s)',
      ],
    },
    {
      name: 'workspaces and params',
      yaml: pipelineRun('  pipelineRef: {name: p}\n  params: [{name: a, value: b}, {name: a, value: c}]\n  workspaces: [{name: w, emptyDir: {}, persistentVolumeClaim: {claimName: c}}]\n'),
      want: [
        '6 spec.params[1].name: parameter names must be unique, the parameter "a" is also defined earlier',
        '7 spec.workspaces[0]: expected exactly one, got both: emptyDir, persistentVolumeClaim',
      ],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.yaml), c.want));
});

test('validateTimeouts with an explicit default', () => {
  assert.deepEqual(validateTimeouts({ tasks: '30m' }, 'spec.timeouts', '10m').map((e) => e.message), ['invalid value: 30m0s should be <= pipeline duration']);
  assert.deepEqual(validateTimeouts({ tasks: '30m' }, 'spec.timeouts', '0'), []);
});
