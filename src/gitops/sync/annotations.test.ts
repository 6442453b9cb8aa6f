import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotationCSV, deletePoliciesOf, hookTypes, isHook, isSkipped, syncPhasesOf, waveOf } from './annotations.ts';
import { ignoresExtraneous, pruneConfirmed, resourceOptionValue } from './options.ts';
import { compareTasks, kindRank } from './order.ts';
import { obj } from './testkit.ts';
import { isTrackedBy, withTracking } from './tracking.ts';

const a = (annotations: Record<string, string>) => obj('batch/v1', 'Job', 'j', annotations);

test('annotation values: comma-separated, trimmed, empty and repeated values dropped', () => {
  assert.deepEqual(annotationCSV(a({ 'argocd.argoproj.io/sync-options': ' Prune=false, ,Validate=false,Prune=false' }), 'argocd.argoproj.io/sync-options'), ['Prune=false', 'Validate=false']);
  assert.deepEqual(annotationCSV(obj('v1', 'ConfigMap', 'c'), 'x'), []);
  assert.deepEqual(annotationCSV({ metadata: { annotations: { x: 3 } } }, 'x'), [], 'non-string values are ignored');
});

test('hook types: unknown values dropped; Skip alone is not a hook; Skip with a phase is', () => {
  assert.deepEqual(hookTypes(a({ 'argocd.argoproj.io/hook': 'PreSync, Bogus, PostSync' })), ['PreSync', 'PostSync']);
  assert.equal(isSkipped(a({ 'argocd.argoproj.io/hook': 'Skip' })), true);
  assert.equal(isHook(a({ 'argocd.argoproj.io/hook': 'Skip' })), false);
  assert.deepEqual(syncPhasesOf(a({ 'argocd.argoproj.io/hook': 'Skip' })), []);
  assert.deepEqual(syncPhasesOf(a({ 'argocd.argoproj.io/hook': 'Skip,PreSync' })), ['PreSync']);
  assert.deepEqual(syncPhasesOf(a({ 'argocd.argoproj.io/hook': 'PreDelete' })), [], 'deletion hooks never run in a sync');
  assert.equal(isHook(a({ 'argocd.argoproj.io/hook': 'PreDelete' })), true);
  assert.deepEqual(syncPhasesOf(a({ 'helm.sh/hook': 'pre-delete' })), [], 'unmapped Helm hooks are hooks with no sync phase');
  assert.deepEqual(syncPhasesOf(obj('v1', 'ConfigMap', 'c')), ['Sync']);
});

test('delete policies: Argo CD and Helm values merged, BeforeHookCreation by default', () => {
  assert.deepEqual(deletePoliciesOf(a({ 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,HookFailed' })), ['HookSucceeded', 'HookFailed']);
  assert.deepEqual(deletePoliciesOf(a({ 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' })), ['BeforeHookCreation', 'HookSucceeded']);
  assert.deepEqual(deletePoliciesOf(a({ 'argocd.argoproj.io/hook-delete-policy': 'Nope' })), ['BeforeHookCreation']);
});

test('waves: sync-wave, else helm hook-weight, else 0; integers only', () => {
  assert.equal(waveOf(a({ 'argocd.argoproj.io/sync-wave': '-3' })), -3);
  assert.equal(waveOf(a({ 'argocd.argoproj.io/sync-wave': 'x', 'helm.sh/hook-weight': '4' })), 4);
  assert.equal(waveOf(a({ 'argocd.argoproj.io/sync-wave': '1.5' })), 0);
  assert.equal(waveOf(a({})), 0);
});

test('kind ranks: listed kinds before any other; ties broken by name', () => {
  assert.ok(kindRank('Namespace') < kindRank('ConfigMap') && kindRank('ConfigMap') < kindRank('Deployment') && kindRank('APIService') < kindRank('Widget'));
  assert.equal(kindRank('Widget'), 0);
  const t = (kind: string, name: string) => ({ phase: 'Sync', wave: 0, kind, name }) as Parameters<typeof compareTasks>[0];
  assert.ok(compareTasks(t('Widget', 'a'), t('Gadget', 'b')) < 0);
});

test('resource options: the annotation wins over the app-wide list; IgnoreExtraneous read from compare-options', () => {
  const o = obj('v1', 'ConfigMap', 'c', { 'argocd.argoproj.io/sync-options': 'Prune=true', 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' });
  assert.equal(resourceOptionValue(o, ['Prune=false'], 'Prune'), 'true');
  assert.equal(resourceOptionValue(obj('v1', 'ConfigMap', 'd'), ['Prune=confirm'], 'Prune'), 'confirm');
  assert.equal(ignoresExtraneous(o), true);
});

test('tracking: annotation must name the app and the object itself; label tracking reads the instance label', () => {
  const cm = { ...obj('v1', 'ConfigMap', 'c'), metadata: { name: 'c', namespace: 'ns' } };
  assert.equal(isTrackedBy(withTracking(cm, 'app'), 'app'), true);
  assert.equal(isTrackedBy(withTracking(cm, 'other'), 'app'), false);
  const copied = withTracking({ ...cm, metadata: { name: 'copy', namespace: 'ns' } }, 'app');
  assert.equal(isTrackedBy({ ...copied, metadata: { ...(copied.metadata as object), name: 'c2' } }, 'app'), false);
  assert.equal(isTrackedBy(withTracking(cm, 'app', 'label'), 'app', 'label'), true);
  assert.equal(isTrackedBy(withTracking(cm, 'app', 'label'), 'app'), false, 'a label alone does not satisfy annotation tracking');
  assert.equal(isTrackedBy(withTracking(cm, 'app', 'annotation+label'), 'app', 'annotation+label'), true);
});

test('prune confirmation: the deletion-approved annotation, no older than the operation', () => {
  const started = '2026-03-01T10:00:00Z';
  assert.equal(pruneConfirmed({ 'argocd.argoproj.io/deletion-approved': '2026-03-01T10:00:05Z' }, started), true);
  assert.equal(pruneConfirmed({ 'argocd.argoproj.io/deletion-approved': '2026-03-01T10:00:00Z' }, started), true);
  assert.equal(pruneConfirmed({ 'argocd.argoproj.io/deletion-approved': '2026-03-01T09:59:59Z' }, started), false, 'an approval of an earlier operation');
  assert.equal(pruneConfirmed({ 'argocd.argoproj.io/deletion-approved': 'yes' }, started), false);
  assert.equal(pruneConfirmed(undefined, started), false);
});
