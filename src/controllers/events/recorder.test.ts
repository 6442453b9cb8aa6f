import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, KObject } from '../../api/meta.ts';
import { EVENT, PIPELINERUN } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { createRunEventRecorder, runEventName } from './recorder.ts';

function cond(status: Condition['status'], reason: string, message: string, lastTransitionTime = '2024-01-01T00:00:00.000Z'): Condition {
  return { type: 'Succeeded', status, reason, message, lastTransitionTime };
}

async function newRun(store: Store, name = 'pr-1'): Promise<KObject> {
  return store.create(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: 'ns1' }, spec: { pipelineRef: { name: 'p' } } });
}

/** `reason (count): message` of each Event, oldest first. */
async function summary(store: Store): Promise<string[]> {
  const { items } = await store.list(EVENT, { namespace: 'ns1' });
  items.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  return items.map((e) => `${e.type} ${e.reason} (${e.count}): ${e.message}`);
}

describe('createRunEventRecorder', () => {
  const at = new Date('2024-05-01T10:00:00.000Z');

  it('writes an Event kubectl describe finds: involvedObject, source, timestamps, owner', async () => {
    const store = createMemoryStore();
    const run = await newRun(store);
    const rec = createRunEventRecorder({ store, component: 'PipelineRun', now: () => at });
    await rec.record(run, undefined, cond('Unknown', 'Running', 'Tasks Completed: 0'));
    const { items } = await store.list(EVENT, {
      namespace: 'ns1',
      fieldSelector: `involvedObject.name=pr-1,involvedObject.namespace=ns1,involvedObject.kind=PipelineRun,involvedObject.uid=${run.metadata.uid}`,
    });
    assert.deepEqual(items.map((e) => e.reason).sort(), ['Running', 'Started']);
    const started = items.find((e) => e.reason === 'Started')!;
    assert.equal(started.metadata.name, runEventName(run, 'Started'));
    assert.deepEqual(started.involvedObject, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'pr-1', namespace: 'ns1', uid: run.metadata.uid });
    assert.deepEqual(started.source, { component: 'PipelineRun' });
    assert.equal(started.type, 'Normal');
    assert.equal(started.firstTimestamp, at.toISOString());
    assert.equal(started.lastTimestamp, at.toISOString());
    assert.equal(started.count, 1);
    assert.deepEqual(started.metadata.ownerReferences, [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'pr-1', uid: run.metadata.uid }]);
    await store.close();
  });

  it('names sort as the Events happen: Started, then while running, then the end', async () => {
    const store = createMemoryStore();
    const run = await newRun(store);
    const names = ['Failed', 'Running', 'Succeeded', 'Pending', 'Started'].map((r) => `${runEventName(run, r).split('.')[1][0]} ${r}`);
    assert.deepEqual(names.sort(), ['0 Started', '1 Pending', '1 Running', '2 Failed', '2 Succeeded']);
    assert.match(runEventName(run, 'Running'), /^pr-1\.1[0-9a-f]{15}$/);
    await store.close();
  });

  it('recording the same transition twice records it once', async () => {
    const store = createMemoryStore();
    const run = await newRun(store);
    const rec = createRunEventRecorder({ store, component: 'PipelineRun', now: () => at });
    const running = cond('Unknown', 'Running', 'Tasks Completed: 0');
    const done = cond('False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0');
    for (let i = 0; i < 2; i++) {
      await rec.record(run, undefined, running);
      await rec.record(run, running, done);
    }
    assert.deepEqual(await summary(store), [
      'Normal Started (1): ',
      'Normal Running (1): Tasks Completed: 0',
      'Warning Failed (1): Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0',
    ]);
    await store.close();
  });

  it('a reason that comes again bumps its Event: count, message, lastTimestamp', async () => {
    const store = createMemoryStore();
    const run = await newRun(store);
    let t = at;
    const rec = createRunEventRecorder({ store, component: 'PipelineRun', now: () => t });
    const r0 = cond('Unknown', 'Running', 'Tasks Completed: 0');
    const r1 = cond('Unknown', 'Running', 'Tasks Completed: 1');
    await rec.record(run, undefined, r0);
    t = new Date('2024-05-01T10:00:05.000Z');
    await rec.record(run, r0, r1);
    assert.deepEqual(await summary(store), ['Normal Started (1): ', 'Normal Running (2): Tasks Completed: 1']);
    const running = await store.get(EVENT, 'ns1', runEventName(run, 'Running'));
    assert.equal(running.firstTimestamp, at.toISOString());
    assert.equal(running.lastTimestamp, t.toISOString());
    await store.close();
  });

  it("a run's Events go when the run is deleted", async () => {
    const store = createMemoryStore();
    const run = await newRun(store);
    const other = await newRun(store, 'pr-2');
    const rec = createRunEventRecorder({ store, component: 'PipelineRun', now: () => at });
    await rec.record(run, undefined, cond('True', 'Succeeded', 'done'));
    await rec.record(other, undefined, cond('True', 'Succeeded', 'done'));
    await store.delete(PIPELINERUN, 'ns1', 'pr-1');
    const { items } = await store.list(EVENT, { namespace: 'ns1' });
    assert.deepEqual([...new Set(items.map((e) => (e.involvedObject as { name: string }).name))], ['pr-2']);
    await store.close();
  });

  it('a failure to record is reported, not thrown', async () => {
    const store = createMemoryStore();
    const run = await newRun(store);
    await store.close();
    const failed: string[] = [];
    const rec = createRunEventRecorder({ store: { ...store, create: async () => { throw new Error('store is closed'); } }, component: 'PipelineRun', onError: (e, ev) => failed.push(`${ev.reason}: ${(e as Error).message}`) });
    await rec.record(run, undefined, cond('True', 'Succeeded', 'done'));
    assert.deepEqual(failed, ['Started: store is closed', 'Succeeded: store is closed']);
  });
});
