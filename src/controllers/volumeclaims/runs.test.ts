// Claims through the real controllers and the process executor: a PipelineRun's
// volumeClaimTemplate becomes one Bound claim owned by the run, its tasks share files through the
// claim's directory, and deleting the run takes claim and directory away; a user's claim bound by
// name is shared by TaskRuns and its directory goes with it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersistentVolumeClaim } from '../../api/core.types.ts';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { PIPELINERUN, PVC, TASKRUN } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { orUndefined, type Store } from '../../store/store.ts';
import { createProcessExecutor } from '../../executor/process/executor.ts';
import { createWhich } from '../../executor/process/host.ts';
import { claimDir } from '../../executor/process/layout.ts';
import { createTaskRunController } from '../taskrun/controller.ts';
import { createPipelineRunController } from '../pipelinerun/controller.ts';
import { createClaimController } from './controller.ts';

const NO_BWRAP = createWhich()('bwrap', process.env.PATH) ? false : 'bubblewrap (bwrap) is not installed';
const NS = 'default';
const base = mkdtempSync(join(tmpdir(), 'kiln-claims-'));
after(() => rmSync(base, { recursive: true, force: true }));

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Store + executor + the TaskRun, PipelineRun and claims controllers, as main.ts wires them. */
async function kiln() {
  const dataDir = mkdtempSync(join(base, 'd'));
  const store: Store = createMemoryStore();
  const executor = createProcessExecutor({ dataDir, graceMs: 500 });
  const storage = { remove: (ns: string, name: string) => rm(claimDir(dataDir, ns, name), { recursive: true, force: true }) };
  const controllers = [createTaskRunController({ store, executor }), createPipelineRunController({ store }), createClaimController({ store, storage, inUseRetryMs: 50 })];
  await Promise.all(controllers.map((c) => c.start()));
  return {
    store,
    dir: (name: string) => claimDir(dataDir, NS, name),
    async close() {
      await Promise.all(controllers.map((c) => c.stop()));
      await executor.close();
    },
  };
}

const succeeded = (o: { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined) => o?.status?.conditions?.find((c) => c.type === 'Succeeded');

async function finished<T extends TaskRun | PipelineRun>(store: Store, type: typeof TASKRUN, name: string): Promise<T> {
  return until(`${name} finished`, async () => {
    const o = await orUndefined(store.get<T>(type, NS, name));
    return succeeded(o as never)?.status === 'Unknown' || !succeeded(o as never) ? undefined : o;
  });
}

const claims = async (store: Store) => (await store.list<PersistentVolumeClaim>(PVC, { namespace: NS })).items;

describe('claims through the controllers and the process executor', { skip: NO_BWRAP }, () => {
  test('a PipelineRun\'s volumeClaimTemplate: one Bound claim owned by the run, shared by its tasks, gone with the run', async () => {
    const k = await kiln();
    try {
      const pr = await k.store.create<PipelineRun>(PIPELINERUN, {
        apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'share', namespace: NS },
        spec: {
          workspaces: [{ name: 'source', volumeClaimTemplate: { metadata: { labels: { app: 'ci' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } as never }],
          pipelineSpec: {
            workspaces: [{ name: 'source' }],
            results: [{ name: 'read', value: '$(tasks.read.results.out)' }],
            tasks: [
              { name: 'write', workspaces: [{ name: 'source' }], taskSpec: { workspaces: [{ name: 'source' }], steps: [{ name: 's', image: 'alpine', script: 'echo from-write > $(workspaces.source.path)/f' }] } },
              {
                name: 'read', runAfter: ['write'], workspaces: [{ name: 'source' }],
                taskSpec: { workspaces: [{ name: 'source' }], results: [{ name: 'out' }], steps: [{ name: 's', image: 'alpine', script: 'cat $(workspaces.source.path)/f | tr -d "\\n" > $(results.out.path)' }] },
              },
            ],
          },
        },
      });
      const done = await finished<PipelineRun>(k.store, PIPELINERUN, 'share');
      assert.equal(succeeded(done)?.status, 'True', JSON.stringify(done.status?.conditions));
      assert.deepEqual(done.status?.results, [{ name: 'read', value: 'from-write' }], 'the second task read what the first wrote');

      const [claim, ...more] = await claims(k.store);
      assert.equal(more.length, 0, 'one claim for the binding');
      assert.match(claim.metadata.name!, /^pvc-[0-9a-f]{10}$/);
      assert.deepEqual(claim.metadata.ownerReferences, [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'share', uid: pr.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.deepEqual(claim.metadata.labels, { app: 'ci' });
      assert.deepEqual(claim.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
      for (const task of ['write', 'read']) {
        const tr = await k.store.get<TaskRun>(TASKRUN, NS, `share-${task}`);
        assert.deepEqual(tr.spec.workspaces, [{ name: 'source', persistentVolumeClaim: { claimName: claim.metadata.name! } }]);
      }
      assert.equal(readFileSync(join(k.dir(claim.metadata.name!), 'f'), 'utf8'), 'from-write\n', 'the claim\'s directory holds the data');

      await k.store.delete(PIPELINERUN, NS, 'share');
      await until('the claim gone', async () => (await claims(k.store)).length === 0);
      assert.equal(existsSync(k.dir(claim.metadata.name!)), false, 'its directory removed');
    } finally {
      await k.close();
    }
  });

  test('a standalone TaskRun\'s volumeClaimTemplate: a claim owned by the TaskRun, its directory the workspace, gone with the run', async () => {
    const k = await kiln();
    try {
      const tr = await k.store.create<TaskRun>(TASKRUN, {
        apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'solo', namespace: NS },
        spec: {
          workspaces: [{ name: 'w', volumeClaimTemplate: { metadata: { name: 'scratch' }, spec: { resources: { requests: { storage: '10Mi' } } } } }],
          taskSpec: { workspaces: [{ name: 'w' }], steps: [{ name: 's', image: 'alpine', script: 'echo solo > $(workspaces.w.path)/f' }] },
        },
      });
      const done = await finished<TaskRun>(k.store, TASKRUN, 'solo');
      assert.equal(succeeded(done)?.status, 'True', JSON.stringify(done.status?.conditions));
      const [claim, ...more] = await claims(k.store);
      assert.equal(more.length, 0);
      assert.match(claim.metadata.name!, /^scratch-[0-9a-f]{10}$/);
      assert.deepEqual(claim.metadata.ownerReferences, [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'solo', uid: tr.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.deepEqual(claim.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Mi' } });
      assert.equal(readFileSync(join(k.dir(claim.metadata.name!), 'f'), 'utf8'), 'solo\n');

      await k.store.delete(TASKRUN, NS, 'solo');
      await until('the claim gone', async () => (await claims(k.store)).length === 0);
      assert.equal(existsSync(k.dir(claim.metadata.name!)), false, 'its directory removed');
    } finally {
      await k.close();
    }
  });

  test('a user\'s claim bound by name: TaskRuns share it; deleting it removes its directory', async () => {
    const k = await kiln();
    try {
      await k.store.create(PVC, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'cache', namespace: NS }, spec: { accessModes: ['ReadWriteMany'] } });
      const run = (name: string, script: string): TaskRun => ({
        apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: NS },
        spec: { workspaces: [{ name: 'w', persistentVolumeClaim: { claimName: 'cache' } }], taskSpec: { workspaces: [{ name: 'w' }], results: [{ name: 'out' }], steps: [{ name: 's', image: 'alpine', script }] } },
      });
      await k.store.create(TASKRUN, run('put', 'echo kept > $(workspaces.w.path)/f; : > $(results.out.path)'));
      assert.equal(succeeded(await finished<TaskRun>(k.store, TASKRUN, 'put'))?.status, 'True');
      await k.store.create(TASKRUN, run('get', 'tr -d "\\n" < $(workspaces.w.path)/f > $(results.out.path)'));
      const got = await finished<TaskRun>(k.store, TASKRUN, 'get');
      assert.deepEqual(got.status?.results, [{ name: 'out', type: 'string', value: 'kept' }]);
      const claim = await until('the claim bound', async () => {
        const c = await k.store.get<PersistentVolumeClaim>(PVC, NS, 'cache');
        return (c.status as { phase?: string } | undefined)?.phase === 'Bound' ? c : undefined;
      });
      assert.deepEqual(claim.status, { phase: 'Bound', accessModes: ['ReadWriteMany'] });
      assert.ok(existsSync(join(k.dir('cache'), 'f')));

      await k.store.delete(PVC, NS, 'cache');
      await until('the claim gone', async () => !(await orUndefined(k.store.get(PVC, NS, 'cache'))));
      assert.equal(existsSync(k.dir('cache')), false, 'its directory removed');
    } finally {
      await k.close();
    }
  });
});
