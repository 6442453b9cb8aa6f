import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRunSpec } from '../../api/taskrun.types.ts';
import { containerLimits, limitsOf } from './limits.ts';

describe('limitsOf', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['cpu and memory as written', { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '1' } }, { cpu: '500m', memory: '64Mi' }],
    ['a number is a quantity', { limits: { cpu: 2 } }, { cpu: '2' }],
    ['other resources are not kept', { limits: { 'ephemeral-storage': '1Gi', 'nvidia.com/gpu': 1 } }, undefined],
    ['requests only', { requests: { memory: '1Gi' } }, undefined],
    ['not an object', 'big', undefined],
    ['a value that is no quantity is left out', { limits: { cpu: true, memory: ' 1G ' } }, { memory: '1G' }],
  ];
  for (const [name, cr, want] of cases) test(name, () => assert.deepEqual(limitsOf(cr), want));
});

describe('containerLimits: as Tekton applies them', () => {
  const own = { limits: { cpu: '1', memory: '1Gi' } };
  const cases: Array<{ name: string; kind: 'step' | 'sidecar'; spec: Partial<TaskRunSpec>; want: unknown }> = [
    { name: "the container's own", kind: 'step', spec: {}, want: { cpu: '1', memory: '1Gi' } },
    { name: 'stepSpecs of its name replace them whole', kind: 'step', spec: { stepSpecs: [{ name: 'other', computeResources: { limits: { cpu: '9' } } }, { name: 'c', computeResources: { limits: { memory: '2Gi' } } }] }, want: { memory: '2Gi' } },
    { name: 'a stepSpecs entry without limits leaves none', kind: 'step', spec: { stepSpecs: [{ name: 'c', computeResources: { requests: { cpu: '1' } } }] }, want: undefined },
    { name: "stepSpecs do not reach a sidecar's", kind: 'sidecar', spec: { stepSpecs: [{ name: 'c', computeResources: { limits: { cpu: '9' } } }] }, want: { cpu: '1', memory: '1Gi' } },
    { name: 'sidecarSpecs replace a sidecar\'s', kind: 'sidecar', spec: { sidecarSpecs: [{ name: 'c', computeResources: { limits: { cpu: '250m' } } }] }, want: { cpu: '250m' } },
    { name: 'task-level limits replace every step\'s', kind: 'step', spec: { computeResources: { limits: { memory: '512Mi' } } }, want: { memory: '512Mi' } },
    { name: 'task-level requests alone leave a step no limit (Tekton sets them to the task-level ones)', kind: 'step', spec: { computeResources: { requests: { cpu: '1' } } }, want: undefined },
    { name: 'task-level computeResources do not reach sidecars', kind: 'sidecar', spec: { computeResources: { limits: { memory: '512Mi' } } }, want: { cpu: '1', memory: '1Gi' } },
    { name: 'empty task-level computeResources change nothing', kind: 'step', spec: { computeResources: {} }, want: { cpu: '1', memory: '1Gi' } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(containerLimits(c.kind, 'c', own, { spec: c.spec as TaskRunSpec }), c.want));

  test('an unnamed step takes no stepSpecs entry', () => {
    assert.deepEqual(containerLimits('step', undefined, own, { spec: { stepSpecs: [{ name: '', computeResources: {} }] } }), { cpu: '1', memory: '1Gi' });
  });
});
