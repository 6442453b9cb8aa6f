import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.ts';

test('parseDuration: Go duration syntax in milliseconds', async (t) => {
  const cases: Array<{ name: string; in: string; want: number | undefined }> = [
    { name: 'zero', in: '0', want: 0 },
    { name: 'seconds', in: '10s', want: 10_000 },
    { name: 'milliseconds', in: '500ms', want: 500 },
    { name: 'hours and minutes', in: '1h30m', want: 5_400_000 },
    { name: 'fraction', in: '1.5h', want: 5_400_000 },
    { name: 'leading dot', in: '.5s', want: 500 },
    { name: 'trailing dot', in: '1.s', want: 1000 },
    { name: 'all units', in: '1h1m1s1ms1000us1000000ns', want: 3_661_003 },
    { name: 'micro sign', in: '1000µs', want: 1 },
    { name: 'negative', in: '-2m', want: -120_000 },
    { name: 'plus sign', in: '+1s', want: 1000 },
    { name: 'zero with unit', in: '0s', want: 0 },
    { name: 'empty', in: '', want: undefined },
    { name: 'no unit', in: '10', want: undefined },
    { name: 'unknown unit', in: '1d', want: undefined },
    { name: 'bare unit', in: 'h', want: undefined },
    { name: 'just a dot', in: '.s', want: undefined },
    { name: 'spaces', in: '1 h', want: undefined },
    { name: 'sign only', in: '-', want: undefined },
    { name: 'trailing garbage', in: '1hx', want: undefined },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(parseDuration(c.in), c.want));
});

test('formatDuration: like time.Duration.String', async (t) => {
  const cases = [
    { name: 'zero', in: 0, want: '0s' },
    { name: 'ms', in: 500, want: '500ms' },
    { name: 'seconds', in: 1500, want: '1.5s' },
    { name: 'minutes', in: 90_000, want: '1m30s' },
    { name: 'hour', in: 3_600_000, want: '1h0m0s' },
    { name: 'negative', in: -60_000, want: '-1m0s' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(formatDuration(c.in), c.want));
});
