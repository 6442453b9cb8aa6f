import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitopsConformanceCommand, summaryLines, type CaseResult } from './conformance-gitops.ts';

const results: CaseResult[] = [
  { file: 'health/expected-core.json', id: 'a.yaml', verdict: 'PASS', message: '' },
  { file: 'health/expected-core.json', id: 'b.yaml', verdict: 'FAIL', message: 'want Healthy, got Degraded ""' },
  { file: 'diff/expected-diff.json', id: 'TestX', verdict: 'UNSUPPORTED', message: 'x: not found' },
];

async function run(ratchetLines?: string[]) {
  const out: string[] = [], err: string[] = [];
  let ratchet: string | undefined;
  if (ratchetLines) {
    ratchet = join(mkdtempSync(join(tmpdir(), 'kiln-ratchet-')), 'r.txt');
    writeFileSync(ratchet, ['# comment', ...ratchetLines].join('\n'));
  }
  const code = await gitopsConformanceCommand({ dir: 'd', json: false, ratchet, run: async () => results, out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

test('summaryLines: counts per fixture file', () => {
  assert.deepEqual(summaryLines(results), [
    'health/expected-core.json: 1 passed, 1 failed, 0 unsupported (of 2)',
    'diff/expected-diff.json: 0 passed, 0 failed, 1 unsupported (of 1)',
  ]);
});

const cases: { name: string; ratchet?: string[]; code: number; err: string[] }[] = [
  { name: 'without a ratchet any failure fails', code: 1, err: [] },
  { name: 'a ratchet listing only passing cases passes', ratchet: ['health/expected-core.json::a.yaml'], code: 0, err: [] },
  { name: 'a listed case that fails is a regression', ratchet: ['health/expected-core.json::a.yaml', 'health/expected-core.json::b.yaml'], code: 1, err: ['ratchet: health/expected-core.json::b.yaml is in RATCHET but did not pass (FAIL: want Healthy, got Degraded "")'] },
  { name: 'a passing case not listed is reported', ratchet: [], code: 0, err: ['ratchet: health/expected-core.json::a.yaml passes but is not in RATCHET: add it'] },
];
for (const c of cases) {
  test(`gitopsConformanceCommand: ${c.name}`, async () => {
    const r = await run(c.ratchet);
    assert.equal(r.code, c.code);
    assert.deepEqual(r.err.map((e) => e.replace(/\S*r\.txt/, 'RATCHET')), c.err);
    assert.equal(r.out.at(-1), '1 passed, 1 failed, 1 skipped');
    assert.ok(r.out.includes('FAIL health/expected-core.json::b.yaml (want Healthy, got Degraded "")'));
  });
}

test('kiln conformance gitops DIR --ratchet FILE reaches the runner through the CLI (options after the directory too)', async () => {
  const { runCli } = await import('./main.ts');
  const out: string[] = [], err: string[] = [];
  const seen: string[] = [];
  const ratchet = join(mkdtempSync(join(tmpdir(), 'kiln-ratchet-')), 'r.txt');
  writeFileSync(ratchet, 'health/expected-core.json::b.yaml\n');
  const code = await runCli(['conformance', 'gitops', 'fixtures', '--ratchet', ratchet], {
    local: async () => { throw new Error('not used'); },
    gitopsConformance: async (dir) => { seen.push(dir); return results; },
    writers: { out: (s) => out.push(s), err: (s) => err.push(s) },
  });
  assert.deepEqual(seen, ['fixtures']);
  assert.equal(code, 1);
  assert.match(err.join('\n'), /ratchet: health\/expected-core\.json::b\.yaml is in .* but did not pass/);
});
