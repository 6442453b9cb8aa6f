import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, mergePatch, respectIgnoreDifferences } from './respect.ts';
import { planSync } from './plan.ts';
import { T0 } from './testkit.ts';
import type { Obj } from './types.ts';

const deploy = (replicas: number, image: string, extra: Obj = {}): Obj => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'dest' },
  spec: { replicas, template: { spec: { containers: [{ name: 'c', image }] } } }, ...extra,
});

test('merge patches: computed and applied per RFC 7386', () => {
  assert.deepEqual(mergePatch({ a: 1, b: { c: 1, d: 2 }, e: 1 }, { a: 1, b: { c: 3, d: 2 }, f: [1] }), { b: { c: 3 }, f: [1], e: null });
  assert.deepEqual(applyMergePatch({ a: 1, b: { c: 1 }, e: 1 }, { b: { c: 3, x: { y: 1 } }, e: null }), { a: 1, b: { c: 3, x: { y: 1 } } });
});

test('ignored fields keep their live value; other fields come from Git', () => {
  const rules = [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }];
  const live = deploy(5, 'old', { status: { replicas: 5 } });
  const r = respectIgnoreDifferences(deploy(1, 'new'), live, rules);
  assert.deepEqual(r.target, deploy(5, 'new'), 'replicas from live (an HPA scaled it), image from Git; no status copied');
  assert.deepEqual(respectIgnoreDifferences(deploy(1, 'new'), deploy(5, 'old'), [{ kind: 'Service', jsonPointers: ['/spec'] }]).target, deploy(1, 'new'), 'no matching rule');
  const gone = respectIgnoreDifferences(deploy(1, 'new'), { ...deploy(1, 'old'), spec: { template: {} } }, rules);
  assert.equal((gone.target.spec as Obj).replicas, undefined, 'a field the live object lacks is left out');
});

test('planSync applies it only with RespectIgnoreDifferences=true, to objects that exist', () => {
  const rules = [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }];
  const input = { appName: 'app', namespace: 'dest', revision: 'r', startedAt: T0, desired: [deploy(1, 'new')], live: [deploy(5, 'old')], ignoreDifferences: rules };
  const spec = (p: ReturnType<typeof planSync>) => (p.tasks[0].target?.spec as Obj).replicas;
  assert.equal(spec(planSync(input)), 1);
  assert.equal(spec(planSync({ ...input, syncOptions: ['RespectIgnoreDifferences=true'] })), 5);
  assert.equal(spec(planSync({ ...input, live: [], syncOptions: ['RespectIgnoreDifferences=true'] })), 1);
  const jq = planSync({ ...input, ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.replicas'] }], syncOptions: ['RespectIgnoreDifferences=true'] });
  assert.deepEqual(jq.warnings, ['ignoreDifferences jqPathExpressions .spec.replicas: no jq engine loaded']);
});

test('jq path expressions work through the jq engine the controller passes', () => {
  const jq = { deletePaths: (o: Obj, expr: string) => { assert.equal(expr, '.spec.replicas'); const c = structuredClone(o) as Obj; delete (c.spec as Obj).replicas; return c as never; } };
  const r = respectIgnoreDifferences(deploy(1, 'new'), deploy(3, 'old'), [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.replicas'] }], jq);
  assert.deepEqual(r, { target: deploy(3, 'new'), warnings: [] });
});
