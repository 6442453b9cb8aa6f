// The claim reconciler: binds claims (finalizer + Bound), and removes a deleted claim's directory
// (then the claim) once no running TaskRun uses it — whether kubectl deleted it or its run's
// deletion cascaded to it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from '../../api/core.types.ts';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { PIPELINERUN, PVC, TASKRUN } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { orUndefined } from '../../store/store.ts';
import { CLAIM_FINALIZER, createClaimMaker } from './claims.ts';
import { createClaimReconciler, usesClaim } from './reconciler.ts';

const NS = 'default';

function setup() {
  const store = createMemoryStore();
  const removed: string[] = [];
  const r = createClaimReconciler({ store, storage: { async remove(ns, name) { removed.push(`${ns}/${name}`); } }, inUseRetryMs: 250 });
  const get = () => orUndefined(store.get<PersistentVolumeClaim>(PVC, NS, 'data'));
  return { store, removed, get, reconcile: (name = 'data') => r.reconcile({ namespace: NS, name }) };
}

const userClaim = (extra: Partial<PersistentVolumeClaim> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: NS },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } }, ...extra,
});

const taskRun = (name: string, claimName: string, done?: boolean): TaskRun => ({
  apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: NS },
  spec: { taskSpec: { steps: [{ name: 's', image: 'alpine', script: 'true' }] }, workspaces: [{ name: 'w', persistentVolumeClaim: { claimName } }] },
  ...(done ? { status: { conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }] } } : {}),
});

describe('claim reconciler', () => {
  test('a claim from kubectl is bound: held by kiln\'s finalizer, Bound with its requested capacity', async () => {
    const env = setup();
    await env.store.create(PVC, userClaim());
    await env.reconcile();
    const c = await env.get();
    assert.deepEqual(c?.metadata.finalizers, [CLAIM_FINALIZER]);
    assert.deepEqual(c?.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } });
    const rv = c?.metadata.resourceVersion;
    await env.reconcile();
    assert.equal((await env.get())?.metadata.resourceVersion, rv, 'nothing to do the second time');
    assert.deepEqual(env.removed, []);
  });

  test('a deleted claim: its directory is removed, then the claim goes', async () => {
    const env = setup();
    await env.store.create(PVC, userClaim());
    await env.reconcile();
    await env.store.delete(PVC, NS, 'data');
    assert.ok((await env.get())?.metadata.deletionTimestamp, 'held by the finalizer');
    await env.reconcile();
    assert.deepEqual(env.removed, [`${NS}/data`]);
    assert.equal(await env.get(), undefined);
  });

  test('a deleted claim a running TaskRun uses waits for it; a finished one does not hold it', async () => {
    const env = setup();
    await env.store.create(PVC, userClaim());
    await env.reconcile();
    await env.store.create(TASKRUN, taskRun('done', 'data', true));
    await env.store.create(TASKRUN, taskRun('other', 'another-claim'));
    await env.store.create(TASKRUN, taskRun('busy', 'data'));
    await env.store.delete(PVC, NS, 'data');
    assert.deepEqual(await env.reconcile(), { requeueAfter: 250 });
    assert.deepEqual(env.removed, []);
    const busy = await env.store.get<TaskRun>(TASKRUN, NS, 'busy');
    await env.store.updateStatus(TASKRUN, { ...busy, status: { conditions: [{ type: 'Succeeded', status: 'False', reason: 'Failed' }] } });
    assert.equal(await env.reconcile(), undefined);
    assert.deepEqual(env.removed, [`${NS}/data`]);
    assert.equal(await env.get(), undefined);
  });

  test('a claim gone before kiln held it: its directory is removed all the same', async () => {
    const env = setup();
    await env.reconcile('never-held');
    assert.deepEqual(env.removed, [`${NS}/never-held`]);
  });

  test('a claim being deleted that another finalizer holds: its directory stays until it is gone', async () => {
    const env = setup();
    await env.store.create(PVC, userClaim({ metadata: { name: 'data', namespace: NS, finalizers: ['example.com/other'] } }));
    await env.store.delete(PVC, NS, 'data');
    await env.reconcile();
    assert.deepEqual(env.removed, []);
    const c = await env.get();
    await env.store.update(PVC, { ...c!, metadata: { ...c!.metadata, finalizers: [] } });
    await env.reconcile();
    assert.deepEqual(env.removed, [`${NS}/data`]);
  });

  test('deleting the run that owns a template claim cascades to it: directory and claim go', async () => {
    const env = setup();
    const pr = await env.store.create<PipelineRun>(PIPELINERUN, { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'build', namespace: NS }, spec: { workspaces: [{ name: 'source', volumeClaimTemplate: { spec: {} } }] } });
    assert.equal(await createClaimMaker(env.store).ensure(pr, pr.spec.workspaces), undefined);
    const [claim] = (await env.store.list<PersistentVolumeClaim>(PVC, { namespace: NS })).items;
    await env.store.delete(PIPELINERUN, NS, 'build');
    const deleting = await env.store.get<PersistentVolumeClaim>(PVC, NS, claim.metadata.name!);
    assert.ok(deleting.metadata.deletionTimestamp);
    await env.reconcile(claim.metadata.name);
    assert.deepEqual(env.removed, [`${NS}/${claim.metadata.name}`]);
    assert.equal(await orUndefined(env.store.get(PVC, NS, claim.metadata.name!)), undefined);
  });
});

describe('usesClaim', () => {
  const rows: Array<{ name: string; tr: TaskRun; claim: string; want: boolean }> = [
    { name: 'bound by name, running', tr: taskRun('a', 'data'), claim: 'data', want: true },
    { name: 'another claim', tr: taskRun('a', 'data'), claim: 'other', want: false },
    { name: 'finished', tr: taskRun('a', 'data', true), claim: 'data', want: false },
    {
      name: 'its own volumeClaimTemplate claim (sha256sum of "wuid-a")',
      tr: { ...taskRun('a', 'x'), metadata: { name: 'a', namespace: NS, uid: 'uid-a' }, spec: { workspaces: [{ name: 'w', volumeClaimTemplate: { spec: {} } }] } },
      claim: 'pvc-96493c1f5e',
      want: true,
    },
  ];
  for (const r of rows) test(r.name, () => assert.equal(usesClaim(r.tr, r.claim), r.want));
});
