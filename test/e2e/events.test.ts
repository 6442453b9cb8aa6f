// End-to-end: runs under `kiln serve` record Kubernetes Events as Tekton's controllers do, and
// the real kubectl shows them (`kubectl describe pr/tr` finds them by its involvedObject field
// selector, `kubectl get events` lists them); `kiln get events` lists them in the order they
// happened with the delivery id of webhook deliveries; a deleted run's Events go with it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kiln, tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const run = promisify(execFile);

const RUNS = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: ok}
spec:
  pipelineSpec:
    tasks:
      - name: build
        taskSpec: {steps: [{name: s, image: alpine, script: "echo built"}]}
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: broken}
spec:
  pipelineSpec:
    tasks:
      - name: test
        taskSpec: {steps: [{name: s, image: alpine, script: "exit 3"}]}
`;

const finished = (o: any) => o?.status?.conditions?.some((c: any) => c.type === 'Succeeded' && c.status !== 'Unknown');

/** The rows of the Events section of `kubectl describe` output, as `TYPE REASON MESSAGE` (age and source left out). */
function describedEvents(out: string): string[] {
  const at = out.indexOf('\nEvents:');
  assert.ok(at >= 0, `no Events section in:\n${out}`);
  const rows = out.slice(at).split('\n').slice(4).filter((l) => /^\s+(Normal|Warning)\s/.test(l));
  return rows.map((l) => {
    const m = /^\s+(Normal|Warning)\s+(\S+)\s+\S+(?: \(x\d+ over \S+\))?\s+(PipelineRun|TaskRun)\s*(.*)$/.exec(l);
    assert.ok(m, `an Events row kubectl printed: ${JSON.stringify(l)}`);
    return `${m[1]} ${m[2]} ${m[3]}: ${m[4].trim()}`;
  });
}

describe('Events of runs with kubectl and kiln get events', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed' }, () => {
  let s: Served;
  let dir: string;
  async function kubectl(...args: string[]): Promise<string> {
    const r = await run('kubectl', ['--server', s.url, ...args], { timeout: 30_000, env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig' } });
    return r.stdout;
  }

  before(async () => {
    dir = tempDir('kiln-events-');
    s = await startServe(dir);
    writeFileSync(join(dir, 'runs.yaml'), RUNS);
    await kubectl('create', '-f', join(dir, 'runs.yaml'));
    await until('both PipelineRuns finished', async () => {
      const items = (await api(s, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns')).json.items;
      return items.length === 2 && items.every(finished) ? items : undefined;
    });
  });
  after(async () => { await s?.stop(); });

  it('kubectl describe pr shows Started, Running and Succeeded; a failed one Failed as a Warning', async () => {
    assert.deepEqual(describedEvents(await kubectl('describe', 'pr', 'ok')), [
      'Normal Started PipelineRun: ',
      'Normal Running PipelineRun: Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1',
      'Normal Succeeded PipelineRun: Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0',
    ]);
    assert.deepEqual(describedEvents(await kubectl('describe', 'pipelinerun', 'broken')), [
      'Normal Started PipelineRun: ',
      'Normal Running PipelineRun: Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1',
      'Warning Failed PipelineRun: Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0',
    ]);
  });

  it('kubectl describe tr shows the TaskRun\'s own Events', async () => {
    assert.deepEqual(describedEvents(await kubectl('describe', 'tr', 'ok-build')), [
      'Normal Started TaskRun: ',
      'Normal Running TaskRun: Not all Steps in the Task have finished executing',
      'Normal Succeeded TaskRun: All Steps have completed executing',
    ]);
    assert.deepEqual(describedEvents(await kubectl('describe', 'taskrun', 'broken-test')).slice(-1), ['Warning Failed TaskRun: "step-s" exited with code 3']);
  });

  it('kubectl get events lists them, and selects them by involvedObject', async () => {
    const all = await kubectl('get', 'events');
    for (const row of [/Normal\s+Started\s+pipelinerun\/ok/, /Normal\s+Succeeded\s+pipelinerun\/ok\s+Tasks Completed: 1/, /Warning\s+Failed\s+pipelinerun\/broken\s+Tasks Completed: 1 \(Failed: 1/, /Normal\s+Running\s+taskrun\/ok-build\s+Not all Steps/]) {
      assert.match(all, row);
    }
    const some = await kubectl('get', 'events', '--field-selector', 'involvedObject.kind=TaskRun,type=Warning', '-o', 'jsonpath={range .items[*]}{.involvedObject.name} {.reason}{"\\n"}{end}');
    assert.deepEqual(some.trim().split('\n'), ['broken-test Failed']);
  });

  it('kiln get events: in the order they happened, with the delivery id of a webhook delivery', async () => {
    assert.equal((await api(s, 'POST', '/apis/triggers.tekton.dev/v1beta1/namespaces/default/eventlisteners', { apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'hook' }, spec: { labelSelector: { matchLabels: { none: 'none' } } } })).status, 201);
    const res = await fetch(`${s.url}/hooks/default/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-GitHub-Delivery': 'd-42' }, body: '{}' });
    assert.equal(res.status, 202);
    const got = await until('the delivery recorded', async () => {
      const r = await kiln(['get', 'events', '--server', s.url]);
      return r.stdout.includes('eventlistener/hook') ? r : undefined;
    });
    assert.equal(got.code, 0, got.stderr);
    const lines = got.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+DELIVERY\s+MESSAGE$/);
    const ok = lines.filter((l) => / pipelinerun\/ok(\s|$)/.test(l)).map((l) => l.split(/\s+/)[2]);
    assert.deepEqual(ok, ['Started', 'Running', 'Succeeded'], 'one run\'s Events in order');
    assert.match(lines.at(-1)!, /Warning\s+NoTriggers\s+eventlistener\/hook\s+X-Github-Delivery:d-42\s+no trigger/, 'the delivery last, with its id');
    assert.match(lines.find((l) => l.includes('pipelinerun/ok'))!, /pipelinerun\/ok\s*$/, 'no delivery id on a run\'s Started');
  });

  it('a deleted run\'s Events go with it', async () => {
    await kubectl('delete', 'pr', 'broken');
    const left = await kubectl('get', 'events', '-o', 'jsonpath={range .items[*]}{.involvedObject.name}{"\\n"}{end}');
    const names = new Set(left.trim().split('\n'));
    assert.ok(!names.has('broken') && !names.has('broken-test'), [...names].join(', '));
    assert.ok(names.has('ok') && names.has('ok-build'), [...names].join(', '));
  });
});
