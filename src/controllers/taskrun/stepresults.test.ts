import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../../api/container.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { PlanContainer, StepContext } from '../../executor/executor.ts';
import { makeBeforeStep } from './stepresults.ts';

function container(name: string, extra: Partial<PlanContainer> = {}): PlanContainer {
  return { name, containerName: `step-${name}`, image: 'busybox', env: [], mounts: [], ...extra };
}

const producer: Step = { name: 'produce', image: 'busybox', results: [{ name: 'digest' }, { name: 'tags', type: 'array' }, { name: 'meta', type: 'object', properties: { ref: {} } }] };

const ctx: StepContext = {
  stepResults: { produce: { digest: 'sha256:abc', tags: '["v1","latest"]', meta: '{"ref":"main"}' } },
};

describe('makeBeforeStep: step results', () => {
  const spec: TaskSpec = { steps: [producer, { name: 'consume', image: 'busybox' }] };
  const beforeStep = makeBeforeStep(spec);

  const cases: Array<{ name: string; step: Partial<PlanContainer>; want: Partial<PlanContainer> }> = [
    {
      name: 'env values',
      step: { env: [{ name: 'D', value: 'digest=$(steps.produce.results.digest)' }, { name: 'R', value: '$(steps.produce.results.meta.ref)' }, { name: 'T', value: '$(steps.produce.results.tags[1])' }] },
      want: { env: [{ name: 'D', value: 'digest=sha256:abc' }, { name: 'R', value: 'main' }, { name: 'T', value: 'latest' }] },
    },
    {
      name: 'command and args',
      step: { command: ['echo', '$(steps.produce.results.digest)'], args: ['--ref=$(steps.produce.results.meta.ref)'] },
      want: { command: ['echo', 'sha256:abc'], args: ['--ref=main'] },
    },
    {
      name: 'an array result [*] expands into args',
      step: { args: ['push', '$(steps.produce.results.tags[*])', '--done'] },
      want: { args: ['push', 'v1', 'latest', '--done'] },
    },
    {
      name: 'scripts are not touched by step results',
      step: { script: 'echo $(steps.produce.results.digest)' },
      want: { script: 'echo $(steps.produce.results.digest)' },
    },
    {
      name: 'results of steps that have not run stay as they are',
      step: { args: ['$(steps.later.results.x)'] },
      want: { args: ['$(steps.later.results.x)'] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = beforeStep(1, container('consume', c.step), ctx);
      assert.deepEqual(got, { step: container('consume', { ...c.step, ...c.want }) });
    });
  }
});

describe('makeBeforeStep: step when', () => {
  const cases: Array<{ name: string; when: Step['when']; run: boolean }> = [
    { name: 'in matches', when: [{ input: '$(steps.produce.results.digest)', operator: 'in', values: ['sha256:abc'] }], run: true },
    { name: 'in does not match', when: [{ input: '$(steps.produce.results.digest)', operator: 'in', values: ['sha256:other'] }], run: false },
    { name: 'notin matches', when: [{ input: '$(steps.produce.results.digest)', operator: 'notin', values: ['sha256:abc'] }], run: false },
    { name: 'notin does not match', when: [{ input: '$(steps.produce.results.digest)', operator: 'notin', values: ['sha256:other'] }], run: true },
    { name: 'values from an array result', when: [{ input: 'latest', operator: 'in', values: ['$(steps.produce.results.tags[*])'] }], run: true },
    {
      name: 'every expression must hold',
      when: [
        { input: '$(steps.produce.results.digest)', operator: 'in', values: ['sha256:abc'] },
        { input: '$(steps.produce.results.meta.ref)', operator: 'notin', values: ['main'] },
      ],
      run: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const beforeStep = makeBeforeStep({ steps: [producer, { name: 'maybe', image: 'busybox', when: c.when }] });
      const step = container('maybe', { args: ['$(steps.produce.results.digest)'] });
      const got = beforeStep(1, step, ctx);
      assert.deepEqual(got, c.run ? { step: { ...step, args: ['sha256:abc'] } } : { skip: 'when expressions evaluated to false' });
    });
  }

  test('an unsupported operator skips the step with the reason', () => {
    const beforeStep = makeBeforeStep({ steps: [producer, { name: 'maybe', image: 'busybox', when: [{ input: 'a', operator: 'exists', values: [] }] }] });
    assert.deepEqual(beforeStep(1, container('maybe'), ctx), { skip: 'when[0]: operator "exists" is not supported (use "in" or "notin")' });
  });

  test('unnamed steps are looked up by their status name', () => {
    const beforeStep = makeBeforeStep({ steps: [{ image: 'busybox', results: [{ name: 'r' }] }, { image: 'busybox', when: [{ input: '$(steps.unnamed-0.results.r)', operator: 'in', values: ['yes'] }] }] });
    assert.deepEqual(beforeStep(1, container('unnamed-1'), { stepResults: { 'unnamed-0': { r: 'yes' } } }), { step: container('unnamed-1') });
    assert.deepEqual(beforeStep(1, container('unnamed-1'), { stepResults: { 'unnamed-0': { r: 'no' } } }), { skip: 'when expressions evaluated to false' });
  });
});

describe('makeBeforeStep: artifacts', () => {
  const beforeStep = makeBeforeStep({ steps: [{ name: 's', image: 'busybox' }, { name: 'use', image: 'busybox' }] });
  const artifacts = JSON.stringify({
    inputs: [{ name: 'source', values: [{ uri: 'git+https://example.com/r.git', digest: { sha1: 'f00' } }] }],
    outputs: [{ name: 'a', values: ['img@sha256:1'] }],
  });

  test('$(steps.s.outputs.a) and inputs are substituted in script, command, args and env', () => {
    const step = container('use', {
      script: 'echo \'$(steps.s.outputs.a)\' > out.json',
      command: ['cat', '$(steps.s.inputs.source)'],
      args: ['$(steps.s.outputs.a)'],
      env: [{ name: 'A', value: '$(steps.s.outputs.a)' }],
    });
    const got = beforeStep(1, step, { stepResults: {}, stepArtifacts: { s: artifacts } });
    assert.deepEqual(got, {
      step: {
        ...step,
        script: 'echo \'["img@sha256:1"]\' > out.json',
        command: ['cat', '[{"uri":"git+https://example.com/r.git","digest":{"sha1":"f00"}}]'],
        args: ['["img@sha256:1"]'],
        env: [{ name: 'A', value: '["img@sha256:1"]' }],
      },
    });
  });

  test('without artifacts the step is only rewritten for step results', () => {
    const step = container('use', { script: 'echo $(steps.s.outputs.a)' });
    assert.deepEqual(beforeStep(1, step, { stepResults: {} }), { step });
  });
});
