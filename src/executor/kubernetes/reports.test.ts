// Report files on a Pod: the report container's lines run for real (busybox sh under bwrap, the
// volume bound where the Pod mounts it), and what kiln makes of their output compared with what
// the process executor reads from the same directory — the same files, order, words and bounds.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionPlan, PlanReportFiles } from '../executor.ts';
import { TrustedDirs } from '../process/beneath.ts';
import { createWhich } from '../process/host.ts';
import { readReportFiles, REPORT_LIMITS } from '../process/reports.ts';
import type { ReportLimits } from '../process/reports.ts';
import { parseReportFiles, reportLines, reportMount, reportMounts } from './reports.ts';

const BWRAP = createWhich()('bwrap', process.env.PATH);
const BUSYBOX = existsSync('/usr/bin/busybox') ? '/usr/bin/busybox' : existsSync('/bin/busybox') ? '/bin/busybox' : undefined;
const SKIP = !BWRAP ? 'bwrap is not installed' : !BUSYBOX ? 'busybox is not installed' : false;
const top = mkdtempSync(join(tmpdir(), 'kiln-k8s-reports-'));
after(() => rmSync(top, { recursive: true, force: true }));
let n = 0;

const plan = (reportFiles: PlanReportFiles[]): ExecutionPlan => ({ id: 'n/t/0', namespace: 'n', taskRunName: 't', steps: [], sidecars: [], volumes: [{ name: 'ws', source: { type: 'emptyDir' } }], results: [], reportFiles });

/** A volume directory with `files` (relative path → content; a `->` value makes a link). */
function volume(files: Record<string, string>): string {
  const dir = join(top, `vol${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    if (text.startsWith('->')) symlinkSync(text.slice(2), join(dir, rel));
    else writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** The report container's lines for `p`, run with `dir` mounted as the Pod mounts it; kiln's reading of their output. */
function onPod(dir: string, p: ExecutionPlan, limits: ReportLimits = REPORT_LIMITS) {
  const binds = reportMounts(p).flatMap((m) => ['--ro-bind', join(dir, String(m.subPath ?? '')), String(m.mountPath)]);
  const r = spawnSync(BWRAP!, ['--ro-bind', BUSYBOX!, '/bin/busybox', '--dev', '/dev', '--proc', '/proc', ...binds, '--unshare-pid', '--die-with-parent', '/bin/busybox', 'sh', '-c', reportLines(p, limits).join('\n')], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.stderr, '');
  return parseReportFiles(r.stdout, p, limits);
}

async function onProcess(dir: string, p: ExecutionPlan, limits: ReportLimits = REPORT_LIMITS) {
  const trusted = new TrustedDirs();
  try {
    return await readReportFiles(p.reportFiles!, new Map([['ws', dir]]), trusted, limits);
  } finally {
    trusted.close();
  }
}

describe('report files on a Pod read as the process executor reads them', { skip: SKIP }, () => {
  const cases: Array<{ name: string; files: Record<string, string>; specs: Array<Partial<PlanReportFiles>>; limits?: Partial<ReportLimits> }> = [
    { name: 'a glob at a subPath; links refused; ** at any depth', files: { 'app/r/a.xml': '<a/>', 'app/r/x.xml': '->/etc/passwd', 'app/r/deep/b.xml': '<b/>', 'app/r/deep/er/c.xml': '<c/>', 'app/r/n.txt': 'n' }, specs: [{ subPath: 'app', pattern: 'r/**/*.xml' }] },
    { name: 'a linked directory on the way is refused, not followed', files: { 'r/ok.xml': '1', 'r2': '->/etc', 'x/y.xml': '2' }, specs: [{ pattern: 'r2/*' }, { pattern: '*/y.xml' }, { pattern: 'r/*.xml' }] },
    { name: 'nothing matches; an unknown volume; a subPath out of the volume', files: { 'a.txt': '' }, specs: [{ pattern: '*.xml' }, { volume: 'nope', pattern: '*.xml' }, { subPath: '../up', pattern: '*.xml' }] },
    { name: 'names with spaces and glob characters are literal', files: { 'a [1].xml': 'x', 'a 1.xml': 'y', 'q?.xml': 'z' }, specs: [{ pattern: 'a [1].xml' }, { pattern: 'q?.xml' }, { pattern: 'a ?.xml' }] },
    { name: 'files of the same name elsewhere are no candidates; ** first', files: { 'o/1.xml': '', 'o/2.xml': '', 'o/3.xml': '', 'r/a.xml': 'a', 'r/s/b.xml': 'b' }, specs: [{ pattern: 'r/*.xml' }, { pattern: '**/b.xml' }, { pattern: 'r/**/s/b.xml' }], limits: { maxFiles: 3 } },
    { name: 'the bounds: files, bytes per file, bytes in all', files: { 'a.xml': '12345', 'b.xml': '123456789012', 'c.xml': '1', 'd.xml': '22', 'e.xml': '1' }, specs: [{ pattern: '*.xml' }], limits: { maxFiles: 4, maxFileBytes: 10, maxTotalBytes: 8 } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = volume(c.files);
      const p = plan(c.specs.map((s) => ({ volume: 'ws', mountPath: '/workspace/src', pattern: '*.xml', ...s })));
      const limits = { ...REPORT_LIMITS, ...c.limits };
      const want = await onProcess(dir, p, limits);
      assert.ok(want.length > 0);
      assert.deepEqual(onPod(dir, p, limits), want);
    });
  }
});

test('a listing over the entry bound is refused as a whole', () => {
  const p = plan([{ volume: 'ws', mountPath: '/w', pattern: '*.xml' }]);
  const log = Array.from({ length: 4 }, (_, i) => `kiln-report-entry 0 f ${Buffer.from(`${i}.xml`).toString('base64')}`).join('\n');
  assert.deepEqual(parseReportFiles(log, p, { ...REPORT_LIMITS, maxEntries: 3 }), [{ path: '/w/*.xml', error: 'over the 3 directory entries kiln looks at for reports' }]);
  assert.equal(reportMount(2), '/kiln/reports/2');
});
