import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSync, hookName, type PlanInput } from './plan.ts';
import { obj, T0 } from './testkit.ts';
import { TRACKING_ANNOTATION, withTracking } from './tracking.ts';
import type { Obj, SyncTask } from './types.ts';

const base: PlanInput = { appName: 'app', namespace: 'dest', revision: 'abcdef0123456789', startedAt: T0, desired: [], live: [] };
const order = (tasks: SyncTask[]) => tasks.map((t) => `${t.phase}/${t.wave}/${t.kind}/${t.name}`);
const tracked = (o: Obj, ns = 'dest') => withTracking({ ...o, metadata: { ...(o.metadata as Obj), namespace: ns } }, 'app');

test('kind order inside a wave follows Helm; unknown kinds last; then names', () => {
  const plan = planSync({
    ...base,
    desired: [
      obj('apps/v1', 'Deployment', 'web'), obj('v1', 'Service', 'web'), obj('example.com/v1', 'Widget', 'w'),
      obj('v1', 'ConfigMap', 'b'), obj('v1', 'ConfigMap', 'a'), obj('v1', 'ServiceAccount', 'sa'), obj('v1', 'Secret', 's'),
      obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb'), obj('rbac.authorization.k8s.io/v1', 'Role', 'r'),
      obj('batch/v1', 'Job', 'j'), obj('networking.k8s.io/v1', 'Ingress', 'i'), obj('v1', 'PersistentVolumeClaim', 'pvc'),
    ],
  });
  assert.deepEqual(plan.tasks.map((t) => `${t.kind}/${t.name}`), [
    'ServiceAccount/sa', 'Secret/s', 'ConfigMap/a', 'ConfigMap/b', 'PersistentVolumeClaim/pvc', 'Role/r', 'RoleBinding/rb',
    'Service/web', 'Deployment/web', 'Job/j', 'Ingress/i', 'Widget/w',
  ]);
});

test('phases then waves (negative first) order tasks; hooks get their phase and wave', () => {
  const plan = planSync({
    ...base,
    desired: [
      obj('v1', 'ConfigMap', 'late', { 'argocd.argoproj.io/sync-wave': '5' }),
      obj('v1', 'ConfigMap', 'early', { 'argocd.argoproj.io/sync-wave': '-2' }),
      obj('apps/v1', 'Deployment', 'mid'),
      obj('batch/v1', 'Job', 'migrate', { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/sync-wave': '3' }),
      obj('batch/v1', 'Job', 'smoke', { 'argocd.argoproj.io/hook': 'PostSync' }),
      obj('batch/v1', 'Job', 'notify', { 'argocd.argoproj.io/hook': 'SyncFail' }),
      obj('batch/v1', 'Job', 'both', { 'argocd.argoproj.io/hook': 'PreSync,PostSync' }),
    ],
  });
  assert.deepEqual(order(plan.tasks), [
    'PreSync/0/Job/both', 'PreSync/3/Job/migrate', 'Sync/-2/ConfigMap/early', 'Sync/0/Deployment/mid', 'Sync/5/ConfigMap/late',
    'PostSync/0/Job/both', 'PostSync/0/Job/smoke', 'SyncFail/0/Job/notify',
  ]);
  assert.equal(plan.tasks[0].isHook, true);
  assert.equal(plan.tasks[2].isHook, false);
});

test('a Namespace moves ahead of the first object in it, a CRD ahead of its first custom resource', () => {
  const crd = obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com', { 'argocd.argoproj.io/sync-wave': '4' }, {
    spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' } },
  });
  const plan = planSync({
    ...base,
    desired: [
      obj('v1', 'Namespace', 'team', { 'argocd.argoproj.io/sync-wave': '2' }),
      { ...obj('v1', 'ConfigMap', 'cfg'), metadata: { name: 'cfg', namespace: 'team' } },
      obj('example.com/v1', 'Widget', 'w', { 'argocd.argoproj.io/sync-wave': '1' }),
      crd,
    ],
  });
  assert.deepEqual(order(plan.tasks), ['Sync/0/Namespace/team', 'Sync/0/ConfigMap/cfg', 'Sync/1/CustomResourceDefinition/widgets.example.com', 'Sync/1/Widget/w']);
  const w = plan.tasks.find((t) => t.kind === 'Widget') as SyncTask;
  assert.equal(w.apply?.skipDryRunOnMissingResource, true, 'its CRD is in the sync: the dry run may not know the kind');
  assert.equal(plan.tasks[2].key, 'apiextensions.k8s.io/CustomResourceDefinition//widgets.example.com:Sync');
});

test('targets get the destination namespace (namespaced kinds only) and the tracking id', () => {
  const plan = planSync({ ...base, desired: [obj('v1', 'ConfigMap', 'c'), obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'cr')] });
  const [cr, cm] = [plan.tasks.find((t) => t.kind === 'ClusterRole'), plan.tasks.find((t) => t.kind === 'ConfigMap')] as SyncTask[];
  assert.equal((cm.target?.metadata as Obj).namespace, 'dest');
  assert.equal(((cm.target?.metadata as Obj).annotations as Obj)[TRACKING_ANNOTATION], 'app:/ConfigMap:dest/c');
  assert.equal((cr.target?.metadata as Obj).namespace, undefined);
  assert.equal(((cr.target?.metadata as Obj).annotations as Obj)[TRACKING_ANNOTATION], 'app:rbac.authorization.k8s.io/ClusterRole:/cr');
  const labelled = planSync({ ...base, desired: [obj('v1', 'ConfigMap', 'c')], tracking: { method: 'label' } });
  assert.deepEqual((labelled.tasks[0].target?.metadata as Obj).labels, { 'app.kubernetes.io/instance': 'app' });
});

test('hooks named from generateName (revision, phase, start time), with the hook finalizer and delete policies', () => {
  assert.equal(hookName('db-migrate-', 'abcdef0123456789', 'PreSync', T0), `db-migrate-abcdef0-presync-${Date.parse(T0) / 1000}`);
  assert.equal(hookName('x-', 'short', 'PostSync', T0), `x-short-postsync-${Date.parse(T0) / 1000}`);
  const plan = planSync({
    ...base,
    desired: [
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'db-migrate-', annotations: { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' } } },
      obj('batch/v1', 'Job', 'plain', { 'argocd.argoproj.io/hook': 'Sync' }),
    ],
  });
  const [gen, plain] = plan.tasks;
  assert.equal(gen.name, `db-migrate-abcdef0-presync-${Date.parse(T0) / 1000}`);
  assert.deepEqual((gen.target?.metadata as Obj).finalizers, ['argocd.argoproj.io/hook-finalizer']);
  assert.deepEqual(gen.deletePolicies, ['HookSucceeded']);
  assert.deepEqual(plain.deletePolicies, ['BeforeHookCreation'], 'the default policy');
});

test('Helm hooks map onto Argo CD phases; crd-install and Skip are not hooks; Skip objects are not applied', () => {
  const plan = planSync({
    ...base,
    desired: [
      obj('batch/v1', 'Job', 'pre', { 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-5', 'helm.sh/hook-delete-policy': 'hook-succeeded' }),
      obj('batch/v1', 'Job', 'post', { 'helm.sh/hook': 'post-install' }),
      obj('batch/v1', 'Job', 'test', { 'helm.sh/hook': 'test' }),
      obj('v1', 'ConfigMap', 'crd', { 'helm.sh/hook': 'crd-install' }),
      obj('v1', 'ConfigMap', 'skipped', { 'argocd.argoproj.io/hook': 'Skip' }),
      obj('batch/v1', 'Job', 'argo-wins', { 'argocd.argoproj.io/hook': 'PostSync', 'helm.sh/hook': 'pre-install' }),
    ],
  });
  assert.deepEqual(order(plan.tasks), ['PreSync/-5/Job/pre', 'Sync/0/ConfigMap/crd', 'PostSync/0/Job/argo-wins', 'PostSync/0/Job/post']);
  assert.deepEqual(plan.tasks[0].deletePolicies, ['HookSucceeded']);
});

test('prunes: tracked live objects only, reverse wave order, PruneLast after the last wave, hooks never pruned', () => {
  const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
  const plan = planSync({
    ...base,
    desired: [obj('v1', 'ConfigMap', 'keep', wave(1))],
    live: [
      tracked(obj('v1', 'ConfigMap', 'keep', wave(1))),
      tracked(obj('v1', 'ConfigMap', 'p0', wave(0))), tracked(obj('v1', 'ConfigMap', 'p1', wave(1))), tracked(obj('v1', 'ConfigMap', 'p2', wave(2))),
      tracked(obj('v1', 'Secret', 'last', { 'argocd.argoproj.io/sync-options': 'PruneLast=true' })),
      obj('v1', 'ConfigMap', 'not-ours'),
      tracked(obj('batch/v1', 'Job', 'old-hook', { 'argocd.argoproj.io/hook': 'PreSync' })),
      { ...tracked(obj('v1', 'ConfigMap', 'copied')), metadata: { name: 'copied', namespace: 'dest', annotations: { [TRACKING_ANNOTATION]: 'app:/ConfigMap:dest/original' } } },
    ],
    operation: { prune: true },
  });
  assert.deepEqual(order(plan.tasks), ['Sync/0/ConfigMap/p2', 'Sync/1/ConfigMap/keep', 'Sync/1/ConfigMap/p1', 'Sync/2/ConfigMap/p0', 'Sync/3/Secret/last']);
  assert.equal(plan.tasks[0].target, null);
  assert.deepEqual(plan.tasks[0].prune, { requireConfirm: false, propagationPolicy: 'foreground' });
});

test('prune skips: without the prune flag, Prune=false (annotation or app-wide); Prune=confirm and propagation policy', () => {
  const live = [
    tracked(obj('v1', 'ConfigMap', 'a')),
    tracked(obj('v1', 'ConfigMap', 'b', { 'argocd.argoproj.io/sync-options': 'Prune=false' })),
    tracked(obj('v1', 'ConfigMap', 'c', { 'argocd.argoproj.io/sync-options': 'Prune=confirm' })),
    tracked(obj('v1', 'ConfigMap', 'd', { 'argocd.argoproj.io/sync-options': 'Prune=true' })),
  ];
  const off = planSync({ ...base, live });
  assert.deepEqual(off.tasks.map((t) => t.prune?.skip), Array(4).fill('ignored (requires pruning)'));
  const on = planSync({ ...base, live, operation: { prune: true }, syncOptions: ['PrunePropagationPolicy=background'] });
  assert.deepEqual(on.tasks.map((t) => [t.name, t.prune?.skip, t.prune?.requireConfirm, t.prune?.propagationPolicy]), [
    ['a', undefined, false, 'background'], ['b', 'ignored (no prune)', false, 'background'], ['c', undefined, true, 'background'], ['d', undefined, false, 'background'],
  ]);
  const appWide = planSync({ ...base, live, operation: { prune: true, syncOptions: ['Prune=false'] } });
  assert.deepEqual(appWide.tasks.map((t) => t.prune?.skip ?? ''), ['ignored (no prune)', 'ignored (no prune)', '', ''], 'the annotation wins over the app-wide option');
});

test('apply options from syncOptions and the sync-options annotation', () => {
  const plan = planSync({
    ...base,
    syncOptions: ['ServerSideApply=true', 'Validate=false'],
    desired: [
      obj('v1', 'ConfigMap', 'a'),
      obj('v1', 'ConfigMap', 'b', { 'argocd.argoproj.io/sync-options': 'ServerSideApply=false,Replace=true' }),
      obj('v1', 'ConfigMap', 'c', { 'argocd.argoproj.io/sync-options': 'Force=true, Replace=true' }),
    ],
  });
  assert.deepEqual(plan.tasks.map((t) => t.apply), [
    { serverSideApply: true, replace: false, force: false, validate: false, skipDryRunOnMissingResource: false },
    { serverSideApply: false, replace: true, force: false, validate: false, skipDryRunOnMissingResource: false },
    { serverSideApply: true, replace: true, force: true, validate: false, skipDryRunOnMissingResource: false },
  ]);
  const opWins = planSync({ ...base, syncOptions: ['Validate=false'], operation: { syncOptions: ['Replace=true'] }, desired: [obj('v1', 'ConfigMap', 'a')] });
  assert.deepEqual([opWins.tasks[0].apply?.validate, opWins.tasks[0].apply?.replace], [true, true], "the operation's own syncOptions replace the app's");
});

test('selective sync keeps the named resources and drops hooks; ApplyOutOfSyncOnly marks synced ones', () => {
  const desired = [obj('v1', 'ConfigMap', 'a'), obj('v1', 'ConfigMap', 'b'), obj('batch/v1', 'Job', 'h', { 'argocd.argoproj.io/hook': 'PreSync' })];
  const sel = planSync({ ...base, desired, operation: { resources: [{ kind: 'ConfigMap', name: 'b' }] } });
  assert.deepEqual(order(sel.tasks), ['Sync/0/ConfigMap/b']);
  assert.equal(sel.skipHooks, true);
  const oos = planSync({
    ...base, desired, syncOptions: ['ApplyOutOfSyncOnly=true'],
    live: [tracked(obj('v1', 'ConfigMap', 'a')), tracked(obj('v1', 'ConfigMap', 'b'))],
    syncStatus: { '/ConfigMap/dest/a': 'Synced', '/ConfigMap/dest/b': 'OutOfSync' },
  });
  assert.equal(oos.applyOutOfSyncOnly, true);
  assert.deepEqual(oos.tasks.map((t) => [t.name, t.inSync]), [['h', false], ['a', true], ['b', false]]);
});

test('CreateNamespace adds a PreSync Namespace task unless a manifest declares it or it exists with the metadata', () => {
  const desired = [obj('v1', 'ConfigMap', 'a')];
  const plan = planSync({ ...base, desired, syncOptions: ['CreateNamespace=true'], destinationNamespace: null });
  assert.deepEqual(order(plan.tasks), ['PreSync/0/Namespace/dest', 'Sync/0/ConfigMap/a']);
  assert.equal(planSync({ ...base, desired, syncOptions: ['CreateNamespace=true'], destinationNamespace: obj('v1', 'Namespace', 'dest') }).tasks.length, 1);
  const md = { labels: { team: 'x' } };
  const relabel = planSync({ ...base, desired, syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: md, destinationNamespace: obj('v1', 'Namespace', 'dest') });
  assert.deepEqual((relabel.tasks[0].target?.metadata as Obj).labels, { team: 'x' });
  const declared = planSync({ ...base, desired: [...desired, obj('v1', 'Namespace', 'dest')], syncOptions: ['CreateNamespace=true'] });
  assert.deepEqual(order(declared.tasks), ['Sync/0/Namespace/dest', 'Sync/0/ConfigMap/a']);
});

test('invalid tasks name the manifest; a project check can refuse tasks; bad waves warn', () => {
  const plan = planSync({
    ...base,
    desired: [
      { object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, origin: 'apps/cm.yaml:3' },
      { object: obj('v1', 'Secret', 's', { 'argocd.argoproj.io/sync-wave': 'soon' }), origin: 'apps/s.yaml:1' },
      { object: { kind: 'Thing' }, origin: 'apps/t.yaml:9' },
    ],
    permit: (t) => (t.kind === 'Secret' ? 'resource :Secret is not permitted in project default' : undefined),
  });
  assert.deepEqual(plan.invalid.map((i) => i.message), ['apps/cm.yaml:3: metadata.name: required', 'apps/s.yaml:1: resource :Secret is not permitted in project default']);
  assert.deepEqual(plan.warnings, [
    'apps/s.yaml:1: metadata.annotations["argocd.argoproj.io/sync-wave"]: "soon" is not an integer; wave 0 used',
    'apps/t.yaml:9: apiVersion and kind are required; object skipped',
  ]);
});

test('a repeated manifest warns and the last one wins', () => {
  const plan = planSync({
    ...base,
    desired: [
      { object: obj('v1', 'ConfigMap', 'c', {}, { data: { v: '1' } }), origin: 'a.yaml:1' },
      { object: obj('v1', 'ConfigMap', 'c', {}, { data: { v: '2' } }), origin: 'b.yaml:4' },
    ],
  });
  assert.equal(plan.tasks.length, 1);
  assert.deepEqual(plan.tasks[0].target?.data, { v: '2' });
  assert.deepEqual(plan.warnings, ['b.yaml:4: ConfigMap/c is repeated (also a.yaml:1); the last one is applied']);
});

test('malformed input never throws', () => {
  const junk: Obj[] = [
    {}, { apiVersion: 3, kind: 'X' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: 'nope' },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 7, annotations: { 'argocd.argoproj.io/hook': 5, 'argocd.argoproj.io/sync-wave': null } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: ['a'], finalizers: 'f' } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 7, annotations: { 'argocd.argoproj.io/hook': 'PreSync' } } },
  ];
  const plan = planSync({ ...base, startedAt: 'not a time', desired: junk, live: [...junk, { metadata: null }], syncOptions: ['CreateNamespace=true'], operation: { prune: true } });
  assert.ok(plan.invalid.length >= 2);
  assert.ok(plan.tasks.every((t) => typeof t.key === 'string'));
});

test('a resource tracked by another app: a warning, or invalid with FailOnSharedResource=true', () => {
  const live = [withTracking({ ...obj('v1', 'ConfigMap', 'c'), metadata: { name: 'c', namespace: 'dest' } }, 'other')];
  const warn = planSync({ ...base, desired: [obj('v1', 'ConfigMap', 'c')], live });
  assert.deepEqual(warn.warnings, ['ConfigMap/c is part of applications app and other']);
  assert.equal(warn.invalid.length, 0);
  const fail = planSync({ ...base, desired: [obj('v1', 'ConfigMap', 'c')], live, syncOptions: ['FailOnSharedResource=true'] });
  assert.deepEqual(fail.invalid.map((i) => i.message), ['Shared resource found: ConfigMap/c is part of applications app and other']);
  assert.equal(fail.tasks.filter((t) => !t.target).length, 0, "another app's object is never pruned");
});
