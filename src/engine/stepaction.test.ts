import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StepAction, StepActionSpec, TaskSpec } from '../api/task.types.ts';
import { inlineStepActions } from './stepaction.ts';
import { paramReplacements } from './substitute.ts';

const action = (name: string, spec: StepActionSpec): StepAction => ({ apiVersion: 'tekton.dev/v1beta1', kind: 'StepAction', metadata: { name }, spec });
const lookupOf = (...actions: StepAction[]) => (n: string) => actions.find((a) => a.metadata.name === n);

test('stepaction-passing-results.yaml: params forwarding step results', () => {
  const sa = action('step-action', {
    params: [
      { name: 'param1', type: 'array' },
      { name: 'param2', type: 'string' },
      { name: 'param3', type: 'object', properties: { IMAGE_URL: {}, IMAGE_DIGEST: {} } },
    ],
    image: 'bash',
    env: [{ name: 'STRINGPARAM', value: '$(params.param2)' }],
    args: ['$(params.param1[*])', '$(params.param1[0])', '$(params.param3.IMAGE_URL)', '$(params.param3.IMAGE_DIGEST)'],
    script: 'echo $1',
  });
  const spec: TaskSpec = {
    steps: [
      { name: 'inline-step', image: 'alpine', results: [{ name: 'result1', type: 'array' }], script: 'echo > $(step.results.result1.path)' },
      {
        name: 'action-runner',
        ref: { name: 'step-action' },
        params: [
          { name: 'param1', value: '$(steps.inline-step.results.result1[*])' },
          { name: 'param2', value: '$(steps.inline-step.results.result2)' },
          { name: 'param3', value: '$(steps.inline-step.results.result3[*])' },
        ],
      },
    ],
  };
  const got = inlineStepActions(spec, lookupOf(sa));
  assert.deepEqual(got.errors, []);
  assert.equal(got.spec.steps[0], spec.steps[0], 'steps without ref are untouched');
  assert.deepEqual(got.spec.steps[1], {
    name: 'action-runner',
    image: 'bash',
    env: [{ name: 'STRINGPARAM', value: '$(steps.inline-step.results.result2)' }],
    args: [
      '$(steps.inline-step.results.result1[*])',
      '$(steps.inline-step.results.result1[0])',
      '$(steps.inline-step.results.result3.IMAGE_URL)',
      '$(steps.inline-step.results.result3.IMAGE_DIGEST)',
    ],
    script: 'echo $1',
  });
});

test('the step keeps its own fields; StepAction results and step.results paths', () => {
  const sa = action('writer', {
    image: 'alpine',
    results: [{ name: 'out' }],
    script: 'echo -n hi > $(step.results.out.path); echo $(params.who) $(step.artifacts.path)',
    params: [{ name: 'who', default: 'world' }],
    workingDir: '/w',
    volumeMounts: [{ name: 'v', mountPath: '/v' }],
  });
  const spec: TaskSpec = {
    steps: [{
      name: 'w', ref: { name: 'writer' }, onError: 'continue', timeout: '1m', when: [{ input: 'a', operator: 'in', values: ['a'] }],
      workspaces: [{ name: 'ws' }], stdoutConfig: { path: '/o' }, computeResources: { limits: {} },
    }],
  };
  const got = inlineStepActions(spec, lookupOf(sa));
  assert.deepEqual(got.errors, []);
  assert.deepEqual(got.spec.steps[0], {
    name: 'w', onError: 'continue', timeout: '1m', when: [{ input: 'a', operator: 'in', values: ['a'] }],
    workspaces: [{ name: 'ws' }], stdoutConfig: { path: '/o' }, computeResources: { limits: {} },
    image: 'alpine', results: [{ name: 'out' }], workingDir: '/w', volumeMounts: [{ name: 'v', mountPath: '/v' }],
    script: 'echo -n hi > /tekton/steps/step-w/results/out; echo world /tekton/steps/step-w/artifacts/provenance.json',
  });
});

test('StepAction params: precedence and defaults referencing other params', () => {
  const sa = action('p', {
    image: 'i',
    params: [
      { name: 'a', default: 'A' },
      { name: 'b', default: '$(params.a)-B' },
      { name: 'c', default: '$(params.b)-C' },
      { name: 'given' },
    ],
    args: ['$(params.a)', '$(params.b)', '$(params.c)', '$(params.given)', '$(params.task)'],
  });
  const spec: TaskSpec = { steps: [{ name: 's', ref: { name: 'p' }, params: [{ name: 'a', value: 'x$(params.task)' }, { name: 'given', value: 'g' }] }] };
  const taskParams = paramReplacements([['task', 'T']]);
  const got = inlineStepActions(spec, lookupOf(sa), taskParams);
  assert.deepEqual(got.errors, []);
  assert.deepEqual(got.spec.steps[0].args, ['xT', 'xT-B', 'xT-B-C', 'g', '$(params.task)'],
    "the Task's params reach the StepAction only through the step's params");
});

test('inlineStepActions errors', () => {
  const sa = action('needs', { image: 'i', params: [{ name: 'req' }, { name: 'arr', type: 'array' }] });
  const cases: Array<{ name: string; spec: TaskSpec; want: string[] }> = [
    {
      name: 'resolver',
      spec: { steps: [{ name: 's', ref: { resolver: 'git', params: [] } }] },
      want: ['TaskRunResolutionFailed: step "s": StepAction from resolver "git" cannot be resolved: remote resolution is not supported locally'],
    },
    { name: 'not found', spec: { steps: [{ ref: { name: 'ghost' } }] }, want: ['TaskRunResolutionFailed: step "unnamed-0": StepAction "ghost" not found'] },
    {
      name: 'missing and mistyped params',
      spec: { steps: [{ name: 's', ref: { name: 'needs' }, params: [{ name: 'arr', value: 'plain' }] }] },
      want: [
        'ParameterTypeMismatch: step "s": StepAction "needs": parameter "arr": expected type "array", got "string"',
        'ParameterMissing: step "s": StepAction "needs": missing parameter(s): req',
      ],
    },
  ];
  for (const c of cases) {
    const got = inlineStepActions(c.spec, lookupOf(sa));
    assert.deepEqual(got.errors.map((e) => `${e.reason}: ${e.message}`), c.want, c.name);
  }
});
