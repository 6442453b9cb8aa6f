import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';
import { countCombinations } from './pipelinetask.validation.ts';

/** A Pipeline whose spec body starts at line 5. */
function pipeline(body: string): string {
  return `apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n${body}`;
}

function problems(yaml: string): string[] {
  return loadManifests(yaml, 'f.yaml').errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
}

test('Pipeline validation: exact paths and lines', async (t) => {
  const cases: Array<{ name: string; yaml: string; want: string[] }> = [
    {
      name: 'a valid pipeline with results flowing between tasks',
      yaml: pipeline([
        '  params: [{name: msg}]',
        '  workspaces: [{name: src}]',
        '  tasks:',
        '    - name: a',
        '      taskRef: {name: t}',
        '      params: [{name: m, value: $(params.msg)}]',
        '      workspaces: [{name: src}]',
        '    - name: b',
        '      runAfter: [a]',
        '      taskRef: {name: t}',
        '      params: [{name: in, value: $(tasks.a.results.out)}]',
        '      when: [{input: $(params.msg), operator: notin, values: [""]}]',
        '  finally:',
        '    - name: report',
        '      taskRef: {name: t}',
        '      params: [{name: s, value: "$(tasks.a.status) $(tasks.status) $(tasks.b.results.out)"}]',
        '  results:',
        '    - {name: out, value: $(tasks.b.results.out)}',
        '    - {name: fin, value: $(finally.report.results.x)}',
        '',
      ].join('\n')),
      want: [],
    },
    { name: 'an empty spec', yaml: pipeline('  {}\n'), want: ['4 spec: expected at least one, got none: description, params, tasks, workspaces'] },
    {
      name: 'task names: DNS labels, unique across tasks and finally',
      yaml: pipeline('  tasks:\n    - {name: Build, taskRef: {name: t}}\n    - {name: a, taskRef: {name: t}}\n  finally:\n    - {name: a, taskRef: {name: t}}\n'),
      want: [
        '6 spec.tasks[0].name: invalid value: Build: Pipeline Task name must be a valid DNS Label',
        '9 spec.finally[0].name: invalid value: a: pipeline task names must be unique across tasks and finally',
      ],
    },
    {
      name: 'exactly one of taskRef/taskSpec/pipelineRef/pipelineSpec',
      yaml: pipeline('  tasks:\n    - name: a\n    - name: b\n      taskRef: {name: t}\n      pipelineRef: {name: p}\n'),
      want: [
        '6 spec.tasks[0]: expected exactly one, got neither: taskRef, taskSpec, pipelineRef, pipelineSpec',
        '7 spec.tasks[1]: expected exactly one, got both: taskRef, pipelineRef',
      ],
    },
    {
      name: 'runAfter in finally; runAfter naming a nonexistent task',
      yaml: pipeline('  tasks:\n    - {name: a, taskRef: {name: t}, runAfter: [ghost]}\n  finally:\n    - {name: f, taskRef: {name: t}, runAfter: [a]}\n'),
      want: [
        '6 spec.tasks[0].runAfter[0]: invalid value: ghost: task "a" runs after "ghost", which is not a task of the pipeline',
        '8 spec.finally[0].runAfter: invalid value: no runAfter allowed under spec.finally, final task f has runAfter specified',
      ],
    },
    {
      name: '$(tasks.x…) must name existing tasks; status only in finally',
      yaml: pipeline([
        '  tasks:',
        '    - name: a',
        '      taskRef: {name: t}',
        '      params:',
        '        - {name: x, value: $(tasks.ghost.results.r)}',
        '        - {name: y, value: $(tasks.b.status)}',
        '      when: [{input: $(tasks.status), operator: in, values: [Succeeded]}]',
        '    - {name: b, taskRef: {name: t}}',
        '  finally:',
        '    - name: f',
        '      taskRef: {name: t}',
        '      params:',
        '        - {name: x, value: $(tasks.ghost.status)}',
        '        - {name: y, value: $(tasks.g.results.r)}',
        '    - {name: g, taskRef: {name: t}}',
        '  results:',
        '    - {name: r, value: $(tasks.nope.results.r)}',
        '    - {name: s, value: constant}',
        '',
      ].join('\n')),
      want: [
        '9 spec.tasks[0].params[0].value: invalid value: $(tasks.ghost.results.r): referencing a nonexistent task "ghost"',
        '10 spec.tasks[0].params[1].value: invalid value: pipeline tasks can not refer to execution status of any other pipeline task or aggregate status of tasks',
        '11 spec.tasks[0].when[0].input: invalid value: pipeline tasks can not refer to execution status of any other pipeline task or aggregate status of tasks',
        '17 spec.finally[0].params[0].value: invalid value: pipeline task ghost is not defined in the pipeline',
        '18 spec.finally[0].params[1].value: invalid value: invalid task result reference, final task has task result reference from a final task g',
        '21 spec.results[0].value: invalid value: referencing a nonexistent task "nope"',
        '22 spec.results[1].value: invalid value: expected pipeline results to be task result expressions but no expressions were found',
      ],
    },
    {
      name: 'retries with onError continue; bad onError; negative retries',
      yaml: pipeline('  tasks:\n    - {name: a, taskRef: {name: t}, retries: 2, onError: continue}\n    - {name: b, taskRef: {name: t}, onError: ignore, retries: -1}\n'),
      want: [
        '6 spec.tasks[0].onError: PipelineTask onError cannot be set to "continue" when retries is greater than 0',
        '7 spec.tasks[1].onError: invalid value: ignore: PipelineTask onError must be either "continue" or "stopAndFail"',
        '7 spec.tasks[1].retries: invalid value: -1 should be >= 0',
      ],
    },
    {
      name: 'when: operator in/notin with values',
      yaml: pipeline('  tasks:\n    - name: a\n      taskRef: {name: t}\n      when:\n        - {input: x, operator: equals, values: [x]}\n        - {input: x, operator: in, values: []}\n        - {cel: "1 == 1"}\n'),
      want: [
        '9 spec.tasks[0].when[0].operator: invalid value: operator "equals" is not recognized. valid operators: in,notin',
        '10 spec.tasks[0].when[1].values: invalid value: expecting non-empty values field',
      ],
    },
    {
      name: 'matrix: at most 256 combinations, params not also in params',
      yaml: pipeline([
        '  tasks:',
        '    - name: a',
        '      taskRef: {name: t}',
        '      params: [{name: os, value: linux}]',
        '      matrix:',
        '        params:',
        '          - {name: os, value: [a, b]}',
        '          - {name: x, value: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}',
        '          - {name: y, value: [1,2,3,4,5,6,7,8]}',
        '          - {name: z, value: just-a-string}',
        '',
      ].join('\n')),
      want: [
        '11 spec.tasks[0].matrix.params[0]: expected exactly one, got both: parameter "os" is in both matrix and params',
        '14 spec.tasks[0].matrix.params[3].value: invalid value: just-a-string: matrix params must be arrays (or a whole-array reference)',
      ],
    },
    {
      name: 'matrix over the limit',
      yaml: pipeline('  tasks:\n    - name: a\n      taskRef: {name: t}\n      matrix:\n        params:\n          - {name: x, value: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}\n          - {name: y, value: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}\n'),
      want: ['8 spec.tasks[0].matrix: expected 0 <= 272 <= 256: too many matrix combinations'],
    },
    {
      name: 'a standalone Pipeline declares params and workspaces it uses',
      yaml: pipeline('  tasks:\n    - name: a\n      taskRef: {name: t}\n      params: [{name: x, value: $(params.nope)}]\n      workspaces: [{name: src, workspace: shared}]\n    - name: b\n      taskSpec:\n        steps: [{image: a, script: echo $(params.gone)}]\n'),
      want: [
        '8 spec.tasks[0].params[0].value: non-existent variable in "$(params.nope)": param "nope" is not declared',
        '9 spec.tasks[0].workspaces[0]: invalid value: pipeline task "a" expects workspace with name "shared" but none exists in pipeline spec',
        '12 spec.tasks[1].taskSpec.steps[0].script: non-existent variable in "$(params.gone)": param "gone" is not declared',
      ],
    },
    {
      name: 'finally without tasks; custom tasks need apiVersion and kind',
      yaml: pipeline('  finally:\n    - {name: f, taskRef: {apiVersion: example.dev/v1}}\n    - {name: g, taskSpec: {kind: Wait}}\n'),
      want: [
        '5 spec.finally: invalid value: spec.tasks is empty but spec.finally has 2 tasks',
        '6 spec.finally[0].taskRef.kind: invalid value: custom task ref must specify kind',
        '7 spec.finally[1].taskSpec.apiVersion: invalid value: custom task spec must specify apiVersion',
      ],
    },
    {
      name: 'embedded task errors and duplicate workspace bindings',
      yaml: pipeline('  workspaces: [{name: w}, {name: w}]\n  tasks:\n    - name: a\n      taskSpec: {steps: [{script: echo}]}\n      workspaces: [{name: w}, {name: w}]\n'),
      want: [
        '5 spec.workspaces[1].name: invalid value: workspace with name "w" appears more than once',
        '8 spec.tasks[0].taskSpec.steps[0].image: missing field(s)',
        '9 spec.tasks[0].workspaces[1].name: workspace name "w" must be unique',
      ],
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(problems(c.yaml), c.want));
});

test('countCombinations', async (t) => {
  const cases = [
    { name: 'product of arrays', m: { params: [{ name: 'a', value: ['1', '2'] }, { name: 'b', value: ['x', 'y', 'z'] }] }, want: 6 },
    { name: 'include only', m: { include: [{ name: 'i', params: [{ name: 'a', value: '1' }] }, { name: 'j' }] }, want: 2 },
    {
      name: 'include adding a new combination and one extending existing ones',
      m: { params: [{ name: 'a', value: ['1', '2'] }], include: [{ params: [{ name: 'a', value: '3' }] }, { params: [{ name: 'a', value: '1' }, { name: 'b', value: 'x' }] }] },
      want: 3,
    },
    { name: 'empty', m: {}, want: 0 },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(countCombinations(c.m), c.want));
});
