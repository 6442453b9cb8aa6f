// Pipelines in pipelines (Tekton §11): a PipelineTask with pipelineRef/pipelineSpec runs a child
// PipelineRun; decide() creates it, judges the task by its Succeeded condition, and stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import type { PipelineRunSpec } from '../../api/pipelinerun.types.ts';
import { decide } from './facts.ts';
import { CANCEL_MESSAGE_ANNOTATION, PIPELINE_CHAIN_ANNOTATION, type ObservedChild } from './facts.types.ts';
import { CANCELLED_MESSAGE, TIMEOUT_MESSAGE } from './runs.ts';
import { child, childPipelineRun, cond, fail, makeInput, next, ok, running, simulate, type Behaviour, type Outcome } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const inline = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, taskSpec: { steps: [step] }, ...extra });
const pip = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, pipelineRef: { name: 'other' }, ...extra });
const byTask = (m: Record<string, Outcome>): Behaviour => (c) => m[c.pipelineTask] ?? ok();

test('the child PipelineRun: name, labels, annotations, pipelineRef/pipelineSpec, params, workspaces, service account', () => {
  const childSpec: PipelineSpec = { params: [{ name: 'msg' }], tasks: [inline('hello')] };
  const spec: PipelineSpec = {
    params: [{ name: 'env', default: 'dev' }, { name: 'which', default: 'deploy' }],
    workspaces: [{ name: 'src' }, { name: 'cache' }, { name: 'unbound', optional: true }],
    tasks: [
      inline('build', { taskSpec: { steps: [step], results: [{ name: 'image' }] } }),
      {
        name: 'ref',
        pipelineRef: { name: '$(params.which)' },
        params: [{ name: 'env', value: 'env=$(params.env)' }, { name: 'image', value: '$(tasks.build.results.image)' }, { name: 'run', value: '$(context.pipelineRun.name)' }],
        workspaces: [{ name: 'source', workspace: 'src', subPath: 'ref' }, { name: 'cache' }, { name: 'unbound' }],
        timeout: '5m',
        retries: 2,
      },
      { name: 'inline', runAfter: ['build'], pipelineSpec: childSpec, params: [{ name: 'msg', value: 'hi' }] },
    ],
    finally: [pip('after')],
  };
  const input = makeInput({
    spec,
    labels: { team: 'a' },
    run: {
      params: [{ name: 'env', value: 'prod' }],
      workspaces: [{ name: 'src', emptyDir: {}, subPath: 'base' }, { name: 'cache', volumeClaimTemplate: { spec: {} } }],
      taskRunTemplate: { serviceAccountName: 'builder' },
      taskRunSpecs: [{ pipelineTaskName: 'ref', serviceAccountName: 'deployer', metadata: { labels: { tier: 'ref' }, annotations: { note: 'ref' } } }],
    },
  });
  input.pipelineRun.metadata.annotations = { owner: 'me' };
  const d0 = decide(input);
  assert.deepEqual(d0.create.map((c) => c.name), ['pr-build']);
  assert.equal(d0.createPipelineRuns, undefined, 'the pipeline tasks wait for build');
  const d1 = decide(next(input, [child(d0.create[0], ok({ image: 'img:1' }))], 1, d0));
  const made = d1.createPipelineRuns ?? [];
  assert.deepEqual(made.map((c) => c.name), ['pr-ref', 'pr-inline']);
  const [ref, inl] = made;
  assert.equal(ref.spec.timeouts, undefined, 'the task timeout is not applied (Tekton limitation)');
  assert.deepEqual(ref, {
    name: 'pr-ref',
    pipelineTask: 'ref',
    labels: {
      tier: 'ref',
      team: 'a',
      'tekton.dev/pipeline': 'p',
      'tekton.dev/pipelineRun': 'pr',
      'tekton.dev/pipelineRunUID': 'uid-1',
      'tekton.dev/pipelineTask': 'ref',
      'tekton.dev/memberOf': 'tasks',
      'app.kubernetes.io/managed-by': 'kiln',
    },
    annotations: { note: 'ref', owner: 'me', [PIPELINE_CHAIN_ANNOTATION]: 'p' },
    spec: {
      pipelineRef: { name: 'deploy' },
      params: [{ name: 'env', value: 'env=prod' }, { name: 'image', value: 'img:1' }, { name: 'run', value: 'pr' }],
      workspaces: [
        { name: 'source', emptyDir: {}, subPath: 'base/ref' },
        { name: 'cache', persistentVolumeClaim: { claimName: ref.spec.workspaces![1].persistentVolumeClaim!.claimName } },
      ],
      taskRunTemplate: { serviceAccountName: 'deployer' },
    },
  });
  assert.match(ref.spec.workspaces![1].persistentVolumeClaim!.claimName, /^pvc-/, 'the claim the TaskRuns of the run share');
  assert.deepEqual(inl.spec, { pipelineSpec: childSpec, params: [{ name: 'msg', value: 'hi' }], taskRunTemplate: { serviceAccountName: 'builder' } });
  // created once; finally once the DAG is done, labelled memberOf finally
  const kids: ObservedChild[] = [child(d0.create[0], ok({ image: 'img:1' })), ...made.map((c) => childPipelineRun(c, running()))];
  const d2 = decide(next(input, kids, 2, d1));
  assert.equal(d2.createPipelineRuns, undefined, 'existing children are not created again');
  const d3 = decide(next(input, [kids[0], ...made.map((c) => childPipelineRun(c, ok()))], 3, d2));
  assert.deepEqual(d3.createPipelineRuns?.map((c) => [c.name, c.labels['tekton.dev/memberOf']]), [['pr-after', 'finally']]);
});

test('the child PipelineRun decides the task: success, failure, cancellation, ignored failure, running', () => {
  const rows: Array<{ name: string; spec: PipelineSpec; behaviour: Behaviour; want: [string, string, string] }> = [
    { name: 'succeeded', spec: { tasks: [pip('child')] }, behaviour: () => ok(), want: ['True', 'Succeeded', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0'] },
    { name: 'completed (some of its tasks skipped) is a success', spec: { tasks: [pip('child')] }, behaviour: () => ({ status: 'True', reason: 'Completed' }), want: ['True', 'Succeeded', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0'] },
    { name: 'failed', spec: { tasks: [pip('child'), inline('next', { runAfter: ['child'] })] }, behaviour: byTask({ child: fail('Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0') }), want: ['False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 1'] },
    { name: 'timed out', spec: { tasks: [pip('child')] }, behaviour: () => fail('PipelineRunTimeout', 'PipelineRun "pr-child" failed to finish within "1h0m0s"'), want: ['False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0'] },
    { name: 'cancelled', spec: { tasks: [pip('child')] }, behaviour: () => fail('Cancelled', 'PipelineRun "pr-child" was cancelled'), want: ['False', 'Cancelled', 'Tasks Completed: 1 (Failed: 0, Cancelled 1), Skipped: 0'] },
    { name: 'onError: continue', spec: { tasks: [pip('child', { onError: 'continue' }), inline('next', { runAfter: ['child'] })] }, behaviour: byTask({ child: fail() }), want: ['True', 'Succeeded', 'Tasks Completed: 2 (Failed: 1 (Ignored: 1), Cancelled 0), Skipped: 0'] },
    { name: 'unsupported inside the child', spec: { tasks: [pip('child')] }, behaviour: () => fail('Unsupported', 'needs the network'), want: ['False', 'Unsupported', 'needs the network'] },
    { name: 'still running', spec: { tasks: [pip('child')] }, behaviour: () => running(), want: ['Unknown', 'Running', 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1'] },
  ];
  for (const r of rows) {
    const sim = simulate(makeInput({ spec: r.spec }), r.behaviour);
    assert.deepEqual(cond(sim.final), r.want, r.name);
    assert.deepEqual(sim.createdPipelineRuns.map((c) => c.name), ['pr-child'], r.name);
  }
});

test('a task after a pipeline task waits for the child PipelineRun to finish', () => {
  const input = makeInput({ spec: { tasks: [pip('child'), inline('next', { runAfter: ['child'] })] } });
  const d0 = decide(input);
  const c = d0.createPipelineRuns![0];
  const d1 = decide(next(input, [childPipelineRun(c, running())], 1, d0));
  assert.deepEqual(d1.create, []);
  const d2 = decide(next(input, [childPipelineRun(c, ok())], 2, d1));
  assert.deepEqual(d2.create.map((x) => x.name), ['pr-next']);
});

test('childReferences: kind PipelineRun for a child PipelineRun, TaskRun for the others', () => {
  const sim = simulate(makeInput({ spec: { tasks: [inline('a'), pip('child', { displayName: 'Child' })], finally: [inline('f')] } }));
  assert.deepEqual(sim.final.status.childReferences, [
    { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'pr-a', pipelineTaskName: 'a' },
    { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'pr-child', displayName: 'Child', pipelineTaskName: 'child' },
    { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'pr-f', pipelineTaskName: 'f' },
  ]);
});

test('stopping a running child PipelineRun: cancel, graceful cancel/stop, timeouts', () => {
  const spec: PipelineSpec = { tasks: [pip('child'), inline('t')], finally: [inline('f')] };
  const rows: Array<{ name: string; run: Partial<PipelineRunSpec>; s?: number; childStatus?: string; want: unknown[] }> = [
    {
      name: 'Cancelled',
      run: { status: 'Cancelled' },
      want: [{ kind: 'PipelineRun', name: 'pr-child', statusMessage: CANCELLED_MESSAGE, specStatus: 'Cancelled' }, { name: 'pr-t', statusMessage: CANCELLED_MESSAGE }],
    },
    {
      name: 'CancelledRunFinally: the child cancels its tasks and runs its finally',
      run: { status: 'CancelledRunFinally' },
      want: [{ kind: 'PipelineRun', name: 'pr-child', statusMessage: CANCELLED_MESSAGE, specStatus: 'CancelledRunFinally' }, { name: 'pr-t', statusMessage: CANCELLED_MESSAGE }],
    },
    {
      name: 'StoppedRunFinally: TaskRuns finish, the child stops gracefully too',
      run: { status: 'StoppedRunFinally' },
      want: [{ kind: 'PipelineRun', name: 'pr-child', statusMessage: CANCELLED_MESSAGE, specStatus: 'StoppedRunFinally' }],
    },
    {
      name: 'escalation: a stopped child is cancelled when the run is',
      run: { status: 'Cancelled' },
      childStatus: 'StoppedRunFinally',
      want: [{ kind: 'PipelineRun', name: 'pr-child', statusMessage: CANCELLED_MESSAGE, specStatus: 'Cancelled' }, { name: 'pr-t', statusMessage: CANCELLED_MESSAGE }],
    },
    { name: 'already asked for as much', run: { status: 'CancelledRunFinally' }, childStatus: 'Cancelled', want: [{ name: 'pr-t', statusMessage: CANCELLED_MESSAGE }] },
    {
      name: 'tasks timeout',
      run: { timeouts: { pipeline: '1h', tasks: '10s' } },
      s: 11,
      want: [{ kind: 'PipelineRun', name: 'pr-child', statusMessage: TIMEOUT_MESSAGE, specStatus: 'Cancelled' }, { name: 'pr-t', statusMessage: TIMEOUT_MESSAGE }],
    },
    {
      name: 'pipeline timeout',
      run: { timeouts: { pipeline: '10s' } },
      s: 11,
      want: [{ kind: 'PipelineRun', name: 'pr-child', statusMessage: TIMEOUT_MESSAGE, specStatus: 'Cancelled' }, { name: 'pr-t', statusMessage: TIMEOUT_MESSAGE }],
    },
  ];
  for (const r of rows) {
    const start = makeInput({ spec, run: { ...r.run, status: undefined } });
    const d0 = decide(start);
    const kid = childPipelineRun(d0.createPipelineRuns![0], running());
    if (r.childStatus) kid.spec.status = r.childStatus;
    const input = { ...start, pipelineRun: { ...start.pipelineRun, spec: { ...start.pipelineRun.spec, ...r.run } } };
    const d1 = decide(next(input, [kid, child(d0.create[0], running())], r.s ?? 1, d0));
    assert.deepEqual(d1.cancel, r.want, r.name);
  }
});

test('a child PipelineRun cancelled by a timeout counts as failed, one cancelled by a cancel as cancelled', () => {
  const spec: PipelineSpec = { tasks: [pip('child')] };
  const start = makeInput({ spec, run: { timeouts: { pipeline: '1h', tasks: '10s' } } });
  const d0 = decide(start);
  const c = d0.createPipelineRuns![0];
  const stopped = (message: string): ObservedChild => {
    const k = childPipelineRun(c, fail('Cancelled', 'PipelineRun "pr-child" was cancelled'));
    k.spec.status = 'Cancelled';
    k.metadata.annotations = { ...k.metadata.annotations, [CANCEL_MESSAGE_ANNOTATION]: message };
    return k;
  };
  assert.deepEqual(cond(decide(next(start, [stopped(TIMEOUT_MESSAGE)], 12, d0))), ['False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0']);
  const graceful = { ...start, pipelineRun: { ...start.pipelineRun, spec: { ...start.pipelineRun.spec, status: 'CancelledRunFinally' } } };
  assert.deepEqual(cond(decide(next(graceful, [stopped(CANCELLED_MESSAGE)], 2, d0))), ['False', 'Cancelled', 'PipelineRun "pr" was cancelled']);
});

test('a Pipeline that would run inside itself fails the run instead of nesting forever', () => {
  const rows: Array<{ name: string; chain?: string; task: PipelineTask; want?: string }> = [
    { name: 'itself', task: pip('again', { pipelineRef: { name: 'p' } }), want: 'p -> p' },
    { name: 'an outer Pipeline', chain: 'top,mid', task: pip('again', { pipelineRef: { name: 'top' } }), want: 'top -> mid -> p -> top' },
    { name: 'another Pipeline: fine, and the chain grows', chain: 'top', task: pip('deeper', { pipelineRef: { name: 'leaf' } }) },
  ];
  for (const r of rows) {
    const input = makeInput({ spec: { tasks: [r.task] } });
    if (r.chain) input.pipelineRun.metadata.annotations = { [PIPELINE_CHAIN_ANNOTATION]: r.chain };
    const d = decide(input);
    if (r.want) {
      assert.deepEqual(cond(d).slice(0, 2), ['False', 'PipelineValidationFailed'], r.name);
      assert.ok(cond(d)[2]?.endsWith(`(pipelines in pipelines: ${r.want})`), r.name);
      assert.equal(d.createPipelineRuns, undefined, r.name);
    } else {
      assert.equal(d.createPipelineRuns?.[0].annotations[PIPELINE_CHAIN_ANNOTATION], 'top,p', r.name);
    }
  }
});
