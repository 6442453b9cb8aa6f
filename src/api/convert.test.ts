import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertObject, sourcePath } from './convert.ts';
import type { KObject } from './meta.ts';

const obj = (kind: string, spec: unknown, extra: Partial<KObject> = {}): KObject =>
  ({ apiVersion: 'tekton.dev/v1beta1', kind, metadata: { name: 'x' }, spec, ...extra });

test('convertObject: v1beta1 → v1', async (t) => {
  const cases: Array<{ name: string; in: KObject; spec?: unknown; status?: unknown; warnings?: string[]; errors?: string[] }> = [
    {
      name: 'Task: resources → computeResources on steps, stepTemplate, sidecars',
      in: obj('Task', { stepTemplate: { resources: { a: 1 } }, steps: [{ image: 'a', resources: { b: 2 } }], sidecars: [{ image: 's', resources: { c: 3 } }] }),
      spec: { stepTemplate: { computeResources: { a: 1 } }, steps: [{ image: 'a', computeResources: { b: 2 } }], sidecars: [{ image: 's', computeResources: { c: 3 } }] },
    },
    {
      name: 'Task: deprecated container fields dropped with a warning',
      in: obj('Task', { steps: [{ image: 'a', ports: [], tty: true }] }),
      spec: { steps: [{ image: 'a' }] },
      warnings: ['spec.steps[0].ports', 'spec.steps[0].tty'],
    },
    {
      name: 'TaskRun: overrides → specs, bundle → bundles resolver, taskResults → results',
      in: obj('TaskRun', { taskRef: { name: 't', bundle: 'reg/b:1', kind: 'Task' }, stepOverrides: [{ name: 's', resources: { r: 1 } }], sidecarOverrides: [{ name: 'c' }] }, { status: { taskResults: [{ name: 'r', value: 'v' }] } }),
      spec: {
        taskRef: { resolver: 'bundles', params: [{ name: 'bundle', value: 'reg/b:1' }, { name: 'name', value: 't' }, { name: 'kind', value: 'task' }] },
        stepSpecs: [{ name: 's', computeResources: { r: 1 } }],
        sidecarSpecs: [{ name: 'c' }],
      },
      status: { results: [{ name: 'r', value: 'v' }] },
    },
    {
      name: 'Pipeline: inline task specs and bundles converted',
      in: obj('Pipeline', { tasks: [{ name: 'a', taskSpec: { steps: [{ image: 'a', resources: {} }] } }], finally: [{ name: 'f', taskRef: { name: 't', bundle: 'b' } }] }),
      spec: {
        tasks: [{ name: 'a', taskSpec: { steps: [{ image: 'a', computeResources: {} }] } }],
        finally: [{ name: 'f', taskRef: { resolver: 'bundles', params: [{ name: 'bundle', value: 'b' }, { name: 'name', value: 't' }, { name: 'kind', value: 'task' }] } }],
      },
    },
    {
      name: 'PipelineRun: serviceAccountName/podTemplate → taskRunTemplate, timeout → timeouts.pipeline',
      in: obj('PipelineRun', { pipelineRef: { name: 'p' }, serviceAccountName: 'sa', podTemplate: { a: 1 }, timeout: '1h', status: 'PipelineRunCancelled', taskRunSpecs: [{ pipelineTaskName: 't', taskServiceAccountName: 'x', taskPodTemplate: {}, stepOverrides: [{ name: 's', resources: {} }] }] }, { status: { pipelineResults: [] } }),
      spec: {
        pipelineRef: { name: 'p' }, status: 'Cancelled', taskRunTemplate: { serviceAccountName: 'sa', podTemplate: { a: 1 } }, timeouts: { pipeline: '1h' },
        taskRunSpecs: [{ pipelineTaskName: 't', serviceAccountName: 'x', podTemplate: {}, stepSpecs: [{ name: 's', computeResources: {} }] }],
      },
      status: { results: [] },
    },
    {
      name: 'PipelineRun: timeout and timeouts together is an error',
      in: obj('PipelineRun', { pipelineRef: { name: 'p' }, timeout: '1h', timeouts: { pipeline: '2h' } }),
      spec: { pipelineRef: { name: 'p' }, timeouts: { pipeline: '2h' } },
      errors: ['spec.timeout: expected exactly one, got both: timeout, timeouts'],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const before = structuredClone(c.in);
      const r = convertObject(c.in);
      assert.equal(r.object.apiVersion, 'tekton.dev/v1');
      assert.deepEqual(r.object.spec, c.spec);
      if (c.status) assert.deepEqual(r.object.status, c.status);
      assert.deepEqual(r.warnings.map((w) => w.path), c.warnings ?? []);
      assert.deepEqual(r.errors.map((e) => `${e.path}: ${e.message}`), c.errors ?? []);
      assert.deepEqual(c.in, before, 'input not mutated');
    });
  }
});

test('convertObject: other objects unchanged; StepAction v1alpha1 → v1beta1', () => {
  const v1 = { ...obj('Task', { steps: [] }), apiVersion: 'tekton.dev/v1' };
  assert.equal(convertObject(v1).object, v1);
  const cm: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  assert.equal(convertObject(cm).object, cm);
  assert.equal(convertObject({ ...obj('StepAction', {}), apiVersion: 'tekton.dev/v1alpha1' }).object.apiVersion, 'tekton.dev/v1beta1');
});

test('prepareObject: v1alpha1 inline interceptors (github:, cel:) become ref + params', async () => {
  const { prepareObject } = await import('./prepare.ts');
  const r = prepareObject({
    apiVersion: 'triggers.tekton.dev/v1alpha1', kind: 'EventListener', metadata: { name: 'old' },
    spec: {
      triggers: [{
        name: 't',
        interceptors: [
          { github: { secretRef: { secretName: 's', secretKey: 'k' }, eventTypes: ['push'] } },
          { cel: { filter: "body.ref == 'refs/heads/main'" } },
          { ref: { name: 'gitlab' }, params: [{ name: 'eventTypes', value: ['Push Hook'] }] },
        ],
        bindings: [{ ref: 'b' }],
        template: { ref: 'tt' },
      }],
    },
  });
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.errors, []);
  assert.equal(r.object?.apiVersion, 'triggers.tekton.dev/v1beta1');
  const interceptors = (r.object?.spec as { triggers: Array<{ interceptors: unknown[] }> }).triggers[0].interceptors;
  assert.deepEqual(interceptors, [
    { ref: { name: 'github', kind: 'ClusterInterceptor' }, params: [{ name: 'secretRef', value: { secretName: 's', secretKey: 'k' } }, { name: 'eventTypes', value: ['push'] }] },
    { ref: { name: 'cel', kind: 'ClusterInterceptor' }, params: [{ name: 'filter', value: "body.ref == 'refs/heads/main'" }] },
    { ref: { name: 'gitlab', kind: 'ClusterInterceptor' }, params: [{ name: 'eventTypes', value: ['Push Hook'] }] },
  ]);
});

test('sourcePath: a v1 field path as the v1beta1 input spells it', async (t) => {
  const pipelineRun = {
    spec: {
      serviceAccountName: 'sa', timeout: '1h', podTemplate: {},
      taskRunSpecs: [{ pipelineTaskName: 'a', taskServiceAccountName: 'b', taskPodTemplate: { nodeSelector: {} }, stepOverrides: [{ name: 's', resources: {} }] }],
      pipelineSpec: { tasks: [{ name: 'a', taskSpec: { steps: [{ Image: 'x', resources: {} }] } }] },
    },
    metadata: { labels: { 'app.kubernetes.io/name': 'x' } },
  };
  const cases = [
    { name: 'taskPodTemplate', path: 'spec.taskRunSpecs[0].podTemplate.nodeSelector', want: 'spec.taskRunSpecs[0].taskPodTemplate.nodeSelector' },
    { name: 'taskServiceAccountName', path: 'spec.taskRunSpecs[0].serviceAccountName', want: 'spec.taskRunSpecs[0].taskServiceAccountName' },
    { name: 'stepOverrides and their resources', path: 'spec.taskRunSpecs[0].stepSpecs[0].computeResources', want: 'spec.taskRunSpecs[0].stepOverrides[0].resources' },
    { name: 'taskRunTemplate had no node', path: 'spec.taskRunTemplate.serviceAccountName', want: 'spec.serviceAccountName' },
    { name: 'taskRunTemplate.podTemplate', path: 'spec.taskRunTemplate.podTemplate', want: 'spec.podTemplate' },
    { name: 'timeout stands for timeouts.pipeline', path: 'spec.timeouts.pipeline', want: 'spec.timeout' },
    { name: 'step resources', path: 'spec.pipelineSpec.tasks[0].taskSpec.steps[0].computeResources', want: 'spec.pipelineSpec.tasks[0].taskSpec.steps[0].resources' },
    { name: 'the case it was written in', path: 'spec.pipelineSpec.tasks[0].taskSpec.steps[0].image', want: 'spec.pipelineSpec.tasks[0].taskSpec.steps[0].Image' },
    { name: 'a dotted key', path: 'metadata.labels.app.kubernetes.io/name', want: 'metadata.labels.app.kubernetes.io/name' },
    { name: 'a defaulted field stays', path: 'spec.taskRunSpecs[0].timeout', want: 'spec.taskRunSpecs[0].timeout' },
    { name: 'anything under timeouts is the one timeout', path: 'spec.timeouts.tasks', want: 'spec.timeout' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(sourcePath(c.path, pipelineRun), c.want));
});
