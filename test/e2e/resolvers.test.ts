// End to end: Tasks and Pipelines from a git repository served by `git daemon` on loopback, in
// `kiln run` and `kiln serve`; the cluster resolver with --resolver-cluster-namespaces.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { kiln, tempDir, tempFile } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';
import { makeRepo, startGitDaemon, type GitDaemon } from '../../src/resolution/testing.ts';

const TASK = (msg: string) => `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: greet
spec:
  params:
    - name: who
      default: world
  steps:
    - name: say
      image: busybox
      script: echo "${msg} $(params.who)"
`;
const PIPELINE = (url: string) => `apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: from-git
spec:
  params:
    - name: rev
      default: main
  tasks:
    - name: by-branch
      taskRef:
        resolver: git
        params:
          - {name: url, value: "${url}"}
          - {name: revision, value: "$(params.rev)"}
          - {name: pathInRepo, value: task/greet.yaml}
      params:
        - {name: who, value: branch}
`;

describe('remote resolution (git daemon on loopback)', () => {
  let daemon: GitDaemon;
  let url: string;
  let first: string;
  let second: string;
  before(async () => {
    const repo = makeRepo('catalog.git');
    first = repo.commit({ 'task/greet.yaml': TASK('hello') });
    second = repo.commit({ 'task/greet.yaml': TASK('bonjour') });
    daemon = await startGitDaemon(dirname(repo.dir));
    url = `${daemon.url}/catalog.git`;
    repo.commit({ 'pipeline/from-git.yaml': PIPELINE(url) });
  });
  after(() => daemon?.stop());

  const run = (file: string) => kiln(['run', '-f', file, '--data-dir', tempDir(), '-o', 'json'], { timeoutMs: 120_000 });

  it('kiln run: a PipelineRun runs tasks from git by commit and by the default branch', async () => {
    const f = tempFile('pr.yaml', `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: remote}
spec:
  pipelineSpec:
    tasks:
      - name: by-commit
        taskRef:
          resolver: git
          params:
            - {name: url, value: "${url}"}
            - {name: revision, value: "${first}"}
            - {name: pathInRepo, value: /task/greet.yaml}
        params:
          - {name: who, value: commit}
      - name: nested
        taskRef:
          resolver: git
          params:
            - {name: url, value: "${url}"}
            - {name: pathInRepo, value: task/greet.yaml}
`);
    const r = await run(f);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const pr = JSON.parse(r.stdout);
    assert.equal(pr.status.conditions[0].reason, 'Succeeded', JSON.stringify(pr.status.conditions));
    assert.equal(pr.status.pipelineSpec.tasks[0].taskRef.resolver, 'git', 'status.pipelineSpec keeps the run\'s own refs');
    const logs = await kiln(['run', '-f', f, '--data-dir', tempDir()], { timeoutMs: 120_000 });
    assert.match(logs.stdout, /\[by-commit\/say\] hello commit/);
    assert.match(logs.stdout, /\[nested\/say\] bonjour world/);
  });

  it('kiln run: pipelineRef through git; provenance names the commit of the branch', async () => {
    const f = tempFile('pr.yaml', `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: ref}
spec:
  pipelineRef:
    resolver: git
    params:
      - {name: url, value: "${url}"}
      - {name: revision, value: main}
      - {name: pathInRepo, value: pipeline/from-git.yaml}
`);
    const r = await run(f);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const pr = JSON.parse(r.stdout);
    assert.equal(pr.status.conditions[0].reason, 'Succeeded', JSON.stringify(pr.status.conditions));
    assert.equal(pr.status.provenance.refSource.uri, `git+${url}`);
    assert.match(pr.status.provenance.refSource.digest.sha1, /^[0-9a-f]{40}$/);
    assert.notEqual(pr.status.provenance.refSource.digest.sha1, second, 'the pipeline file came in a later commit');
    assert.equal(pr.status.provenance.refSource.entryPoint, 'pipeline/from-git.yaml');
  });

  it('a wrong revision fails fast: TaskRun TaskRunResolutionFailed, PipelineRun CouldntGetTask, naming the revision', async () => {
    const tr = tempFile('tr.yaml', `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: wrong}
spec:
  taskRef:
    resolver: git
    params:
      - {name: url, value: "${url}"}
      - {name: revision, value: no-such-branch}
      - {name: pathInRepo, value: task/greet.yaml}
`);
    const a = await run(tr);
    assert.notEqual(a.code, 0);
    const t = JSON.parse(a.stdout);
    assert.equal(t.status.conditions[0].reason, 'TaskRunResolutionFailed');
    assert.match(t.status.conditions[0].message, /revision "no-such-branch" not found in git:\/\/127\.0\.0\.1:\d+\/catalog\.git/);
    const pr = tempFile('pr.yaml', `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: wrong}
spec:
  params: [{name: rev, value: v9}]
  pipelineSpec:
    params: [{name: rev}]
    tasks:
      - name: a
        taskRef:
          resolver: git
          params:
            - {name: url, value: "${url}"}
            - {name: revision, value: "$(params.rev)"}
            - {name: pathInRepo, value: task/greet.yaml}
`);
    const b = await run(pr);
    assert.notEqual(b.code, 0);
    const p = JSON.parse(b.stdout);
    assert.equal(p.status.conditions[0].reason, 'CouldntGetTask');
    assert.match(p.status.conditions[0].message, /^Pipeline default\/wrong can't be Run; it contains Tasks that don't exist: Couldn't retrieve Task "resolver type git\nurl = .*\nrevision = v9\npathInRepo = task\/greet\.yaml\n": error requesting remote resource: error getting "Git" "default\/git-[0-9a-f]{32}": revision "v9" not found/);
  });

  describe('kiln serve', () => {
    let s: Served;
    before(async () => { s = await startServe(tempDir(), ['--insecure-loopback-only', '--resolver-cluster-namespaces', 'catalog']); });
    after(() => s?.stop());

    const taskRun = (name: string, taskRef: unknown) => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: 'team' }, spec: { taskRef } });
    const finished = (name: string) => until(`TaskRun ${name} done`, async () => {
      const r = await api(s, 'GET', `/apis/tekton.dev/v1/namespaces/team/taskruns/${name}`);
      const c = r.json?.status?.conditions?.[0];
      return c && c.status !== 'Unknown' ? r.json : undefined;
    }, 90_000);

    it('a TaskRun from git records its provenance; the cluster resolver reads allowed namespaces only', async () => {
      const git = await api(s, 'POST', '/apis/tekton.dev/v1/namespaces/team/taskruns', taskRun('from-git', { resolver: 'git', params: [{ name: 'url', value: url }, { name: 'revision', value: second }, { name: 'pathInRepo', value: 'task/greet.yaml' }] }));
      assert.equal(git.status, 201, JSON.stringify(git.json));
      const done = await finished('from-git');
      assert.equal(done.status.conditions[0].reason, 'Succeeded', JSON.stringify(done.status.conditions));
      assert.deepEqual(done.status.provenance, { refSource: { uri: `git+${url}`, digest: { sha1: second }, entryPoint: 'task/greet.yaml' } });
      // the resolution is visible as Tekton's ResolutionRequest, owned by the run
      const rrs = await api(s, 'GET', '/apis/resolution.tekton.dev/v1beta1/namespaces/team/resolutionrequests?labelSelector=resolution.tekton.dev%2Ftype%3Dgit');
      assert.equal(rrs.status, 200, JSON.stringify(rrs.json));
      const [rr] = rrs.json.items;
      assert.equal(rrs.json.items.length, 1);
      assert.deepEqual(rr.metadata.ownerReferences.map((o: { kind: string; name: string; uid: string }) => [o.kind, o.name, o.uid]), [['TaskRun', 'from-git', done.metadata.uid]]);
      assert.equal(rr.status.conditions[0].status, 'True');
      assert.deepEqual(rr.status.refSource, done.status.provenance.refSource);
      assert.match(Buffer.from(rr.status.data, 'base64').toString(), /kind: Task/);
      // as `kubectl get resolutionrequests` prints it: Tekton's columns
      const table = await fetch(`${s.url}/apis/resolution.tekton.dev/v1beta1/namespaces/team/resolutionrequests`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } }).then((r) => r.json() as Promise<{ columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[] }> }>);
      assert.deepEqual(table.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'OwnerKind', 'Owner', 'Succeeded', 'Reason', 'StartTime', 'EndTime']);
      assert.deepEqual(table.rows[0].cells.slice(0, 4), [rr.metadata.name, 'TaskRun', 'from-git', 'True']);

      for (const ns of ['catalog', 'private']) {
        const t = await api(s, 'POST', `/apis/tekton.dev/v1/namespaces/${ns}/tasks`, { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'shared', namespace: ns }, spec: { steps: [{ name: 's', image: 'busybox', script: 'echo shared' }] } });
        assert.equal(t.status, 201, JSON.stringify(t.json));
      }
      const cluster = (ns: string) => ({ resolver: 'cluster', params: [{ name: 'kind', value: 'task' }, { name: 'name', value: 'shared' }, { name: 'namespace', value: ns }] });
      await api(s, 'POST', '/apis/tekton.dev/v1/namespaces/team/taskruns', taskRun('allowed', cluster('catalog')));
      await api(s, 'POST', '/apis/tekton.dev/v1/namespaces/team/taskruns', taskRun('blocked', cluster('private')));
      const allowed = await finished('allowed');
      assert.equal(allowed.status.conditions[0].reason, 'Succeeded', JSON.stringify(allowed.status.conditions));
      assert.match(allowed.status.provenance.refSource.uri, /^\/apis\/tekton\.dev\/v1\/namespaces\/catalog\/tasks\/shared@/);
      const blocked = await finished('blocked');
      assert.equal(blocked.status.conditions[0].reason, 'TaskRunResolutionFailed');
      assert.match(blocked.status.conditions[0].message, /access to namespace "private" is not allowed \(allowed: catalog\)/);
    });
  });
});
