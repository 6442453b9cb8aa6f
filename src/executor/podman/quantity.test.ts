import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuLimit, memoryLimit, parseQuantity } from './quantity.ts';

test('parseQuantity reads Kubernetes quantities', function () {
  const rows: { name: string; q: string | number; want: number | undefined }[] = [
    { name: 'millicores', q: '500m', want: 0.5 },
    { name: 'plain', q: '2', want: 2 },
    { name: 'decimal', q: '1.5', want: 1.5 },
    { name: 'binary suffix', q: '64Mi', want: 64 * 2 ** 20 },
    { name: 'fractional binary', q: '1.5Gi', want: 1.5 * 2 ** 30 },
    { name: 'decimal suffix', q: '1G', want: 1e9 },
    { name: 'lower-case k', q: '10k', want: 10_000 },
    { name: 'exponent', q: '12e6', want: 12e6 },
    { name: 'number', q: 3, want: 3 },
    { name: 'garbage', q: 'lots', want: undefined },
    { name: 'unit alone', q: 'Mi', want: undefined },
    { name: 'unknown unit', q: '1Xi', want: undefined },
    { name: 'negative', q: '-1', want: undefined },
  ];
  for (const r of rows) assert.equal(parseQuantity(r.q), r.want, r.name);
});

test('cpuLimit and memoryLimit give podman values or name the bad value', function () {
  assert.deepEqual(cpuLimit('250m'), { value: '0.25' });
  assert.deepEqual(cpuLimit('1'), { value: '1' });
  assert.deepEqual(cpuLimit('0.0001'), { value: '0.001' });
  assert.deepEqual(cpuLimit('0'), { error: 'cpu limit "0" is not a positive quantity (e.g. "500m", "2")' });
  assert.deepEqual(memoryLimit('64Mi'), { value: '67108864' });
  assert.deepEqual(memoryLimit('1.5k'), { value: '1500' });
  assert.deepEqual(memoryLimit('big'), { error: 'memory limit "big" is not a positive quantity of bytes (e.g. "64Mi", "1G")' });
});
