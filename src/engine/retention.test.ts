import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runsToPrune, type FinishedRun } from './retention.ts';

const day = 86_400_000;
const now = Date.parse('2026-01-10T00:00:00Z');
const run = (name: string, group: string, daysAgo: number, namespace = 'default'): FinishedRun => ({ namespace, name, group, completionTime: new Date(now - daysAgo * day).toISOString() });

describe('runsToPrune', () => {
  const runs = [run('a1', 'pipeline/a', 1), run('a2', 'pipeline/a', 2), run('a3', 'pipeline/a', 3), run('b1', 'pipeline/b', 8), run('c1', 'pipeline/a', 9, 'other')];
  const cases = [
    { name: 'no policy prunes nothing', policy: {}, want: [] },
    { name: 'keep the last 2 per pipeline and namespace', policy: { keepLast: 2 }, want: ['a3'] },
    { name: 'keep 0 prunes every finished run', policy: { keepLast: 0 }, want: ['c1', 'b1', 'a3', 'a2', 'a1'] },
    { name: 'older than 7 days', policy: { maxAgeDays: 7 }, want: ['c1', 'b1'] },
    { name: 'both: the union, oldest first', policy: { keepLast: 2, maxAgeDays: 7 }, want: ['c1', 'b1', 'a3'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(runsToPrune(runs, c.policy, now).map((r) => r.name), c.want));
});
