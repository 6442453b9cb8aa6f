import { test } from 'node:test';
import assert from 'node:assert/strict';
import { md5Hex, sha256Hex } from './hash.ts';
import { childName, claimName, matrixTaskRunName, taskRunName } from './naming.ts';

test('md5 and sha256 match the reference digests', () => {
  const rows = [
    { name: 'empty', s: '', md5: 'd41d8cd98f00b204e9800998ecf8427e', sha: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    { name: 'abc', s: 'abc', md5: '900150983cd24fb0d6963f7d28e17f72', sha: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    {
      name: 'two blocks',
      s: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      md5: '8215ef0796a20bcaaae116d3876c664a',
      sha: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    },
  ];
  for (const r of rows) {
    assert.equal(md5Hex(r.s), r.md5, r.name);
    assert.equal(sha256Hex(r.s), r.sha, r.name);
  }
});

test('child names follow kmeta.ChildName', () => {
  const long = 'pipelinerun-with-taskspec-to-echo-good-morning';
  const rows = [
    { name: 'short', got: taskRunName('pr', 'build'), want: 'pr-build' },
    { name: 'matrix', got: matrixTaskRunName('pr', 'build', 3), want: 'pr-build-3' },
    { name: 'exactly 63', got: childName('a'.repeat(57), '-build'), want: `${'a'.repeat(57)}-build` },
    { name: 'too long: parent truncated + md5(parent)', got: taskRunName(long, 'echo-good-morning'), want: `pipelinerun-w${md5Hex(long)}-echo-good-morning` },
  ];
  for (const r of rows) assert.equal(r.got, r.want, r.name);
  assert.ok(taskRunName(long, 'echo-good-morning').length <= 63);
  const parent = 'p'.repeat(40);
  const suffix = `-${'s'.repeat(40)}`;
  assert.equal(childName(parent, suffix), `${'p'.repeat(31)}${md5Hex(parent + suffix)}`, 'suffix longer than 31: all hashed');
  assert.equal(childName('p'.repeat(30), suffix), `${'p'.repeat(30)}${md5Hex('p'.repeat(30) + suffix)}`, 'a trailing dash is trimmed');
});

test('volumeClaimTemplate bindings become one claim per run (uid) and binding', () => {
  const uid = '8e9c6a8e-0d49-4a3c-9b8e-2f7c1d3b5a10';
  const rows = [
    // sha256("source" + uid) computed with sha256sum
    { name: 'no template name: pvc-', got: claimName(undefined, 'source', uid), want: 'pvc-d2124232d9' },
    { name: 'the template name is the prefix', got: claimName('data', 'source', uid), want: 'data-d2124232d9' },
    { name: 'an empty template name: pvc-', got: claimName('', 'source', uid), want: 'pvc-d2124232d9' },
    { name: 'another owner (same name, new uid): another claim', got: claimName(undefined, 'source', 'other-uid'), want: 'pvc-a052ac23b0' },
  ];
  for (const r of rows) assert.equal(r.got, r.want, r.name);
  assert.equal(claimName(undefined, 'ws', 'pr'), `pvc-${sha256Hex('wspr').slice(0, 10)}`);
});
