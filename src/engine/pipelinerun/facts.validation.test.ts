import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import type { PipelineRunSpec } from '../../api/pipelinerun.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import { decide } from './facts.ts';
import { at, cond, makeInput } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const inline = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, taskSpec: { steps: [step] }, ...extra });
const taskSpec: TaskSpec = { steps: [step] };

interface Row {
  name: string;
  spec: PipelineSpec;
  run?: Partial<PipelineRunSpec>;
  tasks?: Record<string, TaskSpec>;
  reason: string;
  message: string | RegExp;
}

const rows: Row[] = [
  { name: 'cycle', spec: { tasks: [inline('a', { runAfter: ['b'] }), inline('b', { runAfter: ['a'] })] }, reason: 'PipelineInvalidGraph', message: "[User error] PipelineRun ns/pr's Pipeline DAG is invalid: cycle detected: a -> b -> a" },
  { name: 'runAfter an unknown task', spec: { tasks: [inline('a', { runAfter: ['x'] })] }, reason: 'PipelineInvalidGraph', message: /task a depends on x but x wasn't present in Pipeline$/ },
  { name: 'result of an unknown task', spec: { tasks: [inline('a', { params: [{ name: 'p', value: '$(tasks.x.results.r)' }] })] }, reason: 'PipelineInvalidGraph', message: /depends on x/ },
  {
    name: 'missing param',
    spec: { params: [{ name: 'a' }, { name: 'b', default: 'x' }, { name: 'c' }], tasks: [inline('t')] },
    reason: 'ParameterMissing',
    message: "[User error] PipelineRun ns/pr parameters is missing some parameters required by Pipeline ns/p's parameters: PipelineRun missing parameters: [a c]",
  },
  { name: 'param type', spec: { params: [{ name: 'a', type: 'array' }], tasks: [inline('t')] }, run: { params: [{ name: 'a', value: 'x' }] }, reason: 'ParameterTypeMismatch', message: /parameters have inconsistent types : \[a\]$/ },
  {
    name: 'object keys',
    spec: { params: [{ name: 'o', type: 'object', properties: { url: {}, rev: {} }, default: { rev: 'main' } }], tasks: [inline('t')] },
    run: { params: [{ name: 'o', value: { x: 'y' } }] },
    reason: 'ObjectParameterMissKeys',
    message: /missing object keys for parameters: map\[o:\[url\]\]$/,
  },
  { name: 'enum', spec: { params: [{ name: 'e', enum: ['a', 'b'] }], tasks: [inline('t')] }, run: { params: [{ name: 'e', value: 'c' }] }, reason: 'InvalidParamValue', message: /value: c is not in the enum list \[a b\]$/ },
  {
    name: 'array index out of range',
    spec: { params: [{ name: 'arr', type: 'array' }], tasks: [inline('t', { params: [{ name: 'p', value: '$(params.arr[3])' }] })] },
    run: { params: [{ name: 'arr', value: ['a'] }] },
    reason: 'ParamArrayIndexingInvalid',
    message: /non-existent param references:\[\$\(params\.arr\[3\]\)\]$/,
  },
  {
    name: 'unbound workspace',
    spec: { workspaces: [{ name: 'src' }, { name: 'opt', optional: true }], tasks: [inline('t')] },
    reason: 'InvalidWorkspaceBindings',
    message: "[User error] PipelineRun ns/pr doesn't bind Pipeline ns/p's Workspaces correctly: pipeline requires workspace with name \"src\" be provided by pipelinerun",
  },
  { name: 'taskRunSpecs for an unknown task', spec: { tasks: [inline('t')] }, run: { taskRunSpecs: [{ pipelineTaskName: 'nope' }] }, reason: 'InvalidTaskRunSpecs', message: /defined wrong taskName: "nope", does not exist in Pipeline$/ },
  {
    name: 'missing Task',
    spec: { tasks: [{ name: 't', taskRef: { name: 'build', kind: 'Task' } }] },
    reason: 'CouldntGetTask',
    message: "[User error] Pipeline ns/p can't be Run; it contains Tasks that don't exist: Couldn't retrieve Task \"build\": tasks.tekton.dev \"build\" not found",
  },
  {
    name: 'taskRef name from a param',
    spec: { params: [{ name: 'which', default: 'lint' }], tasks: [{ name: 't', taskRef: { name: '$(params.which)' } }] },
    tasks: { build: taskSpec },
    reason: 'CouldntGetTask',
    message: /Couldn't retrieve Task "lint"/,
  },
  { name: 'remote resolver', spec: { tasks: [{ name: 't', taskRef: { resolver: 'git', params: [] } }] }, reason: 'Unsupported', message: 'pipeline task "t" uses the remote resolver "git": remote resolution needs the network and is not supported by kiln yet' },
  { name: 'custom task', spec: { tasks: [{ name: 't', taskRef: { apiVersion: 'example.dev/v1', kind: 'Wait' } }] }, reason: 'Unsupported', message: /custom tasks \(CustomRuns\) are not supported by kiln$/ },
  { name: 'pipelines in pipelines: remote pipelineRef', spec: { tasks: [{ name: 'child', pipelineRef: { resolver: 'git' } }] }, reason: 'Unsupported', message: 'pipeline task "child" uses the remote resolver "git": remote resolution needs the network and is not supported by kiln yet' },
  { name: 'pipelines in pipelines: pipelineRef without a name', spec: { tasks: [{ name: 'child', pipelineRef: {} }] }, reason: 'PipelineValidationFailed', message: /missing field\(s\): tasks\[child\]\.pipelineRef\.name$/ },
  {
    name: 'pipelines in pipelines: no matrix',
    spec: { tasks: [{ name: 'child', pipelineRef: { name: 'other' }, matrix: { params: [{ name: 'a', value: ['1', '2'] }] } }] },
    reason: 'PipelineValidationFailed',
    message: /matrix is not supported on pipeline task "child", which runs a Pipeline/,
  },
  {
    name: 'pipelines in pipelines: a task using its results',
    spec: { tasks: [{ name: 'child', pipelineRef: { name: 'other' } }, inline('use', { params: [{ name: 'x', value: '$(tasks.child.results.out)' }] })] },
    reason: 'PipelineValidationFailed',
    message: /invalid task result reference: pipeline task "use" refers to a result of pipeline task "child", which runs a Pipeline: results of child PipelineRuns are not propagated$/,
  },
  {
    name: 'pipelines in pipelines: a finally task using its results',
    spec: { tasks: [{ name: 'child', pipelineSpec: { tasks: [inline('t')] } }], finally: [inline('f', { when: [{ input: '$(tasks.child.results.out)', operator: 'in', values: ['x'] }] })] },
    reason: 'PipelineValidationFailed',
    message: /pipeline task "f" refers to a result of pipeline task "child"/,
  },
  {
    name: 'pipelines in pipelines: a Pipeline result using its results',
    spec: { tasks: [{ name: 'child', pipelineRef: { name: 'other' } }], results: [{ name: 'r', value: '$(tasks.child.results.out)' }] },
    reason: 'PipelineValidationFailed',
    message: /pipeline result "r" refers to a result of pipeline task "child"/,
  },
  {
    name: 'too many matrix combinations',
    spec: { tasks: [inline('t', { matrix: { params: [{ name: 'a', value: Array.from({ length: 20 }, (_, i) => `${i}`) }, { name: 'b', value: Array.from({ length: 13 }, (_, i) => `${i}`) }] } })] },
    reason: 'PipelineValidationFailed',
    message: /expected 0 <= 260 <= 256/,
  },
  { name: 'invalid CEL', spec: { tasks: [inline('t', { when: [{ cel: "'a' == " }] })] }, reason: 'PipelineValidationFailed', message: /^\[User error\] Pipeline ns\/p can't be Run; it has an invalid spec: invalid cel expression: 'a' == {2}with err:/ },
  { name: 'CEL with a variable', spec: { tasks: [inline('t', { when: [{ cel: "branch == 'main'" }] })] }, reason: 'PipelineValidationFailed', message: /undeclared reference to 'branch'/ },
  { name: 'timeouts over the pipeline timeout', spec: { tasks: [inline('t')] }, run: { timeouts: { pipeline: '1h', tasks: '2h' } }, reason: 'PipelineValidationFailed', message: /spec\.timeouts\.tasks: invalid value: 2h0m0s should be <= pipeline duration/ },
  { name: 'onError continue with retries', spec: { tasks: [inline('t', { onError: 'continue', retries: 1 })] }, reason: 'PipelineValidationFailed', message: /onError cannot be set to "continue" when retries is greater than 0/ },
  { name: 'runAfter in finally', spec: { tasks: [inline('t')], finally: [inline('f', { runAfter: ['t'] })] }, reason: 'PipelineValidationFailed', message: /no runAfter allowed under spec.finally, final task f has runAfter specified/ },
];

test('runs that fail before anything is created', () => {
  for (const r of rows) {
    const d = decide(makeInput({ spec: r.spec, run: r.run, tasks: r.tasks }));
    const [status, reason, message] = cond(d);
    assert.equal(status, 'False', r.name);
    assert.equal(reason, r.reason, r.name);
    if (typeof r.message === 'string') assert.equal(message, r.message, r.name);
    else assert.match(message ?? '', r.message, r.name);
    if (reason !== 'Unsupported') assert.ok(message?.startsWith('[User error] '), `${r.name}: user errors are marked`);
    assert.deepEqual(d.create, [], r.name);
    assert.equal(d.status.completionTime, at(0).nowIso, r.name);
    assert.equal(d.status.startTime, at(0).nowIso, r.name);
  }
});

test('what is fine: extra run params, optional workspaces left unbound, a Task found by name', () => {
  const d = decide(makeInput({
    spec: { params: [{ name: 'a' }], workspaces: [{ name: 'opt', optional: true }], tasks: [{ name: 't', taskRef: { name: 'build', kind: 'Task' } }] },
    run: { params: [{ name: 'a', value: 'x' }, { name: 'extra', value: 'y' }] },
    tasks: { build: taskSpec },
  }));
  assert.equal(cond(d)[1], 'Running');
  assert.deepEqual(d.create[0].spec.taskRef, { name: 'build', kind: 'Task' });
});
