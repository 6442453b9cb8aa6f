// Controller replicas sharing one store (`node bench/replicas.ts [--runs 200] [--replicas 0,1,2,3]`,
// also `npm run bench -- --only replicas`): for each replica count, a fresh `kiln serve --api-only`
// as the store and that many `kiln serve --store kube` replicas (process executor, bwrap), then
// `runs` PipelineRuns of two no-op tasks in sequence created at once (and, for reference, the same
// on one `kiln serve` with its embedded SQLite store); the time from the first
// create to the last PipelineRun done gives PipelineRuns per minute and TaskRuns per second.
// Every run must succeed and every step run exactly once, or the row says what went wrong.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuns, executions, startEmbedded, startReplicaCluster, waitDone } from '../test/kube/replicas-harness.ts';
import type { Row } from './taskrun.ts';

/** Replica counts to measure; 0 is the embedded reference: one `kiln serve` with its SQLite store, no replicas. */
export async function replicasBench({ runs = 200, counts = [0, 1, 2, 3] }: { runs?: number; counts?: number[] } = {}): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of counts) {
    const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-bench-replicas-'));
    const rc = n === 0 ? await startEmbedded(base) : await startReplicaCluster(base, n, { leaseSeconds: 15 });
    try {
      const names = Array.from({ length: runs }, (_, i) => `run-${i}`);
      const t0 = performance.now();
      await createRuns(rc.cluster, names, rc.countDir);
      const created = performance.now() - t0;
      const states = await waitDone(rc.cluster, runs, 30 * 60_000);
      const ms = performance.now() - t0;
      const failed = states.filter((s) => s.status !== 'True').length;
      const ran = [...executions(rc.countDir).values()];
      const twice = ran.filter((c) => c !== 1).length;
      const problems = [failed ? `${failed} failed` : '', ran.length !== runs * 2 ? `${ran.length} of ${runs * 2} steps ran` : '', twice ? `${twice} steps ran more than once` : ''].filter(Boolean).join('; ');
      rows.push({
        name: n === 0 ? `${runs} PipelineRuns (2 tasks each), one kiln serve with SQLite (no replicas)` : `↳ ${n} replica${n > 1 ? 's' : ''} (--store kube) on a kiln serve --api-only`,
        value: `${(runs / (ms / 60_000)).toFixed(0)}/min`,
        note: `${(runs * 2 / (ms / 1000)).toFixed(1)} TaskRuns/s; ${(ms / 1000).toFixed(1)} s in all (creates ${(created / 1000).toFixed(1)} s)${problems ? `; ${problems}` : ''}`,
      });
    } finally {
      await rc.stop();
      rmSync(base, { recursive: true, force: true });
    }
  }
  return rows;
}

if (import.meta.main) {
  const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : dflt; };
  const rows = await replicasBench({ runs: Number(arg('--runs', '200')), counts: arg('--replicas', '0,1,2,3').split(',').map(Number) });
  for (const r of rows) console.log(`| ${r.name} | ${r.value} | ${r.note ?? ''} |`);
}
