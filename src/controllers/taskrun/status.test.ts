import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '../../api/meta.ts';
import type { ContainerSnapshot, ExecutionOutcome, ExecutionSnapshot } from '../../executor/executor.ts';
import type { FinalInput } from './status.ts';
import { condition, containerStatus, finalCondition, formatGoDuration, isDone, succeededCondition, withCondition } from './status.ts';

describe('formatGoDuration', () => {
  const cases: Array<{ name: string; ms: number; want: string }> = [
    { name: 'zero', ms: 0, want: '0s' },
    { name: 'milliseconds', ms: 500, want: '500ms' },
    { name: 'one second', ms: 1000, want: '1s' },
    { name: 'fractional seconds', ms: 1500, want: '1.5s' },
    { name: 'one minute', ms: 60_000, want: '1m0s' },
    { name: 'minutes and fractional seconds', ms: 61_500, want: '1m1.5s' },
    { name: 'one hour', ms: 3_600_000, want: '1h0m0s' },
    { name: 'an hour and a half', ms: 5_400_000, want: '1h30m0s' },
    { name: 'more than a day stays in hours', ms: 90_061_000, want: '25h1m1s' },
  ];
  for (const c of cases) test(`${c.name}: ${c.ms} → ${c.want}`, () => assert.equal(formatGoDuration(c.ms), c.want));
});

const NOW = '2024-05-01T10:00:00.000Z';
const LATER = '2024-05-01T10:05:00.000Z';

function snap(outcome: ExecutionOutcome, extra: Partial<ExecutionSnapshot> = {}): ExecutionSnapshot {
  return { id: 'ns/x/0', steps: [], sidecars: [], logDir: '/logs', outcome, ...extra };
}

describe('finalCondition', () => {
  const base: FinalInput = { taskRunName: 'x', timeoutMs: 60_000, results: [], resultErrors: [], now: NOW };
  const cases: Array<{ name: string; outcome: ExecutionOutcome; input?: Partial<FinalInput>; want: Condition }> = [
    {
      name: 'succeeded',
      outcome: { status: 'succeeded' },
      want: { type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'All Steps have completed executing', lastTransitionTime: NOW },
    },
    {
      name: 'succeeded with result errors fails',
      outcome: { status: 'succeeded' },
      input: { resultErrors: ['bad one', 'bad two'] },
      want: { type: 'Succeeded', status: 'False', reason: 'Failed', message: 'bad one; bad two', lastTransitionTime: NOW },
    },
    {
      name: 'timeout',
      outcome: { status: 'timeout', message: 'ignored' },
      want: { type: 'Succeeded', status: 'False', reason: 'TaskRunTimeout', message: 'TaskRun "x" failed to finish within "1m0s"', lastTransitionTime: NOW },
    },
    {
      name: 'timeout with no timeout set',
      outcome: { status: 'timeout', message: 'ignored' },
      input: { timeoutMs: undefined },
      want: { type: 'Succeeded', status: 'False', reason: 'TaskRunTimeout', message: 'TaskRun "x" failed to finish within "0s"', lastTransitionTime: NOW },
    },
    {
      name: 'cancelled with the run\'s statusMessage',
      outcome: { status: 'cancelled', message: 'from executor' },
      input: { statusMessage: 'TaskRun cancelled as the PipelineRun it belongs to has timed out.' },
      want: { type: 'Succeeded', status: 'False', reason: 'TaskRunCancelled', message: 'TaskRun "x" was cancelled. TaskRun cancelled as the PipelineRun it belongs to has timed out.', lastTransitionTime: NOW },
    },
    {
      name: 'cancelled falls back to the outcome message',
      outcome: { status: 'cancelled', message: 'by the user' },
      want: { type: 'Succeeded', status: 'False', reason: 'TaskRunCancelled', message: 'TaskRun "x" was cancelled. by the user', lastTransitionTime: NOW },
    },
    {
      name: 'cancelled without any message has no trailing space',
      outcome: { status: 'cancelled', message: '' },
      want: { type: 'Succeeded', status: 'False', reason: 'TaskRunCancelled', message: 'TaskRun "x" was cancelled.', lastTransitionTime: NOW },
    },
    {
      name: 'a step failure passes its message through',
      outcome: { status: 'failed', reason: 'StepFailed', message: '"step-build" exited with code 2', step: 'build' },
      want: { type: 'Succeeded', status: 'False', reason: 'Failed', message: '"step-build" exited with code 2', lastTransitionTime: NOW },
    },
    {
      name: "an image that could not be pulled: Tekton's TaskRunImagePullFailed",
      outcome: { status: 'failed', reason: 'ImagePullFailed', message: 'the step "build" in TaskRun "x" failed to pull the image "i".', step: 'build' },
      want: { type: 'Succeeded', status: 'False', reason: 'TaskRunImagePullFailed', message: 'the step "build" in TaskRun "x" failed to pull the image "i".', lastTransitionTime: NOW },
    },
    {
      name: 'offline, a registry that cannot be reached: Unsupported (needs the network), not a failure',
      outcome: { status: 'failed', reason: 'ImagePullFailed', message: 'failed to pull the image "i": dial tcp: lookup mirror.gcr.io: no such host.', step: 'build' },
      input: { offline: true },
      want: { type: 'Succeeded', status: 'False', reason: 'Unsupported', message: 'needs the network, which this machine does not have: failed to pull the image "i": dial tcp: lookup mirror.gcr.io: no such host.', lastTransitionTime: NOW },
    },
    {
      name: "offline, the kubernetes executor's image-config lookup that cannot resolve the registry: Unsupported too",
      outcome: { status: 'failed', reason: 'ImagePullFailed', message: 'cannot read the entrypoint of image mirror.gcr.io/bash: cannot reach https://mirror.gcr.io: getaddrinfo ENOTFOUND mirror.gcr.io' },
      input: { offline: true },
      want: { type: 'Succeeded', status: 'False', reason: 'Unsupported', message: 'needs the network, which this machine does not have: cannot read the entrypoint of image mirror.gcr.io/bash: cannot reach https://mirror.gcr.io: getaddrinfo ENOTFOUND mirror.gcr.io', lastTransitionTime: NOW },
    },
    {
      name: 'offline, a registry that answered (no such tag): still TaskRunImagePullFailed',
      outcome: { status: 'failed', reason: 'ImagePullFailed', message: 'failed to pull the image "127.0.0.1:5000/x:nope": manifest unknown', step: 'build' },
      input: { offline: true },
      want: { type: 'Succeeded', status: 'False', reason: 'TaskRunImagePullFailed', message: 'failed to pull the image "127.0.0.1:5000/x:nope": manifest unknown', lastTransitionTime: NOW },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(finalCondition(snap(c.outcome), { ...base, ...c.input }), c.want));
  }
});

describe('conditions', () => {
  const running = condition('Unknown', 'Running', 'Not all Steps in the Task have finished executing', NOW);

  test('withCondition keeps lastTransitionTime when status, reason and message are unchanged', () => {
    const st = withCondition({ podName: 'p' }, running);
    const again = withCondition(st, condition('Unknown', 'Running', 'Not all Steps in the Task have finished executing', LATER));
    assert.deepEqual(again, { podName: 'p', conditions: [running] });
  });

  const changes: Array<{ name: string; next: Condition }> = [
    { name: 'status', next: condition('False', 'Running', 'Not all Steps in the Task have finished executing', LATER) },
    { name: 'reason', next: condition('Unknown', 'ToBeRetried', 'Not all Steps in the Task have finished executing', LATER) },
    { name: 'message', next: condition('Unknown', 'Running', 'other', LATER) },
  ];
  for (const c of changes) {
    test(`withCondition replaces the condition when its ${c.name} changes`, () => {
      assert.deepEqual(withCondition({ conditions: [running] }, c.next), { conditions: [c.next] });
    });
  }

  test('succeededCondition and isDone', () => {
    assert.equal(succeededCondition(undefined), undefined);
    assert.equal(isDone(undefined), false);
    assert.equal(isDone({ conditions: [running] }), false);
    assert.equal(isDone({ conditions: [condition('True', 'Succeeded', '', NOW)] }), true);
    assert.equal(isDone({ conditions: [condition('False', 'Failed', '', NOW)] }), true);
    assert.deepEqual(succeededCondition({ conditions: [{ type: 'Other', status: 'True' }, running] }), running);
  });
});

describe('containerStatus', () => {
  function c(name: string, extra: Partial<ContainerSnapshot>): ContainerSnapshot {
    return { name, containerName: `step-${name}`, phase: 'waiting', logFile: `/logs/step-${name}.log`, ...extra };
  }
  const T0 = '2024-05-01T10:00:01.000Z';
  const T1 = '2024-05-01T10:00:02.000Z';

  const stepCases: Array<{ name: string; snap: ContainerSnapshot; want: unknown }> = [
    { name: 'waiting', snap: c('a', {}), want: { name: 'a', container: 'step-a', waiting: { reason: 'PodInitializing' } } },
    { name: 'running', snap: c('a', { phase: 'running', startedAt: T0 }), want: { name: 'a', container: 'step-a', running: { startedAt: T0 } } },
    {
      name: 'terminated with exit 0 and no reason → Completed',
      snap: c('a', { phase: 'terminated', exitCode: 0, startedAt: T0, finishedAt: T1 }),
      want: { name: 'a', container: 'step-a', terminated: { exitCode: 0, reason: 'Completed', message: undefined, startedAt: T0, finishedAt: T1 }, terminationReason: 'Completed' },
    },
    {
      name: 'terminated with a non-zero exit and no reason → Error',
      snap: c('a', { phase: 'terminated', exitCode: 3, message: 'boom' }),
      want: { name: 'a', container: 'step-a', terminated: { exitCode: 3, reason: 'Error', message: 'boom', startedAt: undefined, finishedAt: undefined }, terminationReason: 'Error' },
    },
    {
      name: 'Continued keeps reason Error in terminated.reason',
      snap: c('a', { phase: 'terminated', exitCode: 1, reason: 'Continued' }),
      want: { name: 'a', container: 'step-a', terminated: { exitCode: 1, reason: 'Error', message: undefined, startedAt: undefined, finishedAt: undefined }, terminationReason: 'Continued' },
    },
    {
      name: 'Skipped with no exit code',
      snap: c('a', { phase: 'terminated', reason: 'Skipped' }),
      want: { name: 'a', container: 'step-a', terminated: { exitCode: 0, reason: 'Skipped', message: undefined, startedAt: undefined, finishedAt: undefined }, terminationReason: 'Skipped' },
    },
    {
      name: 'TimeoutExceeded',
      snap: c('a', { phase: 'terminated', exitCode: 1, reason: 'TimeoutExceeded' }),
      want: { name: 'a', container: 'step-a', terminated: { exitCode: 1, reason: 'TimeoutExceeded', message: undefined, startedAt: undefined, finishedAt: undefined }, terminationReason: 'TimeoutExceeded' },
    },
    {
      name: 'step results become string results',
      snap: c('a', { phase: 'terminated', exitCode: 0, results: { digest: 'sha256:1', url: 'u' } }),
      want: {
        name: 'a', container: 'step-a',
        terminated: { exitCode: 0, reason: 'Completed', message: undefined, startedAt: undefined, finishedAt: undefined },
        terminationReason: 'Completed',
        results: [{ name: 'digest', type: 'string', value: 'sha256:1' }, { name: 'url', type: 'string', value: 'u' }],
      },
    },
    {
      name: 'empty step results are left out',
      snap: c('a', { phase: 'terminated', exitCode: 0, results: {} }),
      want: { name: 'a', container: 'step-a', terminated: { exitCode: 0, reason: 'Completed', message: undefined, startedAt: undefined, finishedAt: undefined }, terminationReason: 'Completed' },
    },
  ];
  for (const sc of stepCases) {
    test(`step ${sc.name}`, () => {
      const got = containerStatus({ id: 'i', steps: [sc.snap], sidecars: [], logDir: '/logs' });
      assert.deepEqual(got, { steps: [sc.want], sidecars: [], logDir: '/logs' });
    });
  }

  const sidecarCases: Array<{ name: string; snap: ContainerSnapshot; want: unknown }> = [
    { name: 'waiting', snap: c('db', { containerName: 'sidecar-db' }), want: { name: 'db', container: 'sidecar-db', ready: undefined } },
    { name: 'running and ready', snap: c('db', { containerName: 'sidecar-db', phase: 'running', startedAt: T0, ready: true }), want: { name: 'db', container: 'sidecar-db', ready: true, running: { startedAt: T0 } } },
    {
      name: 'terminated',
      snap: c('db', { containerName: 'sidecar-db', phase: 'terminated', exitCode: 137, reason: 'Error', startedAt: T0, finishedAt: T1, ready: false }),
      want: { name: 'db', container: 'sidecar-db', ready: false, terminated: { exitCode: 137, reason: 'Error', startedAt: T0, finishedAt: T1 } },
    },
  ];
  for (const sc of sidecarCases) {
    test(`sidecar ${sc.name}`, () => {
      assert.deepEqual(containerStatus({ id: 'i', steps: [], sidecars: [sc.snap], logDir: '/l' }).sidecars, [sc.want]);
    });
  }
});
