// Several replicas' TaskRun reconcilers on one store: an attempt is claimed (status.replica, written
// with the resourceVersion read) before it starts, so it starts once; an attempt of a live replica
// is left to it; one of a replica that is gone is lost and retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { TASKRUN } from '../../api/registry.ts';
import type { ExecutionHandle, ExecutionPlan, ExecutionSnapshot, Executor } from '../../executor/executor.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { createTaskRunReconciler, type ReplicaView } from './reconciler.ts';

/** An executor whose attempts run until the test finishes them. */
function fakeExecutor() {
  const handles = new Map<string, ExecutionHandle & { finish(): void }>();
  const started: string[] = [];
  const ex: Executor = {
    name: 'fake',
    check: () => [],
    start(plan: ExecutionPlan, onChange) {
      started.push(plan.id);
      let snap: ExecutionSnapshot = { id: plan.id, steps: plan.steps.map((s) => ({ name: s.name, containerName: s.containerName, phase: 'running', logFile: '/logs/x.log' })), sidecars: [], logDir: '/logs' };
      const h = {
        id: plan.id, done: new Promise<ExecutionSnapshot>(() => {}), snapshot: () => structuredClone(snap), cancel() {},
        finish() {
          snap = { ...snap, steps: snap.steps.map((s) => ({ ...s, phase: 'terminated', exitCode: 0 })), outcome: { status: 'succeeded' }, finishedAt: new Date().toISOString() } as ExecutionSnapshot;
          onChange();
        },
      };
      handles.set(plan.id, h);
      return h;
    },
    get: (id) => handles.get(id),
    notices: () => [],
    close: async () => {},
  };
  return { ex, started, handles };
}

const run = (name: string): TaskRun => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: 'ns' }, spec: { retries: 1, taskSpec: { steps: [{ name: 's', image: 'busybox', script: 'true' }] } } } as TaskRun);

function replica(store: Store, id: string, view: Partial<ReplicaView> = {}) {
  const { ex, started, handles } = fakeExecutor();
  const r = createTaskRunReconciler({ store, executor: ex, enqueue: () => {}, replica: { id, owns: () => true, isLive: () => true, ...view } });
  return { ...r, started, handles, reconcileNs: (name: string) => r.reconcile({ namespace: 'ns', name }) };
}

test('two replicas that both think they own a TaskRun start its attempt once: the claim is resourceVersion-checked', { timeout: 20_000 }, async () => {
  const store = createMemoryStore();
  await store.create(TASKRUN, run('build'));
  const a = replica(store, 'a');
  const b = replica(store, 'b');
  await Promise.all([a.reconcileNs('build'), b.reconcileNs('build')]);
  // the loser re-reads: the attempt is the live winner's, left alone
  await Promise.all([a.reconcileNs('build'), b.reconcileNs('build')]);
  assert.equal(a.started.length + b.started.length, 1, `started by a: ${a.started}, by b: ${b.started}`);
  const winner = a.started.length ? a : b;
  const tr = await store.get<TaskRun>(TASKRUN, 'ns', 'build');
  assert.equal(tr.status?.replica, winner === a ? 'a' : 'b');
  assert.equal(tr.status?.conditions?.[0].reason, 'Running');
  assert.ok(winner.holds('ns/build'));
  assert.ok(!(winner === a ? b : a).holds('ns/build'));
});

test('a replica keeps the run it started though it no longer owns it; the new owner leaves it while it lives', { timeout: 20_000 }, async () => {
  const store = createMemoryStore();
  await store.create(TASKRUN, run('build'));
  let aOwns = true;
  const a = replica(store, 'a', { owns: () => aOwns });
  const c = replica(store, 'c', { owns: () => !aOwns, isLive: () => true });
  await a.reconcileNs('build');
  aOwns = false;
  await c.reconcileNs('build');
  assert.deepEqual(c.started, [], 'the new owner does not start what a live replica runs');
  a.handles.get('ns/build/0')!.finish();
  await a.reconcileNs('build');
  const tr = await store.get<TaskRun>(TASKRUN, 'ns', 'build');
  assert.equal(tr.status?.conditions?.[0].status, 'True', JSON.stringify(tr.status?.conditions));
  assert.equal(tr.status?.replica, 'a');
  assert.ok(!a.holds('ns/build'), 'done: a keeps it no longer');
});

test('an attempt of a replica that is gone is lost and retried by the owner; a replica does not touch runs it does not own', { timeout: 20_000 }, async () => {
  const store = createMemoryStore();
  await store.create(TASKRUN, run('build'));
  await store.create(TASKRUN, run('other'));
  const a = replica(store, 'a');
  await a.reconcileNs('build');
  const b = replica(store, 'b', { owns: (r) => r.metadata.name === 'build', isLive: (id) => id === 'b' });
  await b.reconcileNs('other');
  assert.equal((await store.get<TaskRun>(TASKRUN, 'ns', 'other')).status, undefined, 'not owned: untouched');
  await b.reconcileNs('build');
  let tr = await store.get<TaskRun>(TASKRUN, 'ns', 'build');
  assert.equal(tr.status?.conditions?.[0].reason, 'ToBeRetried');
  assert.match(tr.status?.retriesStatus?.[0].conditions?.[0].message ?? '', /went away/);
  await b.reconcileNs('build');
  tr = await store.get<TaskRun>(TASKRUN, 'ns', 'build');
  assert.deepEqual(b.started, ['ns/build/1']);
  assert.equal(tr.status?.replica, 'b');
  assert.equal(tr.status?.podName, 'build-pod-retry1');
});
