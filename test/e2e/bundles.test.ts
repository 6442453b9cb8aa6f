// End to end: `kiln bundle push` to Debian's docker-registry on loopback, then `kiln run` of
// TaskRuns whose Task comes from that bundle through the bundles resolver, by tag and by digest;
// a name the bundle does not hold fails the run with the resolver's message; credentials from
// REGISTRY_AUTH_FILE (push) and a kubernetes.io/dockerconfigjson Secret (resolve).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { kiln, tempDir, tempFile } from './helpers.ts';
import { registryMissing, startRegistry, type Registry } from './registry.ts';
import { htpasswdLine, startRegistry as startAuthRegistry } from '../../src/executor/podman/registry.ts';

const SKIP = registryMissing() ?? false;
if (SKIP) console.log(`# bundles tests skipped: ${SKIP}`);

const BUNDLE = (host: string) => `apiVersion: tekton.dev/v1
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
      script: echo "hello from a bundle, $(params.who)"
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: greet-twice
spec:
  tasks:
    - name: one
      taskRef:
        resolver: bundles
        params:
          - {name: bundle, value: "${host}/kiln/greet:v1"}
          - {name: name, value: greet}
      params:
        - {name: who, value: pipeline}
`;

const PIPELINERUN = (bundle: string, pipeline: string) => `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: from-bundle
spec:
  pipelineRef:
    resolver: bundles
    params:
      - {name: bundle, value: "${bundle}"}
      - {name: name, value: ${pipeline}}
      - {name: kind, value: pipeline}
`;
const PIPELINERUN_TASK = (bundle: string, task: string) => `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: wrong-task
spec:
  pipelineSpec:
    tasks:
      - name: bundled
        taskRef:
          resolver: bundles
          params:
            - {name: bundle, value: "${bundle}"}
            - {name: name, value: ${task}}
`;

const TASKRUN = (name: string, bundle: string, task = 'greet') => `apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: ${name}
spec:
  params:
    - {name: who, value: ${name}}
  taskRef:
    resolver: bundles
    params:
      - {name: bundle, value: "${bundle}"}
      - {name: name, value: ${task}}
      - {name: kind, value: task}
`;

interface RunJson { kind: string; status: { conditions: Array<{ status: string; reason: string; message: string }>; provenance?: { refSource?: { uri: string; digest: Record<string, string>; entryPoint: string } } } }

describe('bundles resolver (docker-registry on loopback)', { skip: SKIP }, () => {
  let reg: Registry;
  let digest: string;
  before(async () => {
    reg = await startRegistry();
  });
  after(() => reg?.stop());

  const run = (file: string) => kiln(['run', '-f', file, '--data-dir', tempDir(), '-o', 'json'], { timeoutMs: 120_000, env: { REGISTRY_AUTH_FILE: '' } });

  it('kiln bundle push: one layer per object, the digest printed', async () => {
    const r = await kiln(['bundle', 'push', `${reg.host}/kiln/greet:v1`, '-f', tempFile('bundle.yaml', BUNDLE(reg.host))], { env: { REGISTRY_AUTH_FILE: '' } });
    assert.equal(r.code, 0, r.stderr);
    const m = /^Pushed Tekton Bundle to (\S+)@(sha256:[0-9a-f]{64})$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(m[1], `${reg.host}/kiln/greet`);
    digest = m[2];
    assert.match(r.stdout, /^Creating Tekton Bundle:\n\t- Added Task: greet to image\n\t- Added Pipeline: greet-twice to image\n/);
    const manifest = await (await fetch(`${reg.url}/v2/kiln/greet/manifests/v1`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).json() as { layers: Array<{ annotations: Record<string, string> }> };
    assert.deepEqual(manifest.layers.map((l) => l.annotations['dev.tekton.image.name']).sort(), ['greet', 'greet-twice']);
  });

  it('kiln run: a TaskRun runs the bundle\'s Task by tag and by digest, the digest recorded as provenance', async () => {
    assert.ok(digest, 'pushed by the test before');
    for (const [name, bundle] of [['by-tag', `${reg.host}/kiln/greet:v1`], ['by-digest', `${reg.host}/kiln/greet@${digest}`]]) {
      const r = await run(tempFile('tr.yaml', TASKRUN(name, bundle)));
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stderr + r.stdout, new RegExp(`hello from a bundle, ${name}`));
      const tr = JSON.parse(r.stdout) as RunJson;
      assert.equal(tr.status.conditions[0].status, 'True');
      assert.deepEqual(tr.status.provenance?.refSource, { uri: `${reg.host}/kiln/greet`, digest: { sha256: digest.slice(7) }, entryPoint: 'greet' });
    }
  });

  it('kiln run: a name the bundle does not hold fails the run with the resolver\'s message', async () => {
    const r = await run(tempFile('tr.yaml', TASKRUN('wrong', `${reg.host}/kiln/greet:v1`, 'nope')));
    assert.notEqual(r.code, 0);
    const tr = JSON.parse(r.stdout) as RunJson;
    const c = tr.status.conditions[0];
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'TaskRunResolutionFailed');
    assert.match(c.message, /error getting "bundleresolver" ".*": could not find object in image with kind: task and name: nope/);
    const missing = await run(tempFile('tr.yaml', TASKRUN('missing', `${reg.host}/kiln/none:v1`)));
    const m = (JSON.parse(missing.stdout) as RunJson).status.conditions[0];
    assert.equal(m.reason, 'TaskRunResolutionFailed');
    assert.match(m.message, new RegExp(`cannot retrieve the oci image: ${reg.host}/kiln/none:v1 not found`));
  });

  it('kiln run: a PipelineRun runs a bundled Pipeline (whose Task is bundled too); a wrong Task name is CouldntGetTask', async () => {
    const bundle = `${reg.host}/kiln/greet:v1`;
    const ok = await run(tempFile('pr.yaml', PIPELINERUN(bundle, 'greet-twice')));
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stderr + ok.stdout, /hello from a bundle, pipeline/);
    const bad = await run(tempFile('pr.yaml', PIPELINERUN_TASK(bundle, 'nope')));
    assert.notEqual(bad.code, 0);
    const runs = [JSON.parse(bad.stdout)].flat() as RunJson[];
    const c = runs.find((x) => x.kind === 'PipelineRun')!.status.conditions[0];
    assert.equal(c.reason, 'CouldntGetTask');
    assert.match(c.message, /could not find object in image with kind: task and name: nope/);
  });

  it('credentials: pushed with $REGISTRY_AUTH_FILE, resolved with a kubernetes.io/dockerconfigjson Secret (htpasswd registry)', async (t) => {
    const line = htpasswdLine('kiln', 'pushed-it');
    if (!line) return t.skip('python3 cannot make a bcrypt htpasswd line here');
    const locked = await startAuthRegistry({ htpasswd: [line] });
    try {
      const auths = JSON.stringify({ auths: { [locked.host]: { auth: Buffer.from('kiln:pushed-it').toString('base64') } } });
      const denied = await kiln(['bundle', 'push', `${locked.host}/kiln/greet:v1`, '-f', tempFile('bundle.yaml', BUNDLE(locked.host))], { env: { REGISTRY_AUTH_FILE: tempFile('empty.json', '{}') } });
      assert.equal(denied.code, 1, denied.stdout + denied.stderr);
      assert.match(denied.stderr, /error: pushing .*: .* asks for credentials and none were given/);
      const pushed = await kiln(['bundle', 'push', `${locked.host}/kiln/greet:v1`, '-f', tempFile('bundle.yaml', BUNDLE(locked.host))], { env: { REGISTRY_AUTH_FILE: tempFile('auth.json', auths) } });
      assert.equal(pushed.code, 0, pushed.stderr);
      const secret = `apiVersion: v1
kind: Secret
metadata: {name: regcred}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${Buffer.from(auths).toString('base64')}
---
`;
      const ok = await run(tempFile('tr.yaml', secret + TASKRUN('with-secret', `${locked.host}/kiln/greet:v1`).replace('      - {name: kind, value: task}', '      - {name: kind, value: task}\n      - {name: secret, value: regcred}')));
      assert.equal(ok.code, 0, ok.stderr + ok.stdout);
      assert.match(ok.stderr + ok.stdout, /hello from a bundle, with-secret/);
      const anonymous = await run(tempFile('tr.yaml', TASKRUN('anonymous', `${locked.host}/kiln/greet:v1`)));
      const c = (JSON.parse(anonymous.stdout) as RunJson).status.conditions[0];
      assert.equal(c.reason, 'TaskRunResolutionFailed');
      assert.match(c.message, /access denied .*; give registry credentials with the "secret" param/);
    } finally {
      await locked.stop();
    }
  });
});
