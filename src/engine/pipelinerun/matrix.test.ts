import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matrix } from '../../api/pipeline.types.ts';
import { fanOut, hasEmptyArray, isMatrixed, matrixTypeProblems } from './matrix.ts';

const asObjects = (m: Matrix) => fanOut(m).map((c) => Object.fromEntries(c));

test('fan-out: cartesian product, the later param varying slowest', () => {
  assert.deepEqual(asObjects({ params: [{ name: 'platform', value: ['linux', 'mac', 'windows'] }, { name: 'browser', value: ['chrome', 'safari'] }] }), [
    { platform: 'linux', browser: 'chrome' },
    { platform: 'mac', browser: 'chrome' },
    { platform: 'windows', browser: 'chrome' },
    { platform: 'linux', browser: 'safari' },
    { platform: 'mac', browser: 'safari' },
    { platform: 'windows', browser: 'safari' },
  ]);
});

test('include rules (pipelinerun-with-matrix-include.yaml)', () => {
  const m: Matrix = {
    params: [{ name: 'GOARCH', value: ['linux/amd64', 'linux/ppc64le', 'linux/s390x'] }, { name: 'version', value: ['go1.17', 'go1.18.1'] }],
    include: [
      { name: 'common-package', params: [{ name: 'package', value: 'path/to/common/package/' }] },
      { name: 's390x-no-race', params: [{ name: 'GOARCH', value: 'linux/s390x' }, { name: 'flags', value: '-cover -v' }] },
      { name: 'go117-context', params: [{ name: 'version', value: 'go1.17' }, { name: 'context', value: 'path/to/go117/context' }] },
      { name: 'non-existent-arch', params: [{ name: 'GOARCH', value: 'I-do-not-exist' }] },
    ],
  };
  const pkg = 'path/to/common/package/';
  const ctx = 'path/to/go117/context';
  assert.deepEqual(asObjects(m), [
    { GOARCH: 'linux/amd64', version: 'go1.17', package: pkg, context: ctx },
    { GOARCH: 'linux/ppc64le', version: 'go1.17', package: pkg, context: ctx },
    { GOARCH: 'linux/s390x', version: 'go1.17', package: pkg, flags: '-cover -v', context: ctx },
    { GOARCH: 'linux/amd64', version: 'go1.18.1', package: pkg },
    { GOARCH: 'linux/ppc64le', version: 'go1.18.1', package: pkg },
    { GOARCH: 'linux/s390x', version: 'go1.18.1', package: pkg, flags: '-cover -v' },
    { GOARCH: 'I-do-not-exist' },
  ]);
});

test('include-only matrices give explicit combinations', () => {
  const m: Matrix = { include: [{ name: 'b1', params: [{ name: 'IMAGE', value: 'i1' }] }, { name: 'b2', params: [{ name: 'IMAGE', value: 'i2' }, { name: 'D', value: 'd' }] }] };
  assert.deepEqual(asObjects(m), [{ IMAGE: 'i1' }, { IMAGE: 'i2', D: 'd' }]);
});

test('matrix predicates', () => {
  const rows = [
    { name: 'no matrix', m: undefined, matrixed: false, empty: false, problems: 0 },
    { name: 'empty matrix', m: {}, matrixed: false, empty: false, problems: 0 },
    { name: 'empty array', m: { params: [{ name: 'v', value: [] }] }, matrixed: true, empty: true, problems: 0 },
    { name: 'string where an array is needed', m: { params: [{ name: 'v', value: 'x' }] }, matrixed: true, empty: false, problems: 1 },
    { name: 'array include param', m: { include: [{ params: [{ name: 'v', value: ['x'] }] }] }, matrixed: true, empty: false, problems: 1 },
  ];
  for (const r of rows) {
    assert.equal(isMatrixed(r.m as Matrix | undefined), r.matrixed, r.name);
    assert.equal(hasEmptyArray(r.m as Matrix | undefined), r.empty, r.name);
    assert.equal(matrixTypeProblems('t', r.m as Matrix | undefined).length, r.problems, r.name);
  }
});
