import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import { decide } from './facts.ts';
import { claimName } from './naming.ts';
import { cond, makeInput } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const inline = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, taskSpec: { steps: [step] }, ...extra });

test('labels and annotations: taskRunSpecs metadata first, then the run and Tekton, then the embedded spec', () => {
  const spec: PipelineSpec = { tasks: [inline('t', { taskSpec: { steps: [step], metadata: { labels: { app: 'example', team: 'spec' }, annotations: { note: 'spec' } } } })] };
  const input = makeInput({
    spec,
    labels: { team: 'run', 'tekton.dev/pipelineRun': 'spoofed' },
    run: { taskRunSpecs: [{ pipelineTaskName: 't', metadata: { labels: { team: 'trs' }, annotations: { note: 'trs' } } }] },
  });
  input.pipelineRun.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}', owner: 'me' };
  const [tr] = decide(input).create;
  assert.deepEqual(tr.labels, {
    team: 'trs',
    'tekton.dev/pipelineRun': 'pr',
    'tekton.dev/pipeline': 'p',
    'tekton.dev/pipelineRunUID': 'uid-1',
    'tekton.dev/pipelineTask': 't',
    'tekton.dev/memberOf': 'tasks',
    'app.kubernetes.io/managed-by': 'kiln',
    app: 'example',
  });
  assert.deepEqual(tr.annotations, { note: 'trs', owner: 'me' });
});

test('service account and pod template: taskRunTemplate, overridden per task by taskRunSpecs', () => {
  const spec: PipelineSpec = { tasks: [inline('a'), inline('b')] };
  const d = decide(makeInput({
    spec,
    run: {
      taskRunTemplate: { serviceAccountName: 'builder', podTemplate: { nodeSelector: { disk: 'ssd' } } },
      taskRunSpecs: [{ pipelineTaskName: 'b', serviceAccountName: 'deployer', podTemplate: { hostNetwork: true }, stepSpecs: [{ name: 's', computeResources: { limits: { cpu: '1' } } }] }],
    },
  }));
  const [a, b] = d.create;
  assert.equal(a.spec.serviceAccountName, 'builder');
  assert.deepEqual(a.spec.podTemplate, { nodeSelector: { disk: 'ssd' } });
  assert.equal(b.spec.serviceAccountName, 'deployer');
  assert.deepEqual(b.spec.podTemplate, { nodeSelector: { disk: 'ssd' }, hostNetwork: true });
  assert.deepEqual(b.spec.stepSpecs, [{ name: 's', computeResources: { limits: { cpu: '1' } } }]);
});

test('params: Pipeline values into PipelineTask params, context variables, retries', () => {
  const spec: PipelineSpec = {
    params: [{ name: 'env', default: 'dev' }, { name: 'tags', type: 'array', default: ['a', 'b'] }, { name: 'cfg', type: 'object', properties: { url: {} }, default: { url: 'x' } }],
    tasks: [inline('t', {
      retries: 3,
      params: [
        { name: 'env', value: 'env=$(params.env)' },
        { name: 'tags', value: '$(params.tags[*])' },
        { name: 'first', value: "$(params['tags'][0])" },
        { name: 'cfg', value: '$(params.cfg[*])' },
        { name: 'url', value: '$(params.cfg.url)' },
        { name: 'ctx', value: '$(context.pipelineRun.name)/$(context.pipelineRun.namespace)/$(context.pipelineRun.uid)/$(context.pipeline.name)' },
        { name: 'retries', value: '$(context.pipelineTask.retries)' },
        { name: 'unknown', value: '$(context.nope)' },
      ],
    })],
  };
  const [tr] = decide(makeInput({ spec, run: { params: [{ name: 'env', value: 'prod' }] } })).create;
  assert.deepEqual(tr.spec.params, [
    { name: 'env', value: 'env=prod' },
    { name: 'tags', value: ['a', 'b'] },
    { name: 'first', value: 'a' },
    { name: 'cfg', value: { url: 'x' } },
    { name: 'url', value: 'x' },
    { name: 'ctx', value: 'pr/ns/uid-1/p' },
    { name: 'retries', value: '3' },
    { name: 'unknown', value: '$(context.nope)' },
  ]);
  assert.equal(tr.spec.retries, 3);
});

test('inline taskSpec: Pipeline params propagate without declaration; the PipelineTask param wins', () => {
  const script = 'echo $(params.HELLO) $(params.OTHER) $(context.pipelineRun.name)';
  const spec: PipelineSpec = {
    params: [{ name: 'HELLO', default: 'pipeline' }, { name: 'OTHER', default: 'other' }],
    tasks: [
      inline('propagated', { taskSpec: { params: [{ name: 'HELLO', default: 'task default' }], steps: [{ ...step, script }] } }),
      inline('scoped', { params: [{ name: 'HELLO', value: 'task param' }], taskSpec: { params: [{ name: 'HELLO' }], steps: [{ ...step, script }] } }),
    ],
  };
  const [p, s] = decide(makeInput({ spec })).create;
  assert.equal(p.spec.taskSpec?.steps[0].script, 'echo pipeline other pr', 'a propagated value beats the task default');
  assert.equal(s.spec.taskSpec?.steps[0].script, 'echo $(params.HELLO) other pr', 'left for the TaskRun: its own param wins');
  assert.deepEqual(s.spec.params, [{ name: 'HELLO', value: 'task param' }]);
});

test('workspaces: names mapped, subPaths joined, claims shared, optional ones left out, propagation into inline specs', () => {
  const taskWithOptional: TaskSpec = { steps: [step], workspaces: [{ name: 'src' }, { name: 'cache', optional: true }] };
  const spec: PipelineSpec = {
    params: [{ name: 'dir', default: 'sub' }],
    workspaces: [{ name: 'shared' }, { name: 'scratch' }, { name: 'cache', optional: true }],
    tasks: [
      { name: 'a', taskRef: { name: 'build', kind: 'Task' }, workspaces: [{ name: 'src', workspace: 'shared', subPath: '$(params.dir)/$(context.pipelineRun.name)' }, { name: 'cache' }] },
      inline('b', { workspaces: [{ name: 'out', workspace: 'shared' }, { name: 'tmp', workspace: 'scratch' }] }),
      { name: 'c', taskSpec: { steps: [{ ...step, script: 'ls $(workspaces.shared.path) $(workspaces.secret.path)' }] } },
    ],
  };
  const d = decide(makeInput({
    spec,
    tasks: { build: taskWithOptional },
    run: {
      workspaces: [
        { name: 'shared', subPath: 'base', volumeClaimTemplate: { spec: {} } },
        { name: 'scratch', emptyDir: {} },
        { name: 'secret', secret: { secretName: 's' } },
      ],
    },
  }));
  const claim = claimName(undefined, 'shared', 'uid-1'); // named from the run's uid, as Tekton does
  assert.deepEqual(d.create.map((c) => c.spec.workspaces), [
    [{ name: 'src', subPath: 'base/sub/pr', persistentVolumeClaim: { claimName: claim } }],
    [{ name: 'out', subPath: 'base', persistentVolumeClaim: { claimName: claim } }, { name: 'tmp', emptyDir: {} }],
    [{ name: 'shared', subPath: 'base', persistentVolumeClaim: { claimName: claim } }, { name: 'secret', secret: { secretName: 's' } }],
  ]);
  assert.deepEqual(d.create[1].spec.taskSpec?.workspaces, [{ name: 'out' }, { name: 'tmp' }], 'undeclared bindings get declared (as the TaskRun side does)');
  assert.deepEqual(d.create[2].spec.taskSpec?.workspaces, [{ name: 'shared' }, { name: 'secret' }]);
});

test('a workspace an inline spec uses that the run does not bind fails the run (CreateRunFailed)', () => {
  const spec: PipelineSpec = { tasks: [{ name: 'c', taskSpec: { steps: [{ ...step, script: 'ls $(workspaces.missing.path)' }] } }] };
  const d = decide(makeInput({ spec }));
  assert.deepEqual(cond(d), ['False', 'CreateRunFailed', '[User error] expected workspace "missing" to be provided by pipelinerun for pipeline task "c"']);
});

test('an embedded taskSpec drops metadata; a taskRef keeps name and kind', () => {
  const spec: PipelineSpec = { tasks: [inline('a', { taskSpec: { steps: [step], metadata: { labels: { x: 'y' } } } }), { name: 'b', taskRef: { name: 'build' } }] };
  const [a, b] = decide(makeInput({ spec, tasks: { build: { steps: [step] } } })).create;
  assert.deepEqual(a.spec.taskSpec, { steps: [step] });
  assert.deepEqual(b.spec.taskRef, { name: 'build', kind: 'Task' });
});
