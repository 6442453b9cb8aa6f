// A Pod's status read back into the attempt's snapshot: statuses as the kubelet writes them for
// the Pod podspec.ts makes (init containers per step, the wrapper's termination messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionPlan, PlanContainer } from '../executor.ts';
import { containersOf, outcomeOf, parseReport, stopSteps } from './status.ts';
import type { ContainerStatus, PodStatus } from './status.ts';

const step = (name: string, more: Partial<PlanContainer> = {}): PlanContainer => ({ name, containerName: `step-${name}`, image: `img-${name}`, env: [], mounts: [], ...more });
const plan: ExecutionPlan = {
  id: 'ns/tr/0', namespace: 'ns', taskRunName: 'tr', timeoutMs: 60_000, volumes: [], results: ['digest'],
  steps: [step('a'), step('b', { onError: 'continue' }), step('c', { timeoutMs: 5000 }), step('d')],
  sidecars: [{ name: 'db', containerName: 'sidecar-db', image: 'pg', env: [], mounts: [] }],
};
const log = (c: PlanContainer) => `/logs/${c.containerName}.log`;
const done = (name: string, message: string, exitCode = 0): ContainerStatus => ({ name, state: { terminated: { exitCode, reason: 'Completed', message, startedAt: 't0', finishedAt: 't1' } } });

test('steps: exit codes from the wrapper, onError continue, a timeout, the steps skipped after it', () => {
  const status: PodStatus = {
    phase: 'Succeeded',
    initContainerStatuses: [
      done('prepare', ''),
      { name: 'sidecar-db', started: true, state: { running: { startedAt: 't0' } } },
      done('step-a', '{"exitCode":0,"timedOut":false}'),
      done('step-b', '{"exitCode":2,"timedOut":false}'),
      done('step-c', '{"exitCode":143,"timedOut":true}'),
      done('step-d', '{"skipped":true}'),
    ],
  };
  const { steps, sidecars } = containersOf(plan, status, log);
  assert.deepEqual(steps.map((s) => [s.name, s.phase, s.exitCode, s.reason]), [
    ['a', 'terminated', 0, 'Completed'], ['b', 'terminated', 2, 'Continued'], ['c', 'terminated', 143, 'TimeoutExceeded'], ['d', 'terminated', 0, 'Skipped'],
  ]);
  assert.equal(steps[2].message, '"step-c" exited because the step exceeded the specified timeout limit; step timeout 5s');
  assert.equal(steps[0].logFile, '/logs/step-a.log');
  assert.deepEqual([sidecars[0].phase, sidecars[0].ready], ['running', true]);
  assert.deepEqual(outcomeOf(plan, 'tr-pod', status, steps), { status: 'failed', reason: 'StepFailed', message: '"step-c" exited with code 143', step: 'c' });
});

test('a running attempt has no outcome; a waiting step keeps the kubelet\'s message', () => {
  const status: PodStatus = { phase: 'Pending', initContainerStatuses: [done('step-a', '{"exitCode":0,"timedOut":false}'), { name: 'step-b', state: { running: { startedAt: 't2' } } }, { name: 'step-c', state: { waiting: { reason: 'PodInitializing', message: 'waiting' } } }] };
  const { steps } = containersOf(plan, status, log);
  assert.deepEqual(steps.map((s) => s.phase), ['terminated', 'running', 'waiting', 'waiting']);
  assert.equal(steps[2].message, 'waiting');
  assert.equal(outcomeOf(plan, 'tr-pod', status, steps), undefined);
});

test('every step succeeded (or continued): succeeded', () => {
  const status: PodStatus = { phase: 'Succeeded', initContainerStatuses: ['a', 'b', 'c', 'd'].map((n, i) => done(`step-${n}`, `{"exitCode":${i === 1 ? 1 : 0},"timedOut":false}`)) };
  const { steps } = containersOf(plan, status, log);
  assert.deepEqual(outcomeOf(plan, 'tr-pod', status, steps), { status: 'succeeded' });
});

test('a container ended without the wrapper\'s message: its own exit code and the kubelet\'s reason', () => {
  const status: PodStatus = { phase: 'Succeeded', initContainerStatuses: [{ name: 'step-a', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] };
  const { steps } = containersOf(plan, status, log);
  assert.deepEqual([steps[0].exitCode, steps[0].reason, steps[0].message], [137, 'Error', 'OOMKilled']);
});

test('at the deadline the step the kubelet killed timed out and the steps after it are skipped; an evicted Pod skips what never ran', () => {
  const killed: PodStatus = {
    phase: 'Failed', reason: 'DeadlineExceeded',
    initContainerStatuses: [
      done('step-a', '{"exitCode":0,"timedOut":false}'),
      { name: 'step-b', state: { terminated: { exitCode: 137, reason: 'Error', startedAt: 't1', finishedAt: 't2' } } },
      { name: 'step-c', state: { running: { startedAt: 't2' } } },
      { name: 'step-d', state: { waiting: { reason: 'PodInitializing' } } },
    ],
  };
  const { steps } = containersOf(plan, killed, log);
  assert.deepEqual(steps.map((s) => [s.name, s.phase, s.exitCode, s.reason, s.message]), [
    ['a', 'terminated', 0, 'Completed', undefined], ['b', 'terminated', 137, 'TimeoutExceeded', undefined], ['c', 'terminated', 1, 'TimeoutExceeded', undefined], ['d', 'terminated', 0, 'Skipped', undefined],
  ]);
  assert.deepEqual(outcomeOf(plan, 'tr-pod', killed, steps), { status: 'timeout', message: 'TaskRun "tr" failed to finish within "1m0s"' });
  const evicted = containersOf(plan, { ...killed, reason: 'Evicted' }, log).steps;
  assert.deepEqual(evicted.map((s) => s.reason), ['Completed', 'Continued', undefined, 'Skipped'], 'b (onError: continue) keeps the kubelet\'s exit code');
});

test('outcomes from the Pod: an image pull failure names the step, the deadline is the timeout, an eviction fails the attempt', () => {
  const pull: PodStatus = { phase: 'Pending', initContainerStatuses: [{ name: 'step-b', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "img-b"' } } }] };
  assert.deepEqual(outcomeOf(plan, 'tr-pod', pull, []), {
    status: 'failed', reason: 'ImagePullFailed', step: 'b',
    message: 'the step "b" in TaskRun "tr" failed to pull the image "img-b". The pod errored with the message: "Back-off pulling image "img-b"."',
  });
  assert.deepEqual(outcomeOf(plan, 'tr-pod', { phase: 'Failed', reason: 'DeadlineExceeded' }, []), { status: 'timeout', message: 'TaskRun "tr" failed to finish within "1m0s"' });
  assert.deepEqual(outcomeOf(plan, 'tr-pod', { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }, []), {
    status: 'failed', reason: 'PodCreationFailed', message: 'pod tr-pod failed (Evicted): The node was low on resource: memory.',
  });
});

test('the report\'s log: task results, step results, artifacts; other lines ignored', () => {
  const b = (s: string) => Buffer.from(s).toString('base64');
  const text = [`kiln-result digest ${b('sha256:abc')}`, `kiln-step-result step-a/out ${b('line1\nline2')}`, `kiln-step-result step-zz/x ${b('?')}`, `kiln-artifacts - ${b('{"outputs":[]}')}`, 'noise', `kiln-result empty `].join('\n');
  assert.deepEqual(parseReport(text, plan), { results: { digest: 'sha256:abc', empty: '' }, stepResults: { a: { out: 'line1\nline2' } }, artifacts: '{"outputs":[]}' });
});

test('a timeout while the Pod is still starting: the step it was on timed out, the rest skipped; a cancel skips what never ran', () => {
  const starting: PodStatus = { phase: 'Failed', reason: 'DeadlineExceeded', initContainerStatuses: [done('step-a', '{"exitCode":0,"timedOut":false}'), { name: 'step-b', state: { waiting: { reason: 'PodInitializing' } } }] };
  assert.deepEqual(containersOf(plan, starting, log).steps.map((s) => [s.reason, s.exitCode]), [['Completed', 0], ['TimeoutExceeded', 1], ['Skipped', 0], ['Skipped', 0]]);
  const waiting = plan.steps.map((c) => ({ name: c.name, containerName: c.containerName, phase: 'waiting' as const, logFile: '' }));
  assert.deepEqual(stopSteps(waiting, 'timeout', 't').map((s) => s.reason), ['TimeoutExceeded', 'Skipped', 'Skipped', 'Skipped']);
  assert.deepEqual(stopSteps(waiting, 'cancelled', 't').map((s) => s.reason), ['Skipped', 'Skipped', 'Skipped', 'Skipped']);
  const failed = [{ ...waiting[0], phase: 'terminated' as const, reason: 'Error', exitCode: 2 }, ...waiting.slice(1)];
  assert.deepEqual(stopSteps(failed, 'timeout', 't').map((s) => s.reason), ['Error', 'Skipped', 'Skipped', 'Skipped']);
});
