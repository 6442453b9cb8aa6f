import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { CliError } from './exit.ts';
import { parseRemoteWorkspaces } from './params.ts';
import { runFor } from './start.ts';

describe('parseRemoteWorkspaces (tkn -w forms)', () => {
  const cases = [
    { name: 'emptyDir', in: 'name=src,emptyDir=', want: { name: 'src', emptyDir: {} } },
    { name: 'claim with subPath', in: 'name=src,claimName=pvc-1,subPath=a/b', want: { name: 'src', subPath: 'a/b', persistentVolumeClaim: { claimName: 'pvc-1' } } },
    { name: 'configMap with items', in: 'name=cfg,config=settings,item=k=file.txt', want: { name: 'cfg', configMap: { name: 'settings', items: [{ key: 'k', path: 'file.txt' }] } } },
    { name: 'secret', in: 'name=creds,secret=token', want: { name: 'creds', secret: { secretName: 'token' } } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(parseRemoteWorkspaces([c.in]), [c.want]));
  for (const bad of ['src=./dir', 'name=src', 'emptyDir=', 'name=src,claimName=']) {
    it(`"${bad}" is invalid input naming the forms`, () => {
      assert.throws(() => parseRemoteWorkspaces([bad]), (e: unknown) => e instanceof CliError && e.code === 2 && /name=WS,emptyDir=/.test(e.message));
    });
  }
});

describe('runFor', () => {
  const pipeline: KObject = {
    apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'ci', namespace: 'team' },
    spec: { params: [{ name: 'langs', type: 'array' }, { name: 'branch' }], workspaces: [{ name: 'shared' }, { name: 'cache', optional: true }] },
  };
  it('a PipelineRun referencing the pipeline, params typed by their declarations', () => {
    const run = runFor(pipeline, { params: ['langs=go,ts', 'branch=main'], workspaces: ['name=shared,emptyDir='], serviceAccount: 'builder' });
    assert.deepEqual(run, {
      apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { generateName: 'ci-run-', namespace: 'team' },
      spec: {
        pipelineRef: { name: 'ci' },
        params: [{ name: 'langs', value: ['go', 'ts'] }, { name: 'branch', value: 'main' }],
        workspaces: [{ name: 'shared', emptyDir: {} }],
        taskRunTemplate: { serviceAccountName: 'builder' },
      },
    });
  });
  it('a TaskRun for a Task', () => {
    const run = runFor({ apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'build', namespace: 'default' }, spec: { steps: [] } }, { params: [], workspaces: [] });
    assert.deepEqual(run.spec, { taskRef: { name: 'build' } });
    assert.equal(run.kind, 'TaskRun');
  });
  it('an unbound required workspace is invalid input naming it (optional ones may stay unbound)', () => {
    assert.throws(() => runFor(pipeline, { params: [], workspaces: [] }), (e: unknown) => e instanceof CliError && e.code === 2 && /workspace\(s\) not bound: shared$/.test(e.message));
  });
});
