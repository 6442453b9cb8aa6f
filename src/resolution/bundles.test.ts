import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildBundle } from './bundle-format.ts';
import { createBundlesResolver, type BundleMapping } from './bundles.ts';
import { createResolution } from './framework.ts';
import { createRegistryClient, DOCKER_MANIFEST, OCI_MANIFEST, sha256Digest } from '../registry/oci.ts';
import { startFakeRegistry, type FakeRegistry } from '../registry/oci-testing.ts';
import { pushBundle } from './bundle-push.ts';
import type { ResolvableKind } from './resolver.ts';

const TASK = { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'greet' }, spec: { steps: [{ name: 's', image: 'busybox', script: 'echo hi' }] } };
const PIPELINE = { apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'greet' }, spec: { tasks: [{ name: 't', taskRef: { name: 'greet' } }] } };
const entry = (o: typeof TASK | typeof PIPELINE) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, json: JSON.stringify(o) });
const b64 = (s: string) => Buffer.from(s).toString('base64');

let open: FakeRegistry;
let locked: FakeRegistry;
let digest: string;
const secrets: Record<string, Record<string, string>> = {};

before(async () => {
  open = await startFakeRegistry();
  locked = await startFakeRegistry({ auth: 'basic' });
  digest = (await pushBundle({ reference: `${open.host}/kiln/b:v1`, objects: [entry(TASK), entry(PIPELINE)] })).digest;
  const config = JSON.stringify({ auths: { [locked.host]: { auth: b64('bob:s3cret') } } });
  await pushBundle({ reference: `${locked.host}/kiln/b:v1`, objects: [entry(TASK)], dockerConfig: config });
  secrets['ns/regcred'] = { '.dockerconfigjson': config };
  secrets['ns/broken'] = { '.dockerconfigjson': '{' };
  secrets['ns/other'] = { '.dockercfg': JSON.stringify({ 'quay.io': { auth: b64('bob:s3cret') } }) };
  secrets['ns/wrong'] = { '.dockerconfigjson': JSON.stringify({ auths: { [locked.host]: { username: 'bob', password: 'nope' } } }) };
});
after(async () => {
  await open.close();
  await locked.close();
});

function resolver(params: Record<string, string>, opts: { kind?: ResolvableKind; offline?: boolean; mappings?: BundleMapping[] } = {}) {
  const bundles = createBundlesResolver({ secretValue: async (ns, name, key) => secrets[`${ns}/${name}`]?.[key], offline: opts.offline, mappings: opts.mappings });
  const service = createResolution({ resolvers: { bundles } });
  const resolve = () => service.resolve({ resolver: 'bundles', namespace: 'ns', kind: opts.kind ?? 'Task', params: Object.entries(params).map(([name, value]) => ({ name, value })) });
  return { resolve, service };
}

test('by tag: the layer of that kind and name; the manifest digest and the entry point recorded', async () => {
  const r = await resolver({ bundle: `${open.host}/kiln/b:v1`, name: 'greet' }).resolve();
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.object.kind, 'Task');
  assert.deepEqual((r.object.spec as { steps: unknown[] }).steps, TASK.spec.steps);
  assert.deepEqual(r.refSource, { uri: `${open.host}/kiln/b`, digest: { sha256: digest.slice(7) }, entryPoint: 'greet' });
  const p = await resolver({ bundle: `${open.host}/kiln/b:v1`, name: 'greet', kind: 'Pipeline' }, { kind: 'Pipeline' }).resolve();
  assert.ok(p.ok && p.object.kind === 'Pipeline', JSON.stringify(p));
});

test('by digest: immutable, so cached; by tag: fetched again', async () => {
  const byDigest = resolver({ bundle: `${open.host}/kiln/b@${digest}`, name: 'greet' });
  assert.ok((await byDigest.resolve()).ok);
  const requests = open.log.length;
  assert.ok((await byDigest.resolve()).ok);
  assert.equal(open.log.length, requests, 'no request for a cached digest');
  const byTag = resolver({ bundle: `${open.host}/kiln/b:v1`, name: 'greet' });
  await byTag.resolve();
  const before = open.log.length;
  await byTag.resolve();
  assert.ok(open.log.length > before);
  assert.equal(byTag.service.cacheSize(), 0);
});

test('failures: no such object, tag or repository; kind mismatch; params; offline', async () => {
  const msg = async (params: Record<string, string>, opts: { kind?: ResolvableKind; offline?: boolean } = {}) => {
    const r = await resolver(params, opts).resolve();
    assert.ok(!r.ok);
    return r.message.replace(/^error requesting remote resource: error getting "bundleresolver" "ns\/bundles-[0-9a-f]{32}": /, '');
  };
  assert.equal(await msg({ bundle: `${open.host}/kiln/b:v1`, name: 'nope' }), 'could not find object in image with kind: task and name: nope');
  assert.match(await msg({ bundle: `${open.host}/kiln/b:v9`, name: 'greet' }), new RegExp(`^cannot retrieve the oci image: ${open.host}/kiln/b:v9 not found \\(manifest ${open.host}/kiln/b:v9: 404 MANIFEST_UNKNOWN`));
  assert.equal(await msg({ bundle: `${open.host}/kiln/b:v1`, name: 'greet', kind: 'pipeline' }), 'kind "pipeline" asked for where a Task is referenced');
  assert.equal(await msg({ bundle: `${open.host}/kiln/b:v1`, name: 'greet', kind: 'taskrun' }), "unknown or unsupported resource kind 'taskrun' (task, pipeline or stepaction)");
  assert.equal(await msg({ name: 'greet' }), 'parameter "bundle" required');
  assert.equal(await msg({ bundle: `${open.host}/kiln/b:v1` }), 'parameter "name" required');
  assert.equal(await msg({ bundle: 'Reg.io/B', name: 'x' }), 'invalid bundle reference: "Reg.io/B": "B" is not a valid repository (lowercase letters, digits, separators . _ - and /)');
  const off = await resolver({ bundle: 'ghcr.io/org/b:v1', name: 'greet' }, { offline: true }).resolve();
  assert.ok(!off.ok && off.unsupported && off.message.endsWith('pulling ghcr.io/org/b:v1 needs the network, which this machine does not have (push the bundle to a registry on loopback)'));
});

test('mappings: a bundle named exactly as a mapping\'s from is read from its stand-in, offline too', async () => {
  const upstream = 'ghcr.io/tektoncd/catalog/upstream/tasks/greet@sha256:' + '65'.repeat(32);
  const mappings = [{ from: upstream, to: `${open.host}/kiln/b:v1` }];
  const requests = open.log.length;
  const r = await resolver({ bundle: upstream, name: 'greet' }, { offline: true, mappings }).resolve();
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual((r.object.spec as { steps: unknown[] }).steps, TASK.spec.steps);
  assert.deepEqual(r.refSource, { uri: `${open.host}/kiln/b`, digest: { sha256: digest.slice(7) }, entryPoint: 'greet' }, 'the stand-in read is recorded');
  assert.ok(open.log.slice(requests).some((l) => l.line === 'GET /v2/kiln/b/manifests/v1'), JSON.stringify(open.log.slice(requests)));
  const byTag = resolver({ bundle: upstream, name: 'greet' }, { mappings });
  await byTag.resolve();
  assert.equal(byTag.service.cacheSize(), 0, 'the stand-in is a tag: not cached as immutable');
  const other = await resolver({ bundle: upstream.replace('greet@', 'greeting@'), name: 'greet' }, { offline: true, mappings }).resolve();
  assert.ok(!other.ok && other.unsupported && /pulling ghcr\.io\/tektoncd\/catalog\/upstream\/tasks\/greeting@sha256:6565.* needs the network/.test(other.message), JSON.stringify(other));
  const bad = await resolver({ bundle: upstream, name: 'greet' }, { mappings: [{ from: upstream, to: 'Reg.io/B' }] }).resolve();
  assert.ok(!bad.ok && bad.message.endsWith(`invalid stand-in reference for ${upstream}: "Reg.io/B": "B" is not a valid repository (lowercase letters, digits, separators . _ - and /)`), JSON.stringify(bad));
});

test('secret: a kubernetes.io/dockerconfigjson Secret of the run\'s namespace gives the credentials', async () => {
  const bundle = `${locked.host}/kiln/b:v1`;
  assert.ok((await resolver({ bundle, name: 'greet', secret: 'regcred' }).resolve()).ok);
  const none = await resolver({ bundle, name: 'greet' }).resolve();
  assert.ok(!none.ok && none.message.endsWith(`cannot retrieve the oci image: ${bundle}: access denied (${locked.host} asks for credentials and none were given); give registry credentials with the "secret" param`), JSON.stringify(none));
  const missing = await resolver({ bundle, name: 'greet', secret: 'nope' }).resolve();
  assert.ok(!missing.ok && missing.message.endsWith('secret "nope" with a key .dockerconfigjson or .dockercfg not found in namespace "ns"'));
  const other = await resolver({ bundle, name: 'greet', secret: 'other' }).resolve();
  assert.ok(!other.ok && other.message.endsWith(`access denied (${locked.host} asks for credentials and none were given); secret "other" holds no credentials for ${locked.host}`), JSON.stringify(other));
  const wrong = await resolver({ bundle, name: 'greet', secret: 'wrong' }).resolve();
  assert.ok(!wrong.ok && wrong.message.endsWith(`access denied (manifest ${bundle}: 401 UNAUTHORIZED (unauthorized)); check the credentials of secret "wrong"`), JSON.stringify(wrong));
  const broken = await resolver({ bundle, name: 'greet', secret: 'broken' }).resolve();
  assert.ok(!broken.ok && /secret "broken" \(key ".dockerconfigjson"\) in namespace "ns": not a docker config \(JSON\)/.test(broken.message));
});

test('a bundle written by other tools: OCI media types, a raw YAML layer', async () => {
  const yaml = Buffer.from('apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: raw}\nspec:\n  steps: [{name: s, image: busybox, script: echo}]\n');
  const c = createRegistryClient({ registry: open.host, repository: 'other/b' });
  const config = Buffer.from('{}');
  await c.putBlob(yaml);
  await c.putBlob(config);
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(config), size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Digest(yaml), size: yaml.length, annotations: { 'dev.tekton.image.apiVersion': 'v1', 'dev.tekton.image.kind': 'task', 'dev.tekton.image.name': 'raw' } }] };
  await c.putManifest('v1', Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
  const r = await resolver({ bundle: `${open.host}/other/b:v1`, name: 'raw' }).resolve();
  assert.ok(r.ok && r.object.metadata.name === 'raw', JSON.stringify(r));
  assert.equal(buildBundle([entry(TASK)], new Date(0)).mediaType, DOCKER_MANIFEST);
});

test('pushBundle: a digest reference, no objects and bad credentials are refused with the reason', async () => {
  await assert.rejects(pushBundle({ reference: `${open.host}/kiln/b@${digest}`, objects: [entry(TASK)] }), /push to a tag, not a digest/);
  await assert.rejects(pushBundle({ reference: `${open.host}/kiln/b:v2`, objects: [] }), { name: 'BundlePushError', message: 'a bundle needs at least one object' });
  await assert.rejects(pushBundle({ reference: `${locked.host}/kiln/b:v2`, objects: [entry(TASK)] }), { name: 'BundlePushError', message: `pushing ${locked.host}/kiln/b:v2: ${locked.host} asks for credentials and none were given` });
  await assert.rejects(pushBundle({ reference: `${open.host}/kiln/b:v2`, objects: [entry(TASK)], dockerConfig: 'x' }), /^BundlePushError: registry credentials: not a docker config/);
});
