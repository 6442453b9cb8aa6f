import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import { cond, fail, makeInput, ok, simulate, type Behaviour } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const inline = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, taskSpec: { steps: [step] }, ...extra });
const byTask = (m: Record<string, ReturnType<Behaviour>>): Behaviour => (tr) => m[tr.pipelineTask] ?? ok();
const paramsOf = (sim: ReturnType<typeof simulate>, task: string) => Object.fromEntries((sim.created.find((c) => c.pipelineTask === task)?.spec.params ?? []).map((p) => [p.name, p.value]));

const produced = byTask({
  p: ok({ s: 'str', arr: ['a', 'b', 'c'], obj: { url: 'u', digest: 'd' }, 'dotted.name': 'dv' }),
});

test('result references in params: strings, indexes, whole arrays and objects, keys, bracket forms, concatenation', () => {
  const spec: PipelineSpec = {
    tasks: [
      inline('p'),
      inline('c', {
        params: [
          { name: 's', value: '$(tasks.p.results.s)' },
          { name: 'i', value: '$(tasks.p.results.arr[1])' },
          { name: 'all', value: '$(tasks.p.results.arr[*])' },
          { name: 'all-plain', value: '$(tasks.p.results.arr)' },
          { name: 'expanded', value: ['x', '$(tasks.p.results.arr[*])'] },
          { name: 'whole', value: '$(tasks.p.results.obj[*])' },
          { name: 'key', value: '$(tasks.p.results.obj.url)' },
          { name: 'bracket', value: "$(tasks.p.results['dotted.name'])" },
          { name: 'concat', value: '$(tasks.p.results.s)-$(tasks.p.results.arr[0])' },
        ],
      }),
    ],
  };
  const sim = simulate(makeInput({ spec }), produced);
  assert.deepEqual(paramsOf(sim, 'c'), {
    s: 'str', i: 'b', all: ['a', 'b', 'c'], 'all-plain': ['a', 'b', 'c'], expanded: ['x', 'a', 'b', 'c'],
    whole: { url: 'u', digest: 'd' }, key: 'u', bracket: 'dv', concat: 'str-a',
  });
});

test('results propagate into an inline taskSpec (successful tasks only)', () => {
  const spec: PipelineSpec = {
    tasks: [inline('p'), { name: 'c', runAfter: ['p'], taskSpec: { steps: [{ name: 's', image: 'i', script: 'echo $(tasks.p.results.s) $(tasks.p.results.obj.url) $(tasks.p.results.arr[2])', args: ['$(tasks.p.results.arr[*])'] }] } }],
  };
  const sim = simulate(makeInput({ spec }), produced);
  const c = sim.created.find((x) => x.pipelineTask === 'c')!;
  assert.equal(c.spec.taskSpec?.steps[0].script, 'echo str u c');
  assert.deepEqual(c.spec.taskSpec?.steps[0].args, ['a', 'b', 'c']);
});

test('pipeline results: strings, concatenations, arrays, objects; left out when the task did not succeed', () => {
  const spec: PipelineSpec = {
    tasks: [inline('p'), inline('skipped', { when: [{ input: 'a', operator: 'in', values: ['b'] }] })],
    finally: [inline('f')],
    results: [
      { name: 'one', value: '$(tasks.p.results.s)' },
      { name: 'both', value: '$(tasks.p.results.s)-$(tasks.p.results.arr[2])' },
      { name: 'arr', type: 'array', value: '$(tasks.p.results.arr[*])' },
      { name: 'picked', type: 'array', value: ['$(tasks.p.results.arr[0])', '$(tasks.p.results.obj.digest)'] },
      { name: 'obj', type: 'object', value: '$(tasks.p.results.obj[*])' },
      { name: 'from-finally', value: '$(finally.f.results.out)' },
      { name: 'from-skipped', value: '$(tasks.skipped.results.s)' },
    ],
  };
  const sim = simulate(makeInput({ spec }), (tr) => (tr.pipelineTask === 'f' ? ok({ out: 'fin' }) : produced(tr)));
  assert.deepEqual(sim.final.status.results, [
    { name: 'one', value: 'str' },
    { name: 'both', value: 'str-c' },
    { name: 'arr', value: ['a', 'b', 'c'] },
    { name: 'picked', value: ['a', 'd'] },
    { name: 'obj', value: { url: 'u', digest: 'd' } },
    { name: 'from-finally', value: 'fin' },
  ]);
  assert.deepEqual(cond(sim.final), ['True', 'Completed', 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 1']);
});

test('a pipeline result a successful task never wrote fails the run (CouldntGetPipelineResult)', () => {
  const spec: PipelineSpec = { tasks: [inline('p')], results: [{ name: 'r', value: '$(tasks.p.results.nope)' }] };
  const sim = simulate(makeInput({ spec }), produced);
  assert.deepEqual(cond(sim.final), ['False', 'CouldntGetPipelineResult', "[User error] Failed to get PipelineResult from TaskRun Results for PipelineRun pr: invalid pipelineresults [r], the referenced results don't exist"]);
});

test('a pipeline result of a failed task is left out', () => {
  const spec: PipelineSpec = { tasks: [inline('p')], results: [{ name: 'r', value: '$(tasks.p.results.s)' }] };
  const sim = simulate(makeInput({ spec }), byTask({ p: fail() }));
  assert.equal(sim.final.status.results, undefined);
  assert.equal(cond(sim.final)[1], 'Failed');
});

test('a child that could not run here (Unsupported) makes the run Unsupported with its message', () => {
  const spec: PipelineSpec = { tasks: [inline('net', { onError: 'continue' }), inline('after', { runAfter: ['net'] })], finally: [inline('f')] };
  const sim = simulate(makeInput({ spec }), byTask({ net: fail('Unsupported', 'step "clone" needs the network (git clone https://github.com/x/y)') }));
  assert.deepEqual(cond(sim.final), ['False', 'Unsupported', 'step "clone" needs the network (git clone https://github.com/x/y)']);
  assert.deepEqual(sim.steps.flatMap((s) => s.ignoreFailures ?? []), [], 'an Unsupported failure is never ignored');
  assert.deepEqual(sim.final.status.skippedTasks, [{ name: 'after', reason: 'PipelineRun was stopping' }]);
});
