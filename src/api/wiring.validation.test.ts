import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from './load.ts';
import type { KObject } from './meta.ts';
import { specsIn } from './references.ts';
import { referencedNames, validateWiring } from './wiring.validation.ts';

/** Loads `yaml` (which must load cleanly) and returns its objects. */
function mustLoad(yaml: string): ReturnType<typeof loadManifests>['objects'] {
  const res = loadManifests(yaml, 'w.yaml');
  assert.deepEqual(res.errors, []);
  return res.objects;
}

const BUILD = `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: build}
spec:
  params: [{name: version}, {name: flavour, default: plain}]
  workspaces: [{name: src}, {name: cache, optional: true}]
  results: [{name: digest}, {name: url}]
  steps: [{image: alpine, script: 'true'}]
`;
const PUSH = `apiVersion: tekton.dev/v1
kind: Task
metadata: {name: push}
spec:
  params: [{name: digest}, {name: tags, type: array, default: []}]
  steps: [{image: alpine, script: 'true'}]
`;

function pipeline(tasks: string, extra = ''): string {
  return `apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  workspaces: [{name: shared}]\n${extra}  tasks:\n${tasks}`;
}

const BUILD_OK = `    - name: build
      taskRef: {name: build}
      params: [{name: version, value: '1'}]
      workspaces: [{name: src, workspace: shared}]
`;

/** `severity path: message` of the last object's wiring problems, against the other objects. */
function problems(...docs: string[]): string[] {
  const objects = mustLoad(docs.join('---\n'));
  const last = objects[objects.length - 1].object;
  return validateWiring(last, specsIn(objects, last.metadata.namespace)).map((e) => `${e.severity} ${e.path}: ${e.message}`);
}

describe('validateWiring: a Pipeline against the Tasks it references', () => {
  const cases: Array<{ name: string; docs: string[]; want: string[] }> = [
    {
      name: 'everything declared and given',
      docs: [BUILD, PUSH, pipeline(`${BUILD_OK}    - name: push\n      taskRef: {name: push}\n      params: [{name: digest, value: $(tasks.build.results.digest)}]\n`)],
      want: [],
    },
    {
      name: 'a misspelled result reference (InvalidTaskResultReference)',
      docs: [BUILD, PUSH, pipeline(`${BUILD_OK}    - name: push\n      taskRef: {name: push}\n      params: [{name: digest, value: $(tasks.build.results.digset)}]\n`)],
      want: ['error spec.tasks[1].params[0].value: invalid result reference in pipeline task "push": "digset" is not a named result returned by pipeline task "build" (task "build" declares "digest", "url")'],
    },
    {
      name: 'result references in when, bracket form, finally and pipeline results',
      docs: [BUILD, pipeline(`${BUILD_OK}  finally:\n    - name: f\n      when: [{input: "$(tasks.build.results['nope'])", operator: in, values: [x]}]\n      taskSpec: {steps: [{image: alpine, script: 'true'}]}\n`, `  results:\n    - {name: out, value: $(tasks.build.results.url)}\n    - {name: bad, value: $(tasks.build.results.uri)}\n`)],
      want: [
        'error spec.finally[0].when[0].input: invalid result reference in pipeline task "f": "nope" is not a named result returned by pipeline task "build" (task "build" declares "digest", "url")',
        'error spec.results[1].value: invalid result reference in pipeline result "bad": "uri" is not a named result returned by pipeline task "build" (task "build" declares "digest", "url")',
      ],
    },
    {
      name: 'an inline taskSpec declares its results too',
      docs: [pipeline(`    - name: a\n      taskSpec:\n        results: [{name: r}]\n        steps: [{image: alpine, script: 'true'}]\n    - name: b\n      params: [{name: x, value: $(tasks.a.results.s)}]\n      taskSpec:\n        params: [{name: x}]\n        steps: [{image: alpine, script: 'true'}]\n`)],
      want: ['error spec.tasks[1].params[0].value: invalid result reference in pipeline task "b": "s" is not a named result returned by pipeline task "a" (the taskSpec of pipeline task "a" declares "r")'],
    },
    {
      name: 'a required param not given (ParameterMissing); a param the Task does not declare is a warning',
      docs: [BUILD, pipeline(`    - name: build\n      taskRef: {name: build}\n      params: [{name: flavor, value: x}]\n      workspaces: [{name: src, workspace: shared}]\n`)],
      want: [
        'error spec.tasks[0].params: task "build" requires param(s) not given: version',
        'warning spec.tasks[0].params[0].name: param "flavor" is not declared by task "build": it is passed on, and nothing uses it',
      ],
    },
    {
      name: 'a literal of the wrong type is an error; references are left to run time',
      docs: [PUSH, pipeline(`    - name: push\n      taskRef: {name: push}\n      params: [{name: digest, value: d}, {name: tags, value: latest}]\n    - name: again\n      taskRef: {name: push}\n      params: [{name: digest, value: d}, {name: tags, value: $(params.t)}]\n`, '  params: [{name: t, type: array}]\n')],
      want: ['error spec.tasks[0].params[1].value: expected type "array", got "string" (param "tags" of task "push")'],
    },
    {
      name: 'matrix params count as given',
      docs: [BUILD, pipeline(`    - name: build\n      taskRef: {name: build}\n      matrix: {params: [{name: version, value: ['1', '2']}]}\n      workspaces: [{name: src, workspace: shared}]\n`)],
      want: [],
    },
    {
      name: 'a workspace the Task does not declare; a required one not bound',
      docs: [BUILD, pipeline(`    - name: build\n      taskRef: {name: build}\n      params: [{name: version, value: '1'}]\n      workspaces: [{name: source, workspace: shared}]\n`)],
      want: [
        'error spec.tasks[0].workspaces: declared workspace(s) of task "build" required but not bound: src',
        'error spec.tasks[0].workspaces[0].name: workspace binding "source" does not match any declared workspace of task "build"',
      ],
    },
    {
      name: 'inline taskSpecs get bindings propagated: not checked',
      docs: [pipeline(`    - name: a\n      workspaces: [{name: other, workspace: shared}]\n      taskSpec:\n        workspaces: [{name: w}]\n        steps: [{image: alpine, script: 'true'}]\n`)],
      want: [],
    },
    {
      name: 'Tasks not known here (not in the file, resolvers, params in the name) are not checked',
      docs: [pipeline(`    - name: a\n      taskRef: {name: elsewhere}\n      params: [{name: x, value: $(tasks.b.results.y)}]\n    - name: b\n      taskRef: {resolver: git}\n`)],
      want: [],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(problems(...c.docs), c.want));
});

describe('validateWiring: runs against what they run', () => {
  const taskRun = (spec: string) => `apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n${spec}`;
  const pipelineRun = (spec: string) => `apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: pr}\nspec:\n${spec}`;
  const cases: Array<{ name: string; docs: string[]; want: string[] }> = [
    { name: 'a TaskRun with everything', docs: [BUILD, taskRun('  taskRef: {name: build}\n  params: [{name: version, value: "1"}]\n  workspaces: [{name: src, emptyDir: {}}]\n')], want: [] },
    {
      name: 'a TaskRun: missing param, extra param (warning), unbound and undeclared workspaces',
      docs: [BUILD, taskRun('  taskRef: {name: build}\n  params: [{name: extra, value: "1"}]\n  workspaces: [{name: srcs, emptyDir: {}}]\n')],
      want: [
        'error spec.params: task "build" requires param(s) not given: version',
        'warning spec.params[0].name: param "extra" is not declared by task "build": it is passed on, and nothing uses it',
        'error spec.workspaces: declared workspace(s) of task "build" required but not bound: src',
        'error spec.workspaces[0].name: workspace binding "srcs" does not match any declared workspace of task "build"',
      ],
    },
    {
      name: 'a TaskRun with a taskSpec: extra params and bindings propagate',
      docs: [taskRun('  params: [{name: extra, value: "1"}]\n  workspaces: [{name: any, emptyDir: {}}]\n  taskSpec:\n    params: [{name: p}]\n    workspaces: [{name: w}]\n    steps: [{image: alpine, script: "true"}]\n')],
      want: ['error spec.params: the taskSpec requires param(s) not given: p', 'error spec.workspaces: declared workspace(s) of the taskSpec required but not bound: w'],
    },
    {
      name: 'a PipelineRun: missing param and workspace are errors, extra binding a warning',
      docs: [pipeline(BUILD_OK, '  params: [{name: release}]\n'), pipelineRun('  pipelineRef: {name: p}\n  workspaces: [{name: other, emptyDir: {}}]\n')],
      want: [
        'error spec.params: pipeline "p" requires param(s) not given: release',
        'error spec.workspaces: declared workspace(s) of pipeline "p" required but not bound: shared',
        'warning spec.workspaces[0].name: workspace binding "other" does not match any declared workspace of pipeline "p"',
      ],
    },
    {
      name: 'a PipelineRun with a pipelineSpec: its tasks are checked',
      docs: [BUILD, pipelineRun(`  pipelineSpec:\n    tasks:\n      - name: build\n        taskRef: {name: build}\n        workspaces: [{name: src}]\n      - name: use\n        params: [{name: x, value: $(tasks.build.results.nope)}]\n        taskSpec: {params: [{name: x}], steps: [{image: alpine, script: "true"}]}\n`)],
      want: [
        'error spec.pipelineSpec.tasks[0].params: task "build" requires param(s) not given: version',
        'error spec.pipelineSpec.tasks[1].params[0].value: invalid result reference in pipeline task "use": "nope" is not a named result returned by pipeline task "build" (task "build" declares "digest", "url")',
      ],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(problems(...c.docs), c.want));

  test('referencedPipeline: the Pipeline\'s own problems are reported at spec.pipelineRef.name', () => {
    const objects = mustLoad([BUILD, pipeline(`    - name: build\n      taskRef: {name: build}\n      workspaces: [{name: src, workspace: shared}]\n`), pipelineRun('  pipelineRef: {name: p}\n  workspaces: [{name: shared, emptyDir: {}}]\n')].join('---\n'));
    const run = objects[2].object;
    const specs = specsIn(objects, undefined);
    assert.deepEqual(validateWiring(run, specs), []);
    assert.deepEqual(validateWiring(run, specs, { referencedPipeline: true }).map((e) => `${e.path}: ${e.message}`), [
      'spec.pipelineRef.name: pipeline "p": spec.tasks[0].params: task "build" requires param(s) not given: version',
    ]);
  });
});

describe('referencedNames', () => {
  const cases: Array<{ name: string; obj: KObject; want: { tasks: string[]; pipelines: string[] } }> = [
    { name: 'a TaskRun', obj: { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: {}, spec: { taskRef: { name: 't' } } }, want: { tasks: ['t'], pipelines: [] } },
    { name: 'a TaskRun through a resolver', obj: { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: {}, spec: { taskRef: { resolver: 'git' } } }, want: { tasks: [], pipelines: [] } },
    {
      name: 'a PipelineRun with a pipelineRef and one with a pipelineSpec',
      obj: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: {}, spec: { pipelineRef: { name: 'p' }, pipelineSpec: { tasks: [{ name: 'a', taskRef: { name: 'x' } }, { name: 'b', taskRef: { name: '$(params.t)' } }], finally: [{ name: 'f', taskRef: { name: 'y' } }] } } },
      want: { tasks: ['x', 'y'], pipelines: ['p'] },
    },
    { name: 'a Task has none', obj: { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: {}, spec: {} }, want: { tasks: [], pipelines: [] } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(referencedNames(c.obj), c.want));
});
