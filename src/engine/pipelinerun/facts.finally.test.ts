import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import { decide } from './facts.ts';
import { at, child, cond, fail, makeInput, next, ok, running, simulate, type Behaviour } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const inline = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, taskSpec: { steps: [step], results: [{ name: 'r' }] }, ...extra });
const byTask = (m: Record<string, ReturnType<Behaviour>>): Behaviour => (tr) => m[tr.pipelineTask] ?? ok({ r: 'v' });
const paramsOf = (sim: ReturnType<typeof simulate>, task: string) => Object.fromEntries((sim.created.find((c) => c.pipelineTask === task)?.spec.params ?? []).map((p) => [p.name, p.value]));

const statusParams = [
  { name: 'all', value: '$(tasks.status)' },
  { name: 'a', value: '$(tasks.a.status)' },
  { name: 'a-reason', value: '$(tasks.a.reason)' },
  { name: 'b', value: '$(tasks.b.status)' },
];

test('finally runs after a failure, sees the task states, and the run fails', () => {
  const spec: PipelineSpec = { tasks: [inline('a'), inline('b', { runAfter: ['a'] })], finally: [inline('report', { params: statusParams })] };
  const sim = simulate(makeInput({ spec }), byTask({ a: fail('Failed', 'boom') }));
  assert.deepEqual(sim.created.map((c) => c.pipelineTask), ['a', 'report']);
  assert.deepEqual(paramsOf(sim, 'report'), { all: 'Failed', a: 'Failed', 'a-reason': 'Failed', b: 'None' });
  assert.equal(sim.created[1].labels['tekton.dev/memberOf'], 'finally');
  assert.equal(sim.final.status.finallyStartTime, at(1).nowIso);
  assert.deepEqual(cond(sim.final), ['False', 'Failed', 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 1']);
});

test('finally sees Succeeded, and Completed when a task was skipped', () => {
  const ok2: PipelineSpec = { tasks: [inline('a'), inline('b')], finally: [inline('report', { params: statusParams })] };
  assert.deepEqual(paramsOf(simulate(makeInput({ spec: ok2 })), 'report'), { all: 'Succeeded', a: 'Succeeded', 'a-reason': 'Succeeded', b: 'Succeeded' });
  const skip: PipelineSpec = { tasks: [inline('a'), inline('b', { when: [{ input: 'x', operator: 'in', values: ['y'] }] })], finally: [inline('report', { params: statusParams })] };
  assert.deepEqual(paramsOf(simulate(makeInput({ spec: skip })), 'report'), { all: 'Completed', a: 'Succeeded', 'a-reason': 'Succeeded', b: 'None' });
});

test('finally does not start before every task is done', () => {
  const spec: PipelineSpec = { tasks: [inline('a'), inline('b')], finally: [inline('f')] };
  const input = makeInput({ spec });
  const d0 = decide(input);
  const d1 = decide(next(input, [child(d0.create[0], ok()), child(d0.create[1], running())], 1, d0));
  assert.deepEqual(d1.create, []);
  assert.equal(d1.status.finallyStartTime, undefined);
  const d2 = decide(next(input, [child(d0.create[0], ok()), child(d0.create[1], ok())], 2, d1));
  assert.deepEqual(d2.create.map((c) => c.name), ['pr-f']);
  assert.equal(d2.status.finallyStartTime, at(2).nowIso);
  assert.deepEqual(cond(d2), ['Unknown', 'Running', 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1']);
});

test('a finally task consuming a missing result is skipped; one whose when is false is skipped with its expressions', () => {
  const spec: PipelineSpec = {
    tasks: [inline('a'), inline('b', { when: [{ input: 'x', operator: 'in', values: ['y'] }] })],
    finally: [
      inline('uses-a', { params: [{ name: 'p', value: '$(tasks.a.results.r)' }] }),
      inline('uses-b', { params: [{ name: 'p', value: '$(tasks.b.results.r)' }] }),
      inline('only-on-failure', { when: [{ input: '$(tasks.status)', operator: 'in', values: ['Failed'] }] }),
    ],
  };
  const sim = simulate(makeInput({ spec }), byTask({ a: ok({ r: 'A' }) }));
  assert.deepEqual(paramsOf(sim, 'uses-a'), { p: 'A' });
  assert.deepEqual(sim.final.status.skippedTasks, [
    { name: 'b', reason: 'When Expressions evaluated to false', whenExpressions: [{ input: 'x', operator: 'in', values: ['y'] }] },
    { name: 'uses-b', reason: 'Results were missing' },
    { name: 'only-on-failure', reason: 'When Expressions evaluated to false', whenExpressions: [{ input: 'Completed', operator: 'in', values: ['Failed'] }] },
  ]);
  assert.deepEqual(cond(sim.final), ['True', 'Completed', 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 3']);
});

test('a failing finally task fails the run', () => {
  const spec: PipelineSpec = { tasks: [inline('a')], finally: [inline('f')] };
  const sim = simulate(makeInput({ spec }), byTask({ f: fail() }));
  assert.deepEqual(cond(sim.final), ['False', 'Failed', 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0']);
});

test('reason of an ignored failure is FailureIgnored for finally tasks', () => {
  const spec: PipelineSpec = { tasks: [inline('a', { onError: 'continue' })], finally: [inline('report', { params: statusParams.slice(0, 3) })] };
  const sim = simulate(makeInput({ spec }), byTask({ a: fail() }));
  assert.deepEqual(paramsOf(sim, 'report'), { all: 'Failed', a: 'Failed', 'a-reason': 'FailureIgnored' });
  assert.deepEqual(cond(sim.final), ['True', 'Succeeded', 'Tasks Completed: 2 (Failed: 1 (Ignored: 1), Cancelled 0), Skipped: 0']);
});
