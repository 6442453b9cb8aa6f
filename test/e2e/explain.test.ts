// End-to-end: the real `kubectl explain` against a real `kiln serve` prints kiln's descriptions of
// the Tekton and Triggers kinds and their fields (read from the server's /openapi/v3 documents).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { tempDir } from './helpers.ts';
import { startServe, type Served } from './serve-helpers.ts';

const run = promisify(execFile);

/** kubectl's output with its line wrapping undone (runs of whitespace become one space). */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** The `FIELDS:` of `kubectl explain` output: each field's name, type and (flattened) description. */
function fieldsOf(out: string): Array<{ name: string; type: string; description: string }> {
  const section = out.split(/^FIELDS:$/m)[1] ?? '';
  const fields: Array<{ name: string; type: string; description: string }> = [];
  for (const line of section.split('\n')) {
    const m = /^ {2}(\S+)\t<(.*)>/.exec(line);
    if (m) fields.push({ name: m[1], type: m[2], description: '' });
    else if (fields.length && line.startsWith('    ')) fields[fields.length - 1].description += `${line.trim()} `;
  }
  return fields.map((f) => ({ ...f, description: f.description.trim() }));
}

describe('kubectl explain against kiln serve', { skip: existsSync('/usr/bin/kubectl') ? false : 'kubectl is not installed' }, () => {
  let s: Served;
  let home: string;
  before(async () => {
    const dataDir = tempDir('kiln-explain-');
    home = tempDir('kiln-explain-home-'); // kubectl caches discovery and OpenAPI under $HOME/.kube
    s = await startServe(dataDir);
  });
  after(async () => { if (s?.child.exitCode === null) await s.stop(); });

  async function explain(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    try {
      const r = await run('kubectl', ['--server', s.url, 'explain', ...args], { timeout: 60_000, env: { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig', HOME: home } });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
    }
  }

  it('reads the OpenAPI v3 document of the group version', async () => {
    const r = await explain('pipeline', '-v=6');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /GET \S+\/openapi\/v3\?timeout=\S+ 200 OK/);
    assert.match(r.err, /GET \S+\/openapi\/v3\/apis\/tekton\.dev\/v1\?hash=[0-9A-F]+&timeout=\S+ 200 OK/);
  });

  it('pipeline.spec.tasks.runAfter: the field and its description', async () => {
    const r = await explain('pipeline.spec.tasks.runAfter');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^GROUP: +tekton\.dev$/m);
    assert.match(r.out, /^KIND: +Pipeline$/m);
    assert.match(r.out, /^FIELD: runAfter <\[\]string>$/m);
    assert.match(flat(r.out), /DESCRIPTION: Names of tasks that must finish before this one starts, for an order that no result reference already implies\./);
  });

  it('taskrun.spec: a description, and every field listed with its own', async () => {
    const r = await explain('taskrun.spec');
    assert.equal(r.code, 0, r.err);
    assert.match(flat(r.out), /DESCRIPTION: Which Task to run, and with what parameters, workspaces, timeout and service account\./);
    const fields = fieldsOf(r.out);
    assert.deepEqual(fields.map((f) => f.name), [
      'computeResources', 'debug', 'managedBy', 'params', 'podTemplate', 'retries', 'serviceAccountName', 'sidecarSpecs',
      'status', 'statusMessage', 'stepSpecs', 'taskRef', 'taskSpec', 'timeout', 'workspaces',
    ]);
    assert.deepEqual(fields.filter((f) => !f.description || f.description === '<no description>').map((f) => f.name), []);
    const by = Object.fromEntries(fields.map((f) => [f.name, f]));
    assert.match(by.status.description, /TaskRunCancelled cancels the TaskRun/);
    assert.match(by.timeout.description, /1h by default.* A Go duration, e\.g\. "1h30m"/);
    assert.equal(by.params.type, '[]Object');
  });

  it('the kind itself: DESCRIPTION, then FIELDS with descriptions', async () => {
    const r = await explain('task');
    assert.equal(r.code, 0, r.err);
    assert.match(flat(r.out), /DESCRIPTION: A Task is a reusable list of steps that run in order/);
    const fields = fieldsOf(r.out);
    assert.deepEqual(fields.map((f) => f.name), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    assert.deepEqual(fields.filter((f) => !f.description).map((f) => f.name), []);
  });

  it('pipelinerun --recursive prints the whole tree, nested pipelines and finally included', async () => {
    const r = await explain('pipelinerun', '--recursive');
    assert.equal(r.code, 0, r.err);
    assert.match(flat(r.out), /DESCRIPTION: A PipelineRun runs a Pipeline once/);
    for (const line of [/^ {2}spec\t<Object>$/m, /^ {4}pipelineSpec\t<Object>$/m, /^ {6}finally\t<\[\]Object>$/m, /^ {8}runAfter\t<\[\]string>$/m, /^ {4}timeouts\t<Object>$/m, /^ {6}finally\t<string>$/m]) {
      assert.match(r.out, line);
    }
  });

  it('an older version carries its own fields: taskrun.spec.stepOverrides in tekton.dev/v1beta1', async () => {
    const r = await explain('taskrun.spec.stepOverrides', '--api-version=tekton.dev/v1beta1');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^VERSION: +v1beta1$/m);
    assert.match(flat(r.out), /tekton\.dev\/v1beta1 name of stepSpecs; converted on input\./);
    const v1 = await explain('taskrun.spec.stepOverrides');
    assert.notEqual(v1.code, 0, 'tekton.dev/v1 has no stepOverrides');
    assert.match(v1.err, /field "stepOverrides" does not exist/);
  });

  it('Triggers kinds: eventlistener.spec.triggers and triggertemplate', async () => {
    const el = await explain('eventlistener.spec.triggers');
    assert.equal(el.code, 0, el.err);
    assert.match(el.out, /^GROUP: +triggers\.tekton\.dev$/m);
    assert.match(flat(el.out), /DESCRIPTION: Triggers evaluated for every event the EventListener receives\./);
    const fields = fieldsOf(el.out);
    assert.ok(fields.some((f) => f.name === 'triggerRef'), el.out);
    assert.deepEqual(fields.filter((f) => !f.description).map((f) => f.name), []);
    const tt = await explain('triggertemplate.spec.resourcetemplates');
    assert.equal(tt.code, 0, tt.err);
    assert.match(flat(tt.out), /\$\(tt\.params\.<name>\) is replaced anywhere in them/);
  });
});
