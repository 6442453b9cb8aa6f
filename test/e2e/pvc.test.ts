// End-to-end: PersistentVolumeClaims on a real `kiln serve`, seen and deleted with the real
// kubectl. A PipelineRun's volumeClaimTemplate becomes a claim `kubectl get pvc` lists (Bound,
// capacity, access modes) owned by the run; deleting the run with kubectl takes the claim and its
// directory away. A claim applied with kubectl is bound, shared by name, and deleted likewise.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const run = promisify(execFile);
const PR = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';
const TR = '/apis/tekton.dev/v1/namespaces/default/taskruns';

const PIPELINERUN = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: pvc-demo
spec:
  workspaces:
    - name: source
      volumeClaimTemplate:
        metadata:
          labels:
            app: demo
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi
  pipelineSpec:
    workspaces:
      - name: source
    results:
      - name: read
        value: $(tasks.read.results.out)
    tasks:
      - name: write
        workspaces: [{ name: source }]
        taskSpec:
          workspaces: [{ name: source }]
          steps:
            - name: s
              image: alpine
              script: echo shared > $(workspaces.source.path)/f
      - name: read
        runAfter: [write]
        workspaces: [{ name: source }]
        taskSpec:
          workspaces: [{ name: source }]
          results: [{ name: out }]
          steps:
            - name: s
              image: alpine
              script: tr -d '\\n' < $(workspaces.source.path)/f > $(results.out.path)
`;

const CLAIM = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: cache
spec:
  accessModes: [ReadWriteMany]
  resources:
    requests:
      storage: 5Mi
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: use-cache
spec:
  workspaces:
    - name: w
      persistentVolumeClaim:
        claimName: cache
  taskSpec:
    workspaces: [{ name: w }]
    steps:
      - name: s
        image: alpine
        script: echo cached > $(workspaces.w.path)/f
`;

describe('kubectl get pvc against kiln serve', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed' }, () => {
  let s: Served;
  let dataDir: string;
  const kubectl = async (args: string[]) => (await run('kubectl', ['--server', s.url, ...args], { timeout: 30_000, env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig', HOME: dataDir } })).stdout;
  const claimDir = (name: string) => join(dataDir, 'claims', 'default', name);
  const finished = (path: string) => until(`${path} finished`, async () => {
    const r = await api(s, 'GET', path);
    return r.json?.status?.completionTime ? r.json : undefined;
  });
  /** `kubectl get pvc` as rows of cells (the header first), split on the runs of spaces between columns */
  const table = async (args: string[] = []) => (await kubectl(['get', 'pvc', ...args])).trim().split('\n').map((l) => l.split(/\s{2,}/));

  before(async () => {
    dataDir = tempDir('kiln-pvc-');
    s = await startServe(dataDir);
  });
  after(async () => { await s.stop(); });

  it('a PipelineRun\'s volumeClaimTemplate: listed Bound and owned by the run; deleting the run removes claim and directory', async () => {
    const file = join(dataDir, 'pr.yaml');
    writeFileSync(file, PIPELINERUN);
    await kubectl(['create', '-f', file]);
    const pr = await finished(`${PR}/pvc-demo`);
    assert.equal(pr.status.conditions[0].status, 'True', JSON.stringify(pr.status.conditions));
    assert.deepEqual(pr.status.results, [{ name: 'read', value: 'shared' }], 'the tasks shared the claim');

    const [header, row, ...rest] = await table();
    assert.deepEqual(header, ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'AGE']);
    assert.equal(rest.length, 0, 'one claim');
    const name = row[0];
    assert.match(name, /^pvc-[0-9a-f]{10}$/);
    // the VOLUME and STORAGECLASS cells are empty: the row has NAME, STATUS, CAPACITY, ACCESS MODES, AGE
    assert.deepEqual(row.slice(1, 4), ['Bound', '1Gi', 'RWO']);
    const owners = await kubectl(['get', 'pvc', name, '-o', 'custom-columns=KIND:.metadata.ownerReferences[0].kind,OWNER:.metadata.ownerReferences[0].name,CONTROLLER:.metadata.ownerReferences[0].controller,UID:.metadata.ownerReferences[0].uid', '--no-headers']);
    assert.deepEqual(owners.trim().split(/\s+/), ['PipelineRun', 'pvc-demo', 'true', pr.metadata.uid]);
    assert.equal(await kubectl(['get', 'pvc', '-l', 'app=demo', '-o', 'name']), `persistentvolumeclaim/${name}\n`, 'labelled from the template');
    assert.equal(readFileSync(join(claimDir(name), 'f'), 'utf8'), 'shared\n');

    await kubectl(['delete', 'pipelinerun', 'pvc-demo']);
    await until('the claim gone', async () => (await kubectl(['get', 'pvc', '-o', 'name'])) === '');
    assert.equal(existsSync(claimDir(name)), false, 'its directory removed');
  });

  it('a claim applied with kubectl: Bound, bound by name, deleted with its directory', async () => {
    const file = join(dataDir, 'claim.yaml');
    writeFileSync(file, CLAIM);
    await kubectl(['apply', '-f', file]);
    const tr = await finished(`${TR}/use-cache`);
    assert.equal(tr.status.conditions[0].status, 'True', JSON.stringify(tr.status.conditions));
    await until('the claim bound', async () => (await table())[1]?.[1] === 'Bound');
    const [, row] = await table(['cache']);
    assert.deepEqual([row[0], ...row.slice(1, 4)], ['cache', 'Bound', '5Mi', 'RWX']);
    assert.equal(readFileSync(join(claimDir('cache'), 'f'), 'utf8'), 'cached\n');

    await kubectl(['delete', 'pvc', 'cache']);
    assert.equal(await kubectl(['get', 'pvc', '-o', 'name']), '', 'kubectl delete returns once the claim is gone');
    assert.equal(existsSync(claimDir('cache')), false, 'its directory removed');
  });
});
