// Pacing of the PipelineRun reconciler: a run's next reconcile waits `pace` times what its
// previous one cost, so children finishing meanwhile are judged in one pass. The clock is fake:
// every PipelineRun status write "costs" 10 ms, every wait is recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { createPipelineRunReconciler } from './reconciler.ts';

const NS = 'default';
const echo = { steps: [{ name: 'echo', image: 'busybox', script: 'echo hi' }] };

function pipelineRun(name: string): PipelineRun {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace: NS },
    spec: { pipelineSpec: { tasks: [{ name: 'a', taskSpec: echo }, { name: 'b', taskSpec: echo }] } },
  };
}

/** A store whose PipelineRun status writes advance the fake clock by 10 ms; the waits asked for are recorded. */
async function setup(pace: number) {
  const inner = createMemoryStore();
  let t = 1000;
  const waits: number[] = [];
  const store: Store = Object.create(inner);
  store.updateStatus = async (type, obj) => { if (type === PIPELINERUN) t += 10; return inner.updateStatus(type, obj); };
  const r = createPipelineRunReconciler({
    store,
    pace,
    pacer: { now: () => t, sleep: async (ms) => { waits.push(ms); t += ms; } },
  });
  for (const name of ['one', 'two']) await store.create(PIPELINERUN, pipelineRun(name));
  return { store, r, waits };
}

async function finishAll(store: Store, pr: string): Promise<void> {
  const { items } = await store.list<TaskRun>(TASKRUN, { namespace: NS, labelSelector: `tekton.dev/pipelineRun=${pr}` });
  for (const tr of items) {
    await store.updateStatus(TASKRUN, { ...tr, status: { conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded', message: '' }] } });
  }
}

test('pace 1: the next reconcile of a run waits as long as the previous one took; other runs do not wait', async () => {
  const { store, r, waits } = await setup(1);
  await r.reconcile({ namespace: NS, name: 'one' }); // creates the TaskRuns, writes status: 10 ms
  assert.deepEqual(waits, []);
  await r.reconcile({ namespace: NS, name: 'one' });
  assert.deepEqual(waits, [10], 'run one waits what its last reconcile cost');
  await r.reconcile({ namespace: NS, name: 'two' });
  assert.deepEqual(waits, [10], 'another run has its own pace');
});

test('pace 3: the wait is three times the cost; a finished run is forgotten', async () => {
  const { store, r, waits } = await setup(3);
  await r.reconcile({ namespace: NS, name: 'one' });
  await finishAll(store, 'one');
  await r.reconcile({ namespace: NS, name: 'one' }); // waits 30, then judges both TaskRuns at once: done
  assert.deepEqual(waits, [30]);
  assert.equal((await store.get<PipelineRun>(PIPELINERUN, NS, 'one')).status?.conditions?.[0].status, 'True');
  await r.reconcile({ namespace: NS, name: 'one' });
  assert.deepEqual(waits, [30], 'a finished run is not paced');
});

test('pace 0 (the reconciler default): never waits', async () => {
  const { r, waits } = await setup(0);
  for (let i = 0; i < 3; i++) await r.reconcile({ namespace: NS, name: 'one' });
  assert.deepEqual(waits, []);
});
