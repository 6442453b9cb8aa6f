import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerConfigCredentials, formatImageRef, isLoopbackRegistry, parseImageRef, registryBaseUrl, repositoryName } from './oci-ref.ts';

const D = `sha256:${'ab'.repeat(32)}`;

test('parseImageRef: registries, Docker Hub names, tags and digests', () => {
  const rows: Array<{ name: string; in: string; out: ReturnType<typeof parseImageRef> }> = [
    { name: 'loopback with port and tag', in: '127.0.0.1:5000/kiln/b:v1', out: { registry: '127.0.0.1:5000', repository: 'kiln/b', tag: 'v1' } },
    { name: 'digest', in: `ghcr.io/org/b@${D}`, out: { registry: 'ghcr.io', repository: 'org/b', digest: D } },
    { name: 'tag and digest', in: `localhost:5000/b:v2@${D}`, out: { registry: 'localhost:5000', repository: 'b', tag: 'v2', digest: D } },
    { name: 'Docker Hub official image', in: 'busybox', out: { registry: 'index.docker.io', repository: 'library/busybox' } },
    { name: 'Docker Hub user image', in: 'docker.io/me/tasks:1.0', out: { registry: 'index.docker.io', repository: 'me/tasks', tag: '1.0' } },
    { name: 'empty', in: ' ', out: 'an image reference is empty' },
    { name: 'short digest', in: 'reg.io/b@sha256:abc', out: '"reg.io/b@sha256:abc": the digest must be sha256: and 64 lowercase hex digits' },
    { name: 'uppercase repository', in: 'reg.io/Kiln/b', out: '"reg.io/Kiln/b": "Kiln/b" is not a valid repository (lowercase letters, digits, separators . _ - and /)' },
    { name: 'bad tag', in: 'reg.io/b:-x', out: '"reg.io/b:-x": "-x" is not a valid tag' },
  ];
  for (const r of rows) assert.deepEqual(parseImageRef(r.in), r.out, r.name);
  const ref = parseImageRef(`127.0.0.1:5000/kiln/b:v1@${D}`);
  assert.ok(typeof ref === 'object');
  assert.equal(repositoryName(ref), '127.0.0.1:5000/kiln/b');
  assert.equal(formatImageRef(ref), `127.0.0.1:5000/kiln/b:v1@${D}`);
});

test('loopback registries are plain http; Docker Hub is reached at registry-1.docker.io', () => {
  assert.equal(registryBaseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(registryBaseUrl('localhost:5000'), 'http://localhost:5000');
  assert.equal(registryBaseUrl('[::1]:5000'), 'http://[::1]:5000');
  assert.equal(registryBaseUrl('ghcr.io'), 'https://ghcr.io');
  assert.equal(registryBaseUrl('index.docker.io'), 'https://registry-1.docker.io');
  assert.equal(isLoopbackRegistry('127.1.2.3:80'), true);
  assert.equal(isLoopbackRegistry('10.0.0.1:5000'), false);
});

test('dockerConfigCredentials: auths (auth or username/password), the .dockercfg form, Docker Hub keys; JSON errors', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const config = JSON.stringify({ auths: {
    '127.0.0.1:5000': { auth: b64('bob:pa:ss') },
    'https://ghcr.io': { username: 'amy', password: 'tok' },
    'https://index.docker.io/v1/': { auth: b64('hub:pw') },
  } });
  assert.deepEqual(dockerConfigCredentials(config, '127.0.0.1:5000'), { username: 'bob', password: 'pa:ss' });
  assert.deepEqual(dockerConfigCredentials(config, 'ghcr.io'), { username: 'amy', password: 'tok' });
  assert.deepEqual(dockerConfigCredentials(config, 'index.docker.io'), { username: 'hub', password: 'pw' });
  assert.equal(dockerConfigCredentials(config, 'quay.io'), undefined);
  assert.deepEqual(dockerConfigCredentials(JSON.stringify({ 'reg.io': { auth: b64('old:style') } }), 'reg.io'), { username: 'old', password: 'style' });
  assert.throws(() => dockerConfigCredentials('{', 'reg.io'), /^Error: not a docker config \(JSON\)/);
  assert.throws(() => dockerConfigCredentials('[]', 'reg.io'), /not a docker config: expected a JSON object/);
});
