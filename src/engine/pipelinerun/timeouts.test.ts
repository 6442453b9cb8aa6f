import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadlinesOf, passed, taskRunTimeout, untilNext } from './timeouts.ts';

const M = 60_000;

test('deadlines from timeouts', () => {
  const rows = [
    { name: 'default 60m', t: undefined, want: { pipelineMs: 60 * M, pipeline: 60 * M } },
    { name: 'no timeout', t: { pipeline: '0' }, want: { pipelineMs: 0 } },
    { name: 'tasks explicit (finally gets the rest)', t: { pipeline: '1h', tasks: '30m' }, want: { pipelineMs: 60 * M, pipeline: 60 * M, tasks: 30 * M, finally: 100 + 30 * M } },
    { name: 'finally not started: no finally deadline', t: { pipeline: '1h', finally: '10m' }, start: undefined, want: { pipelineMs: 60 * M, pipeline: 60 * M, tasks: 50 * M } },
    { name: 'tasks = pipeline - finally', t: { pipeline: '1h', finally: '10m' }, want: { pipelineMs: 60 * M, pipeline: 60 * M, tasks: 50 * M, finally: 100 + 10 * M } },
    { name: 'finally = pipeline - tasks', t: { pipeline: '1h', tasks: '45m' }, want: { pipelineMs: 60 * M, pipeline: 60 * M, tasks: 45 * M, finally: 100 + 15 * M } },
  ];
  for (const r of rows) assert.deepEqual(deadlinesOf(r.t, 0, 'start' in r ? r.start : 100), r.want, r.name);
});

test('TaskRun timeout precedence and capping', () => {
  const d = deadlinesOf({ pipeline: '1h', tasks: '30m' }, 0, undefined);
  const rows = [
    { name: 'time left of the tasks section', now: 10 * M, chosen: undefined, final: false, want: '20m0s' },
    { name: 'own timeout when shorter', now: 10 * M, chosen: '40s', final: false, want: '40s' },
    { name: 'own timeout capped by the deadline', now: 10 * M, chosen: '2h', final: false, want: '20m0s' },
    { name: '0 means the deadline applies', now: 0, chosen: '0', final: false, want: '30m0s' },
    { name: 'finally: pipeline deadline', now: 40 * M, chosen: undefined, final: true, want: '20m0s' },
    { name: 'deadline passed: 1s', now: 61 * M, chosen: undefined, final: true, want: '1s' },
  ];
  for (const r of rows) assert.equal(taskRunTimeout(d, r.now, r.final, r.chosen), r.want, r.name);
  assert.equal(taskRunTimeout(deadlinesOf({ pipeline: '0' }, 0, undefined), 5, false, undefined), '0s', 'no deadline, no own timeout: none');
  assert.equal(taskRunTimeout(deadlinesOf({ pipeline: '0' }, 0, undefined), 5, false, '1m'), '1m0s');
});

test('passed is strict, untilNext wakes just after the earliest deadline', () => {
  assert.equal(passed(100, 100), false);
  assert.equal(passed(100, 101), true);
  assert.equal(passed(undefined, 1e15), false);
  assert.equal(untilNext([500, undefined, 300, 50], 100), 201);
  assert.equal(untilNext([50], 100), undefined);
});
