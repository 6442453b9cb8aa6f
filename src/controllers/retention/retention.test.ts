import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.ts';
import { EVENT, PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import type { Executor } from '../../executor/executor.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { createRetention } from './retention.ts';

const done = (at: string) => ({ completionTime: at, conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded', message: '', lastTransitionTime: at }] });

function fakeExecutor(removed: string[]): Executor {
  return {
    name: 'fake', check: () => [], start: () => { throw new Error('unused'); }, get: () => undefined, notices: () => [], close: async () => {},
    removeRun: async (ns, name) => { removed.push(`${ns}/${name}`); },
  };
}

describe('retention', () => {
  it('keeps the last N runs per pipeline, deleting older ones with their TaskRuns and files', async () => {
    const store = createMemoryStore();
    const pr = async (name: string, at: string, pipeline = 'ci') => store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: 'default' }, spec: { pipelineRef: { name: pipeline } }, status: done(at) } as KObject);
    const old = await pr('ci-1', '2026-01-01T00:00:00Z');
    await pr('ci-2', '2026-01-02T00:00:00Z');
    await pr('other-1', '2026-01-01T00:00:00Z', 'other');
    await store.create(TASKRUN, {
      apiVersion: 'tekton.dev/v1', kind: 'TaskRun',
      metadata: { name: 'ci-1-build', namespace: 'default', labels: { 'tekton.dev/pipelineRun': 'ci-1' }, ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'ci-1', uid: old.metadata.uid!, controller: true }] },
      spec: {}, status: done('2026-01-01T00:00:00Z'),
    });
    await store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'running', namespace: 'default' }, spec: { pipelineRef: { name: 'ci' } } });
    const removed: string[] = [];
    const r = createRetention({ store, executor: fakeExecutor(removed), policy: { keepLast: 1 }, now: () => Date.parse('2026-01-03T00:00:00Z') });
    assert.deepEqual(await r.sweep(), ['PipelineRun/default/ci-1']);
    assert.deepEqual(removed, ['default/ci-1-build']);
    const left = (await store.list(PIPELINERUN)).items.map((o) => o.metadata.name).sort();
    assert.deepEqual(left, ['ci-2', 'other-1', 'running']);
    assert.equal((await store.list(TASKRUN)).items.length, 0, 'the child TaskRun went with its PipelineRun');
  });

  it('prunes by age, standalone TaskRuns included', async () => {
    const store = createMemoryStore();
    await store.create(TASKRUN, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'old', namespace: 'default' }, spec: { taskRef: { name: 't' } }, status: done('2026-01-01T00:00:00Z') });
    await store.create(TASKRUN, { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'new', namespace: 'default' }, spec: { taskRef: { name: 't' } }, status: done('2026-01-09T00:00:00Z') });
    const removed: string[] = [];
    const r = createRetention({ store, executor: fakeExecutor(removed), policy: { maxAgeDays: 7 }, now: () => Date.parse('2026-01-10T00:00:00Z') });
    assert.deepEqual(await r.sweep(), ['TaskRun/default/old']);
    assert.deepEqual(removed, ['default/old']);
  });

  it('prunes trigger records (Events on listeners) by age; other Events stay', async () => {
    const store = createMemoryStore();
    const ev = (name: string, at: string, labels?: Record<string, string>) => store.create(EVENT, { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default', labels }, lastTimestamp: at, reason: 'TriggerAccepted' } as KObject);
    await ev('gh.old.0', '2026-01-01T00:00:00Z', { 'triggers.tekton.dev/eventlistener': 'gh' });
    await ev('gh.new.0', '2026-01-09T00:00:00Z', { 'triggers.tekton.dev/eventlistener': 'gh' });
    await ev('unrelated', '2026-01-01T00:00:00Z');
    const r = createRetention({ store, executor: fakeExecutor([]), policy: { maxAgeDays: 7 }, now: () => Date.parse('2026-01-10T00:00:00Z') });
    assert.deepEqual(await r.sweep(), ['Event/default/gh.old.0']);
    assert.deepEqual((await store.list(EVENT)).items.map((e) => e.metadata.name).sort(), ['gh.new.0', 'unrelated']);
    const keepLastOnly = createRetention({ store, executor: fakeExecutor([]), policy: { keepLast: 1 }, now: () => Date.parse('2027-01-10T00:00:00Z') });
    assert.deepEqual(await keepLastOnly.sweep(), [], 'records follow the age limit only');
  });
});
