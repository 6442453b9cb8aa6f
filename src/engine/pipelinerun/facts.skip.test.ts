import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import { decide } from './facts.ts';
import { child as mkChild, cond, fail, makeInput, next as mkNext, ok, running, simulate, type Behaviour } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const inline = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, taskSpec: { steps: [step], results: [{ name: 'r' }] }, ...extra });
const byTask = (m: Record<string, ReturnType<Behaviour>>): Behaviour => (tr) => m[tr.pipelineTask] ?? ok({ r: 'v' });
const helpers = () => ({ child: mkChild, next: mkNext });
const skipped = (d: ReturnType<typeof decide>) => (d.status.skippedTasks ?? []).map((s) => [s.name, s.reason]);

test('a when-skipped task: ordering dependents still run, result consumers are skipped, their dependents too', () => {
  const spec: PipelineSpec = {
    params: [{ name: 'go', default: 'no' }],
    tasks: [
      inline('guarded', { when: [{ input: '$(params.go)', operator: 'in', values: ['yes'] }] }),
      inline('after', { runAfter: ['guarded'] }),
      inline('consumer', { params: [{ name: 'p', value: '$(tasks.guarded.results.r)' }] }),
      inline('grandchild', { runAfter: ['consumer'] }),
    ],
  };
  const sim = simulate(makeInput({ spec }));
  assert.deepEqual(sim.created.map((c) => c.pipelineTask), ['after']);
  assert.deepEqual(skipped(sim.final), [
    ['guarded', 'When Expressions evaluated to false'],
    ['consumer', 'Results were missing'],
    ['grandchild', 'Parent Tasks were skipped'],
  ]);
  assert.deepEqual(sim.final.status.skippedTasks?.[0].whenExpressions, [{ input: 'no', operator: 'in', values: ['yes'] }]);
  assert.deepEqual(cond(sim.final), ['True', 'Completed', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 3']);
});

test('a failed task stops scheduling: running ones finish, unstarted ones are skipped', () => {
  const spec: PipelineSpec = { tasks: [inline('bad'), inline('slow'), inline('next', { runAfter: ['bad'] }), inline('other', { runAfter: ['slow'] })] };
  const input = makeInput({ spec });
  const d0 = decide(input);
  const [bad, slow] = d0.create;
  const { child, next } = helpers();
  const d1 = decide(next(input, [child(bad, fail()), child(slow, running())], 1, d0));
  assert.deepEqual(d1.create, []);
  assert.deepEqual(d1.cancel, [], 'running tasks are not cancelled');
  assert.deepEqual(cond(d1), ['Unknown', 'PipelineRunStopping', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 2, Incomplete: 1']);
  assert.deepEqual(skipped(d1), [['next', 'PipelineRun was stopping'], ['other', 'PipelineRun was stopping']]);
  const d2 = decide(next(input, [child(bad, fail()), child(slow, ok())], 2, d1));
  assert.deepEqual(cond(d2), ['False', 'Failed', 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 2']);
});

test('a failure with finally tasks left: Running (not Stopping) until finally is done', () => {
  const spec: PipelineSpec = { tasks: [inline('bad'), inline('slow')], finally: [inline('cleanup')] };
  const input = makeInput({ spec });
  const d0 = decide(input);
  const { child, next } = helpers();
  const d1 = decide(next(input, [child(d0.create[0], fail()), child(d0.create[1], running())], 1, d0));
  assert.equal(cond(d1)[1], 'Running');
  assert.deepEqual(d1.create, [], 'finally waits for every task');
});

test('onError: continue: the failure is ignored, dependents run, the run succeeds', () => {
  const spec: PipelineSpec = { tasks: [inline('flaky', { onError: 'continue' }), inline('after', { runAfter: ['flaky'] })] };
  const sim = simulate(makeInput({ spec }), byTask({ flaky: fail() }));
  assert.deepEqual(sim.created.map((c) => c.pipelineTask), ['flaky', 'after']);
  assert.deepEqual(sim.steps[1].ignoreFailures, ['pr-flaky']);
  assert.equal(sim.children[0].status?.conditions?.[0].reason, 'FailureIgnored');
  assert.deepEqual(cond(sim.final), ['True', 'Succeeded', 'Tasks Completed: 2 (Failed: 1 (Ignored: 1), Cancelled 0), Skipped: 0']);
});

test('onError from a param', () => {
  const spec: PipelineSpec = { params: [{ name: 'mode', default: 'continue' }], tasks: [inline('flaky', { onError: '$(params.mode)' })] };
  const sim = simulate(makeInput({ spec }), byTask({ flaky: fail() }));
  assert.deepEqual(cond(sim.final), ['True', 'Succeeded', 'Tasks Completed: 1 (Failed: 1 (Ignored: 1), Cancelled 0), Skipped: 0']);
});

test('a result that a successful task never wrote fails the run; running tasks are cancelled', () => {
  const spec: PipelineSpec = { tasks: [inline('producer'), inline('slow'), inline('consumer', { params: [{ name: 'p', value: '$(tasks.producer.results.r)' }] })] };
  const input = makeInput({ spec });
  const d0 = decide(input);
  const { child, next } = helpers();
  const d1 = decide(next(input, [child(d0.create[0], ok()), child(d0.create[1], running())], 1, d0));
  assert.deepEqual(cond(d1), ['False', 'InvalidTaskResultReference', '[User error] Invalid task result reference: Could not find result with name r for task producer']);
  assert.deepEqual(d1.create, []);
  assert.deepEqual(d1.cancel, [{ name: 'pr-slow', statusMessage: 'TaskRun cancelled as the PipelineRun it belongs to has failed.' }]);
});

test('a missing result with onError: continue on the consumer skips the consumer', () => {
  const spec: PipelineSpec = { tasks: [inline('producer'), inline('consumer', { onError: 'continue', params: [{ name: 'p', value: '$(tasks.producer.results.r)' }] })] };
  const sim = simulate(makeInput({ spec }), byTask({ producer: ok() }));
  assert.deepEqual(skipped(sim.final), [['consumer', 'Results were missing']]);
  assert.deepEqual(cond(sim.final), ['True', 'Completed', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 1']);
});

test('a result from a failed (ignored) producer that never wrote it fails the run', () => {
  const spec: PipelineSpec = { tasks: [inline('producer', { onError: 'continue' }), inline('consumer', { params: [{ name: 'p', value: '$(tasks.producer.results.r)' }] })] };
  const sim = simulate(makeInput({ spec }), byTask({ producer: fail() }));
  assert.equal(cond(sim.final)[1], 'InvalidTaskResultReference');
});

test('when expressions: parameters, results, workspaces.bound, CEL', () => {
  const spec: PipelineSpec = {
    workspaces: [{ name: 'cache', optional: true }],
    tasks: [
      inline('check'),
      inline('on-yes', { when: [{ input: '$(tasks.check.results.r)', operator: 'in', values: ['yes'] }] }),
      inline('on-no', { when: [{ input: '$(tasks.check.results.r)', operator: 'notin', values: ['yes'] }] }),
      inline('cached', { when: [{ input: '$(workspaces.cache.bound)', operator: 'in', values: ['true'] }] }),
      inline('cel', { when: [{ cel: "'$(tasks.check.results.r)'.startsWith('y')" }] }),
    ],
  };
  const sim = simulate(makeInput({ spec }), byTask({ check: ok({ r: 'yes' }) }));
  assert.deepEqual(sim.created.map((c) => c.pipelineTask).sort(), ['cel', 'check', 'on-yes']);
  assert.deepEqual(skipped(sim.final), [['on-no', 'When Expressions evaluated to false'], ['cached', 'When Expressions evaluated to false']]);
  const refs = sim.final.status.childReferences ?? [];
  assert.deepEqual(refs.find((r) => r.pipelineTaskName === 'cel')?.whenExpressions, [{ cel: "'yes'.startsWith('y')" }]);
});

test('a CEL expression that fails to evaluate fails the run', () => {
  const spec: PipelineSpec = { params: [{ name: 'n', default: 'x' }], tasks: [inline('t', { when: [{ cel: "int('$(params.n)') == 1" }] })] };
  const d = decide(makeInput({ spec }));
  const [status, reason, message] = cond(d);
  assert.equal(status, 'False');
  assert.equal(reason, 'CELEvaluationFailed');
  assert.match(message ?? '', /^\[User error\] Error evaluating CEL pr: failed to evaluate CEL expression "int\('x'\) == 1": /);
});

test('a matrix param that resolves to an empty array skips the task', () => {
  const spec: PipelineSpec = { tasks: [inline('m', { matrix: { params: [{ name: 'v', value: [] }] } })] };
  const d = decide(makeInput({ spec }));
  assert.deepEqual(skipped(d), [['m', 'Matrix Parameters have an empty array']]);
  assert.deepEqual(cond(d), ['True', 'Completed', 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 1']);
});

