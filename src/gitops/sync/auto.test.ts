import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldAutoSync, type AutoSyncInput } from './auto.ts';
import { startOperation } from './operation.ts';
import type { OperationState } from './types.ts';

const source = { repoURL: 'https://git/r', path: 'app', targetRevision: 'main' };
const now = '2026-03-01T10:00:10.000Z';

function last(revision: string, phase: OperationState['phase'], src = source, finishedAt = '2026-03-01T10:00:00.000Z'): OperationState {
  return { ...startOperation({ sync: { revision } }, '2026-03-01T09:59:50.000Z', { revision, source: src }), phase, finishedAt, message: phase === 'Failed' ? 'boom' : 'done' };
}

const base: AutoSyncInput = {
  automated: { prune: true },
  operationInProgress: false,
  syncStatus: 'OutOfSync',
  resources: [{ kind: 'ConfigMap', name: 'a', namespace: 'dest', status: 'OutOfSync' }, { kind: 'ConfigMap', name: 'b', namespace: 'dest', status: 'Synced' }],
  revision: 'rev2',
  source,
  now,
};

test('automated sync starts for a new revision, with the app options and the default retry', () => {
  const d = shouldAutoSync({ ...base, syncOptions: ['CreateNamespace=true'], lastOperation: last('rev1', 'Succeeded') });
  assert.deepEqual(d, {
    sync: true, selfHeal: false, message: "Initiated automated sync to 'rev2'",
    operation: { sync: { revision: 'rev2', prune: true, syncOptions: ['CreateNamespace=true'] }, initiatedBy: { automated: true }, retry: { limit: 5 } },
  });
});

test('no automated sync: not enabled, operation running, deleting, already Synced or Unknown', () => {
  const no = (i: Partial<AutoSyncInput>) => {
    const d = shouldAutoSync({ ...base, ...i });
    return d.sync ? 'sync' : d.reason;
  };
  assert.equal(no({ automated: undefined }), 'automated sync is not enabled');
  assert.equal(no({ automated: { enabled: false, prune: true } }), 'automated sync is not enabled');
  assert.equal(no({ operationInProgress: true }), 'another operation is in progress');
  assert.equal(no({ deleting: true }), 'deletion in progress');
  assert.equal(no({ syncStatus: 'Synced' }), 'application status is Synced');
  assert.equal(no({ syncStatus: 'Unknown' }), 'application status is Unknown');
  assert.equal(no({ automated: { enabled: true } }), 'sync', 'enabled: true (or absent) means on');
});

test('once per revision + source: the same revision is not synced again, a changed source is', () => {
  const same = shouldAutoSync({ ...base, lastOperation: last('rev2', 'Succeeded') });
  assert.deepEqual(same, { sync: false, reason: 'most recent sync already to rev2' });
  const headVsMain = shouldAutoSync({ ...base, source: { ...source, targetRevision: 'HEAD' }, lastOperation: last('rev2', 'Succeeded') });
  assert.equal(headVsMain.sync, false, 'targetRevision alone is no change');
  const newPath = shouldAutoSync({ ...base, source: { ...source, path: 'app2' }, lastOperation: last('rev2', 'Succeeded') });
  assert.equal(newPath.sync, true, 'a changed spec syncs the same revision again');
});

test('a failed attempt at the same revision is not repeated: a SyncError condition says why', () => {
  const d = shouldAutoSync({ ...base, automated: { prune: true, selfHeal: true }, lastOperation: last('rev2', 'Failed') });
  assert.deepEqual(d, { sync: false, reason: 'failed previous sync attempt to rev2', condition: { type: 'SyncError', message: 'Failed sync attempt to rev2: boom' } });
  assert.equal(shouldAutoSync({ ...base, lastOperation: last('rev1', 'Failed') }).sync, true, 'a new revision is tried');
});

test('self-heal: drift after a successful sync is reverted once the timeout passed, syncing only what drifted', () => {
  const auto = { prune: true, selfHeal: true };
  const early = shouldAutoSync({ ...base, automated: auto, lastOperation: last('rev2', 'Succeeded', source, '2026-03-01T10:00:08.000Z') });
  assert.deepEqual(early, { sync: false, reason: 'already attempted sync to rev2; self-heal in 3000 ms', requeueAfterMs: 3000 });
  const d = shouldAutoSync({ ...base, automated: auto, lastOperation: last('rev2', 'Succeeded') });
  assert.ok(d.sync);
  assert.equal(d.selfHeal, true);
  assert.deepEqual(d.operation.sync.resources, [{ group: '', kind: 'ConfigMap', name: 'a', namespace: 'dest' }]);
  assert.equal(shouldAutoSync({ ...base, automated: auto, selfHealTimeoutMs: 20_000, lastOperation: last('rev2', 'Succeeded') }).sync, false);
});

test('prune-only changes wait for automated prune; allowEmpty guards against pruning everything', () => {
  const onlyPrune = [{ kind: 'ConfigMap', name: 'a', status: 'OutOfSync', requiresPruning: true }, { kind: 'ConfigMap', name: 'b', status: 'Synced' }];
  const noPrune = shouldAutoSync({ ...base, automated: {}, resources: onlyPrune });
  assert.deepEqual(noPrune, { sync: false, reason: 'need to prune extra resources only but automated prune is disabled' });
  assert.equal(shouldAutoSync({ ...base, resources: onlyPrune }).sync, true);
  const all = [{ kind: 'ConfigMap', name: 'a', status: 'OutOfSync', requiresPruning: true }, { kind: 'ConfigMap', name: 'b', status: 'OutOfSync', requiresPruning: true }];
  assert.deepEqual(shouldAutoSync({ ...base, resources: all }), {
    sync: false, reason: 'Skipping sync attempt to rev2: auto-sync will wipe out all resources',
    condition: { type: 'SyncError', message: 'Skipping sync attempt to rev2: auto-sync will wipe out all resources' },
  });
  assert.equal(shouldAutoSync({ ...base, automated: { prune: true, allowEmpty: true }, resources: all }).sync, true);
});

test('multiple sources: compared by revisions and sources', () => {
  const sources = [{ repoURL: 'a', targetRevision: 'main' }, { repoURL: 'b' }];
  const lastMulti: OperationState = { ...last('', 'Succeeded'), syncResult: { resources: [], revision: '', revisions: ['x', 'y'], sources } };
  const m = { ...base, source: undefined, sources, revision: '', revisions: ['x', 'y'], lastOperation: lastMulti };
  assert.deepEqual(shouldAutoSync(m), { sync: false, reason: 'most recent sync already to x, y' });
  const d = shouldAutoSync({ ...m, revisions: ['x', 'z'] });
  assert.ok(d.sync);
  assert.deepEqual(d.operation.sync.revisions, ['x', 'z']);
});
