// `npm run bench`: every benchmark, one table.
// Usage: node bench/run.ts [--iterations N] [--only taskrun|sandbox|pipeline|api|triggers|gitops|podman|resolution|dashboard|replicas] [--markdown]
//        [--pipeline-tasks 200,2000]  (pipeline sizes whose per-task cost is compared)
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { sandboxBench, taskRunBench, type Row } from './taskrun.ts';
import { pipelineBench } from './pipeline.ts';
import { apiBench } from './api.ts';
import { triggersBench } from './triggers.ts';
import { gitopsBench } from './gitops.ts';
import { podmanBench } from './podman.ts';
import { resolutionBench } from './resolution.ts';
import { dashboardBench, dashboardSkip } from './dashboard.ts';
import { replicasBench } from './replicas.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

function sandboxNote(): string {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
    return 'steps sandboxed with bwrap';
  } catch {
    return 'no bwrap: steps as plain processes';
  }
}

const iterations = Number(arg('--iterations', '20'));
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${sandboxNote()}`;
const only = arg('--only', '');
const pipelineTasks = arg('--pipeline-tasks', '200,2000').split(',').filter(Boolean).map(Number);
const rows: Row[] = [
  ...(only === '' || only === 'taskrun' ? await taskRunBench({ iterations }) : []),
  // the taskrun rows include these; alone: `--only sandbox --iterations N` replays each variant 4N+1 times
  ...(only === 'sandbox' ? await sandboxBench({ rounds: Math.max(21, iterations * 4 + 1) }) : []),
  ...(only === '' || only === 'pipeline' ? await pipelineBench({ sizes: pipelineTasks }) : []),
  ...(only === '' || only === 'api' ? await apiBench() : []),
  ...(only === '' || only === 'triggers' ? await triggersBench() : []),
  ...(only === '' || only === 'gitops' ? await gitopsBench({ apps: Number(arg('--gitops-apps', '1000')) }) : []),
  ...(only === '' || only === 'podman' ? await podmanBench({ iterations: Math.min(iterations, 10) }) : []),
  ...(only === '' || only === 'resolution' ? await resolutionBench() : []),
  ...(only === '' || only === 'dashboard' ? await dashboardRows() : []),
  ...(only === '' || only === 'replicas' ? await replicasBench({ runs: Number(arg('--replica-runs', '200')) }) : []),
];

/** The dashboard rows, or one row saying why they were skipped (no chromium, no built dashboard). */
async function dashboardRows(): Promise<Row[]> {
  const skip = dashboardSkip();
  if (skip) return [{ name: 'dashboard', value: 'skipped', note: skip }];
  return dashboardBench({ iterations: Math.min(iterations, 5) });
}

const width = Math.max(...rows.map((r) => r.name.length));
if (process.argv.includes('--markdown')) {
  console.log(`Machine: ${machine}\n\n| benchmark | median | note |\n|---|---:|---|`);
  for (const r of rows) console.log(`| ${r.name.replace(/^ +/, '↳ ')} | ${r.value} | ${r.note ?? ''} |`);
} else {
  console.log(`machine: ${machine}`);
  for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.value.padStart(10)}  ${r.note ?? ''}`);
}
