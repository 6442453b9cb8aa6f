// The PipelineRun controller over the memory store, with the test playing the TaskRun side:
// pipelines in pipelines (a child PipelineRun reconciled by the same controller, waking its
// parent), success/failure propagation and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pipeline } from '../../api/pipeline.types.ts';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { PIPELINE, PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import { CANCEL_MESSAGE_ANNOTATION } from '../../engine/pipelinerun/facts.types.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { isNotFound, type Store } from '../../store/store.ts';
import { createPipelineRunController } from './controller.ts';

const NS = 'default';
const echo = { steps: [{ name: 'echo', image: 'busybox', script: 'echo hi' }] };

function pipeline(name: string, spec: Pipeline['spec']): Pipeline {
  return { apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name, namespace: NS }, spec };
}

function pipelineRun(name: string, spec: PipelineRun['spec']): PipelineRun {
  return { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: NS }, spec };
}

const CHILD = pipeline('child-pipeline', {
  params: [{ name: 'who' }],
  workspaces: [{ name: 'shared' }],
  tasks: [{ name: 'hello', params: [{ name: 'who', value: '$(params.who)' }], workspaces: [{ name: 'shared' }], taskSpec: { params: [{ name: 'who' }], workspaces: [{ name: 'shared' }], ...echo } }],
});
const PARENT = pipeline('parent', {
  params: [{ name: 'name', default: 'kiln' }],
  workspaces: [{ name: 'ws' }],
  tasks: [
    { name: 'child', pipelineRef: { name: 'child-pipeline' }, params: [{ name: 'who', value: 'hello $(params.name)' }], workspaces: [{ name: 'shared', workspace: 'ws' }] },
    { name: 'after', runAfter: ['child'], taskSpec: echo },
  ],
});

async function started(objects: Array<Pipeline | PipelineRun>) {
  const store: Store = createMemoryStore();
  for (const o of objects) await store.create(o.kind === 'Pipeline' ? PIPELINE : PIPELINERUN, o);
  const controller = createPipelineRunController({ store });
  await controller.start();
  await controller.idle();
  return { store, controller };
}

const getRun = (store: Store, name: string) => store.get<PipelineRun>(PIPELINERUN, NS, name);
const condition = (o: { status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } }) => {
  const c = o.status?.conditions?.find((x) => x.type === 'Succeeded');
  return [c?.status, c?.reason, c?.message];
};

/** Plays the TaskRun controller for one TaskRun: it ends with `status`/`reason`. */
async function finishTaskRun(store: Store, name: string, status: 'True' | 'False', reason: string): Promise<void> {
  const tr = await store.get<TaskRun>(TASKRUN, NS, name);
  await store.updateStatus(TASKRUN, { ...tr, status: { startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:01Z', conditions: [{ type: 'Succeeded', status, reason, message: reason }] } });
}

test('pipelines in pipelines: the child PipelineRun is created, reconciled by the same controller, and decides the task', async () => {
  const rows: Array<{ name: string; status: 'True' | 'False'; reason: string; child: unknown[]; parent: unknown[]; after: boolean }> = [
    { name: 'success', status: 'True', reason: 'Succeeded', child: ['True', 'Succeeded', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0'], parent: ['True', 'Succeeded', 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0'], after: true },
    { name: 'failure', status: 'False', reason: 'Failed', child: ['False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0'], parent: ['False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 1'], after: false },
  ];
  for (const r of rows) {
    const { store, controller } = await started([CHILD, PARENT, pipelineRun('run', { pipelineRef: { name: 'parent' }, workspaces: [{ name: 'ws', emptyDir: {} }] })]);
    try {
      const parent = await getRun(store, 'run');
      const child = await getRun(store, 'run-child');
      assert.deepEqual(child.metadata.ownerReferences, [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'run', uid: parent.metadata.uid, controller: true, blockOwnerDeletion: true }], r.name);
      assert.equal(child.metadata.labels?.['tekton.dev/pipelineRun'], 'run');
      assert.equal(child.metadata.labels?.['tekton.dev/pipelineTask'], 'child');
      assert.equal(child.metadata.labels?.['tekton.dev/memberOf'], 'tasks');
      assert.deepEqual(child.spec.pipelineRef, { name: 'child-pipeline' });
      assert.deepEqual(child.spec.params, [{ name: 'who', value: 'hello kiln' }]);
      assert.deepEqual(child.spec.workspaces, [{ name: 'shared', emptyDir: {} }]);
      assert.equal(child.spec.timeouts?.pipeline, '60m', 'defaulted like any PipelineRun');
      assert.deepEqual(parent.status?.childReferences, [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'run-child', pipelineTaskName: 'child' }]);
      assert.equal(condition(parent)[1], 'Running');
      // the child ran its own task: a grandchild TaskRun owned by the child, with the forwarded param
      const { items } = await store.list<TaskRun>(TASKRUN, { namespace: NS });
      assert.deepEqual(items.map((t) => t.metadata.name), ['run-child-hello'], r.name);
      const gt = items[0];
      assert.equal(gt.metadata.labels?.['tekton.dev/pipelineRun'], 'run-child');
      assert.equal(gt.metadata.ownerReferences?.[0].uid, child.metadata.uid);
      assert.deepEqual(gt.spec.params, [{ name: 'who', value: 'hello kiln' }]);
      assert.deepEqual(gt.spec.workspaces, [{ name: 'shared', emptyDir: {} }]);

      await finishTaskRun(store, 'run-child-hello', r.status, r.reason);
      await controller.idle();
      assert.deepEqual(condition(await getRun(store, 'run-child')), r.child, r.name);
      if (r.after) {
        await finishTaskRun(store, 'run-after', 'True', 'Succeeded');
        await controller.idle();
      } else {
        await assert.rejects(store.get(TASKRUN, NS, 'run-after'), (e: unknown) => isNotFound(e), `${r.name}: nothing runs after a failed child`);
      }
      assert.deepEqual(condition(await getRun(store, 'run')), r.parent, r.name);
    } finally {
      await controller.stop();
    }
  }
});

test('pipelines in pipelines: cancelling the parent cancels the child PipelineRun, which cancels its TaskRuns', async () => {
  const { store, controller } = await started([CHILD, PARENT, pipelineRun('run', { pipelineRef: { name: 'parent' }, workspaces: [{ name: 'ws', emptyDir: {} }] })]);
  try {
    const parent = await getRun(store, 'run');
    await store.update(PIPELINERUN, { ...parent, spec: { ...parent.spec, status: 'Cancelled' } });
    await controller.idle();
    const child = await getRun(store, 'run-child');
    assert.equal(child.spec.status, 'Cancelled');
    assert.equal(child.metadata.annotations?.[CANCEL_MESSAGE_ANNOTATION], 'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.');
    assert.deepEqual(condition(child), ['False', 'Cancelled', 'PipelineRun "run-child" was cancelled']);
    const tr = await store.get<TaskRun>(TASKRUN, NS, 'run-child-hello');
    assert.equal(tr.spec.status, 'TaskRunCancelled');
    assert.deepEqual(condition(await getRun(store, 'run')), ['False', 'Cancelled', 'PipelineRun "run" was cancelled']);
  } finally {
    await controller.stop();
  }
});

test('pipelines in pipelines: an inline pipelineSpec, and a referenced Pipeline that does not exist fails the child and so the task', async () => {
  const spec = {
    tasks: [
      { name: 'inline', pipelineSpec: { tasks: [{ name: 'hello', taskSpec: echo }] } },
      { name: 'missing', pipelineRef: { name: 'nope' } },
    ],
  };
  const { store, controller } = await started([pipelineRun('run', { pipelineSpec: spec })]);
  try {
    assert.deepEqual(condition(await getRun(store, 'run-missing')).slice(0, 2), ['False', 'CouldntGetPipeline']);
    await finishTaskRun(store, 'run-inline-hello', 'True', 'Succeeded');
    await controller.idle();
    assert.deepEqual(condition(await getRun(store, 'run-inline')).slice(0, 2), ['True', 'Succeeded']);
    assert.deepEqual(condition(await getRun(store, 'run')), ['False', 'Failed', 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0']);
  } finally {
    await controller.stop();
  }
});

test('pipelines in pipelines: a Pipeline running itself fails its first child instead of nesting forever', async () => {
  const loop = pipeline('loop', { tasks: [{ name: 'again', pipelineRef: { name: 'loop' } }] });
  const { store, controller } = await started([loop, pipelineRun('run', { pipelineSpec: { tasks: [{ name: 'start', pipelineRef: { name: 'loop' } }] } })]);
  try {
    const { items } = await store.list<PipelineRun>(PIPELINERUN, { namespace: NS });
    assert.deepEqual(items.map((p) => p.metadata.name).sort(), ['run', 'run-start']);
    assert.deepEqual(condition(await getRun(store, 'run-start')).slice(0, 2), ['False', 'PipelineValidationFailed']);
    assert.deepEqual(condition(await getRun(store, 'run')), ['False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0']);
  } finally {
    await controller.stop();
  }
});
