import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildBundle, BUNDLE_CONFIG_TYPE, BUNDLE_LAYER_TYPE, findBundleLayer, layerContent, parseManifest, type ImageManifest } from './bundle-format.ts';
import { DOCKER_MANIFEST, sha256Digest } from '../registry/oci.ts';
import { firstTarFile, tarOneFile } from './tar.ts';

const HAS_TAR = spawnSync('tar', ['--version']).status === 0;
const task = (name: string) => ({ apiVersion: 'tekton.dev/v1', kind: 'Task', name, json: JSON.stringify({ apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name } }) });

test('tar: one file written and read back; a long name goes in a PAX record; text that is not tar is not', { skip: HAS_TAR ? false : 'tar not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-tar-'));
  for (const name of ['greet', 'x'.repeat(150)]) {
    const archive = tarOneFile(name, Buffer.from('{"kind":"Task"}'));
    assert.equal(archive.length % 512, 0);
    assert.deepEqual(firstTarFile(archive), Buffer.from('{"kind":"Task"}'));
    writeFileSync(join(dir, 'a.tar'), archive);
    const listed = spawnSync('tar', ['-tvf', join(dir, 'a.tar')], { encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^-rw------- .* 15 .* ${name}\\n$`), 'GNU tar reads it: one file, 0600, 15 bytes, the full name');
  }
  // an archive made by tar itself (GNU format, a long name), read back
  writeFileSync(join(dir, 'y'.repeat(120)), 'apiVersion: tekton.dev/v1\n');
  const made = spawnSync('tar', ['-cf', '-', '-C', dir, 'y'.repeat(120)]);
  assert.deepEqual(firstTarFile(made.stdout), Buffer.from('apiVersion: tekton.dev/v1\n'));
  assert.equal(firstTarFile(Buffer.from('apiVersion: tekton.dev/v1\nkind: Task\n'.repeat(30))), undefined);
  assert.equal(firstTarFile(Buffer.alloc(1024)), undefined);
});

test('buildBundle: one gzip\'d tar layer per object with the three annotations, ordered by content digest; Docker media types', () => {
  const objects = [task('b'), { apiVersion: 'tekton.dev/v1beta1', kind: 'Pipeline', name: 'p', json: '{"kind":"Pipeline"}' }, task('a')];
  const built = buildBundle(objects, new Date('2026-01-02T03:04:05Z'));
  const m = JSON.parse(built.manifest.toString()) as ImageManifest;
  assert.equal(m.mediaType, DOCKER_MANIFEST);
  assert.equal(built.mediaType, DOCKER_MANIFEST);
  assert.equal(m.config.mediaType, BUNDLE_CONFIG_TYPE);
  const byDigest = [...objects].sort((x, y) => (sha256Digest(Buffer.from(x.json)) < sha256Digest(Buffer.from(y.json)) ? -1 : 1));
  assert.deepEqual(m.layers.map((l) => l.annotations), byDigest.map((o) => ({
    'dev.tekton.image.apiVersion': o.apiVersion.split('/')[1], 'dev.tekton.image.kind': o.kind.toLowerCase(), 'dev.tekton.image.name': o.name,
  })));
  for (const [i, l] of m.layers.entries()) {
    const blob = built.blobs.get(l.digest)!;
    assert.equal(l.mediaType, BUNDLE_LAYER_TYPE);
    assert.equal(l.size, blob.length);
    assert.equal(layerContent(blob).toString(), byDigest[i].json);
  }
  const config = JSON.parse(built.blobs.get(m.config.digest)!.toString());
  assert.equal(config.created, '2026-01-02T03:04:05.000Z');
  assert.deepEqual(config.rootfs.diff_ids, m.layers.map((l) => sha256Digest(gunzipSync(built.blobs.get(l.digest)!))));
  assert.deepEqual(buildBundle([...objects].reverse(), new Date('2026-01-02T03:04:05Z')).manifest, built.manifest, 'the same objects make the same image');
  assert.throws(() => buildBundle([], new Date()), /at least one object/);
  assert.throws(() => buildBundle(Array.from({ length: 21 }, (_, i) => task(`t${i}`)), new Date()), /at most 20 objects, got 21/);
  assert.throws(() => buildBundle([task('a'), task('a')], new Date()), /Task "a" is given twice/);
});

test('findBundleLayer: the layer of kind and name; the contract checked (≤ 20 layers, annotations, lowercase singular kind)', () => {
  const m = parseManifest(buildBundle([task('a'), task('b')], new Date(0)).manifest);
  assert.equal(findBundleLayer(m, 'task', 'b').annotations!['dev.tekton.image.name'], 'b');
  assert.throws(() => findBundleLayer(m, 'pipeline', 'b'), { message: 'could not find object in image with kind: pipeline and name: b' });
  const many = { ...m, layers: Array.from({ length: 21 }, () => m.layers[0]) };
  assert.throws(() => findBundleLayer(many, 'task', 'a'), { message: 'contained more than the maximum 20 allow objects' });
  const bare = { ...m, layers: [{ ...m.layers[0], annotations: { 'dev.tekton.image.apiVersion': 'v1', 'dev.tekton.image.kind': 'task' } }] };
  assert.throws(() => findBundleLayer(bare, 'task', 'a'), { message: 'the layer 0 does not contain a dev.tekton.image.name annotation' });
  const plural = { ...m, layers: [{ ...m.layers[0], annotations: { ...m.layers[0].annotations, 'dev.tekton.image.kind': 'Tasks' } }] };
  assert.throws(() => findBundleLayer(plural, 'task', 'a'), { message: 'the layer 0 the annotation dev.tekton.image.kind must be lowercased and singular, found Tasks' });
  assert.throws(() => parseManifest(Buffer.from('{"manifests":[]}')), /not an image manifest/);
  assert.throws(() => parseManifest(Buffer.from('<html>')), /the manifest is not JSON/);
});

test('layerContent: a gzip\'d tar, a plain tar, a raw (or gzip\'d raw) layer', () => {
  const yaml = Buffer.from('kind: Task\n');
  assert.deepEqual(layerContent(gzipSync(tarOneFile('t', yaml))), yaml);
  assert.deepEqual(layerContent(tarOneFile('t', yaml)), yaml);
  assert.deepEqual(layerContent(yaml), yaml);
  assert.deepEqual(layerContent(gzipSync(yaml)), yaml);
  assert.throws(() => layerContent(gzipSync(Buffer.alloc(5000)), 1000), /the layer is gzip'd but cannot be read/);
  assert.throws(() => layerContent(Buffer.from([0x1f, 0x8b, 1, 2])), /the layer is gzip'd but cannot be read/);
});
