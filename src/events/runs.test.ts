import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineRun } from '../api/pipelinerun.types.ts';
import type { TaskRun } from '../api/taskrun.types.ts';
import { CDEventType } from './cdevent.ts';
import { chainIdOf, outcomeOf, pipelineRunEvents, runEventId, taskRunEvents, triggerEventId } from './runs.ts';
import { cdeventSchemas } from './schemas.testing.ts';

const schemas = cdeventSchemas();
const src = { source: 'https://kiln.example:7443', apiBase: 'https://kiln.example:7443' };

function pr(status?: PipelineRun['status'], labels?: Record<string, string>, annotations?: Record<string, string>): PipelineRun {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'PipelineRun',
    metadata: { name: 'build-1', namespace: 'ci', uid: 'pr-uid', creationTimestamp: '2024-05-01T10:00:00Z', labels, annotations },
    spec: { pipelineRef: { name: 'build' } }, status,
  };
}

function tr(status?: TaskRun['status']): TaskRun {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun',
    metadata: {
      name: 'build-1-compile', namespace: 'ci', uid: 'tr-uid', creationTimestamp: '2024-05-01T10:00:01Z',
      labels: { 'tekton.dev/pipelineRun': 'build-1', 'tekton.dev/pipelineTask': 'compile' },
      ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'build-1', uid: 'pr-uid', controller: true }],
    },
    spec: {}, status,
  };
}

const done = (status: 'True' | 'False', reason: string, message = '') => [{ type: 'Succeeded', status, reason, message, lastTransitionTime: '2024-05-01T10:05:00Z' }];

function assertValid(events: unknown[]): void {
  if (!schemas) return;
  for (const e of events) assert.deepEqual(schemas.errors(e), [], JSON.stringify(e));
}

test('a PipelineRun yields queued, then started, then finished as its state moves on', () => {
  const cases = [
    { name: 'just created', run: pr(), types: [CDEventType.PipelineRunQueued] },
    { name: 'running', run: pr({ startTime: '2024-05-01T10:00:00.5Z', conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] }), types: [CDEventType.PipelineRunQueued, CDEventType.PipelineRunStarted] },
    { name: 'failed', run: pr({ startTime: '2024-05-01T10:00:00.5Z', completionTime: '2024-05-01T10:05:00Z', conditions: done('False', 'Failed', 'Tasks Completed: 1 (Failed: 1)') }), types: [CDEventType.PipelineRunQueued, CDEventType.PipelineRunStarted, CDEventType.PipelineRunFinished] },
  ];
  for (const c of cases) {
    const events = pipelineRunEvents(c.run, src);
    assert.deepEqual(events.map((e) => e.context.type), c.types, c.name);
    assertValid(events);
  }
  const [queued, started, finished] = pipelineRunEvents(cases[2].run, src);
  assert.equal(started.subject.id, 'ci/build-1');
  assert.deepEqual(started.subject.content, { pipelineName: 'build', uri: 'https://kiln.example:7443/apis/tekton.dev/v1/namespaces/ci/pipelineruns/build-1' });
  assert.deepEqual(finished.subject.content, { pipelineName: 'build', uri: 'https://kiln.example:7443/apis/tekton.dev/v1/namespaces/ci/pipelineruns/build-1', outcome: 'failure', errors: 'Tasks Completed: 1 (Failed: 1)' });
  assert.equal(queued.context.timestamp, '2024-05-01T10:00:00Z');
  assert.equal(finished.context.timestamp, '2024-05-01T10:05:00Z');
  assert.deepEqual(started.context.links, [{ linkType: 'PATH', from: { contextId: queued.context.id } }]);
  assert.deepEqual(finished.context.links, [{ linkType: 'END', from: { contextId: started.context.id } }]);
  assert.equal(new Set([queued, started, finished].map((e) => e.context.chainId)).size, 1);
});

test('ids are stable: deriving the same state again (a re-delivery, a restart) gives the same events', () => {
  const run = pr({ startTime: '2024-05-01T10:00:00.5Z', completionTime: '2024-05-01T10:05:00Z', conditions: done('True', 'Succeeded') });
  assert.deepEqual(pipelineRunEvents(run, src), pipelineRunEvents(structuredClone(run), src));
  assert.equal(pipelineRunEvents(run, src)[1].context.id, runEventId('pr-uid', CDEventType.PipelineRunStarted));
  const other = { ...run, metadata: { ...run.metadata, uid: 'pr-uid-2' } };
  assert.notEqual(pipelineRunEvents(other, src)[1].context.id, pipelineRunEvents(run, src)[1].context.id);
});

test('a triggered PipelineRun is chained to its delivery and linked to the event that caused it (RELATION TRIGGER)', () => {
  const labels = { 'triggers.tekton.dev/triggers-eventid': 'delivery-7' };
  const [queued] = pipelineRunEvents(pr(undefined, labels, { 'cdevents.kiln.dev/trigger-event': triggerEventId('delivery-7') }), src);
  assert.deepEqual(queued.context.links, [{ linkType: 'RELATION', linkKind: 'TRIGGER', target: { contextId: triggerEventId('delivery-7') } }]);
  assert.notEqual(queued.context.chainId, chainIdOf(pr()));
  assert.equal(queued.context.chainId, chainIdOf(pr(undefined, labels)));
  assertValid([queued]);
  // a delivery that yielded no CDEvent of its own (no annotation): chained, not linked to an event that does not exist
  assert.equal(pipelineRunEvents(pr(undefined, labels), src)[0].context.links, undefined);
  // started by a received CDEvent: on that event's chain, linked to it
  const [fromCD] = pipelineRunEvents(pr(undefined, labels, { 'cdevents.kiln.dev/trigger-event': 'upstream-1', 'cdevents.kiln.dev/chain-id': 'upstream-chain' }), src);
  assert.equal(fromCD.context.chainId, 'upstream-chain');
  assert.deepEqual(fromCD.context.links, [{ linkType: 'RELATION', linkKind: 'TRIGGER', target: { contextId: 'upstream-1' } }]);
  assertValid([fromCD]);
});

test("a TaskRun yields started/finished per attempt, linked to its PipelineRun's started event, on the PipelineRun's chain", () => {
  const first = { startTime: '2024-05-01T10:00:02Z', completionTime: '2024-05-01T10:01:00Z', conditions: done('False', 'Failed', 'step build exited 1') };
  const run = tr({ retriesStatus: [first], startTime: '2024-05-01T10:01:01Z', completionTime: '2024-05-01T10:02:00Z', conditions: done('True', 'Succeeded', 'All Steps have completed executing') });
  const events = taskRunEvents(run, src);
  assert.deepEqual(events.map((e) => e.context.type), [CDEventType.TaskRunStarted, CDEventType.TaskRunFinished, CDEventType.TaskRunStarted, CDEventType.TaskRunFinished]);
  assertValid(events);
  assert.deepEqual(events[0].context.links, [{ linkType: 'PATH', from: { contextId: runEventId('pr-uid', CDEventType.PipelineRunStarted) } }]);
  assert.deepEqual(events[2].context.links, [{ linkType: 'PATH', from: { contextId: events[1].context.id } }]);
  assert.deepEqual(events[1].subject.content, { taskName: 'compile', uri: 'https://kiln.example:7443/apis/tekton.dev/v1/namespaces/ci/taskruns/build-1-compile', pipelineRun: { id: 'ci/build-1' }, outcome: 'failure', errors: 'step build exited 1' });
  assert.equal(events[3].subject.content.outcome, 'success');
  assert.equal(new Set(events.map((e) => e.context.id)).size, 4);
  assert.equal(events[0].context.chainId, pipelineRunEvents(pr(), src)[0].context.chainId);
  assert.deepEqual(taskRunEvents(tr({ conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Pending' }] }), src), []);
});

test('outcome of a final condition', () => {
  const cases = [
    { name: 'succeeded', c: { type: 'Succeeded', status: 'True' as const, reason: 'Succeeded' }, want: 'success' },
    { name: 'failed', c: { type: 'Succeeded', status: 'False' as const, reason: 'Failed' }, want: 'failure' },
    { name: 'timeout', c: { type: 'Succeeded', status: 'False' as const, reason: 'PipelineRunTimeout' }, want: 'failure' },
    { name: 'cancelled', c: { type: 'Succeeded', status: 'False' as const, reason: 'Cancelled' }, want: 'cancel' },
    { name: 'taskrun cancelled', c: { type: 'Succeeded', status: 'False' as const, reason: 'TaskRunCancelled' }, want: 'cancel' },
    { name: 'invalid', c: { type: 'Succeeded', status: 'False' as const, reason: 'PipelineValidationFailed' }, want: 'error' },
    { name: 'no pipeline', c: { type: 'Succeeded', status: 'False' as const, reason: 'CouldntGetPipeline' }, want: 'error' },
  ];
  for (const c of cases) assert.equal(outcomeOf(c.c), c.want, c.name);
});
