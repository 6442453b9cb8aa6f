import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StepAction, TaskSpec } from '../api/task.types.ts';
import type { Param } from '../api/param.types.ts';
import type { WorkspaceBinding } from '../api/workspace.types.ts';
import { applyTaskRun, buildReplacements, type ApplyContext } from './taskrun.apply.ts';

const ctx: ApplyContext = { taskRunName: 'tr-1', namespace: 'ns', uid: 'u-1', taskName: 'task', retryCount: 2, inline: true };

function run(spec: TaskSpec, params: Param[] = [], workspaces: WorkspaceBinding[] = [], c: Partial<ApplyContext> = {}) {
  return applyTaskRun(spec, { params, workspaces }, { ...ctx, ...c });
}

test('steptemplate-variable-interop.yaml: a step inherits stepTemplate.image: $(params.image)', () => {
  const got = run({ params: [{ name: 'image' }], stepTemplate: { image: '$(params.image)' }, steps: [{ name: 'foo', script: 'echo hello from $(params.image)\n' }] }, [{ name: 'image', value: 'ubuntu' }]);
  assert.deepEqual(got.errors, []);
  assert.equal(got.spec.steps[0].image, 'ubuntu');
  assert.equal(got.spec.steps[0].script, 'echo hello from ubuntu\n');
  assert.deepEqual(got.spec.stepTemplate, { image: 'ubuntu' });
});

test('steptemplate-env-merge.yaml', () => {
  const got = run({
    stepTemplate: { env: [{ name: 'QUX', value: 'original' }] },
    params: [{ name: 'FOO' }, { name: 'FOOBAR', default: 'foobar' }],
    steps: [
      { name: 'foo', image: 'i', env: [{ name: 'FOO', value: '$(params.FOO)' }] },
      { name: 'foobar', image: 'i', env: [{ name: 'FOOBAR', value: '$(params.FOOBAR)' }] },
      { name: 'qux-override', image: 'i', env: [{ name: 'QUX', value: 'override' }] },
    ],
  }, [{ name: 'FOO', value: 'foo' }]);
  assert.deepEqual(got.spec.steps.map((s) => s.env), [
    [{ name: 'QUX', value: 'original' }, { name: 'FOO', value: 'foo' }],
    [{ name: 'QUX', value: 'original' }, { name: 'FOOBAR', value: 'foobar' }],
    [{ name: 'QUX', value: 'override' }],
  ]);
});

test('object-param-result.yaml: partial object + default keys, args', () => {
  const got = run({
    params: [{ name: 'gitrepo', type: 'object', properties: { url: {}, commit: {} }, default: { url: 'github.example.com' } }],
    results: [{ name: 'object-results', type: 'object', properties: { IMAGE_URL: {}, IMAGE_DIGEST: {} } }],
    steps: [
      { name: 'validate', image: 'bash', args: ['$(params.gitrepo.url)', '$(params.gitrepo.commit)'] },
      { name: 'write', image: 'bash', script: 'echo -n x > $(results.object-results.path)' },
    ],
  }, [{ name: 'gitrepo', value: { commit: 'sha123' } }]);
  assert.deepEqual(got.spec.steps[0].args, ['github.example.com', 'sha123']);
  assert.equal(got.spec.steps[1].script, 'echo -n x > /tekton/results/object-results');
});

test('variables of a Task', () => {
  const spec: TaskSpec = {
    params: [{ name: 'arr', type: 'array', default: ['a', 'b'] }, { name: 'dotted.name', default: 'dv' }],
    results: [{ name: 'r' }],
    workspaces: [{ name: 'src' }, { name: 'custom', mountPath: '/custom' }, { name: 'opt', optional: true }, { name: 'pvc' }],
    steps: [
      { name: 'one', image: 'i', results: [{ name: 'sr' }], args: ['$(params.arr[*])', '$(params.arr)', 'x-$(params.arr[1])'] },
      { image: 'i', workspaces: [{ name: 'src', mountPath: '/elsewhere' }] },
    ],
    sidecars: [{ name: 'side', image: 'i', script: '$(workspaces.src.path) $(workspaces.custom.path)' }],
  };
  const lines = [
    '$(results.r.path) $(results["r"].path) $(results[\'r\'].path)',
    '$(step.results.sr.path) $(step.results["sr"].path)',
    '$(steps.step-one.exitCode.path) $(steps.step-unnamed-1.exitCode.path)',
    '$(workspaces.src.path) $(workspaces.custom.path) $(workspaces.opt.path)| $(workspaces.opt.bound) $(workspaces.src.bound)',
    '$(workspaces.pvc.claim)| $(workspaces.src.claim)| $(workspaces.src.volume)',
    '$(context.taskRun.name) $(context.taskRun.namespace) $(context.taskRun.uid) $(context.task.name) $(context.task.retry-count)',
    '$(credentials.path) $(artifacts.path) $(step.artifacts.path)',
    "$(params['dotted.name']) $(inputs.params.arr[0]) $(params.arr[*])",
    '$(context.task2.status) $(workspaces.nope.path) $(params.nope)',
    '$(propagated)',
  ];
  spec.steps[0].script = lines.join('\n');
  spec.steps[1].script = '$(step.results.sr.path) $(step.artifacts.path) $(workspaces.src.path)';
  const bindings: WorkspaceBinding[] = [
    { name: 'src', emptyDir: {} }, { name: 'custom', emptyDir: {} }, { name: 'pvc', persistentVolumeClaim: { claimName: 'claim-1' } }, { name: 'extra', emptyDir: {} },
  ];
  const got = run(spec, [], bindings);
  assert.deepEqual(got.errors, []);
  assert.deepEqual(got.spec.steps[0].script!.split('\n'), [
    '/tekton/results/r /tekton/results/r /tekton/results/r',
    '/tekton/steps/step-one/results/sr /tekton/steps/step-one/results/sr',
    '/tekton/steps/step-one/exitCode /tekton/steps/step-unnamed-1/exitCode',
    '/workspace/src /custom | false true',
    'claim-1| | ws-src',
    'tr-1 ns u-1 task 2',
    '/tekton/creds /tekton/artifacts/provenance.json /tekton/steps/step-one/artifacts/provenance.json',
    'dv a $(params.arr[*])',
    '$(context.task2.status) $(workspaces.nope.path) $(params.nope)',
    '$(propagated)',
  ]);
  assert.deepEqual(got.spec.steps[0].args, ['a', 'b', 'a', 'b', 'x-b']);
  assert.equal(got.spec.steps[1].script, '$(step.results.sr.path) /tekton/steps/step-unnamed-1/artifacts/provenance.json /elsewhere',
    'step.results paths belong to the step that declares them; step workspace mountPath overrides');
  assert.equal(got.spec.sidecars?.[0].script, '/workspace/src /custom');
  assert.equal(got.spec.steps[1].name, undefined, 'unnamed steps are not renamed');
});

test('context.task.retry-count only for inline specs', () => {
  const spec: TaskSpec = { steps: [{ image: 'i', script: '$(context.task.retry-count)' }] };
  assert.equal(run(spec, [], [], { inline: true, retryCount: 1 }).spec.steps[0].script, '1');
  assert.equal(run(spec, [], [], { inline: false, retryCount: 1 }).spec.steps[0].script, '$(context.task.retry-count)');
});

test('param values are substituted before the other variables (Tekton stage order)', () => {
  const spec: TaskSpec = { params: [{ name: 'dir', default: '$(workspaces.src.path)/sub' }], workspaces: [{ name: 'src' }], steps: [{ image: 'i', workingDir: '$(params.dir)' }] };
  assert.equal(run(spec, [], [{ name: 'src', emptyDir: {} }]).spec.steps[0].workingDir, '/workspace/src/sub');
});

test('propagated params are visible in inline specs only', () => {
  const spec: TaskSpec = { steps: [{ image: 'i', script: 'echo $(params.msg)' }] };
  assert.equal(run(spec, [{ name: 'msg', value: 'hi' }]).spec.steps[0].script, 'echo hi');
  assert.equal(run(spec, [{ name: 'msg', value: 'hi' }], [], { inline: false }).spec.steps[0].script, 'echo $(params.msg)');
});

test('param errors are returned with reasons', () => {
  const got = run({ params: [{ name: 'a' }], steps: [{ image: 'i' }] });
  assert.deepEqual(got.errors, [{ reason: 'ParameterMissing', message: 'missing parameter(s): a' }]);
});

test('workspace bindings get params substituted', () => {
  const got = run({ params: [{ name: 'c', default: 'claim' }], steps: [{ image: 'i' }] }, [], [{ name: 'w', subPath: 'd/$(params.c)', persistentVolumeClaim: { claimName: '$(params.c)-1' } }]);
  assert.deepEqual(got.workspaces, [{ name: 'w', subPath: 'd/claim', persistentVolumeClaim: { claimName: 'claim-1' } }]);
});

test('buildReplacements: optional unbound workspace', () => {
  const r = buildReplacements({ params: new Map(), workspaces: [{ name: 'o', optional: true }] });
  assert.equal(r.common.get('workspaces.o.bound'), 'false');
  assert.equal(r.common.get('workspaces.o.path'), '');
  assert.equal(r.common.get('workspaces.o.claim'), undefined);
});

const stepActionParams: StepAction = {
  apiVersion: 'tekton.dev/v1beta1', kind: 'StepAction', metadata: { name: 'step-action' },
  spec: {
    params: [
      { name: 'string-param', default: 'a string param' },
      { name: 'array-param', type: 'array', default: ['an', 'array', 'param'] },
      { name: 'object-param', type: 'object', properties: { key1: {}, key2: {}, key3: {} }, default: { key1: 'step-action default key1', key2: 'step-action default key2', key3: 'step-action default key3' } },
      { name: 'enum-param', type: 'object', properties: { v1: {}, v2: {}, v3: {} }, default: { v1: 'enum1', v2: 'enum2', v3: 'enum3' } },
    ],
    image: 'ubuntu',
    env: [
      { name: 'arrayparam0', value: '$(params.array-param[0])' },
      { name: 'arrayparam2', value: '$(params.array-param[2])' },
      { name: 'stringparam', value: '$(params.string-param)' },
      { name: 'objectparamkey1', value: '$(params.object-param.key1)' },
      { name: 'objectparamkey2', value: '$(params.object-param.key2)' },
      { name: 'objectparamkey3', value: '$(params.object-param.key3)' },
      { name: 'enumparamkey1', value: '$(params.enum-param.v1)' },
    ],
    args: ['$(params.array-param[*])'],
    script: '#!/bin/bash\necho',
  },
};

test('stepaction-params.yaml through applyTaskRun (ctx.stepActions)', () => {
  const spec: TaskSpec = {
    params: [{ name: 'objectparam', properties: { key1: {}, key2: {} }, default: { key1: 'taskspec default key1', key2: 'taskspec default key2' } }],
    stepTemplate: { env: [{ name: 'FROM_TEMPLATE', value: 't' }] },
    steps: [{
      name: 'action-runner',
      ref: { name: 'step-action' },
      params: [
        { name: 'string-param', value: '$(params.stringparam)' },
        { name: 'array-param', value: '$(params.arrayparam[*])' },
        { name: 'object-param', value: '$(params.objectparam[*])' },
        { name: 'enum-param', value: '$(params.enumparam[*])' },
      ],
    }],
  };
  const got = run(spec, [
    { name: 'stringparam', value: 'taskrun stringparam' },
    { name: 'arrayparam', value: ['taskrun', 'array', 'param'] },
    { name: 'objectparam', value: { key2: 'taskrun key2' } },
    { name: 'enumparam', value: 'enum1' },
  ], [], { stepActions: (n) => (n === 'step-action' ? stepActionParams : undefined) });
  assert.deepEqual(got.errors, []);
  const s = got.spec.steps[0];
  assert.equal(s.name, 'action-runner');
  assert.equal(s.ref, undefined);
  assert.equal(s.params, undefined);
  assert.equal(s.image, 'ubuntu');
  assert.deepEqual(s.args, ['taskrun', 'array', 'param']);
  assert.deepEqual(s.env, [
    { name: 'FROM_TEMPLATE', value: 't' },
    { name: 'arrayparam0', value: 'taskrun' },
    { name: 'arrayparam2', value: 'param' },
    { name: 'stringparam', value: 'taskrun stringparam' },
    { name: 'objectparamkey1', value: 'taskspec default key1' },
    { name: 'objectparamkey2', value: 'taskrun key2' },
    { name: 'objectparamkey3', value: 'step-action default key3' },
    { name: 'enumparamkey1', value: 'enum1' },
  ]);
});
