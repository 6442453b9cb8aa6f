// securityContext run-as ids reach the plan (the container's over the podTemplate's); bad ids and
// root under runAsNonRoot fail the TaskRun before anything runs, naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { RUN_POLICY } from '../../api/hostpolicy.ts';
import { buildPlan, PlanError } from './plan.ts';

const inputs = { configMaps: new Map(), secrets: new Map(), hostPolicy: RUN_POLICY };

function run(podTemplate?: Record<string, unknown>): TaskRun {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'tr', namespace: 'ns' }, spec: { taskRef: { name: 't' }, podTemplate } };
}

test('plan: each container carries its run-as ids; none when none is asked', () => {
  const p = buildPlan({
    steps: [
      { name: 'a', image: 'x', script: 'id', securityContext: { runAsUser: 1000 } },
      { name: 'b', image: 'x', script: 'id' },
    ],
    sidecars: [{ name: 'db', image: 'pg', securityContext: { runAsUser: 999, runAsGroup: 999 } }],
  }, run({ securityContext: { runAsGroup: 3000, runAsNonRoot: true } }), 0, inputs);
  assert.deepEqual(p.steps.map((s) => s.runAs), [{ uid: 1000, gid: 3000, nonRoot: true }, { gid: 3000, nonRoot: true }]);
  assert.deepEqual(p.sidecars[0].runAs, { uid: 999, gid: 999, nonRoot: true });
  assert.equal(buildPlan({ steps: [{ name: 'a', image: 'x', script: 'id' }] }, run(), 0, inputs).steps[0].runAs, undefined);
});

test('plan: root under runAsNonRoot and a bad id are a ValidationFailed naming the field', () => {
  assert.throws(
    () => buildPlan({ steps: [{ name: 'a', image: 'x', script: 'id', securityContext: { runAsUser: 0 } }] }, run({ securityContext: { runAsNonRoot: true } }), 0, inputs),
    (e: unknown) => e instanceof PlanError && e.reason === 'TaskRunValidationFailed'
      && e.message === '[User error] spec.podTemplate.securityContext.runAsNonRoot: runAsUser is 0 (root), which runAsNonRoot forbids',
  );
  assert.throws(
    () => buildPlan({ steps: [{ name: 'a', image: 'x', script: 'id', securityContext: { runAsUser: -5 } }] }, run(), 0, inputs),
    /task "t" spec.steps\[0\].securityContext.runAsUser: must be an integer between 0 and 2147483647, not -5/,
  );
});

test('plan: securityContext.capabilities reach the executor as written; a wrong shape fails naming the field', () => {
  const p = buildPlan({
    steps: [
      { name: 'a', image: 'x', script: 'id', securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } },
      { name: 'b', image: 'x', script: 'id', securityContext: { capabilities: { add: [] } } },
    ],
    sidecars: [{ name: 'db', image: 'pg', securityContext: { capabilities: { drop: ['MKNOD'] } } }],
  }, run(), 0, inputs);
  assert.deepEqual(p.steps.map((s) => s.capabilities), [{ drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, undefined]);
  assert.deepEqual(p.sidecars[0].capabilities, { drop: ['MKNOD'] });
  assert.throws(
    () => buildPlan({ steps: [{ name: 'a', image: 'x', script: 'id', securityContext: { capabilities: { add: 'CHOWN' } } }] }, run(), 0, inputs),
    (e: unknown) => e instanceof PlanError && e.reason === 'TaskRunValidationFailed'
      && /spec\.steps\[0\]\.securityContext\.capabilities\.add: expected a list of capability names, not "CHOWN"$/.test(e.message),
  );
  assert.throws(
    () => buildPlan({ steps: [{ name: 'a', image: 'x', script: 'id' }], sidecars: [{ name: 's', image: 'x', securityContext: { capabilities: ['CHOWN'] } }] }, run(), 0, inputs),
    /spec\.sidecars\[0\]\.securityContext\.capabilities: expected an object with add and drop lists, not \["CHOWN"\]/,
  );
});
