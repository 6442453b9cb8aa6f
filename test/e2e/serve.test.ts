// End-to-end: `kiln serve` as a real process, driven by the real CLI, HTTP and (when installed) kubectl.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kiln, tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const run = promisify(execFile);

const finished = (o: any) => o?.status?.conditions?.some((c: any) => c.type === 'Succeeded' && c.status !== 'Unknown');

const PIPELINE = `apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: slow}
spec:
  params: [{name: n, default: "0"}]
  tasks:
    - name: first
      taskSpec:
        params: [{name: n}]
        steps: [{name: work, image: alpine, script: "echo first $(params.n); sleep 1; echo first-done"}]
      params: [{name: n, value: $(params.n)}]
    - name: second
      runAfter: [first]
      taskSpec: {steps: [{name: work, image: alpine, script: "echo second; sleep 1"}]}
`;

const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

describe('kiln serve', () => {
  it('serves the API; the CLI applies, gets, describes and reads logs; SIGTERM stops it cleanly', async () => {
    const dataDir = tempDir('kiln-serve-');
    const s = await startServe(dataDir);
    servers.push(s);
    const env = { KILN_HOME: dataDir };
    const applied = await kiln(['apply', '-f', 'examples/pipeline.yaml'], { env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /pipeline\.tekton\.dev\/ci applied/);
    const pr = await until('the PipelineRun to finish', async () => {
      const r = await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns');
      return r.json.items.find(finished);
    });
    assert.equal(pr.status.conditions[0].status, 'True');
    const got = await kiln(['get', 'pr'], { env });
    assert.match(got.stdout, new RegExp(`^${pr.metadata.name}\\s+True\\s+Completed`, 'm'));
    const logs = await kiln(['logs', pr.metadata.name], { env });
    assert.match(logs.stdout, /^\[package\/unnamed-0\] app-c0ffee1\.tar$/m);
    // --timestamps, as kubectl logs: when each line reached kiln, between the run's start and end
    const timed = await kiln(['logs', '--timestamps', pr.metadata.name], { env });
    const line = /^(\S+) \[package\/unnamed-0\] app-c0ffee1\.tar$/m.exec(timed.stdout);
    assert.ok(line, timed.stdout);
    const at = Date.parse(line[1]);
    assert.ok(at >= Date.parse(pr.status.startTime) - 1000 && at <= Date.parse(pr.status.completionTime) + 1000, `${line[1]} within ${pr.status.startTime}…${pr.status.completionTime}`);
    const followed = await kiln(['logs', '-f', '--timestamps', pr.metadata.name], { env });
    assert.match(followed.stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z \[package\/unnamed-0\] app-c0ffee1\.tar$/m);
    const described = await kiln(['describe', 'pr', pr.metadata.name], { env });
    assert.match(described.stdout, /Status: +Succeeded=True \(Completed\)/);
    // kiln start: a run of the stored pipeline with tkn's -w form (a claim: tasks share it), followed live
    const started = await kiln(['start', 'pipeline', 'ci', '-p', 'branch=release', '-w', 'name=shared,claimName=shared-src', '-o', 'json'], { env });
    assert.equal(started.code, 0, started.stderr);
    const run = JSON.parse(started.stdout);
    assert.equal(run.spec.params[0].value, 'release');
    assert.equal(run.status.conditions[0].reason, 'Completed');
    assert.match(started.stderr, /^\[package\/unnamed-0\] app-c0ffee1\.tar$/m);
    const missing = await kiln(['start', 'pipeline', 'nope'], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /pipeline "nope" not found in namespace default/);
    assert.equal(await s.stop('SIGTERM'), 0);
  });

  it('after SIGKILL mid-run, a restart brings 20 runs to a definite end, losing no object and no log', async () => {
    const dataDir = tempDir('kiln-crash-');
    let s = await startServe(dataDir);
    servers.push(s);
    const file = join(dataDir, 'slow.yaml');
    writeFileSync(file, PIPELINE);
    assert.equal((await kiln(['apply', '-f', file], { env: { KILN_HOME: dataDir } })).code, 0);
    const names: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await api(s, 'POST', '/apis/tekton.dev/v1/namespaces/default/pipelineruns', {
        apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: `crash-${i}` }, spec: { pipelineRef: { name: 'slow' }, params: [{ name: 'n', value: String(i) }] },
      });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      names.push(r.json.metadata.name);
    }
    // wait until some steps have written logs, then kill -9
    const before = await until('a running step with a log line', async () => {
      const r = await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/taskruns');
      const started = r.json.items.filter((t: any) => t.status?.logDir && existsSync(join(t.status.logDir, 'step-work.log')) && readFileSync(join(t.status.logDir, 'step-work.log'), 'utf8').includes('first'));
      return started.length >= 2 ? started : undefined;
    });
    await s.stop('SIGKILL');
    const logsBefore = before.map((t: any) => ({ name: t.metadata.name, text: readFileSync(join(t.status.logDir, 'step-work.log'), 'utf8') }));

    s = await startServe(dataDir);
    servers.push(s);
    const prs = await until('every run to reach a definite state', async () => {
      const r = await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns');
      return r.json.items.length === 20 && r.json.items.every(finished) ? r.json.items : undefined;
    }, 120_000);
    assert.deepEqual(prs.map((p: any) => p.metadata.name).sort(), [...names].sort());
    for (const p of prs) assert.ok(['True', 'False'].includes(p.status.conditions[0].status));
    for (const l of logsBefore) {
      const res = await fetch(`${s.url}/apis/tekton.dev/v1/namespaces/default/taskruns/${l.name}/log?format=jsonl`);
      const text = await res.text();
      for (const line of l.text.split('\n').filter(Boolean)) assert.ok(text.includes(JSON.stringify(line).slice(1, -1)), `log line "${line}" of ${l.name} kept`);
    }
    assert.equal(await s.stop('SIGTERM'), 0);
  });

  it('50 concurrent PipelineRuns through the API all complete', async () => {
    const dataDir = tempDir('kiln-many-');
    const s = await startServe(dataDir);
    servers.push(s);
    const spec = { pipelineSpec: { tasks: [{ name: 'a', taskSpec: { steps: [{ image: 'alpine', script: 'echo a' }] } }, { name: 'b', runAfter: ['a'], taskSpec: { steps: [{ image: 'alpine', script: 'echo b' }] } }] } };
    const created = await Promise.all(Array.from({ length: 50 }, (_, i) => api(s, 'POST', '/apis/tekton.dev/v1/namespaces/default/pipelineruns', { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: `many-${i}` }, spec })));
    for (const c of created) assert.equal(c.status, 201);
    const prs = await until('all 50 to finish', async () => {
      const r = await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns');
      return r.json.items.length === 50 && r.json.items.every(finished) ? r.json.items : undefined;
    }, 120_000);
    const failed = prs.filter((p: any) => p.status.conditions[0].status !== 'True');
    // a failure names each failed run and the TaskRuns that failed in it, with their messages
    const trs = failed.length ? (await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/taskruns')).json.items : [];
    const why = (p: any) => trs.filter((t: any) => t.metadata.name.startsWith(`${p.metadata.name}-`) && t.status?.conditions?.[0]?.status === 'False').map((t: any) => `${t.metadata.name}: ${t.status.conditions[0].reason}: ${t.status.conditions[0].message}`);
    assert.deepEqual(failed.map((p: any) => [`${p.metadata.name}: ${p.status.conditions[0].reason}: ${p.status.conditions[0].message}`, ...why(p)].join(' / ')), []);
    await s.stop();
  });
});

describe('kubectl against kiln serve', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed' }, () => {
  /** `conn`: `--kubeconfig FILE`, or `--server URL` (then no kubeconfig is read at all). */
  async function kubectl(conn: string[], args: string[]): Promise<{ code: number; out: string }> {
    try {
      const r = await run('kubectl', [...conn, ...args], { timeout: 30_000, env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig' } });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: x.code ?? 1, out: (x.stdout ?? '') + (x.stderr ?? '') };
    }
  }

  for (const mode of ['secure (TLS + token), --kubeconfig', 'insecure loopback, --server URL']) {
    it(`apply, get, get -w, describe, delete with validation on — ${mode}`, async () => {
      const dataDir = tempDir('kiln-kubectl-');
      const s = await startServe(dataDir, mode.startsWith('secure') ? [] : ['--insecure-loopback-only']);
      servers.push(s);
      const kc = mode.startsWith('secure') ? ['--kubeconfig', join(dataDir, 'kubeconfig')] : ['--server', s.url];
      // kubectl apply refuses generateName (as upstream): definitions are applied, the run is created
      const docs = readFileSync('examples/pipeline.yaml', 'utf8').split(/^---$/m);
      const defs = join(dataDir, 'defs.yaml');
      const runFile = join(dataDir, 'run.yaml');
      writeFileSync(defs, docs.filter((d) => !/^kind: PipelineRun$/m.test(d)).join('---'));
      writeFileSync(runFile, docs.filter((d) => /^kind: PipelineRun$/m.test(d)).join('---'));
      const applied = await kubectl(kc, ['apply', '-f', defs]);
      assert.equal(applied.code, 0, applied.out);
      assert.match(applied.out, /pipeline\.tekton\.dev\/ci created/);
      const reapplied = await kubectl(kc, ['apply', '-f', defs]);
      assert.equal(reapplied.code, 0, reapplied.out);
      // kubectl diffs lists the server defaulted, so it may send a patch; the server sees no change
      assert.match(reapplied.out, /pipeline\.tekton\.dev\/ci (configured|unchanged)/);
      const pipeline = JSON.parse((await kubectl(kc, ['get', 'pipeline', 'ci', '-o', 'json'])).out);
      assert.equal(pipeline.metadata.generation, 1, 'an unchanged re-apply leaves the spec alone');
      // validation on: the server checks fields itself (kubectl sends fieldValidation=Strict)
      const bad = join(dataDir, 'bad.yaml');
      writeFileSync(bad, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: bad}\nspec:\n  steps: [{name: s, image: alpine, scirpt: echo}]\n');
      const rejected = await kubectl(kc, ['apply', '-f', bad]);
      assert.notEqual(rejected.code, 0, rejected.out);
      assert.match(rejected.out, /unknown field "spec\.steps\[0\]\.scirpt"/);
      const invalid = join(dataDir, 'invalid.yaml');
      writeFileSync(invalid, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: invalid}\nspec:\n  steps: [{name: s}]\n');
      const refused = await kubectl(kc, ['apply', '-f', invalid]);
      assert.notEqual(refused.code, 0, refused.out);
      assert.match(refused.out, /is invalid: .*spec\.steps\[0\]/);
      const created = await kubectl(kc, ['create', '-f', runFile]);
      assert.equal(created.code, 0, created.out);
      assert.match(created.out, /pipelinerun\.tekton\.dev\/ci-\w+ created/);
      const prs = await until('a PipelineRun', async () => {
        const r = await kubectl(kc, ['get', 'pipelineruns', '-o', 'json']);
        const items = JSON.parse(r.out).items;
        return items.length && items.every(finished) ? items : undefined;
      });
      const name = prs[0].metadata.name;
      const got = await kubectl(kc, ['get', 'pipelineruns']);
      assert.match(got.out, new RegExp(name));
      const watched = await kubectl(kc, ['get', 'taskruns', '-w', '--request-timeout=2s']);
      assert.match(watched.out, new RegExp(`${name}-fetch`));
      const described = await kubectl(kc, ['describe', 'pipelinerun', name]);
      assert.equal(described.code, 0, described.out);
      assert.match(described.out, new RegExp(`Name:\\s+${name}`));
      const deleted = await kubectl(kc, ['delete', 'pipelinerun', name]);
      assert.equal(deleted.code, 0, deleted.out);
      const gone = await kubectl(kc, ['get', 'taskruns', '-o', 'json']);
      assert.equal(JSON.parse(gone.out).items.filter((t: any) => t.metadata.labels?.['tekton.dev/pipelineRun'] === name).length, 0, 'children deleted with their PipelineRun');
      await s.stop();
    });
  }
});
