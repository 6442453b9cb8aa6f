import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ignoredFields } from './ignored.ts';
import type { IgnoredBy } from './ignored.ts';
import { loadManifests } from './load.ts';

function ignored(yaml: string, by?: IgnoredBy): string[] {
  const r = loadManifests(yaml, 'f.yaml');
  assert.deepEqual(r.errors, []);
  return ignoredFields(r.objects[0].object, by);
}

test('ignoredFields', async (t) => {
  const cases: Array<{ name: string; yaml: string; want: string[]; container?: string[] }> = [
    { name: 'privileged is the host policy\'s (hostpolicy.ts), not ignored', yaml: 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  stepTemplate: {securityContext: {privileged: false}}\n  steps: [{image: a, script: echo, securityContext: {privileged: true}}]\n', want: [] },
    { name: 'a plain TaskRun: nothing ignored', yaml: 'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  serviceAccountName: default\n  taskSpec: {steps: [{image: a, script: echo}]}\n', want: [] },
    {
      name: 'TaskRun pod-level and container-level fields',
      yaml: [
        'apiVersion: tekton.dev/v1', 'kind: TaskRun', 'metadata: {name: r}', 'spec:',
        '  serviceAccountName: builder',
        '  podTemplate: {nodeSelector: {a: b}, volumes: [{name: x, emptyDir: {}}], securityContext: {runAsUser: 1000, runAsNonRoot: true, fsGroup: 2000}}',
        '  computeResources: {limits: {cpu: 1}}',
        '  stepSpecs: [{name: s, computeResources: {}}]',
        '  debug: {breakpoints: {onFailure: enabled}}',
        '  taskSpec:',
        '    stepTemplate: {imagePullPolicy: Always}',
        '    volumes: [{name: v, csi: {driver: d}}, {name: e, emptyDir: {}}]',
        '    sidecars: [{name: db, image: pg, readinessProbe: {exec: {command: [x]}}, ports: [{containerPort: 5432}]}]',
        '    steps:',
        '      - name: s',
        '        image: a',
        '        securityContext: {runAsUser: 0, runAsGroup: 0, privileged: true, readOnlyRootFilesystem: true}',
        '        volumeDevices: [{name: d, devicePath: /dev/x}]',
        '',
      ].join('\n'),
      want: [
        'spec.podTemplate.nodeSelector', 'spec.podTemplate.securityContext.fsGroup', 'spec.computeResources', 'spec.stepSpecs', 'spec.debug',
        'spec.taskSpec.steps[0].volumeDevices', 'spec.taskSpec.steps[0].securityContext.readOnlyRootFilesystem',
        'spec.taskSpec.stepTemplate.imagePullPolicy', 'spec.taskSpec.sidecars[0].ports', 'spec.taskSpec.volumes[0].csi',
      ],
      container: [
        'spec.podTemplate.nodeSelector', 'spec.podTemplate.securityContext.fsGroup', 'spec.debug',
        'spec.taskSpec.steps[0].volumeDevices', 'spec.taskSpec.steps[0].securityContext.readOnlyRootFilesystem',
        'spec.taskSpec.sidecars[0].ports', 'spec.taskSpec.volumes[0].csi',
      ],
    },
    {
      name: 'PipelineRun templates and inline tasks',
      yaml: [
        'apiVersion: tekton.dev/v1', 'kind: PipelineRun', 'metadata: {name: pr}', 'spec:',
        '  taskRunTemplate: {serviceAccountName: ci, podTemplate: {hostNetwork: true, imagePullSecrets: [{name: pull}]}}',
        '  taskRunSpecs: [{pipelineTaskName: a, computeResources: {requests: {memory: 1Gi}}}]',
        '  pipelineSpec:',
        '    tasks:',
        '      - name: a',
        '        taskSpec: {steps: [{image: a, computeResources: {limits: {cpu: 1}}}]}',
        '',
      ].join('\n'),
      want: [
        'spec.taskRunTemplate.podTemplate.hostNetwork', 'spec.taskRunTemplate.podTemplate.imagePullSecrets', 'spec.taskRunSpecs[0].computeResources',
        'spec.pipelineSpec.tasks[0].taskSpec.steps[0].computeResources',
      ],
      container: ['spec.taskRunTemplate.podTemplate.hostNetwork'],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.deepEqual(ignored(c.yaml), c.want);
      assert.deepEqual(ignored(c.yaml, 'process'), c.want);
      // containers honour computeResources (and the runs' overrides of them)
      assert.deepEqual(ignored(c.yaml, 'container'), c.container ?? c.want);
    });
  }
});
