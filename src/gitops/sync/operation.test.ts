import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance } from './advance.ts';
import { appendHistory, recordsHistory, rollbackOperation, startOperation, terminate } from './operation.ts';
import { planSync } from './plan.ts';
import { recordOutcomes } from './record.ts';
import { FakeCluster, obj, T0 } from './testkit.ts';
import type { OperationState, RevisionHistory } from './types.ts';

function succeeded(revision: string, sync: OperationState['operation']['sync'] = {}): OperationState {
  const s = startOperation({ sync: { revision, ...sync }, initiatedBy: { username: 'admin' } }, '2026-03-01T10:00:00Z', { revision, source: { repoURL: 'https://git/r', path: 'app' } });
  return { ...s, phase: 'Succeeded', finishedAt: '2026-03-01T10:00:05Z' };
}

test('history: ids count up from 0, newest kept up to revisionHistoryLimit (default 10)', () => {
  let h: RevisionHistory[] = [];
  for (let i = 0; i < 12; i++) h = appendHistory(h, succeeded(`rev${i}`), `2026-03-01T10:0${i % 10}:00Z`);
  assert.equal(h.length, 10);
  assert.deepEqual(h.map((e) => e.id), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.deepEqual(h[9], {
    id: 11, revision: 'rev11', source: { repoURL: 'https://git/r', path: 'app' }, deployedAt: '2026-03-01T10:01:00Z',
    deployStartedAt: '2026-03-01T10:00:00Z', initiatedBy: { username: 'admin' },
  });
  assert.deepEqual(appendHistory(h, succeeded('x'), T0, 3).map((e) => e.id), [10, 11, 12]);
  assert.deepEqual(appendHistory(h, succeeded('x'), T0, 0), []);
  const multi = startOperation({ sync: {} }, T0, { revision: '', revisions: ['a', 'b'], sources: [{ repoURL: 'x' }, { repoURL: 'y' }] });
  const m = appendHistory(undefined, { ...multi, phase: 'Succeeded' }, T0)[0];
  assert.deepEqual([m.id, m.revisions, m.sources?.length, m.revision], [0, ['a', 'b'], 2, undefined]);
});

test('only full, real, successful syncs are recorded in history', () => {
  assert.equal(recordsHistory(succeeded('a')), true);
  assert.equal(recordsHistory(succeeded('a', { dryRun: true })), false);
  assert.equal(recordsHistory(succeeded('a', { resources: [{ kind: 'ConfigMap', name: 'x' }] })), false, 'a selective sync');
  assert.equal(recordsHistory({ ...succeeded('a'), phase: 'Failed' }), false);
});

test('rollback: the entry revision and source; refused while automated or for an unknown id', () => {
  const h = appendHistory(appendHistory([], succeeded('old'), T0), succeeded('new'), T0);
  assert.deepEqual(rollbackOperation({ appName: 'web', automated: false, history: h, id: 0, prune: true }), {
    operation: { sync: { prune: true, dryRun: false, revision: 'old', source: { repoURL: 'https://git/r', path: 'app' } } },
  });
  assert.deepEqual(rollbackOperation({ appName: 'web', automated: true, history: h, id: 0 }), { error: 'rollback cannot be initiated when auto-sync is enabled' });
  assert.deepEqual(rollbackOperation({ appName: 'web', automated: false, history: h, id: 7 }), { error: 'application web does not have deployment with id 7' });
});

test('terminate deletes running hooks and fails the operation', () => {
  const c = new FakeCluster();
  const input = { appName: 'app', namespace: 'dest', revision: 'r', startedAt: T0, desired: [obj('batch/v1', 'Job', 'long', { 'argocd.argoproj.io/hook': 'PreSync' }), obj('v1', 'ConfigMap', 'c')] };
  let state = startOperation({ sync: {} }, T0, { revision: 'r' });
  const step = advance(planSync({ ...input, live: c.list() }), state, { now: T0 });
  state = recordOutcomes(step, c.perform(step), T0);
  const plan = planSync({ ...input, live: c.list() });
  const running = advance(plan, state, { now: T0 });
  assert.equal(running.state.message, 'waiting for completion of hook batch/Job/long');
  const t = terminate(plan, running.state, '2026-03-01T10:00:09Z');
  assert.equal(t.done, true);
  assert.deepEqual([t.state.phase, t.state.message, t.state.finishedAt], ['Failed', 'Operation terminated', '2026-03-01T10:00:09Z']);
  assert.deepEqual(t.batches.flat().map((a) => a.type === 'delete' && `${a.ref.kind}/${a.ref.name} ${a.reason}`), ['Job/long Terminate']);
  const long = t.state.syncResult?.resources.find((r) => r.name === 'long');
  assert.deepEqual([long?.hookPhase, long?.message], ['Failed', 'Terminated']);
});

test('advance on a Terminating operation terminates it', () => {
  const plan = planSync({ appName: 'app', namespace: 'dest', revision: 'r', startedAt: T0, desired: [obj('v1', 'ConfigMap', 'c')], live: [] });
  const state = { ...startOperation({ sync: {} }, T0, { revision: 'r' }), phase: 'Terminating' as const };
  const step = advance(plan, state, { now: T0 });
  assert.deepEqual([step.done, step.state.phase, step.state.message], [true, 'Failed', 'Operation terminated']);
});
