import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, isConstraint, parseConstraint, parseVersion } from './semver.ts';

test('versions: dotted numbers, optional v, prerelease below its release', () => {
  assert.deepEqual(parseVersion('v1.2.3-rc.1+build'), { segments: [1, 2, 3], pre: 'rc.1' });
  assert.equal(parseVersion('1.x'), undefined);
  assert.equal(compareVersions('0.10', '0.9.0'), 1);
  assert.equal(compareVersions('0.10', '0.10.0'), 0);
  assert.equal(compareVersions('1.0.0-rc1', '1.0.0'), -1);
  assert.equal(compareVersions('junk', '0.1'), -1);
});

test('constraints: comma-separated terms, each operator', () => {
  const allows = (c: string, v: string) => {
    const p = parseConstraint(c);
    assert.ok(!('error' in p), c);
    return p.check(parseVersion(v)!);
  };
  assert.ok(allows('>= 0.5.0, < 0.7.0', '0.6.9') && !allows('>= 0.5.0, < 0.7.0', '0.7'));
  assert.ok(allows('0.9', '0.9.0') && allows('= 0.9', '0.9.0') && !allows('!= 0.9', '0.9.0'));
  assert.ok(allows('> 1', '1.0.1') && !allows('> 1', '1.0.0') && allows('<= 1', '1.0.0'));
  assert.ok(allows('~> 1.2', '1.9') && !allows('~> 1.2', '2.0') && allows('~> 1.2.3', '1.2.9') && !allows('~> 1.2.3', '1.3.0'));
  assert.deepEqual(parseConstraint('>= 1, <'), { error: '"<" is not a version constraint (OP VERSION, OP one of = != > < >= <= ~>)' });
  assert.ok(isConstraint('>= 1') && isConstraint('1, 2') && !isConstraint('0.10'));
});
