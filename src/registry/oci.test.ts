import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistryClient, DOCKER_MANIFEST, parseChallenge, RegistryError, sha256Digest } from './oci.ts';
import { startFakeRegistry } from './oci-testing.ts';

const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: {}, layers: [] }));

test('parseChallenge: scheme and quoted params (commas inside quotes kept)', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"'), {
    scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' },
  });
  assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
});

test('bearer: a token from the realm (with the credentials, scope pull,push), then blobs and a manifest pushed and read back', async () => {
  const reg = await startFakeRegistry({ auth: 'bearer' });
  try {
    const c = createRegistryClient({ registry: reg.host, repository: 'kiln/b', credentials: { username: 'bob', password: 's3cret' }, actions: 'pull,push' });
    const blob = Buffer.from('layer bytes');
    assert.equal(await c.putBlob(blob), sha256Digest(blob));
    assert.deepEqual(reg.scopes, ['repository:kiln/b:pull,push']);
    const posts = () => reg.log.filter((l) => l.line.startsWith('POST')).length;
    assert.equal(posts(), 1);
    await c.putBlob(blob);
    assert.equal(posts(), 1, 'a blob the registry has is not uploaded again');
    const digest = await c.putManifest('v1', MANIFEST, DOCKER_MANIFEST);
    assert.equal(digest, sha256Digest(MANIFEST));
    const got = await c.getManifest('v1');
    assert.deepEqual(got, { body: MANIFEST, mediaType: DOCKER_MANIFEST, digest });
    assert.deepEqual(await c.getManifest(digest), got);
    assert.deepEqual(await c.getBlob(sha256Digest(blob), 100), blob);
    assert.ok(reg.log.slice(-1)[0].authorization === 'Bearer t0ken');
  } finally {
    await reg.close();
  }
});

test('basic: credentials sent after the challenge; none given, or a token refused, fails clearly', async () => {
  const reg = await startFakeRegistry({ auth: 'basic' });
  const bearer = await startFakeRegistry({ auth: 'bearer' });
  try {
    reg.manifests.set('kiln/b:v1', { body: MANIFEST, mediaType: DOCKER_MANIFEST });
    const ok = createRegistryClient({ registry: reg.host, repository: 'kiln/b', credentials: { username: 'bob', password: 's3cret' } });
    assert.equal((await ok.getManifest('v1')).digest, sha256Digest(MANIFEST));
    const anonymous = createRegistryClient({ registry: reg.host, repository: 'kiln/b' });
    await assert.rejects(anonymous.getManifest('v1'), { name: 'RegistryError', status: 401, message: `${reg.host} asks for credentials and none were given` });
    const wrong = createRegistryClient({ registry: bearer.host, repository: 'kiln/b', credentials: { username: 'bob', password: 'nope' } });
    await assert.rejects(wrong.getManifest('v1'), (e: RegistryError) => e.status === 401 && /^token server http:\/\/127\.0\.0\.1:\d+ refused a token for kiln\/b: 401 UNAUTHORIZED/.test(e.message));
  } finally {
    await reg.close();
    await bearer.close();
  }
});

test('not found, a digest that does not match the content, the size limit, an unreachable registry', async () => {
  const reg = await startFakeRegistry();
  try {
    const c = createRegistryClient({ registry: reg.host, repository: 'kiln/b' });
    await assert.rejects(c.getManifest('nope'), (e: RegistryError) => e.status === 404 && e.code === 'MANIFEST_UNKNOWN' && e.message === `manifest ${reg.host}/kiln/b:nope: 404 MANIFEST_UNKNOWN (manifest unknown)`);
    const lie = `sha256:${'0'.repeat(64)}`;
    reg.manifests.set(`kiln/b@${lie}`, { body: MANIFEST, mediaType: DOCKER_MANIFEST });
    await assert.rejects(c.getManifest(lie), { message: `manifest ${reg.host}/kiln/b@${lie}: content digest ${sha256Digest(MANIFEST)} is not ${lie}` });
    const big = Buffer.alloc(1000, 1);
    reg.blobs.set(sha256Digest(big), big);
    await assert.rejects(c.getBlob(sha256Digest(big), 999), { message: `blob ${sha256Digest(big)} of ${reg.host}/kiln/b is more than the limit of 999 bytes` });
    reg.blobs.set(lie, big);
    await assert.rejects(c.getBlob(lie, 2000), /content digest sha256:[0-9a-f]{64} is not sha256:0{64}/);
  } finally {
    await reg.close();
  }
  const gone = createRegistryClient({ registry: reg.host, repository: 'kiln/b' });
  await assert.rejects(gone.getManifest('v1'), (e: RegistryError) => e.status === 0 && e.message.startsWith(`cannot reach http://${reg.host}:`));
});
