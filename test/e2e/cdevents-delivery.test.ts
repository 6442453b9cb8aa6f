// One delivery of one commit, end to end through a real `kiln serve --events-sink`: a signed GitHub
// push of commit C of a (local) repository starts a pipeline whose step writes its JUnit report to
// a workspace file the Task declares (annotation cdevents.kiln.dev/junit-files) and an image's
// URL/digest; then an Argo CD-style Application deploys C of that repository. The sink fails
// (503) until the run has ended and the server has been killed (-9) and started again; then it
// receives the whole chain — repository.modified → pipelineRun → taskRun → tests → artifact →
// environment and service deployed — once each, in order, schema-valid, all on the chainId of C.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fromHttp } from '../../src/events/cloudevent.ts';
import type { CDEvent } from '../../src/events/cdevent.ts';
import { revisionChainId } from '../../src/events/revision.ts';
import { cdeventSchemas } from '../../src/events/schemas.testing.ts';
import { commit, initRepo } from '../../src/gitops/source/testing.ts';
import { tempDir } from './helpers.ts';
import { api, startServe, until, type Served } from './serve-helpers.ts';

const JUNIT = '<testsuite name="unit"><testcase classname="a" name="one"/><testcase classname="a" name="two"><skipped/></testcase></testsuite>';
const ns = (kind: string, namespace = 'default') => `/apis/${kind}/namespaces/${namespace}`;
const short = (e: CDEvent) => e.context.type.replace(/^dev\.cdevents\.|\.\d+\.\d+\.\d+$/g, '');

const servers: Served[] = [];
const sinks: Server[] = [];
after(async () => {
  for (const s of servers) if (s.child.exitCode === null) await s.stop('SIGKILL');
  for (const s of sinks) s.close();
});

/** The pipeline and the listener that starts it on a push (API path → object). */
function resources(): Array<[string, object]> {
  const pipeline = {
    apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'build' },
    spec: {
      params: [{ name: 'revision' }],
      workspaces: [{ name: 'source' }],
      tasks: [{
        name: 'test', params: [{ name: 'revision', value: '$(params.revision)' }], workspaces: [{ name: 'source', workspace: 'source' }],
        taskSpec: {
          metadata: { annotations: { 'cdevents.kiln.dev/junit-files': 'source/reports/*.xml' } },
          params: [{ name: 'revision' }], workspaces: [{ name: 'source' }], results: [{ name: 'IMAGE_URL' }, { name: 'IMAGE_DIGEST' }],
          steps: [{
            name: 'test', image: 'alpine',
            script: `mkdir -p $(workspaces.source.path)/reports\nprintf '%s' '${JUNIT}' > $(workspaces.source.path)/reports/unit.xml\nprintf 'registry.example/acme/app:$(params.revision)' > $(results.IMAGE_URL.path)\nprintf 'sha256:${'cd'.repeat(32)}' > $(results.IMAGE_DIGEST.path)\n`,
          }],
        },
      }],
    },
  };
  return [
    [`/api/v1/namespaces/default/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'github-secret' }, stringData: { token: 'change-me' } }],
    [`${ns('tekton.dev/v1')}/pipelines`, pipeline],
    [`${ns('triggers.tekton.dev/v1beta1')}/triggerbindings`, { apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'TriggerBinding', metadata: { name: 'push' }, spec: { params: [{ name: 'revision', value: '$(body.after)' }] } }],
    [`${ns('triggers.tekton.dev/v1beta1')}/triggertemplates`, {
      apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'TriggerTemplate', metadata: { name: 'build' },
      spec: { params: [{ name: 'revision' }], resourcetemplates: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { generateName: 'build-' }, spec: { pipelineRef: { name: 'build' }, params: [{ name: 'revision', value: '$(tt.params.revision)' }], workspaces: [{ name: 'source', emptyDir: {} }] } }] },
    }],
    [`${ns('triggers.tekton.dev/v1beta1')}/eventlisteners`, {
      apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'github' },
      spec: { triggers: [{ name: 'on-push', interceptors: [{ ref: { name: 'github' }, params: [{ name: 'secretRef', value: { secretName: 'github-secret', secretKey: 'token' } }, { name: 'eventTypes', value: ['push'] }] }], bindings: [{ ref: 'push' }], template: { ref: 'build' } }] },
    }],
  ];
}

test('push of commit C → its PipelineRun → TaskRun → tests from a workspace file → artifact → the GitOps deployment of C: one chain at the sink, after it failed and kiln was killed', { timeout: 240_000 }, async () => {
  const received: CDEvent[] = [];
  let attempts = 0;
  let failing = true;
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      attempts++;
      if (failing) {
        res.statusCode = 503;
        res.end();
        return;
      }
      received.push(fromHttp(req.headers, body).cdevent);
      res.statusCode = 202;
      res.end();
    });
  });
  sinks.push(sink);
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const dir = tempDir('kiln-cdevents-delivery-');
  const repo = join(dir, 'repo');
  initRepo(repo);
  const sha = commit(repo, { 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: hello\n' }, 'first');
  const repoUrl = `file://${repo}`;
  const args = ['--insecure-loopback-only', '--app-resync', '1', '--events-sink', `http://127.0.0.1:${(sink.address() as { port: number }).port}/`];
  let s = await startServe(join(dir, 'data'), args);
  servers.push(s);
  for (const [path, body] of resources()) assert.equal((await api(s, 'POST', path, body)).status, 201, path);

  const push = JSON.stringify({ ref: 'refs/heads/main', before: '1'.repeat(40), after: sha, repository: { full_name: 'acme/app', name: 'app', clone_url: repoUrl, html_url: 'https://example.test/acme/app', owner: { login: 'acme' } } });
  const res = await fetch(`${s.url}/hooks/default/github`, {
    method: 'POST', body: push,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': `sha256=${createHmac('sha256', 'change-me').update(push).digest('hex')}` },
  });
  assert.equal(res.status, 202);
  const finished = async () => (await api(s, 'GET', `${ns('tekton.dev/v1')}/pipelineruns`)).json?.items?.[0]?.status?.conditions?.some((c: { status: string }) => c.status !== 'Unknown');
  await until('the PipelineRun to finish', finished, 120_000);
  await until('the sink to be tried a few times', async () => attempts >= 3);
  assert.equal(received.length, 0);
  // kill -9 with every event of the run recorded and none delivered; the sink recovers meanwhile
  s.child.kill('SIGKILL');
  await new Promise((r) => s.child.once('exit', r));
  failing = false;
  s = await startServe(join(dir, 'data'), args);
  servers.push(s);
  await until('the pipeline\'s events', async () => received.some((e) => short(e) === 'pipelinerun.finished'), 120_000);

  const application = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'app', namespace: 'argocd' },
    spec: { project: 'default', source: { repoURL: repoUrl, targetRevision: 'main', path: 'app' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' }, syncPolicy: { automated: {} } },
  };
  assert.equal((await api(s, 'POST', `${ns('argoproj.io/v1alpha1', 'argocd')}/applications`, application)).status, 201);
  await until('the deployment\'s events', async () => received.some((e) => short(e) === 'service.deployed'), 90_000);

  assert.deepEqual(received.map(short), [
    'repository.modified', 'pipelinerun.queued', 'pipelinerun.started', 'taskrun.started', 'taskrun.finished',
    'testsuiterun.started', 'testcaserun.started', 'testcaserun.finished', 'testcaserun.skipped', 'testsuiterun.finished',
    'artifact.packaged', 'artifact.published', 'pipelinerun.finished',
    'environment.created', 'service.deployed',
  ]);
  const schemas = cdeventSchemas();
  if (schemas) for (const e of received) assert.deepEqual(schemas.errors(e), [], short(e));
  assert.deepEqual([...new Set(received.map((e) => e.context.chainId))], [revisionChainId(repoUrl, sha)], 'one chain: the commit\'s');
  const suite = received.find((e) => short(e) === 'testsuiterun.started')!;
  assert.match(String(suite.subject.id), /\/workspace\/source\/reports\/unit\.xml\/0$/);
  const deployed = received.at(-1)!;
  assert.match(String(deployed.subject.content.artifactId), new RegExp(`@${sha}`));
  assert.equal(new Set(received.map((e) => e.context.id)).size, received.length);
});
