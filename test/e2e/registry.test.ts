// The test registry: Debian's docker-registry with kiln's config serves plain pushes and pulls on
// the address asked for, without auth, and leaves nothing behind when stopped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { registryConfig, registryMissing, startRegistry } from './registry.ts';

const SKIP = registryMissing() ?? false;
if (SKIP) console.log(`# registry tests skipped: ${SKIP}`);

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Pushes a blob by the monolithic upload of the distribution API; returns its digest. */
async function pushBlob(url: string, repo: string, body: Buffer): Promise<string> {
  const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202, await start.text());
  const loc = new URL(start.headers.get('location')!, url);
  loc.searchParams.set('digest', sha(body));
  const put = await fetch(loc, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });
  assert.equal(put.status, 201, await put.text());
  return sha(body);
}

describe('test registry (docker-registry)', { skip: SKIP }, () => {
  it('its config has filesystem storage, the address and no auth', () => {
    const c = registryConfig('/r', '127.0.0.1:5000');
    assert.match(c, /filesystem:\n {4}rootdirectory: \/r\n/);
    assert.match(c, /http:\n {2}addr: 127\.0\.0\.1:5000\n/);
    assert.doesNotMatch(c, /auth|htpasswd/);
  });

  it('serves an image pushed without credentials, then stops and leaves nothing', async () => {
    const reg = await startRegistry();
    let stopped = false;
    try {
      assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
      const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
      const digest = await pushBlob(reg.url, 'kiln/t', config);
      const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length }, layers: [] });
      const put = await fetch(`${reg.url}/v2/kiln/t/manifests/v1`, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
      assert.equal(put.status, 201, await put.text());
      const got = await fetch(`${reg.url}/v2/kiln/t/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('docker-content-digest'), sha(Buffer.from(manifest)));
      assert.deepEqual(await (await fetch(`${reg.url}/v2/_catalog`)).json(), { repositories: ['kiln/t'] });
      await reg.stop();
      stopped = true;
      assert.equal(existsSync(reg.dir), false, 'its directory is removed');
      await assert.rejects(fetch(`${reg.url}/v2/`), 'nothing listens any more');
    } finally {
      if (!stopped) await reg.stop();
    }
  });
});
