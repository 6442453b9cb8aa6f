// A TaskRun/PipelineRun created through the API is checked against the Tasks/Pipelines it
// references that the store holds (checkReferenced in write.ts): 422 before anything runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createMemoryStore } from '../store/memory.ts';
import { createServer } from './server.ts';

const NOW = new Date('2026-01-02T03:04:05Z');
const TEKTON = '/apis/tekton.dev/v1/namespaces/default';

function setup(): FastifyInstance {
  let n = 0;
  const store = createMemoryStore({ now: () => NOW, uid: () => `uid-${++n}`, nameSuffix: () => 'abcde' });
  return createServer({ store, now: () => NOW });
}

async function post(app: FastifyInstance, plural: string, body: unknown): Promise<{ status: number; body: any; warnings: string }> {
  const res = await app.inject({ method: 'POST', url: `${TEKTON}/${plural}`, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const warning = res.headers.warning;
  return { status: res.statusCode, body: JSON.parse(res.body), warnings: Array.isArray(warning) ? warning.join('\n') : warning ?? '' };
}

const build = {
  apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'build' },
  spec: { params: [{ name: 'version' }], workspaces: [{ name: 'src' }], results: [{ name: 'digest' }], steps: [{ image: 'alpine', script: 'true' }] },
};
const release = {
  apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'release' },
  spec: {
    workspaces: [{ name: 'shared' }],
    tasks: [
      { name: 'build', taskRef: { name: 'build' }, params: [{ name: 'version', value: '1' }], workspaces: [{ name: 'src', workspace: 'shared' }] },
      { name: 'use', runAfter: ['build'], params: [{ name: 'd', value: '$(tasks.build.results.digset)' }], taskSpec: { params: [{ name: 'd' }], steps: [{ image: 'alpine', script: 'true' }] } },
    ],
  },
};

describe('API create of runs: wiring against stored Tasks and Pipelines', () => {
  it('a TaskRun missing a required param and binding an undeclared workspace: 422 with both causes', async () => {
    const app = setup();
    assert.equal((await post(app, 'tasks', build)).status, 201);
    const r = await post(app, 'taskruns', { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'r' }, spec: { taskRef: { name: 'build' }, workspaces: [{ name: 'source', emptyDir: {} }] } });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.reason, 'Invalid');
    assert.deepEqual(r.body.details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`), [
      'spec.params: task "build" requires param(s) not given: version',
      'spec.workspaces: declared workspace(s) of task "build" required but not bound: src',
      'spec.workspaces[0].name: workspace binding "source" does not match any declared workspace of task "build"',
    ]);
  });

  it('a PipelineRun whose stored Pipeline references a result its Task does not declare: 422 (InvalidTaskResultReference)', async () => {
    const app = setup();
    assert.equal((await post(app, 'tasks', build)).status, 201);
    assert.equal((await post(app, 'pipelines', release)).status, 201, 'the Pipeline alone is accepted (its Tasks may come later)');
    const r = await post(app, 'pipelineruns', { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'pr' }, spec: { pipelineRef: { name: 'release' }, workspaces: [{ name: 'shared', emptyDir: {} }] } });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.match(r.body.message, /spec\.pipelineRef\.name: pipeline "release": spec\.tasks\[1\]\.params\[0\]\.value: invalid result reference in pipeline task "use": "digset" is not a named result returned by pipeline task "build"/);
  });

  it('extra params are accepted with a Warning header; unknown references are left to run time', async () => {
    const app = setup();
    assert.equal((await post(app, 'tasks', build)).status, 201);
    const ok = await post(app, 'taskruns', { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'r' }, spec: { taskRef: { name: 'build' }, params: [{ name: 'version', value: '1' }, { name: 'extra', value: 'x' }], workspaces: [{ name: 'src', emptyDir: {} }] } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.match(ok.warnings, /spec\.params\[1\]\.name: param \\?"extra\\?" is not declared by task \\?"build\\?"/);
    const later = await post(app, 'taskruns', { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'r2' }, spec: { taskRef: { name: 'not-yet' } } });
    assert.equal(later.status, 201);
  });
});
