// beforeStep on a Pod: what is decided up front, the context a waiting step prints, kiln's answer.
// (The wrapper applying answers runs for real in wrapper.test.ts; the whole round trip in
// test/kube/executor-suite-podman.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionPlan, PlanContainer, StepContext } from '../executor.ts';
import { answerText, contextSplitter, decideUpFront, MAX_ANSWER } from './beforestep.ts';

const step = (name: string, more: Partial<PlanContainer> = {}): PlanContainer => ({ name, containerName: `step-${name}`, image: 'x', env: [], mounts: [], command: ['true'], ...more });
const plan = (more: Partial<ExecutionPlan> = {}): ExecutionPlan => ({ id: 'n/t/0', namespace: 'n', taskRunName: 't', steps: [step('a'), step('b'), step('c')], sidecars: [], volumes: [], results: [], ...more });

test('step 0 and the steps that read no context are decided up front, with an empty context; the rest wait', () => {
  const calls: Array<[number, StepContext]> = [];
  const p = plan({
    beforeStepReads: ['c'],
    beforeStep(i, s, ctx) {
      calls.push([i, ctx]);
      return i === 1 ? { skip: 'when expressions were evaluated to false' } : { step: { ...s, args: ['now'] } };
    },
  });
  const up = decideUpFront(p);
  assert.deepEqual(calls, [[0, { stepResults: {}, stepArtifacts: {} }], [1, { stepResults: {}, stepArtifacts: {} }]]);
  assert.deepEqual([...up.skipped], [[1, 'when expressions were evaluated to false']]);
  assert.deepEqual(up.gated, [2]);
  assert.deepEqual(up.steps[0].args, ['now']);
  assert.equal(up.steps[2].args, undefined);
  assert.deepEqual(decideUpFront(plan({ beforeStep: (_i, s) => ({ step: s }) })).gated, [1, 2], 'without beforeStepReads any step may read it');
  assert.deepEqual(decideUpFront(plan()).gated, []);
});

test("the context ends at its marker at a line's start; what follows is the step's own output", () => {
  const got: string[] = [];
  const split = contextSplitter((t) => got.push(t));
  assert.equal(split(Buffer.from('kiln-context-result step-a/r dg==\nkiln-con')), undefined);
  assert.equal(Buffer.from(split(Buffer.from('text-end\nhello\n'))!).toString(), 'hello\n');
  assert.equal(Buffer.from(split(Buffer.from('kiln-context-end\n'))!).toString(), 'kiln-context-end\n', 'once past the context, everything is output');
  assert.deepEqual(got, ['kiln-context-result step-a/r dg==\n']);
});

test('the answer: skip; argv, changed and removed env, a rewritten script; what a Pod fixes is refused; too large is refused', () => {
  const argv = (c: PlanContainer, p?: string) => (c.script !== undefined ? [p ?? 'orig', ...(c.args ?? [])] : [...c.command!, ...(c.args ?? [])]);
  const dec = (t: string) => t.trim().split('\n').map((l) => (l[1] === ' ' ? `${l[0]} ${Buffer.from(l.slice(2), 'base64').toString()}` : l));
  assert.equal(answerText(step('a'), { skip: 'no' }, argv), 'skip\n');
  const o = step('a', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], script: 'echo $(x)' });
  assert.deepEqual(dec(answerText(o, { step: { ...o, script: 'echo y', args: ['1 2'], env: [{ name: 'A', value: '1' }, { name: 'C', value: '$(z)' }] } }, argv)), [
    'run', 's #!/bin/sh\nset -e\necho y', 'a /tekton/steps/step-a/script', 'a 1 2', 'e C=$(z)', 'u B',
  ]);
  assert.deepEqual(dec(answerText(o, { step: o }, argv)), ['run', 'a orig']);
  assert.deepEqual(dec(answerText(o, { step: { ...o, workingDir: '/w' } }, argv)), ["x kiln: the step's workingDir cannot change once its Pod exists"]);
  assert.deepEqual(dec(answerText(o, { step: { ...o, env: [{ name: 'a b', value: '' }] } }, argv)), ['x kiln: env "a b" is not a name a shell can set']);
  assert.match(dec(answerText(o, { step: { ...o, args: ['x'.repeat(MAX_ANSWER)] } }, argv))[0], /^x kiln: .* exceed 200 KiB$/);
});
