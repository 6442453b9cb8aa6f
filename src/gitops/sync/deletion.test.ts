import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDeletion } from './deletion.ts';
import { obj } from './testkit.ts';
import type { Obj } from './types.ts';

const w = (name: string, wave: number, more: Record<string, string> = {}, kind = 'ConfigMap') =>
  ({ ...obj('v1', kind, name, { 'argocd.argoproj.io/sync-wave': String(wave), ...more }), metadata: { name, namespace: 'dest', annotations: { 'argocd.argoproj.io/sync-wave': String(wave), ...more } } }) as Obj;
const names = (refs: { name: string }[]) => refs.map((r) => r.name);

test('cascade delete goes wave by wave from the highest, waiting while objects terminate', () => {
  const live = [w('a', 0), w('b', 2), w('c', 2), w('d', -1)];
  const first = planDeletion({ live });
  assert.deepEqual(names(first.deletes), ['b', 'c']);
  assert.equal(first.propagationPolicy, 'foreground');
  assert.equal(first.done, false);
  const waiting = planDeletion({ live: [w('a', 0), { ...w('b', 2), metadata: { name: 'b', namespace: 'dest', deletionTimestamp: 'x' } }] });
  assert.deepEqual([names(waiting.deletes), names(waiting.terminating)], [[], ['b']]);
  assert.deepEqual(names(planDeletion({ live: [w('a', 0), w('d', -1)] }).deletes), ['a']);
  assert.equal(planDeletion({ live: [] }).done, true);
});

test('Delete=false kept, Delete=confirm waits for confirmation; CRDs, hooks and the app itself are left alone', () => {
  const live = [
    w('keep', 0, { 'argocd.argoproj.io/sync-options': 'Delete=false' }),
    w('ask', 0, { 'argocd.argoproj.io/sync-options': 'Delete=confirm' }),
    w('go', 0),
    obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
    w('hook', 5, { 'argocd.argoproj.io/hook': 'PostSync' }, 'Job'),
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'me', namespace: 'argocd' } },
  ];
  const self = { group: 'argoproj.io', kind: 'Application', namespace: 'argocd', name: 'me' };
  const p = planDeletion({ live, self });
  assert.deepEqual([names(p.deletes), names(p.kept), names(p.awaitingConfirmation)], [[], ['keep'], ['ask']]);
  const confirmed = planDeletion({ live, self, confirmed: true, finalizers: ['resources-finalizer.argocd.argoproj.io/background'] });
  assert.deepEqual(names(confirmed.deletes), ['ask', 'go']);
  assert.equal(confirmed.propagationPolicy, 'background');
  assert.equal(planDeletion({ live: [live[0], live[3]] }).done, true, 'only kept objects and CRDs left');
});
