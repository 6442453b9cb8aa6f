import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance } from './advance.ts';
import { startOperation } from './operation.ts';
import { planSync, type PlanInput } from './plan.ts';
import { recordOutcomes } from './record.ts';
import { FakeCluster, obj, runOperation, T0 } from './testkit.ts';
import { withTracking } from './tracking.ts';
import type { Obj } from './types.ts';

const input = (desired: Obj[], extra: Partial<PlanInput> = {}) => ({ appName: 'app', namespace: 'dest', revision: 'abcdef0123456789', desired, ...extra });
const wave = (n: number, more: Record<string, string> = {}) => ({ 'argocd.argoproj.io/sync-wave': String(n), ...more });
const hook = (type: string, more: Record<string, string> = {}) => ({ 'argocd.argoproj.io/hook': type, ...more });
const tracked = (o: Obj) => withTracking({ ...o, metadata: { ...(o.metadata as Obj), namespace: 'dest' } }, 'app');
const applied = (c: FakeCluster) => c.log.filter((l) => l.startsWith('apply ')).map((l) => l.slice(6));
const deployment = (name: string, annotations: Record<string, string> = {}) => obj('apps/v1', 'Deployment', name, annotations, { spec: { replicas: 1 } });

/** Deployments become available after `ticks` ticks; Jobs complete (or fail when named fail-*) at once. */
function workloads(ticks = 1): (o: Obj) => Obj {
  const seen = new Map<string, number>();
  return (o) => {
    const name = String((o.metadata as Obj).name);
    if (o.kind === 'Deployment' && !o.status) {
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      return n >= ticks ? { ...o, status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 } } : o;
    }
    if (o.kind === 'Job' && !o.status) {
      const type = name.startsWith('fail-') ? 'Failed' : 'Complete';
      return { ...o, status: { conditions: [{ type, status: 'True', message: type === 'Failed' ? 'BackoffLimitExceeded' : '' }] } };
    }
    return o;
  };
}

test('one wave, no hooks: dry run of everything, applied in kind order, succeeded at once', () => {
  const c = new FakeCluster();
  const run = runOperation(c, input([deployment('web'), obj('v1', 'Service', 'web'), obj('v1', 'ConfigMap', 'cfg')]));
  assert.deepEqual(c.log, ['dry-run ConfigMap/cfg', 'dry-run Service/web', 'dry-run Deployment/web', 'apply ConfigMap/cfg', 'apply Service/web', 'apply Deployment/web']);
  assert.equal(run.state.phase, 'Succeeded');
  assert.equal(run.state.message, 'successfully synced (all tasks run)');
  assert.equal(run.steps.length, 1);
  assert.deepEqual(run.state.syncResult?.resources.map((r) => [r.kind, r.name, r.status, r.hookPhase, r.syncPhase]), [
    ['ConfigMap', 'cfg', 'Synced', 'Running', 'Sync'], ['Service', 'web', 'Synced', 'Running', 'Sync'], ['Deployment', 'web', 'Synced', 'Running', 'Sync'],
  ]);
  assert.equal(run.state.syncResult?.resources[0].message, 'configmap/cfg configured');
  assert.equal(run.state.finishedAt, T0);
});

test('waves: each wave applied and healthy before the next', () => {
  const c = new FakeCluster();
  c.evolve = workloads(3);
  const run = runOperation(c, input([obj('v1', 'Service', 'svc', wave(1)), deployment('web'), obj('v1', 'ConfigMap', 'cfg', wave(-1))]));
  assert.deepEqual(applied(c), ['ConfigMap/cfg', 'Deployment/web', 'Service/svc']);
  assert.equal(run.state.phase, 'Succeeded');
  const messages = run.steps.map((s) => s.state.message);
  assert.ok(messages.includes('waiting for healthy state of apps/Deployment/web'), messages.join(' | '));
  const svcApplied = c.log.indexOf('apply Service/svc');
  assert.ok(svcApplied > c.log.indexOf('apply Deployment/web'));
  assert.ok(run.steps.filter((s) => s.state.message === 'waiting for healthy state of apps/Deployment/web').length >= 2, 'waited while Progressing');
  assert.equal(run.steps.find((s) => s.batches.length)?.requeueAfterMs, 2000, 'the wave delay');
});

test('a Degraded resource in a multi-wave sync fails the operation, naming it', () => {
  const c = new FakeCluster();
  c.evolve = (o) => (o.kind === 'Deployment' ? { ...o, status: { observedGeneration: 1, conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] } } : o);
  const run = runOperation(c, input([deployment('web'), obj('v1', 'Service', 'svc', wave(1))]));
  assert.equal(run.state.phase, 'Failed');
  assert.equal(run.state.message, 'one or more synchronization tasks completed unsuccessfully, reason: apps/Deployment/web: Deployment "web" exceeded its progress deadline');
  assert.deepEqual(applied(c), ['Deployment/web'], 'the next wave never ran');
});

test('hooks: PreSync runs and completes first, then the resources, then PostSync; HookSucceeded deletes them', () => {
  const c = new FakeCluster();
  c.evolve = workloads(1);
  const run = runOperation(c, input([
    deployment('web'),
    obj('batch/v1', 'Job', 'migrate', hook('PreSync', { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' })),
    obj('batch/v1', 'Job', 'smoke', hook('PostSync', { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' })),
    obj('batch/v1', 'Job', 'kept', hook('PostSync', { 'argocd.argoproj.io/hook-delete-policy': 'HookFailed' })),
  ]));
  assert.equal(run.state.phase, 'Succeeded', run.state.message);
  assert.deepEqual(applied(c), ['Job/migrate', 'Deployment/web', 'Job/kept', 'Job/smoke']);
  assert.ok(c.log.includes('delete Job/migrate (HookSucceeded)') && c.log.includes('delete Job/smoke (HookSucceeded)'));
  assert.ok(!c.log.some((l) => l.startsWith('delete Job/kept')), 'HookFailed hooks stay after a success');
  assert.ok(c.log.includes('unfinalize Job/kept'), 'the hook finalizer is removed once the hook completed');
  assert.deepEqual(((c.find('Job', 'kept')?.metadata as Obj).finalizers), []);
  const r = run.state.syncResult?.resources.find((x) => x.name === 'migrate');
  assert.deepEqual([r?.hookType, r?.hookPhase, r?.syncPhase], ['PreSync', 'Succeeded', 'PreSync']);
  assert.ok(run.steps.some((s) => s.state.message === 'waiting for completion of hook batch/Job/migrate'));
});

test('BeforeHookCreation (default): a hook left from an earlier sync is deleted, then created again', () => {
  const c = new FakeCluster([tracked({ ...obj('batch/v1', 'Job', 'migrate', hook('PreSync')), status: { conditions: [{ type: 'Complete', status: 'True' }] } })]);
  c.evolve = workloads(1);
  const run = runOperation(c, input([obj('batch/v1', 'Job', 'migrate', hook('PreSync')), obj('v1', 'ConfigMap', 'cfg')]));
  assert.equal(run.state.phase, 'Succeeded', run.state.message);
  const del = c.log.indexOf('delete Job/migrate (BeforeHookCreation)');
  assert.ok(del >= 0 && del < c.log.indexOf('apply Job/migrate'), c.log.join('\n'));
});

test('a failed PreSync hook stops the sync: resources never applied, SyncFail hooks run, HookFailed hooks deleted', () => {
  const c = new FakeCluster();
  c.evolve = workloads(1);
  const run = runOperation(c, input([
    obj('v1', 'ConfigMap', 'cfg'),
    obj('batch/v1', 'Job', 'fail-migrate', hook('PreSync', { 'argocd.argoproj.io/hook-delete-policy': 'HookFailed' })),
    obj('batch/v1', 'Job', 'notify', hook('SyncFail')),
  ]));
  assert.equal(run.state.phase, 'Failed');
  assert.equal(run.state.message, 'one or more synchronization tasks completed unsuccessfully, reason: batch/Job/fail-migrate: BackoffLimitExceeded');
  assert.deepEqual(applied(c), ['Job/fail-migrate', 'Job/notify']);
  assert.ok(c.log.includes('delete Job/fail-migrate (HookFailed)'));
  assert.ok(c.find('Job', 'notify'), 'the SyncFail hook (BeforeHookCreation) stays');
});

test('an apply failure runs the SyncFail hooks; a failing SyncFail hook is reported too', () => {
  const c = new FakeCluster();
  c.evolve = workloads(1);
  c.failApply.set('bad', 'admission webhook denied the request: replicas must be > 0');
  const run = runOperation(c, input([
    obj('v1', 'ConfigMap', 'bad'), obj('v1', 'ConfigMap', 'good', wave(1)),
    obj('batch/v1', 'Job', 'fail-notify', hook('SyncFail')),
  ]));
  assert.equal(run.state.phase, 'Failed');
  assert.equal(
    run.state.message,
    'one or more synchronization tasks completed unsuccessfully, reason: ConfigMap/bad: admission webhook denied the request: replicas must be > 0\n' +
      'one or more SyncFail hooks failed, reason: batch/Job/fail-notify: BackoffLimitExceeded',
  );
  assert.deepEqual(applied(c), ['ConfigMap/bad', 'Job/fail-notify']);
  const bad = run.state.syncResult?.resources.find((r) => r.name === 'bad');
  assert.deepEqual([bad?.status, bad?.hookPhase], ['SyncFailed', 'Failed']);
});

test('a failed kind does not stop the other kinds of its wave (as Argo CD), but stops the next wave', () => {
  const c = new FakeCluster();
  c.evolve = workloads(1);
  c.failApply.set('bad', 'invalid');
  const run = runOperation(c, input([obj('v1', 'ConfigMap', 'bad'), deployment('web'), obj('v1', 'Service', 'svc', wave(1))]));
  assert.equal(run.state.message, 'one or more synchronization tasks completed unsuccessfully, reason: ConfigMap/bad: invalid');
  assert.equal(run.state.phase, 'Failed');
  assert.deepEqual(applied(c), ['ConfigMap/bad', 'Deployment/web']);
  const groups = run.steps[0].batches.map((b) => b.map((a) => `${a.group}:${a.type === 'apply' ? a.object.kind : ''}`));
  assert.deepEqual(groups, [['0:ConfigMap', '1:Deployment', '2:Service'], ['0:ConfigMap', '1:Deployment']], 'preflight and wave 0, one group per kind');
});

test('a dry-run failure fails before anything is applied, naming the resource', () => {
  const c = new FakeCluster();
  c.failDryRun.set('web', 'Deployment.apps "web" is invalid: spec.template.spec.containers: Required value');
  const run = runOperation(c, input([deployment('web'), obj('v1', 'ConfigMap', 'cfg')]));
  assert.equal(run.state.phase, 'Failed');
  assert.equal(run.state.message, 'one or more objects failed to apply (dry run), reason: apps/Deployment/web: Deployment.apps "web" is invalid: spec.template.spec.containers: Required value');
  assert.deepEqual(applied(c), []);
});

test('prune: reverse wave order, after the wave; Prune=false kept and reported; untracked left alone', () => {
  const c = new FakeCluster([
    tracked(obj('v1', 'ConfigMap', 'p0', wave(0))), tracked(obj('v1', 'ConfigMap', 'p2', wave(2))),
    tracked(obj('v1', 'ConfigMap', 'kept', { 'argocd.argoproj.io/sync-options': 'Prune=false' })),
    { ...obj('v1', 'ConfigMap', 'foreign'), metadata: { name: 'foreign', namespace: 'dest' } },
  ]);
  const run = runOperation(c, input([obj('v1', 'ConfigMap', 'cfg', wave(1))]), { prune: true });
  assert.equal(run.state.phase, 'Succeeded', run.state.message);
  assert.deepEqual(c.log.filter((l) => !l.startsWith('dry-run')), ['prune ConfigMap/p2', 'apply ConfigMap/cfg', 'prune ConfigMap/p0']);
  assert.ok(c.find('ConfigMap', 'kept') && c.find('ConfigMap', 'foreign'));
  const byName = Object.fromEntries((run.state.syncResult?.resources ?? []).map((r) => [r.name, [r.status, r.message]]));
  assert.deepEqual(byName.kept, ['PruneSkipped', 'ignored (no prune)']);
  assert.deepEqual(byName.p0, ['Pruned', 'pruned']);
});

test('without --prune extra objects are reported PruneSkipped, not deleted', () => {
  const c = new FakeCluster([tracked(obj('v1', 'ConfigMap', 'old'))]);
  const run = runOperation(c, input([obj('v1', 'ConfigMap', 'cfg')]));
  assert.equal(run.state.phase, 'Succeeded');
  assert.ok(c.find('ConfigMap', 'old'));
  assert.deepEqual(run.state.syncResult?.resources.map((r) => [r.name, r.status, r.message]), [['old', 'PruneSkipped', 'ignored (requires pruning)'], ['cfg', 'Synced', 'configmap/cfg configured']]);
});

test('PruneLast prunes after every wave', () => {
  const c = new FakeCluster([tracked(obj('v1', 'ConfigMap', 'old', wave(-3))), tracked(obj('v1', 'ConfigMap', 'older', wave(7)))]);
  c.evolve = workloads(2);
  const run = runOperation(c, input([deployment('web'), obj('v1', 'Service', 'svc', wave(1))], { syncOptions: ['PruneLast=true'] }), { prune: true });
  assert.equal(run.state.phase, 'Succeeded', run.state.message);
  assert.deepEqual(c.log.filter((l) => !l.startsWith('dry-run')), ['apply Deployment/web', 'apply Service/svc', 'prune ConfigMap/old', 'prune ConfigMap/older']);
  assert.equal(c.find('ConfigMap', 'old'), undefined);
});

test('a terminating prune is waited for before the next wave', () => {
  const c = new FakeCluster([tracked(obj('v1', 'ConfigMap', 'old'))]);
  c.slowDelete.add('old');
  const run = runOperation(c, input([obj('v1', 'Service', 'svc', wave(1))]), { prune: true });
  assert.equal(run.state.phase, 'Succeeded', run.state.message);
  assert.deepEqual(c.log.filter((l) => !l.startsWith('dry-run')), ['prune ConfigMap/old', 'apply Service/svc']);
  assert.ok(run.steps.some((s) => s.state.message === 'waiting for deletion of ConfigMap/old'), run.steps.map((s) => s.state.message).join(' | '));
});

test('prune order holds once pruned objects are gone (waves of pruned objects are remembered)', () => {
  const c = new FakeCluster([tracked(obj('v1', 'ConfigMap', 'p0', wave(0))), tracked(obj('v1', 'ConfigMap', 'p1', wave(1))), tracked(obj('v1', 'ConfigMap', 'p2', wave(2)))]);
  const run = runOperation(c, input([obj('v1', 'ConfigMap', 'a', wave(0)), obj('v1', 'ConfigMap', 'b', wave(1)), obj('v1', 'ConfigMap', 'c', wave(2))]), { prune: true });
  assert.equal(run.state.phase, 'Succeeded', run.state.message);
  assert.deepEqual(c.log.filter((l) => !l.startsWith('dry-run')), [
    'prune ConfigMap/p2', 'apply ConfigMap/a', 'prune ConfigMap/p1', 'apply ConfigMap/b', 'prune ConfigMap/p0', 'apply ConfigMap/c',
  ]);
  assert.deepEqual(run.state.syncResult?.resources.filter((r) => r.status === 'Pruned').map((r) => [r.name, r.syncWave]), [['p2', 2], ['p1', 1], ['p0', 0]]);
});

test('Prune=confirm waits for the confirmation, then prunes', () => {
  const c = new FakeCluster([withTracking(obj('v1', 'Namespace', 'legacy', { 'argocd.argoproj.io/sync-options': 'Prune=confirm' }), 'app')]);
  const waiting = runOperation(c, input([obj('v1', 'ConfigMap', 'cfg')]), { prune: true }, { maxSteps: 3 });
  assert.equal(waiting.state.phase, 'Running');
  assert.equal(waiting.state.message, 'Waiting for pruning confirmation of v1/Namespace/legacy');
  assert.ok(c.find('Namespace', 'legacy'));
  const confirmed = runOperation(c, input([obj('v1', 'ConfigMap', 'cfg')]), { prune: true }, { pruneConfirmed: true });
  assert.equal(confirmed.state.phase, 'Succeeded');
  assert.equal(c.find('Namespace', 'legacy'), undefined);
});

test('ApplyOutOfSyncOnly applies only what the diff found OutOfSync', () => {
  const c = new FakeCluster([tracked(obj('v1', 'ConfigMap', 'same')), tracked(obj('v1', 'ConfigMap', 'changed'))]);
  const syncStatus = { '/ConfigMap/dest/same': 'Synced', '/ConfigMap/dest/changed': 'OutOfSync' } as const;
  const run = runOperation(c, input([obj('v1', 'ConfigMap', 'same'), obj('v1', 'ConfigMap', 'changed'), obj('v1', 'ConfigMap', 'new')], { syncOptions: ['ApplyOutOfSyncOnly=true'], syncStatus }));
  assert.equal(run.state.phase, 'Succeeded');
  assert.deepEqual(applied(c), ['ConfigMap/changed', 'ConfigMap/new']);
});

test('CreateNamespace: the namespace is created first, before the dry run', () => {
  const c = new FakeCluster();
  const run = runOperation(c, input([obj('v1', 'ConfigMap', 'cfg')], { syncOptions: ['CreateNamespace=true'], destinationNamespace: null }));
  assert.equal(run.state.phase, 'Succeeded', run.state.message);
  assert.deepEqual(c.log, ['apply Namespace/dest', 'dry-run ConfigMap/cfg', 'apply ConfigMap/cfg']);
});

test('a dry-run operation applies nothing for real, and walks every wave', () => {
  const c = new FakeCluster([tracked(obj('v1', 'ConfigMap', 'old'))]);
  const run = runOperation(c, input([obj('v1', 'ConfigMap', 'a'), obj('v1', 'ConfigMap', 'b', wave(1))]), { prune: true, dryRun: true });
  assert.equal(run.state.phase, 'Succeeded');
  assert.deepEqual(applied(c), []);
  assert.ok(c.find('ConfigMap', 'old'));
  assert.deepEqual(run.state.syncResult?.resources.map((r) => [r.name, r.status, r.hookPhase]), [['old', 'Pruned', 'Succeeded'], ['a', 'Synced', 'Succeeded'], ['b', 'Synced', 'Succeeded']]);
  assert.equal(run.state.syncResult?.resources[0].message, 'pruned (dry run)');
});

test('invalid tasks fail the operation before anything runs', () => {
  const c = new FakeCluster();
  const run = runOperation(c, input([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }]));
  assert.equal(run.state.phase, 'Failed');
  assert.equal(run.state.message, 'one or more synchronization tasks are not valid, reason: ConfigMap/: metadata.name: required');
  assert.deepEqual(c.log, []);
});

test('a resource deleted while its wave waits is an error, and the sync fails', () => {
  const c = new FakeCluster();
  c.evolve = (o) => o;
  const run = runOperation(c, input([deployment('web'), obj('v1', 'Service', 'svc', wave(1))]), {}, {
    beforeStep: (i) => { if (i === 2) c.objects.clear(); },
  });
  assert.equal(run.state.phase, 'Failed');
  assert.match(run.state.message, /reason: apps\/Deployment\/web: Resource apps\/Deployment\/web is missing, it might have been deleted/);
});

test('advance is level-based: the same plan and state give the same step; finished operations do nothing', () => {
  const plan = planSync({ ...input([obj('v1', 'ConfigMap', 'a'), obj('v1', 'ConfigMap', 'b', wave(1))]), live: [], startedAt: T0 });
  const state = startOperation({ sync: {} }, T0, { revision: 'abc' });
  assert.deepEqual(advance(plan, state, { now: T0 }), advance(plan, state, { now: T0 }));
  const step = advance(plan, state, { now: T0 });
  const ids = step.batches.flat().map((a) => a.id);
  assert.equal(new Set(ids).size, ids.length, 'action ids are unique in a step');
  const done = { ...state, phase: 'Succeeded' as const };
  assert.deepEqual(advance(plan, done, { now: T0 }), { state: done, batches: [], done: true });
  const partial = recordOutcomes(step, [{ id: step.batches[0][0].id, ok: true }], T0);
  assert.equal(partial.phase, 'Running', 'actions not reported leave the step unfinished');
});

test('a Tekton PipelineRun as a PreSync hook: the sync waits for it to succeed, and stops when it fails', () => {
  const run = (outcome: 'True' | 'False') => {
    const c = new FakeCluster();
    c.evolve = (o) => (o.kind === 'PipelineRun' && !o.status
      ? { ...o, status: { conditions: [{ type: 'Succeeded', status: outcome, reason: outcome === 'True' ? 'Succeeded' : 'Failed', message: outcome === 'True' ? 'Tasks Completed: 1' : 'Tasks Completed: 1 (Failed: 1)' }] } }
      : o);
    const pr = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { generateName: 'migrate-', annotations: hook('PreSync') }, spec: { pipelineRef: { name: 'migrate' } } };
    return { c, r: runOperation(c, input([pr, obj('v1', 'ConfigMap', 'cfg')])) };
  };
  const ok = run('True');
  assert.equal(ok.r.state.phase, 'Succeeded', ok.r.state.message);
  assert.deepEqual(applied(ok.c), [`PipelineRun/migrate-abcdef0-presync-${Date.parse(T0) / 1000}`, 'ConfigMap/cfg']);
  const bad = run('False');
  assert.equal(bad.r.state.phase, 'Failed');
  assert.equal(bad.r.state.message, `one or more synchronization tasks completed unsuccessfully, reason: tekton.dev/PipelineRun/migrate-abcdef0-presync-${Date.parse(T0) / 1000}: Tasks Completed: 1 (Failed: 1)`);
  assert.deepEqual(applied(bad.c).length, 1, 'nothing applied after the failed hook');
});
