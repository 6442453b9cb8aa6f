import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import type { PipelineRunSpec } from '../../api/pipelinerun.types.ts';
import { decide } from './facts.ts';
import type { Decisions, FactsInput, ObservedTaskRun } from './facts.types.ts';
import { at, child, cond, makeInput, next, ok, running } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const inline = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, taskSpec: { steps: [step] }, ...extra });
const TIMEOUT_MSG = 'TaskRun cancelled as the PipelineRun it belongs to has timed out.';
const CANCEL_MSG = 'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.';

/** A child cancelled with `message`, as the TaskRun side reports it. */
function cancelledChild(c: ObservedTaskRun, message: string): ObservedTaskRun {
  return { ...c, spec: { ...c.spec, status: 'TaskRunCancelled', statusMessage: message }, status: { conditions: [{ type: 'Succeeded', status: 'False', reason: 'TaskRunCancelled', message: 'cancelled' }] } };
}

function withSpecStatus(input: FactsInput, d: Decisions, run: Partial<PipelineRunSpec>): FactsInput {
  return { ...input, pipelineRun: { ...input.pipelineRun, spec: { ...input.pipelineRun.spec, ...run }, status: d.status } };
}

test('timeouts.tasks: running tasks are cancelled, finally still runs, the run fails', () => {
  const spec: PipelineSpec = { tasks: [inline('a'), inline('b', { runAfter: ['a'] })], finally: [inline('f')] };
  const input = makeInput({ spec, run: { timeouts: { pipeline: '1h', tasks: '10m' } } });
  const d0 = decide(input);
  assert.equal(d0.create[0].spec.timeout, '10m0s');
  assert.equal(d0.requeueAfterMs, 600_001);
  const a = child(d0.create[0], running());
  const d1 = decide(next(input, [a], 601, d0));
  assert.deepEqual(d1.cancel, [{ name: 'pr-a', statusMessage: TIMEOUT_MSG }]);
  assert.equal(cond(d1)[0], 'Unknown');
  const d2 = decide(next(input, [cancelledChild(a, TIMEOUT_MSG)], 602, d1));
  assert.deepEqual(d2.create.map((c) => c.name), ['pr-f']);
  assert.equal(d2.create[0].spec.timeout, '49m58s', 'finally gets the rest of the pipeline timeout');
  assert.deepEqual(d2.status.skippedTasks, [{ name: 'b', reason: 'PipelineRun was stopping' }]);
  const d3 = decide(next(input, [cancelledChild(a, TIMEOUT_MSG), child(d2.create[0], ok())], 603, d2));
  assert.deepEqual(cond(d3), ['False', 'Failed', 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 1']);
});

test('timeouts.tasks: a task ready after the deadline is skipped and fails the run', () => {
  const spec: PipelineSpec = { tasks: [inline('a'), inline('b', { runAfter: ['a'] })] };
  const input = makeInput({ spec, run: { timeouts: { pipeline: '1h', tasks: '10m' } } });
  const d0 = decide(input);
  const d1 = decide(next(input, [child(d0.create[0], ok())], 700, d0));
  assert.deepEqual(d1.create, []);
  assert.deepEqual(d1.status.skippedTasks, [{ name: 'b', reason: 'PipelineRun Tasks timeout has been reached' }]);
  assert.deepEqual(cond(d1), ['False', 'Failed', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 1']);
});

test('timeouts.pipeline: everything running is cancelled (finally too) and the run times out', () => {
  const spec: PipelineSpec = { tasks: [inline('a')], finally: [inline('f')] };
  const input = makeInput({ spec });
  const d0 = decide(input);
  const d1 = decide(next(input, [child(d0.create[0], ok())], 1, d0));
  const f = child(d1.create[0], running());
  const d2 = decide(next(input, [child(d0.create[0], ok()), f], 3601, d1));
  assert.deepEqual(d2.cancel, [{ name: 'pr-f', statusMessage: TIMEOUT_MSG }]);
  assert.deepEqual(cond(d2), ['False', 'PipelineRunTimeout', 'PipelineRun "pr" failed to finish within "1h0m0s"']);
  assert.equal(d2.status.completionTime, at(3601).nowIso);
  assert.deepEqual(d2.create, []);
});

test('timeouts.finally: running finally tasks are cancelled when it passes', () => {
  const spec: PipelineSpec = { tasks: [inline('a')], finally: [inline('f')] };
  const input = makeInput({ spec, run: { timeouts: { pipeline: '1h', finally: '5m' } } });
  const d0 = decide(input);
  const d1 = decide(next(input, [child(d0.create[0], ok())], 10, d0));
  assert.equal(d1.create[0].spec.timeout, '5m0s');
  assert.equal(d1.requeueAfterMs, 300_001, 'wakes when the finally timeout passes');
  const d2 = decide(next(input, [child(d0.create[0], ok()), child(d1.create[0], running())], 311, d1));
  assert.deepEqual(d2.cancel, [{ name: 'pr-f', statusMessage: TIMEOUT_MSG }]);
});

test('TaskRun timeout: taskRunSpecs > PipelineTask timeout > time left; 0 = none', () => {
  const spec: PipelineSpec = { tasks: [inline('a', { timeout: '60s' }), inline('b', { timeout: '60s' }), inline('c'), inline('d', { timeout: '0' })] };
  const d = decide(makeInput({ spec, run: { taskRunSpecs: [{ pipelineTaskName: 'a', timeout: '40s' }] } }));
  assert.deepEqual(d.create.map((c) => [c.pipelineTask, c.spec.timeout]), [['a', '40s'], ['b', '1m0s'], ['c', '1h0m0s'], ['d', '1h0m0s']]);
  const none = decide(makeInput({ spec, run: { timeouts: { pipeline: '0' } } }));
  assert.deepEqual(none.create.map((c) => c.spec.timeout), ['1m0s', '1m0s', '0s', '0s']);
  assert.equal(none.requeueAfterMs, undefined);
});

test('spec.status Cancelled: cancel every running child, run nothing else, no finally', () => {
  const spec: PipelineSpec = { tasks: [inline('a'), inline('b'), inline('c', { runAfter: ['a'] })], finally: [inline('f')] };
  const input = makeInput({ spec });
  const d0 = decide(input);
  const children = [child(d0.create[0], running()), child(d0.create[1], ok())];
  const d1 = decide(withSpecStatus(next(input, children, 5, d0), d0, { status: 'Cancelled' }));
  assert.deepEqual(d1.cancel, [{ name: 'pr-a', statusMessage: CANCEL_MSG }]);
  assert.deepEqual(d1.create, []);
  assert.deepEqual(cond(d1), ['False', 'Cancelled', 'PipelineRun "pr" was cancelled']);
  assert.equal(d1.status.completionTime, at(5).nowIso);
  assert.deepEqual(d1.status.childReferences?.map((r) => r.name), ['pr-a', 'pr-b']);
});

test('spec.status CancelledRunFinally: cancel running tasks, skip the rest, run finally', () => {
  const spec: PipelineSpec = { tasks: [inline('a'), inline('c', { runAfter: ['a'] })], finally: [inline('f')] };
  const input = makeInput({ spec });
  const d0 = decide(input);
  const a = child(d0.create[0], running());
  const d1 = decide(withSpecStatus(next(input, [a], 5, d0), d0, { status: 'CancelledRunFinally' }));
  assert.deepEqual(d1.cancel, [{ name: 'pr-a', statusMessage: CANCEL_MSG }]);
  assert.deepEqual(cond(d1), ['Unknown', 'CancelledRunningFinally', 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 1, Incomplete: 2']);
  assert.deepEqual(d1.status.skippedTasks, [{ name: 'c', reason: 'PipelineRun was gracefully cancelled' }]);
  const cancelledInput = withSpecStatus(next(input, [cancelledChild(a, CANCEL_MSG)], 6, d1), d1, { status: 'CancelledRunFinally' });
  const d2 = decide(cancelledInput);
  assert.deepEqual(d2.create.map((c) => c.name), ['pr-f']);
  const d3 = decide(withSpecStatus(next(cancelledInput, [cancelledChild(a, CANCEL_MSG), child(d2.create[0], ok())], 7, d2), d2, {}));
  assert.deepEqual(cond(d3), ['False', 'Cancelled', 'PipelineRun "pr" was cancelled']);
});

test('spec.status StoppedRunFinally: running tasks finish, nothing new but finally', () => {
  const spec: PipelineSpec = { tasks: [inline('a'), inline('c', { runAfter: ['a'] })], finally: [inline('f')] };
  const input = makeInput({ spec });
  const d0 = decide(input);
  const d1 = decide(withSpecStatus(next(input, [child(d0.create[0], running())], 5, d0), d0, { status: 'StoppedRunFinally' }));
  assert.deepEqual(d1.cancel, []);
  assert.equal(cond(d1)[1], 'StoppedRunningFinally');
  const stopped = withSpecStatus(next(input, [child(d0.create[0], ok())], 6, d1), d1, { status: 'StoppedRunFinally' });
  const d2 = decide(stopped);
  assert.deepEqual(d2.create.map((c) => c.name), ['pr-f']);
  assert.deepEqual(d2.status.skippedTasks, [{ name: 'c', reason: 'PipelineRun was gracefully stopped' }]);
  const d3 = decide(withSpecStatus(next(stopped, [child(d0.create[0], ok()), child(d2.create[0], ok())], 7, d2), d2, {}));
  assert.deepEqual(cond(d3), ['False', 'Cancelled', 'PipelineRun "pr" was cancelled']);
});
