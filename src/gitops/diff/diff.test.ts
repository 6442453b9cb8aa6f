import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffResource, syncStatusOf, type DiffOptions } from './diff.ts';
import { normalizeManagedFields, parseSystemIgnoreRules } from './ignore.ts';
import type { JObj } from './json.ts';

const cm = (data: JObj, meta: JObj = {}): JObj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', ...meta }, data });
const server = { uid: 'u-1', resourceVersion: '42', generation: 3, creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [{ manager: 'kubectl' }] };
const applied = (o: JObj) => ({ 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) });
const deploy = (spec: JObj, meta: JObj = {}, extra: JObj = {}): JObj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns', ...meta }, spec, ...extra });
const containers = (...c: JObj[]) => ({ template: { spec: { containers: c } } });

const cases: { name: string; desired: JObj | null; live: JObj | null; opts?: DiffOptions; modified: boolean }[] = [
  { name: 'server-set fields are no difference', desired: cm({ a: '1' }), live: cm({ a: '1' }, server), modified: false },
  { name: 'a changed value is', desired: cm({ a: '2' }), live: cm({ a: '1' }, server), modified: true },
  { name: 'status only live has is no difference', desired: deploy({ replicas: 1 }), live: deploy({ replicas: 1 }, server, { status: { replicas: 1 } }), modified: false },
  { name: 'status the desired object sets is compared', desired: { ...cm({}), status: { phase: 'A' } }, live: { ...cm({}), status: { phase: 'B' } }, modified: true },
  { name: 'server defaults inside list items are no difference', desired: deploy(containers({ name: 'a', image: 'x' })), live: deploy(containers({ name: 'a', image: 'x', imagePullPolicy: 'IfNotPresent' }, { name: 'sidecar', image: 'y' })), modified: false },
  { name: 'a changed list item is', desired: deploy(containers({ name: 'a', image: 'x:2' })), live: deploy(containers({ name: 'a', image: 'x:1', imagePullPolicy: 'IfNotPresent' })), modified: true },
  { name: 'a field dropped from Git since the last apply is', desired: cm({ a: '1' }), live: cm({ a: '1', b: '2' }, { annotations: applied(cm({ a: '1', b: '2' })) }), modified: true },
  { name: 'a field another writer added is not', desired: cm({ a: '1' }), live: cm({ a: '1', b: '2' }, { annotations: applied(cm({ a: '1' })) }), modified: false },
  { name: 'a list item dropped since the last apply is', desired: deploy(containers({ name: 'a' })), live: deploy(containers({ name: 'a' }, { name: 'b' }), { annotations: applied(deploy(containers({ name: 'a' }, { name: 'b' }))) }), modified: true },
  { name: 'a broken last-applied annotation falls back to two-way', desired: cm({ a: '1' }), live: cm({ a: '1' }, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{' } }), modified: false },
  { name: 'the namespace of a cluster-scoped object is ignored', desired: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'default' }, rules: [] }, live: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', ...server }, rules: [] }, modified: false },
  { name: 'Secret stringData equals base64 data', desired: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { p: 'héllo' } }, live: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { p: 'aMOpbGxv' } }, modified: false },
  { name: 'Secret stringData that differs', desired: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { p: 'new' } }, live: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { p: 'b2xk' } }, modified: true },
  { name: 'null in desired matches null in live', desired: deploy({ template: { metadata: { creationTimestamp: null } } }), live: deploy({ template: { metadata: { creationTimestamp: null } } }), modified: false },
  { name: 'missing live object', desired: cm({}), live: null, modified: true },
  { name: 'object to prune', desired: null, live: cm({}), modified: true },
  { name: 'ignoreDifferences jsonPointers', desired: deploy({ replicas: 3 }), live: deploy({ replicas: 5 }), opts: { ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }] }, modified: false },
  { name: 'ignoreDifferences for another kind does not apply', desired: deploy({ replicas: 3 }), live: deploy({ replicas: 5 }), opts: { ignoreDifferences: [{ group: 'apps', kind: 'StatefulSet', jsonPointers: ['/spec/replicas'] }] }, modified: true },
  { name: 'ignoreDifferences by name', desired: deploy({ replicas: 3 }), live: deploy({ replicas: 5 }), opts: { ignoreDifferences: [{ group: '*', kind: '*', name: 'other', jsonPointers: ['/spec/replicas'] }] }, modified: true },
  { name: 'ignoreDifferences jq via an injected engine', desired: deploy({ replicas: 3 }), live: deploy({ replicas: 5 }), opts: { ignoreDifferences: [{ kind: 'Deployment', group: 'apps', jqPathExpressions: ['.spec.replicas'] }], jq: { deletePaths: (o) => { const c = structuredClone(o); delete (c.spec as JObj).replicas; return c; } } }, modified: false },
];

for (const c of cases) {
  test(`diffResource: ${c.name}`, () => {
    const r = diffResource(c.desired, c.live, c.opts);
    assert.equal(r.modified, c.modified, r.diff);
    assert.equal(syncStatusOf(r), c.modified ? 'OutOfSync' : 'Synced');
    assert.equal(r.diff !== '', c.modified, 'a diff exactly when OutOfSync');
  });
}

test('diffResource: the unified diff shows the change, not server fields, and masks Secret values', () => {
  const r = diffResource(cm({ a: '2' }), cm({ a: '1' }, server));
  assert.equal(r.diff, [
    '--- live/ConfigMap/ns/c', '+++ desired/ConfigMap/ns/c', '@@ -1,6 +1,6 @@', ' apiVersion: v1', ' data:', '-  a: "1"', '+  a: "2"',
    ' kind: ConfigMap', ' metadata:', '   name: c', '',
  ].join('\n'));
  const s = diffResource({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { p: 'new', q: 'same' } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { p: 'b2xk', q: 'c2FtZQ==' } });
  assert.ok(s.modified);
  assert.doesNotMatch(s.diff + JSON.stringify(s.normalizedLive) + JSON.stringify(s.normalizedDesired), /b2xk|bmV3|c2FtZQ|new|same/);
  assert.match(s.diff, /^-  p: \+{8,}$/m);
  assert.match(s.diff, /^\+  p: \+{8,}$/m);
  assert.match(s.diff, /^ {3}q: \+{8,}$/m, 'an unchanged key is masked alike on both sides');
});

test('diffResource: a jq rule without an engine is reported, not thrown', () => {
  const r = diffResource(deploy({ replicas: 3 }), deploy({ replicas: 5 }), { ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.replicas'] }] });
  assert.equal(r.modified, true);
  assert.deepEqual(r.warnings, ['ignoreDifferences jqPathExpressions .spec.replicas: no jq engine loaded']);
});

test('normalizeManagedFields: drops fields a trusted manager owns where live and desired disagree', () => {
  const live = deploy({ replicas: 5, paused: false, template: { spec: { containers: [{ name: 'a', image: 'x:1' }] } } }, {
    managedFields: [{ manager: 'hpa', fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:paused': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {} } } } } } } }],
  });
  const desired = deploy({ replicas: 3, paused: false, template: { spec: { containers: [{ name: 'a', image: 'x:2' }] } } });
  const n = normalizeManagedFields(live, desired, ['hpa']);
  assert.deepEqual(n.desired.spec, { paused: false, template: { spec: { containers: [{ name: 'a' }] } } });
  assert.deepEqual((n.live.spec as JObj).template, { spec: { containers: [{ name: 'a' }] } });
  assert.equal((n.live.spec as JObj).replicas, undefined);
  assert.deepEqual(normalizeManagedFields(live, desired, ['someone-else']).desired, desired);
});

test('parseSystemIgnoreRules: argocd-cm keys per group_kind, core kind, all; errors name the key', () => {
  const { rules, errors } = parseSystemIgnoreRules({
    'resource.customizations.ignoreDifferences.apps_Deployment': 'jsonPointers:\n- /spec/replicas\n',
    'resource.customizations.ignoreDifferences.Service': 'jqPathExpressions: [".spec.clusterIP"]',
    'resource.customizations.ignoreDifferences.all': 'managedFieldsManagers: [kube-controller-manager]',
    'resource.customizations.ignoreDifferences.a_b_c': 'jsonPointers: []',
    'resource.customizations.ignoreDifferences.apps_StatefulSet': 'jsonPointers: /spec',
  });
  assert.deepEqual(rules, [
    { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'], jqPathExpressions: undefined, managedFieldsManagers: undefined },
    { group: '', kind: 'Service', jsonPointers: undefined, jqPathExpressions: ['.spec.clusterIP'], managedFieldsManagers: undefined },
    { group: '*', kind: '*', jsonPointers: undefined, jqPathExpressions: undefined, managedFieldsManagers: ['kube-controller-manager'] },
    { group: 'apps', kind: 'StatefulSet', jsonPointers: undefined, jqPathExpressions: undefined, managedFieldsManagers: undefined },
  ]);
  assert.deepEqual(errors, [
    'data.resource.customizations.ignoreDifferences.a_b_c: expected resource.customizations.ignoreDifferences.<group>_<kind>, <kind> or all',
    'data.resource.customizations.ignoreDifferences.apps_StatefulSet.jsonPointers: expected a list of strings',
  ]);
});
