import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, sha256Digest } from '../../registry/oci.ts';
import { startFakeRegistry, type FakeRegistry } from '../../registry/oci-testing.ts';
import type { ExecutionPlan, PlanContainer } from '../executor.ts';
import { imagesToLookUp, parseImageConfig, platformDigest, registryEntrypointLookup } from './imageconfig.ts';

/** Puts an image (config + manifest) in `reg` under `repo:tag`; returns the manifest's digest. */
function putImage(reg: FakeRegistry, repo: string, tag: string | undefined, config: object, mediaType = OCI_MANIFEST): string {
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config }));
  reg.blobs.set(sha256Digest(cfg), cfg);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(cfg), size: cfg.length }, layers: [] }));
  const digest = sha256Digest(manifest);
  reg.manifests.set(`${repo}@${digest}`, { body: manifest, mediaType });
  if (tag) reg.manifests.set(`${repo}:${tag}`, { body: manifest, mediaType });
  return digest;
}

function putIndex(reg: FakeRegistry, repo: string, tag: string, entries: Array<{ digest: string; os: string; architecture: string }>, mediaType = OCI_INDEX): string {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: entries.map((e) => ({ mediaType: OCI_MANIFEST, digest: e.digest, size: 1, platform: { os: e.os, architecture: e.architecture } })) }));
  reg.manifests.set(`${repo}:${tag}`, { body, mediaType });
  reg.manifests.set(`${repo}@${sha256Digest(body)}`, { body, mediaType });
  return sha256Digest(body);
}

const auth = (host: string, user: string, password: string) => JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } });

test('parseImageConfig reads Entrypoint and Cmd, empty when unset', () => {
  assert.deepEqual(parseImageConfig(Buffer.from('{"config":{"Entrypoint":["/ko-app/nop"],"Cmd":null}}')), { entrypoint: ['/ko-app/nop'], cmd: [] });
  assert.deepEqual(parseImageConfig(Buffer.from('{"config":{"Cmd":["bash"]}}')), { entrypoint: [], cmd: ['bash'] });
  assert.throws(() => parseImageConfig(Buffer.from('[1]')), /the image config is not a JSON object/);
});

test('platformDigest picks linux/amd64, or says there is none', () => {
  const index = (ps: Array<[string, string]>) => Buffer.from(JSON.stringify({ manifests: ps.map(([os, architecture], i) => ({ digest: `sha256:${i}`, platform: { os, architecture } })) }));
  assert.equal(platformDigest(index([['linux', 'arm64'], ['linux', 'amd64']])), 'sha256:1');
  assert.throws(() => platformDigest(index([['linux', 'arm64']])), /no linux\/amd64 manifest/);
});

test('imagesToLookUp: the images of steps with neither command nor script, once each, unless known (not sidecars\')', () => {
  const c = (name: string, image: string, more: Partial<PlanContainer> = {}): PlanContainer => ({ name, containerName: `step-${name}`, image, env: [], mounts: [], ...more });
  const plan = { steps: [c('a', 'x'), c('b', 'x', { args: ['1'] }), c('c', 'y', { command: ['true'] }), c('d', 'z', { script: 'true' }), c('e', 'w')], sidecars: [c('s', 'v')] } as unknown as ExecutionPlan;
  assert.deepEqual(imagesToLookUp(plan), ['x', 'w']);
  assert.deepEqual(imagesToLookUp(plan, { w: { entrypoint: ['/w'], cmd: [] } }), ['x']);
});

describe('registryEntrypointLookup against a registry on loopback', () => {
  let open: FakeRegistry;
  let basic: FakeRegistry;
  before(async () => {
    open = await startFakeRegistry();
    basic = await startFakeRegistry({ auth: 'basic', user: 'bob', password: 's3cret' });
  });
  after(async () => { await open.close(); await basic.close(); });

  test('a single manifest (Docker v2): its config\'s entrypoint and cmd', async () => {
    putImage(open, 'tools/bash', '5', { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['bash'] }, DOCKER_MANIFEST);
    assert.deepEqual(await registryEntrypointLookup()(`${open.host}/tools/bash:5`), { entrypoint: ['docker-entrypoint.sh'], cmd: ['bash'] });
  });

  test('a manifest list: the linux/amd64 manifest\'s config; kept by digest (the config blob read once)', async () => {
    const arm = putImage(open, 'tekton/nop', undefined, { Entrypoint: ['/arm/nop'] });
    const amd = putImage(open, 'tekton/nop', undefined, { Entrypoint: ['/ko-app/nop'] });
    const index = putIndex(open, 'tekton/nop', 'v1', [{ digest: arm, os: 'linux', architecture: 'arm64' }, { digest: amd, os: 'linux', architecture: 'amd64' }], DOCKER_MANIFEST_LIST);
    const lookup = registryEntrypointLookup();
    const from = open.log.length;
    assert.deepEqual(await lookup(`${open.host}/tekton/nop:v1`), { entrypoint: ['/ko-app/nop'], cmd: [] });
    assert.deepEqual(open.log.slice(from).map((l) => l.line.replace(/sha256:[0-9a-f]+/, 'D')), ['GET /v2/tekton/nop/manifests/v1', 'GET /v2/tekton/nop/manifests/D', 'GET /v2/tekton/nop/blobs/D']);
    // the tag asked again (it may have moved), the config not
    const again = open.log.length;
    assert.deepEqual(await lookup(`${open.host}/tekton/nop:v1`), { entrypoint: ['/ko-app/nop'], cmd: [] });
    assert.deepEqual(open.log.slice(again).map((l) => l.line.split('/').at(-2)), ['manifests', 'manifests']);
    // a reference pinning the index's digest: the first time through the registry, then not at all
    assert.deepEqual(await lookup(`${open.host}/tekton/nop@${index}`), { entrypoint: ['/ko-app/nop'], cmd: [] });
    const pinned = open.log.length;
    assert.deepEqual(await lookup(`${open.host}/tekton/nop@${index}`), { entrypoint: ['/ko-app/nop'], cmd: [] });
    assert.equal(open.log.length, pinned);
  });

  test('a missing image: an error naming the image and the registry\'s answer', async () => {
    await assert.rejects(registryEntrypointLookup()(`${open.host}/no/such:1`), (e: Error) => {
      assert.equal(e.message, `cannot read the entrypoint of image ${open.host}/no/such:1: not found in its registry (manifest ${open.host}/no/such:1: 404 MANIFEST_UNKNOWN (manifest unknown))`);
      return true;
    });
  });

  test('a registry asking for credentials: refused without them (saying how to give them), read with the run\'s docker config', async () => {
    putImage(basic, 'private/tool', '1', { Entrypoint: ['/bin/tool'], Cmd: ['run'] });
    const lookup = registryEntrypointLookup();
    await assert.rejects(lookup(`${basic.host}/private/tool:1`), /cannot read the entrypoint of image 127\.0\.0\.1:\d+\/private\/tool:1: its registry refused access \(127\.0\.0\.1:\d+ asks for credentials and none were given\); give the TaskRun's service account or podTemplate an imagePullSecret for it/);
    await assert.rejects(lookup(`${basic.host}/private/tool:1`, auth(basic.host, 'bob', 'wrong')), /its registry refused access \(manifest .*: 401 UNAUTHORIZED/);
    assert.deepEqual(await lookup(`${basic.host}/private/tool:1`, auth(basic.host, 'bob', 's3cret')), { entrypoint: ['/bin/tool'], cmd: ['run'] });
  });

  test('an unreachable registry and a bad reference say so', async () => {
    await assert.rejects(registryEntrypointLookup()('127.0.0.1:1/x/y:1'), /cannot read the entrypoint of image 127\.0\.0\.1:1\/x\/y:1: cannot reach http:\/\/127\.0\.0\.1:1/);
    await assert.rejects(registryEntrypointLookup()('Bad Image'), /cannot read the entrypoint of image Bad Image: .*not a valid/);
  });
});
