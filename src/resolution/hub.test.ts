import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { createResolution } from './framework.ts';
import { createHubResolver, hubVersion, type HubResolverOptions } from './hub.ts';
import type { ResolvableKind } from './resolver.ts';

const task = (v: string) => `apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: git-clone, labels: {app.kubernetes.io/version: "${v}"}}\nspec:\n  steps: [{name: s, image: busybox, script: echo ${v}}]\n`;
const PIPELINE = 'apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: build}\nspec:\n  tasks: [{name: t, taskSpec: {steps: [{name: s, image: busybox, script: echo}]}}]\n';
const AH_VERSIONS = ['0.7.0', '0.9.0', '0.10.0', '1.0.0'];
let server: Server;
let base: string;
const paths: string[] = [];

function reply(res: import('node:http').ServerResponse, body: unknown): void {
  res.setHeader('content-type', 'application/json');
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    paths.push(path);
    // Artifact Hub
    let m = /^\/ah\/api\/v1\/packages\/tekton-task\/tekton-catalog-tasks\/git-clone(?:\/([^/]+))?$/.exec(path);
    if (m && !m[1]) return reply(res, { available_versions: [...AH_VERSIONS.map((version) => ({ version, prerelease: false })), { version: '1.1.0', prerelease: true }] });
    if (m && AH_VERSIONS.includes(m[1])) return reply(res, { data: { manifestRaw: task(m[1]) } });
    if (path === '/ah/api/v1/packages/tekton-pipeline/tekton-catalog-pipelines/build/0.1.0') return reply(res, { data: { manifestRaw: PIPELINE } });
    if (path === '/ah/api/v1/packages/tekton-task/broken/git-clone/0.1.0') return reply(res, '{"data": ');
    if (path === '/ah/api/v1/packages/tekton-task/empty/git-clone/0.1.0') return reply(res, { data: {} });
    // Tekton Hub
    m = /^\/th\/v1\/resource\/Tekton\/task\/git-clone(?:\/([^/]+)\/yaml)?$/.exec(path);
    if (m && !m[1]) return reply(res, { data: { versions: [{ version: '0.8' }, { version: '0.9' }, { version: '0.10' }] } });
    if (m && ['0.8', '0.9', '0.10'].includes(m[1])) return reply(res, { data: { yaml: task(m[1]) } });
    res.statusCode = 404;
    reply(res, { message: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function resolve(params: Record<string, string>, opts: HubResolverOptions = {}, kind: ResolvableKind = 'Task') {
  const hub = createHubResolver({ artifactHubUrl: `${base}/ah`, tektonHubUrl: `${base}/th/`, ...opts });
  const p = Object.entries(params).map(([name, value]) => ({ name, value }));
  return createResolution({ resolvers: { hub } }).resolve({ resolver: 'hub', namespace: 'ns', kind, params: p });
}
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const versionOf = (r: Awaited<ReturnType<typeof resolve>>) => (r.ok ? r.object.metadata.labels?.['app.kubernetes.io/version'] : JSON.stringify(r));

test('Artifact Hub (the default): the default catalog, a major.minor version padded to .0; refSource is the URL and the sha256 of the manifest', async () => {
  const r = await resolve({ name: 'git-clone', version: '0.10' });
  assert.ok(r.ok, JSON.stringify(r));
  const url = `${base}/ah/api/v1/packages/tekton-task/tekton-catalog-tasks/git-clone/0.10.0`;
  assert.deepEqual(r.refSource, { uri: url, digest: { sha256: sha256(task('0.10.0')) } });
  assert.equal(r.object.kind, 'Task');
  const p = await resolve({ type: 'artifact', kind: 'pipeline', name: 'build', version: '0.1.0' }, {}, 'Pipeline');
  assert.ok(p.ok && p.object.kind === 'Pipeline', JSON.stringify(p));
});

test('Tekton Hub: catalog Tekton, a full version cut to major.minor', async () => {
  const r = await resolve({ type: 'tekton', name: 'git-clone', version: '0.9.0' });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.refSource.uri, `${base}/th/v1/resource/Tekton/task/git-clone/0.9/yaml`);
  assert.equal(versionOf(r), '0.9');
});

test('a constraint picks the highest version the hub lists that it allows (Artifact Hub prereleases skipped)', async () => {
  assert.equal(versionOf(await resolve({ name: 'git-clone', version: '>= 0.7.0, < 1.0.0' })), '0.10.0');
  assert.equal(versionOf(await resolve({ name: 'git-clone', version: '>= 0.9' })), '1.0.0');
  assert.equal(versionOf(await resolve({ name: 'git-clone', version: '~> 0.9.0' })), '0.9.0');
  assert.equal(versionOf(await resolve({ type: 'tekton', name: 'git-clone', version: '< 0.10' })), '0.9');
  const none = await resolve({ name: 'git-clone', version: '>= 2.0' });
  assert.ok(!none.ok && none.message.endsWith('no version found for constraint >= 2.0'), JSON.stringify(none));
  const bad = await resolve({ name: 'git-clone', version: '>= banana' });
  assert.ok(!bad.ok && /version ">= banana": ">= banana" is not a version constraint/.test(bad.message), JSON.stringify(bad));
});

test('not found, bad JSON and a missing manifest fail with a clear message', async () => {
  const gone = await resolve({ name: 'git-clone', version: '0.3' });
  assert.ok(!gone.ok && gone.message.endsWith(`fail to fetch Artifact Hub resource: requested resource '${base}/ah/api/v1/packages/tekton-task/tekton-catalog-tasks/git-clone/0.3.0' not found on hub (status 404)`), JSON.stringify(gone));
  const broken = await resolve({ catalog: 'broken', name: 'git-clone', version: '0.1' });
  assert.ok(!broken.ok && /broken\/git-clone\/0\.1\.0 did not answer JSON: /.test(broken.message), JSON.stringify(broken));
  const empty = await resolve({ catalog: 'empty', name: 'git-clone', version: '0.1' });
  assert.ok(!empty.ok && empty.message.endsWith('holds no manifest (expected a string at data.manifestRaw)'), JSON.stringify(empty));
});

test('params: name and version required, type and kind checked, kind matches the reference', async () => {
  const missing = await resolve({ kind: 'task' });
  assert.ok(!missing.ok && missing.message.endsWith('missing required hub resolver params: name, version'));
  const type = await resolve({ type: 'oci', name: 'x', version: '1' });
  assert.ok(!type.ok && type.message.endsWith('type param must be artifact or tekton, not "oci"'));
  const kind = await resolve({ kind: 'stepaction', name: 'x', version: '1' });
  assert.ok(!kind.ok && kind.message.endsWith('kind param must be task or pipeline, not "stepaction"'));
  const wrong = await resolve({ kind: 'pipeline', name: 'build', version: '0.1' });
  assert.ok(!wrong.ok && wrong.message.endsWith('kind "pipeline" asked for where a Task is referenced'));
  const name = await resolve({ name: '../etc', version: '1' });
  assert.ok(!name.ok && name.message.includes('name "../etc" is not a hub name'));
  const before = paths.length;
  const version = await resolve({ name: 'git-clone', version: 'latest' });
  assert.ok(!version.ok && version.message.includes('version "latest" is neither a version nor a constraint'));
  assert.equal(paths.length, before, 'nothing is fetched for bad params');
});

test('offline: a public hub is unsupported; a hub on loopback, or a rewrite to one, is fetched', async () => {
  const off = await resolve({ name: 'git-clone', version: '0.10' }, { offline: true, artifactHubUrl: undefined });
  assert.ok(!off.ok && off.unsupported && off.message.includes('https://artifacthub.io/api/v1/packages/tekton-task/tekton-catalog-tasks/git-clone/0.10.0 needs the network'), JSON.stringify(off));
  assert.ok((await resolve({ name: 'git-clone', version: '0.10' }, { offline: true })).ok);
  const stood = await resolve({ name: 'git-clone', version: '0.10' }, { offline: true, artifactHubUrl: undefined, rewrites: [{ from: 'https://artifacthub.io/', to: `${base}/ah/` }] });
  assert.ok(stood.ok && stood.refSource.uri.startsWith('https://artifacthub.io/api/v1/'), JSON.stringify(stood));
});

test('hubVersion maps between the hubs\' version forms', () => {
  assert.equal(hubVersion('0.10', 'artifact'), '0.10.0');
  assert.equal(hubVersion('0.10.1', 'artifact'), '0.10.1');
  assert.equal(hubVersion('0.10.1', 'tekton'), '0.10');
  assert.equal(hubVersion('1', 'tekton'), '1');
});
