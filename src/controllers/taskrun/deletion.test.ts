// A deleted TaskRun's attempt is stopped and its files removed, whatever deleted it (API, kubectl,
// a PipelineRun's cascade, retention): the reconciler observes the run is gone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { TASKRUN } from '../../api/registry.ts';
import type { ExecutionHandle, ExecutionPlan, ExecutionSnapshot, Executor } from '../../executor/executor.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { createTaskRunReconciler } from './reconciler.ts';

/** An executor whose attempts run until cancelled or finished by the test; it records removals. */
function fakeExecutor() {
  const handles = new Map<string, ExecutionHandle & { finish(): void; cancelled: string[] }>();
  const log: string[] = [];
  const executor: Executor = {
    name: 'fake',
    check: () => [],
    start(plan: ExecutionPlan, onChange: () => void) {
      let snap: ExecutionSnapshot = { id: plan.id, steps: [], sidecars: [], logDir: `/logs/${plan.id}` };
      let resolveDone!: (s: ExecutionSnapshot) => void;
      const done = new Promise<ExecutionSnapshot>((r) => (resolveDone = r));
      const end = (status: 'succeeded' | 'cancelled') => {
        snap = { ...snap, outcome: { status } as ExecutionSnapshot['outcome'] };
        log.push(`${status} ${plan.id}`);
        resolveDone(snap);
        onChange();
      };
      const cancelled: string[] = [];
      const h = {
        id: plan.id, done, cancelled,
        snapshot: () => snap,
        cancel(_kind: 'cancelled' | 'timeout', message: string) { cancelled.push(message); end('cancelled'); },
        finish() { end('succeeded'); },
      };
      handles.set(plan.id, h);
      log.push(`start ${plan.id}`);
      return h;
    },
    get: (id) => handles.get(id),
    notices: () => [],
    async removeRun(ns, name, uid) { log.push(`remove ${ns}/${name} ${uid}`); for (const id of handles.keys()) if (id.startsWith(`${ns}/${name}/`)) handles.delete(id); },
    close: async () => {},
  };
  return { executor, handles, log };
}

function setup() {
  let n = 0;
  const store = createMemoryStore({ uid: () => `uid-${++n}` });
  const fake = fakeExecutor();
  const r = createTaskRunReconciler({ store, executor: fake.executor, enqueue: () => {} });
  const run: TaskRun = { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'build', namespace: 'ns' }, spec: { taskSpec: { steps: [{ name: 's', image: 'alpine', script: 'sleep 100' }] } } };
  return {
    store, ...fake,
    reconcile: () => r.reconcile({ namespace: 'ns', name: 'build' }),
    create: () => store.create(TASKRUN, structuredClone(run)),
    remove: () => store.delete(TASKRUN, 'ns', 'build'),
  };
}

describe('TaskRun reconciler: a deleted run leaves no files', () => {
  test('a finished run: its files are removed once it is gone', async () => {
    const env = setup();
    await env.create();
    await env.reconcile();
    env.handles.get('ns/build/0')!.finish();
    await env.reconcile();
    assert.equal((await env.store.get<TaskRun>(TASKRUN, 'ns', 'build')).status?.conditions?.[0].status, 'True');
    await env.remove();
    await env.reconcile();
    assert.deepEqual(env.log, ['start ns/build/0', 'succeeded ns/build/0', 'remove ns/build uid-1']);
    await env.reconcile();
    assert.equal(env.log.length, 3, 'removed once');
  });

  test('a running run: its attempt is stopped first, then its files removed', async () => {
    const env = setup();
    await env.create();
    await env.reconcile();
    await env.remove();
    await env.reconcile();
    assert.deepEqual(env.log, ['start ns/build/0', 'cancelled ns/build/0', 'remove ns/build uid-1']);
  });

  test('deleted and created again under the same name: the old run\'s files go before the new one starts', async () => {
    const env = setup();
    await env.create();
    await env.reconcile();
    env.handles.get('ns/build/0')!.finish();
    await env.reconcile();
    await env.remove();
    await env.create(); // the deletion was never observed on its own
    await env.reconcile();
    assert.deepEqual(env.log, ['start ns/build/0', 'succeeded ns/build/0', 'remove ns/build uid-1', 'start ns/build/0']);
  });

  test('a run never seen: nothing to remove', async () => {
    const env = setup();
    await env.reconcile();
    assert.deepEqual(env.log, []);
  });
});
