// `kiln bundle push` through the real command line parser, over a recording pusher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './main.ts';
import { bundleEntries, dockerConfigFile, type BundlePusher } from './bundle.ts';

const TASK = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: greet}\nspec:\n  steps: [{name: s, image: busybox, script: echo hi}]\n';
const PIPELINE = 'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  tasks: [{name: t, taskRef: {name: greet}}]\n';

function harness(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: Array<Parameters<BundlePusher>[0]> = [];
  const bundlePush: BundlePusher = async (req) => {
    calls.push(req);
    return { pushed: `${req.reference.replace(/:[^:/]+$/, '')}@sha256:${'1'.repeat(64)}`, digest: `sha256:${'1'.repeat(64)}` };
  };
  const run = (argv: string[]) => runCli(argv, { local: async () => { throw new Error('unused'); }, bundlePush, env, writers: { out: (s) => out.push(s), err: (s) => err.push(s) } });
  return { out, err, calls, run };
}

test('push: every object of every file, as the file wrote it, and the digest printed as tkn does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bundle-'));
  writeFileSync(join(dir, 'a.yaml'), `${TASK}---\n${PIPELINE}`);
  writeFileSync(join(dir, 'b.json'), JSON.stringify({ apiVersion: 'tekton.dev/v1beta1', kind: 'StepAction', metadata: { name: 'sa' }, spec: { image: 'busybox', script: 'echo' } }));
  const h = harness({ HOME: dir });
  assert.equal(await h.run(['bundle', 'push', '127.0.0.1:5000/kiln/b:v1', '-f', join(dir, 'a.yaml'), '-f', join(dir, 'b.json')]), 0, h.err.join('\n'));
  assert.equal(h.calls.length, 1);
  assert.equal(h.calls[0].reference, '127.0.0.1:5000/kiln/b:v1');
  assert.deepEqual(h.calls[0].objects.map((o) => [o.apiVersion, o.kind, o.name]), [['tekton.dev/v1', 'Task', 'greet'], ['tekton.dev/v1', 'Pipeline', 'p'], ['tekton.dev/v1beta1', 'StepAction', 'sa']]);
  assert.deepEqual(JSON.parse(h.calls[0].objects[0].json).spec, { steps: [{ name: 's', image: 'busybox', script: 'echo hi' }] }, 'the object as written, not defaulted');
  assert.deepEqual(h.out, ['Creating Tekton Bundle:', '\t- Added Task: greet to image', '\t- Added Pipeline: p to image', '\t- Added StepAction: sa to image', '', `Pushed Tekton Bundle to 127.0.0.1:5000/kiln/b@sha256:${'1'.repeat(64)}`]);
});

test('push: an invalid object, a kind a bundle does not hold, a missing file or -f are errors with exit 2 and no push', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bundle-'));
  writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps: [{name: s}]\n');
  writeFileSync(join(dir, 'run.yaml'), `${TASK}---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef: {name: greet}\n`);
  const cases: Array<{ name: string; argv: string[]; err: RegExp }> = [
    { name: 'invalid Task', argv: ['-f', join(dir, 'bad.yaml')], err: /bad\.yaml: 1 error\(s\)\n {2}.*bad\.yaml:5:\d+: spec\.steps\[0\]/ },
    { name: 'TaskRun', argv: ['-f', join(dir, 'run.yaml')], err: /run\.yaml:7: tekton\.dev\/v1\/TaskRun cannot go in a bundle: a bundle holds tekton\.dev Tasks, Pipelines and StepActions/ },
    { name: 'missing file', argv: ['-f', join(dir, 'none.yaml')], err: /cannot read .*none\.yaml: no such file/ },
    { name: 'no -f', argv: [], err: /^error: give the objects with -f FILE$/ },
  ];
  for (const c of cases) {
    const h = harness({ HOME: dir });
    assert.equal(await h.run(['bundle', 'push', '127.0.0.1:5000/kiln/b:v1', ...c.argv]), 2, c.name);
    assert.match(h.err.join('\n'), c.err, c.name);
    assert.equal(h.calls.length, 0, c.name);
  }
});

test('credentials: $REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json or ~/.docker/config.json when present; passed to the pusher', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kiln-home-'));
  assert.equal(dockerConfigFile({}, home), undefined);
  mkdirSync(join(home, '.docker'));
  writeFileSync(join(home, '.docker', 'config.json'), '{"auths":{}}');
  assert.equal(dockerConfigFile({}, home), join(home, '.docker', 'config.json'));
  assert.equal(dockerConfigFile({ DOCKER_CONFIG: '/nowhere' }, home), undefined);
  assert.equal(dockerConfigFile({ REGISTRY_AUTH_FILE: '/run/auth.json' }, home), '/run/auth.json');
  const f = join(home, 'task.yaml');
  writeFileSync(f, TASK);
  writeFileSync(join(home, 'auth.json'), '{"auths":{"127.0.0.1:5000":{"auth":"Ym9iOnM="}}}');
  const h = harness({ REGISTRY_AUTH_FILE: join(home, 'auth.json') });
  assert.equal(await h.run(['bundle', 'push', '127.0.0.1:5000/kiln/b', '-f', f]), 0);
  assert.equal(h.calls[0].dockerConfig, '{"auths":{"127.0.0.1:5000":{"auth":"Ym9iOnM="}}}');
  assert.deepEqual(bundleEntries(TASK, 'x.yaml').map((e) => e.name), ['greet']);
});
