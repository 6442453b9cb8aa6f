// End-to-end: the client commands behave like tkn's against a real `kiln serve`: logs -f follows
// every task to the end (finally included), logs print tasks in the order they ran, matrix
// instances are named by their params, --last picks the newest run, start accepts --showlog,
// describe pr lists every TaskRun, get takes -l and -A and lists newest first.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { kiln, tempDir, tempFile } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const PIPELINE = `apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: chain}
spec:
  tasks:
    - name: zfirst
      taskSpec: {steps: [{name: work, image: alpine, script: "sleep 1; echo one"}]}
    - name: asecond
      runAfter: [zfirst]
      taskSpec: {steps: [{name: work, image: alpine, script: "echo two"}]}
    - name: build
      runAfter: [asecond]
      matrix:
        params: [{name: os, value: [linux]}, {name: arch, value: [amd64, arm64]}]
      taskSpec:
        params: [{name: os}, {name: arch}]
        steps: [{name: step, image: alpine, script: "echo built $(params.os)/$(params.arch)"}]
  finally:
    - name: cleanup
      taskSpec: {steps: [{name: work, image: alpine, script: "echo tidy"}]}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: hello}
spec:
  steps: [{name: say, image: alpine, script: "echo hello"}]
`;

const run = (name: string) => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name }, spec: { pipelineRef: { name: 'chain' } } });
const PRS = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';

const servers: Served[] = [];
after(async () => { for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL'); });

const finished = (o: any) => o?.status?.conditions?.some((c: any) => c.type === 'Succeeded' && c.status !== 'Unknown');

describe('kiln client commands (tkn parity)', () => {
  it('logs -f follows every task to the end, logs print in run order with matrix params, --last and --showlog', async () => {
    const dataDir = tempDir('kiln-parity-');
    const s = await startServe(dataDir);
    servers.push(s);
    const env = { KILN_HOME: dataDir };
    const applied = await kiln(['apply', '-f', tempFile('p.yaml', PIPELINE)], { env });
    assert.equal(applied.code, 0, applied.stderr);
    // started before the run exists: the first task is the only TaskRun for a second
    const created = await api(s, 'POST', PRS, run('chain-1'));
    assert.equal(created.status, 201, JSON.stringify(created.json));
    await until('the first TaskRun', async () => (await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/taskruns')).json.items.length > 0 || undefined);
    const followed = await kiln(['logs', '-f', 'chain-1'], { env });
    assert.equal(followed.code, 0, followed.stderr);
    for (const line of ['[zfirst/work] one', '[asecond/work] two', '[build(os=linux,arch=amd64)/step] built linux/amd64', '[build(os=linux,arch=arm64)/step] built linux/arm64', '[cleanup/work] tidy']) {
      assert.ok(followed.stdout.split('\n').includes(line), `logs -f printed ${line}:\n${followed.stdout}`);
    }
    const pr = (await api(s, 'GET', `${PRS}/chain-1`)).json;
    assert.ok(finished(pr), 'logs -f returned once the run had finished');

    // without -f: tasks in the order they ran (zfirst before asecond, although not by name)
    const printed = (await kiln(['logs', 'chain-1'], { env })).stdout.split('\n').filter(Boolean);
    const order = ['[zfirst/work] one', '[asecond/work] two', '[cleanup/work] tidy'].map((l) => printed.indexOf(l));
    assert.ok(order.every((i) => i >= 0) && order[0] < order[1] && order[1] < order[2], printed.join('\n'));

    // --last: the newest run (creation times are in seconds: the next run is created a second later)
    await new Promise((r) => setTimeout(r, 1100));
    const started = await kiln(['start', 'task', 'hello', '--showlog'], { env });
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout + started.stderr, /\[say\] hello/);
    const last = await kiln(['logs', '--last'], { env });
    assert.equal(last.code, 0, last.stderr);
    assert.deepEqual(last.stdout.trim().split('\n'), ['[say] hello']);
    const described = await kiln(['describe', 'pr', '--last'], { env });
    assert.match(described.stdout, /^Name: +chain-1$/m);
    // describe pr: every TaskRun with its status, reason, duration and params
    const full = (await kiln(['describe', 'pr', 'chain-1'], { env })).stdout;
    assert.match(full, /^ {2}zfirst: chain-1-zfirst\n {4}Status: +Succeeded \(Succeeded\) +Duration: \d/m, full);
    assert.match(full, /^ {2}build\(os=linux,arch=arm64\): chain-1-build-1\n {4}Status: +Succeeded \(Succeeded\) +Duration: [^\n]+\n {4}Params: +os=linux, arch=arm64$/m, full);
    assert.match(full, /^ {2}cleanup: chain-1-cleanup$/m, full);
    // get: -l selects by label, -A lists every namespace with a NAMESPACE column, runs newest first
    const selected = await kiln(['get', 'tr', '-l', 'tekton.dev/pipelineRun=chain-1,tekton.dev/pipelineTask=cleanup', '-o', 'name'], { env });
    assert.deepEqual(selected.stdout.trim().split('\n'), ['taskrun.tekton.dev/chain-1-cleanup'], selected.stderr);
    assert.equal((await kiln(['apply', '-n', 'other', '-f', tempFile('p.yaml', PIPELINE)], { env })).code, 0);
    await new Promise((r) => setTimeout(r, 1100)); // a later creation second than the runs before
    assert.equal((await kiln(['start', 'task', 'hello', '-n', 'other'], { env })).code, 0);
    const all = (await kiln(['get', 'tr', '-A'], { env })).stdout.split('\n');
    assert.match(all[0], /^NAMESPACE +NAME +SUCCEEDED/);
    assert.match(all[1], /^other +hello-run-/, 'the newest run first');
    assert.ok(all.some((l) => /^default +chain-1-zfirst /.test(l)), all.join('\n'));
    assert.ok(!(await kiln(['get', 'tr'], { env })).stdout.includes('other'), 'without -A: the namespace only');
    const both = await kiln(['logs', 'chain-1', '--last'], { env });
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /not both/);
    // cancel --last: a run started, then the newest is cancelled
    await new Promise((r) => setTimeout(r, 1100));
    await api(s, 'POST', PRS, run('chain-2'));
    const cancelled = await kiln(['cancel', '--last'], { env });
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /pipelinerun chain-2 cancelled/);
  });
});
