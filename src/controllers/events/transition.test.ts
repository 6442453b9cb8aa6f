import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../../api/meta.ts';
import { transitionEvents, type RunEvent } from './transition.ts';

function cond(status: Condition['status'], reason?: string, message?: string, lastTransitionTime = '2024-01-01T00:00:00.000Z'): Condition {
  return { type: 'Succeeded', status, reason, message, lastTransitionTime };
}

const started: RunEvent = { type: 'Normal', reason: 'Started', message: '' };
const RUNNING_0 = 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 2';
const RUNNING_1 = 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1';

describe('transitionEvents', () => {
  const cases: Array<{ name: string; before?: Condition; after?: Condition; want: RunEvent[] }> = [
    { name: 'no condition either side', want: [] },
    { name: 'a condition removed', before: cond('Unknown', 'Running', 'x'), want: [] },
    { name: 'first condition Started', after: cond('Unknown', 'Started'), want: [started] },
    { name: 'first condition without a reason', after: cond('Unknown'), want: [started] },
    {
      name: 'first condition Running: Started, then Running with its message',
      after: cond('Unknown', 'Running', RUNNING_0),
      want: [started, { type: 'Normal', reason: 'Running', message: RUNNING_0 }],
    },
    {
      name: 'first condition Pending (waiting for a slot)',
      after: cond('Unknown', 'Pending', 'waiting for a free slot'),
      want: [started, { type: 'Normal', reason: 'Pending', message: 'waiting for a free slot' }],
    },
    {
      name: 'Started to Running',
      before: cond('Unknown', 'Started'),
      after: cond('Unknown', 'Running', RUNNING_0),
      want: [{ type: 'Normal', reason: 'Running', message: RUNNING_0 }],
    },
    {
      name: 'Running with a new message: Running again',
      before: cond('Unknown', 'Running', RUNNING_0),
      after: cond('Unknown', 'Running', RUNNING_1),
      want: [{ type: 'Normal', reason: 'Running', message: RUNNING_1 }],
    },
    {
      name: 'the same condition, a new lastTransitionTime: nothing',
      before: cond('Unknown', 'Running', RUNNING_0, '2024-01-01T00:00:00.000Z'),
      after: cond('Unknown', 'Running', RUNNING_0, '2024-01-01T00:00:09.000Z'),
      want: [],
    },
    {
      name: 'Running to Succeeded',
      before: cond('Unknown', 'Running', RUNNING_1),
      after: cond('True', 'Succeeded', 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0'),
      want: [{ type: 'Normal', reason: 'Succeeded', message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0' }],
    },
    {
      name: 'Running to Failed: a Warning whatever the reason',
      before: cond('Unknown', 'Running', RUNNING_1),
      after: cond('False', 'TaskRunTimeout', 'TaskRun "t" failed to finish within "1s"'),
      want: [{ type: 'Warning', reason: 'Failed', message: 'TaskRun "t" failed to finish within "1s"' }],
    },
    {
      name: 'a first condition that is final: Started, then Failed',
      after: cond('False', 'CouldntGetPipeline', 'pipelines.tekton.dev "p" not found'),
      want: [started, { type: 'Warning', reason: 'Failed', message: 'pipelines.tekton.dev "p" not found' }],
    },
    {
      name: 'a first condition that succeeded',
      after: cond('True', 'Succeeded', 'All Steps have completed executing'),
      want: [started, { type: 'Normal', reason: 'Succeeded', message: 'All Steps have completed executing' }],
    },
    {
      name: 'a failed attempt to be retried',
      before: cond('Unknown', 'Running', 'Not all Steps in the Task have finished executing'),
      after: cond('Unknown', 'ToBeRetried', '"step-s" exited with code 1'),
      want: [{ type: 'Normal', reason: 'ToBeRetried', message: '"step-s" exited with code 1' }],
    },
    {
      name: 'no message is an empty message',
      before: cond('Unknown', 'Running', 'x'),
      after: cond('True', 'Succeeded'),
      want: [{ type: 'Normal', reason: 'Succeeded', message: '' }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(transitionEvents(c.before, c.after), c.want));
  }
});
