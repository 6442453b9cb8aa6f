import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanReportFiles } from '../executor.ts';
import { LINK_REFUSED, TrustedDirs } from './beneath.ts';
import { readReportFiles, REPORT_LIMITS } from './reports.ts';

const top = mkdtempSync(join(tmpdir(), 'kiln-reports-'));
after(() => rmSync(top, { recursive: true, force: true }));
let n = 0;

/** A workspace volume directory with `files` (relative path → content), and a host secret beside it. */
function volume(files: Record<string, string>): { dir: string; secret: string } {
  const dir = join(top, `vol${n}`);
  const secret = join(top, `host${n++}`);
  mkdirSync(secret, { recursive: true });
  writeFileSync(join(secret, 'key.xml'), '<testsuite name="stolen"/>');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  mkdirSync(dir, { recursive: true });
  return { dir, secret };
}

async function read(dir: string, specs: Array<Partial<PlanReportFiles>>, limits = REPORT_LIMITS) {
  const trusted = new TrustedDirs();
  try {
    const full = specs.map((s) => ({ volume: 'ws-source', mountPath: '/workspace/source', pattern: '*.xml', ...s }));
    return await readReportFiles(full, new Map([['ws-source', dir]]), trusted, limits);
  } finally {
    trusted.close();
  }
}

test('the files a glob matches are read in name order, shown where the steps saw them; other files are not', async () => {
  const { dir } = volume({ 'reports/b.xml': '<b/>', 'reports/a.xml': '<a/>', 'reports/notes.txt': 'x', 'other/c.xml': '<c/>' });
  assert.deepEqual(await read(dir, [{ pattern: 'reports/*.xml' }]), [
    { path: '/workspace/source/reports/a.xml', text: '<a/>' },
    { path: '/workspace/source/reports/b.xml', text: '<b/>' },
  ]);
});

test('"**" matches any directories (none too); a subPath binding is honoured; one file matched twice is read once', async () => {
  const { dir } = volume({ 'app/TEST-top.xml': '1', 'app/build/x/TEST-deep.xml': '2', 'app/build/x/other.xml': '3', 'elsewhere/TEST-no.xml': '4' });
  const got = await read(dir, [{ subPath: 'app', pattern: '**/TEST-*.xml' }, { subPath: 'app', pattern: 'TEST-top.xml' }]);
  assert.deepEqual(got, [
    { path: '/workspace/source/TEST-top.xml', text: '1' },
    { path: '/workspace/source/build/x/TEST-deep.xml', text: '2' },
  ]);
});

test('a link a step planted (as a report or as a directory on the way) is reported, never followed', async () => {
  const { dir, secret } = volume({ 'reports/ok.xml': '<ok/>' });
  symlinkSync(join(secret, 'key.xml'), join(dir, 'reports', 'evil.xml'));
  symlinkSync(secret, join(dir, 'linked'));
  const got = await read(dir, [{ pattern: 'reports/*.xml' }, { pattern: 'linked/*.xml' }, { pattern: '**/key.xml' }]);
  assert.deepEqual(got, [
    { path: '/workspace/source/reports/evil.xml', error: LINK_REFUSED },
    { path: '/workspace/source/reports/ok.xml', text: '<ok/>' },
    { path: '/workspace/source/linked', error: LINK_REFUSED },
    { path: '/workspace/source/**/key.xml', error: 'no file matches' },
  ]);
  assert.ok(!JSON.stringify(got).includes('stolen'));
});

test('sizes and counts are capped: a file too large, files beyond the count, bytes beyond the total are reported unread', async () => {
  const { dir } = volume({ 'r/a.xml': 'a'.repeat(10), 'r/b.xml': 'b'.repeat(11), 'r/c.xml': 'c'.repeat(8), 'r/d.xml': 'd', 'r/e.xml': 'e' });
  const got = await read(dir, [{ pattern: 'r/*.xml' }], { maxFiles: 4, maxFileBytes: 10, maxTotalBytes: 15, maxEntries: 100 });
  assert.deepEqual(got, [
    { path: '/workspace/source/r/a.xml', text: 'a'.repeat(10) },
    { path: '/workspace/source/r/b.xml', error: 'not read: is larger than 10 bytes' },
    { path: '/workspace/source/r/c.xml', error: 'not read: over the 15 bytes of reports kiln reads per TaskRun' },
    { path: '/workspace/source/r/d.xml', text: 'd' },
    { path: '/workspace/source/r/e.xml', error: 'not read: over the 4 report files kiln reads per TaskRun' },
  ]);
  const many = volume(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`deep/d${i}/x.txt`, 'x'])));
  const [walked] = await read(many.dir, [{ pattern: '**/TEST.xml' }], { ...REPORT_LIMITS, maxEntries: 20 });
  assert.match(walked.error ?? '', /over the 20 directory entries/);
});

test('a FIFO matched is skipped without blocking; a missing directory or a pattern that matches nothing is reported; no descriptor leaks', async () => {
  const { dir } = volume({ 'r/keep.txt': '' });
  execFileSync('mkfifo', [join(dir, 'r', 'pipe.xml')]);
  const before = readdirSync('/proc/self/fd').length;
  assert.deepEqual(await read(dir, [{ pattern: 'r/*.xml' }, { pattern: 'nowhere/*.xml' }]), [
    { path: '/workspace/source/r/*.xml', error: 'no file matches' },
    { path: '/workspace/source/nowhere/*.xml', error: 'no file matches' },
  ]);
  assert.deepEqual(await read(dir, [{ subPath: 'gone', pattern: 'x.xml' }]), [{ path: '/workspace/source/gone', error: 'does not exist' }]);
  assert.equal(readdirSync('/proc/self/fd').length, before);
});
