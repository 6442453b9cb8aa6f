import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec } from '../../api/pipeline.types.ts';
import { decide } from './facts.ts';
import { at, child, cond, fail, makeInput, next, ok, running } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const twoStage: PipelineSpec = {
  tasks: [
    { name: 'a', taskSpec: { steps: [step] } },
    { name: 'b', taskSpec: { steps: [step] } },
    { name: 'c', runAfter: ['a', 'b'], taskSpec: { steps: [step] } },
  ],
};

test('PipelineRunPending: nothing is created and the run has not started', () => {
  const d = decide(makeInput({ spec: twoStage, run: { status: 'PipelineRunPending' } }));
  assert.deepEqual(d.create, []);
  assert.deepEqual(cond(d), ['Unknown', 'PipelineRunPending', 'PipelineRun "pr" is pending']);
  assert.equal(d.status.startTime, undefined);
});

test('first call: roots created, startTime set, Running with the Incomplete count', () => {
  const input = makeInput({ spec: twoStage });
  const d = decide(input);
  assert.deepEqual(d.create.map((c) => c.name), ['pr-a', 'pr-b']);
  assert.deepEqual(cond(d), ['Unknown', 'Running', 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 3']);
  assert.equal(d.status.startTime, at(0).nowIso);
  assert.equal(d.status.conditions?.[0].lastTransitionTime, at(0).nowIso);
  assert.deepEqual(d.status.pipelineSpec, twoStage);
  assert.equal(d.requeueAfterMs, 3_600_001, 'wakes when the default 60m pipeline timeout passes');
});

test('level-based: the same input gives the same decisions; existing children are not created again', () => {
  const input = makeInput({ spec: twoStage });
  assert.deepEqual(decide(input), decide(input));
  const first = decide(input);
  const later = next(input, [child(first.create[0], running())], 1, first);
  const d = decide(later);
  assert.deepEqual(d.create.map((c) => c.name), ['pr-b']);
  assert.equal(d.status.conditions?.[0].lastTransitionTime, at(0).nowIso, 'unchanged condition keeps its time');
  assert.deepEqual(d.status.childReferences, [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'pr-a', pipelineTaskName: 'a' }]);
});

test('a task starts once all its parents are done', () => {
  const input = makeInput({ spec: twoStage });
  const d0 = decide(input);
  const [a, b] = d0.create;
  const d1 = decide(next(input, [child(a, ok()), child(b, running())], 1, d0));
  assert.deepEqual(d1.create, []);
  assert.deepEqual(cond(d1), ['Unknown', 'Running', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 2']);
  const d2 = decide(next(input, [child(a, ok()), child(b, ok())], 2, d1));
  assert.deepEqual(d2.create.map((c) => c.name), ['pr-c']);
  const d3 = decide(next(input, [child(a, ok()), child(b, ok()), child(d2.create[0], ok())], 3, d2));
  assert.deepEqual(cond(d3), ['True', 'Succeeded', 'Tasks Completed: 3 (Failed: 0, Cancelled 0), Skipped: 0']);
  assert.equal(d3.status.completionTime, at(3).nowIso);
  assert.equal(d3.requeueAfterMs, undefined);
});

test('a finished run is left as it is', () => {
  const input = makeInput({ spec: twoStage });
  const done = { conditions: [{ type: 'Succeeded', status: 'False' as const, reason: 'Failed', message: 'x' }] };
  const d = decide({ ...input, pipelineRun: { ...input.pipelineRun, status: done } });
  assert.deepEqual(d, { create: [], cancel: [], status: done });
});

test('a ToBeRetried child is still running (retries belong to the TaskRun)', () => {
  const input = makeInput({ spec: { tasks: [{ name: 'a', retries: 2, taskSpec: { steps: [step] } }, { name: 'b', runAfter: ['a'], taskSpec: { steps: [step] } }] } });
  const d0 = decide(input);
  assert.equal(d0.create[0].spec.retries, 2);
  const d1 = decide(next(input, [child(d0.create[0], running('ToBeRetried'))], 1, d0));
  assert.deepEqual(d1.create, []);
  assert.deepEqual(cond(d1), ['Unknown', 'Running', 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 2']);
  const d2 = decide(next(input, [child(d0.create[0], fail())], 2, d1));
  assert.deepEqual(cond(d2), ['False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 1']);
  assert.deepEqual(d2.status.skippedTasks, [{ name: 'b', reason: 'PipelineRun was stopping' }]);
});
