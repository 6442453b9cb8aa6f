// End-to-end: deleting a run removes its files under <data-dir>/runs, whichever way it is deleted
// (kiln delete, kubectl-style API DELETE, a PipelineRun's cascade), a running one included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kiln, tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const TR = '/apis/tekton.dev/v1/namespaces/default/taskruns';
const PR = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';

function taskRun(name: string, script: string) {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name }, spec: { taskSpec: { steps: [{ name: 's', image: 'alpine', script }] } } };
}

describe('kiln serve: a deleted run leaves no files', () => {
  let s: Served;
  const runs = () => join(s.dataDir, 'runs', 'default');
  const dirsOf = (prefix: string) => (existsSync(runs()) ? readdirSync(runs()).filter((d) => d.startsWith(`${prefix}-`)) : []);
  const finished = (path: string) => until(`${path} finished`, async () => {
    const r = await api(s, 'GET', path);
    return r.json?.status?.completionTime ? r.json : undefined;
  });

  before(async () => { s = await startServe(tempDir('kiln-del-')); });
  after(async () => { await s.stop(); });

  it('kiln delete taskrun: its directory goes', async () => {
    assert.equal((await api(s, 'POST', TR, taskRun('tr-a', 'echo hi'))).status, 201);
    const run = await finished(`${TR}/tr-a`);
    assert.deepEqual(dirsOf('tr-a'), [`tr-a-${run.metadata.uid.slice(0, 8)}`]);
    const r = await kiln(['delete', 'taskrun', 'tr-a', '--server', s.url]);
    assert.equal(r.code, 0, r.stderr);
    await until('tr-a files removed', async () => dirsOf('tr-a').length === 0);
  });

  it('API DELETE of a running TaskRun: the step is stopped and the directory goes', async () => {
    assert.equal((await api(s, 'POST', TR, taskRun('tr-b', 'sleep 300'))).status, 201);
    await until('tr-b running', async () => dirsOf('tr-b').length === 1);
    assert.equal((await api(s, 'DELETE', `${TR}/tr-b`)).status, 200);
    await until('tr-b files removed', async () => dirsOf('tr-b').length === 0);
  });

  it('API DELETE of a PipelineRun: the files of its TaskRuns go with them', async () => {
    const pr = {
      apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'pr-c' },
      spec: { pipelineSpec: { tasks: ['one', 'two'].map((name) => ({ name, taskSpec: { steps: [{ name: 's', image: 'alpine', script: 'echo hi' }] } })) } },
    };
    assert.equal((await api(s, 'POST', PR, pr)).status, 201);
    await finished(`${PR}/pr-c`);
    assert.equal(dirsOf('pr-c').length, 2);
    assert.equal((await api(s, 'DELETE', `${PR}/pr-c`)).status, 200);
    await until('pr-c files removed', async () => dirsOf('pr-c').length === 0);
  });
});
