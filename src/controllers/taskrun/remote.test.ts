import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun } from '../../api/taskrun.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { RemoteResolution, ResolutionRequest } from '../../resolution/resolver.ts';
import { resolveRemoteStepActions, resolveRemoteTask } from './remote.ts';

function fake(asked: ResolutionRequest[], fail?: { message: string; unsupported?: boolean }): RemoteResolution {
  return {
    async resolve(req) {
      asked.push(req);
      if (fail) return { ok: false, ...fail };
      const spec = req.kind === 'Task' ? { steps: [{ name: 's', image: 'busybox', script: 'echo' }] } : { image: 'busybox', script: 'echo $(params.msg)', params: [{ name: 'msg' }] };
      return { ok: true, object: { apiVersion: 'tekton.dev/v1', kind: req.kind, metadata: { name: 'remote' }, spec }, refSource: { uri: 'git+u', digest: { sha1: 'c' }, entryPoint: 'p' } };
    },
  };
}

const run = (spec: TaskRun['spec']): TaskRun => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'r', namespace: 'ns', uid: 'u-1' }, spec });

test('taskRef: the run\'s params substituted into the resolver params; the failure reason follows the resolver', async () => {
  const asked: ResolutionRequest[] = [];
  const r = await resolveRemoteTask(run({ params: [{ name: 'rev', value: 'v1' }], taskRef: { resolver: 'git', params: [{ name: 'revision', value: '$(params.rev)' }] } }), fake(asked));
  assert.ok('spec' in r && r.taskName === 'remote' && r.refSource.digest.sha1 === 'c');
  assert.deepEqual(asked[0], { resolver: 'git', params: [{ name: 'revision', value: 'v1' }], namespace: 'ns', kind: 'Task', owner: { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'r', uid: 'u-1' } });
  const failed = await resolveRemoteTask(run({ taskRef: { resolver: 'git' } }), fake([], { message: 'boom' }));
  assert.deepEqual(failed, { reason: 'TaskRunResolutionFailed', message: 'boom' });
  const unsupported = await resolveRemoteTask(run({ taskRef: { resolver: 'bundles' } }), fake([], { message: 'no', unsupported: true }));
  assert.deepEqual(unsupported, { reason: 'Unsupported', message: 'no' });
});

test('step refs with a resolver: resolved with the Task\'s params (defaults, then the run\'s), renamed to keys no local StepAction has', async () => {
  const asked: ResolutionRequest[] = [];
  const spec: TaskSpec = {
    params: [{ name: 'path', default: 'stepaction/a.yaml' }],
    steps: [
      { name: 'local', ref: { name: 'mine' } },
      { name: 'remote', ref: { resolver: 'git', params: [{ name: 'pathInRepo', value: '$(params.path)' }] }, params: [{ name: 'msg', value: 'hi' }] },
    ],
  };
  const r = await resolveRemoteStepActions(spec, run({}), fake(asked));
  assert.ok('spec' in r);
  assert.equal(asked[0].kind, 'StepAction');
  assert.deepEqual(asked[0].params, [{ name: 'pathInRepo', value: 'stepaction/a.yaml' }]);
  assert.deepEqual(r.spec.steps[0].ref, { name: 'mine' });
  assert.deepEqual(r.spec.steps[1].ref, { name: 'remote (git resolver, step 1)' });
  assert.equal(r.actions.get('remote (git resolver, step 1)')?.kind, 'StepAction');
  const failed = await resolveRemoteStepActions(spec, run({}), fake([], { message: 'boom' }));
  assert.deepEqual(failed, { reason: 'TaskRunResolutionFailed', message: 'spec.steps[1].ref: Couldn\'t retrieve StepAction "resolver type git\npathInRepo = stepaction/a.yaml\n": boom' });
});
