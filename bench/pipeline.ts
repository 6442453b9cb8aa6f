// Pipeline scheduling benchmark: a 200-task fan-out/fan-in pipeline of no-op steps through the
// engine in-process, beside `make -j2` running the same DAG with the same step command lines
// (the sandboxed processes kiln started, recorded and replayed), so the ratio is kiln's own cost.
// Then the same shape at 200 and 2,000 tasks, per task: kiln's cost must not grow with the width.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../src/api/meta.ts';
import { PIPELINERUN } from '../src/api/registry.ts';
import { createPipelineRunController } from '../src/controllers/pipelinerun/controller.ts';
import { createTaskRunController } from '../src/controllers/taskrun/controller.ts';
import { createProcessExecutor } from '../src/executor/process/executor.ts';
import type { SpawnTrace } from '../src/executor/process/launch.ts';
import { forShell } from './replay.ts';
import { createMemoryStore } from '../src/store/memory.ts';
import { createInstantExecutor } from './instant.ts';
import type { Row } from './taskrun.ts';

const TASKS = 200;
const PARALLEL = 2;

/** The names of the fanned-out tasks of a pipeline of `tasks` tasks (start + these + end). */
function midsOf(tasks: number): string[] {
  return Array.from({ length: tasks - 2 }, (_, i) => `t${String(i).padStart(4, '0')}`);
}

function fanPipelineRun(name: string, tasks: number): KObject {
  const noop = { taskSpec: { steps: [{ name: 'noop', image: 'busybox', command: ['true'] }] } };
  const mids = midsOf(tasks);
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name, namespace: 'bench' },
    spec: {
      pipelineSpec: {
        tasks: [
          { name: 'start', ...noop },
          ...mids.map((m) => ({ name: m, runAfter: ['start'], ...noop })),
          { name: 'end', runAfter: mids, ...noop },
        ],
      },
    },
  };
}

/** Runs the pipeline of `tasks` tasks to its end; `instant`: steps take no time (kiln's own cost). */
export async function kilnRun(tasks: number, { instant = false } = {}): Promise<{ ms: number; traces: Map<string, SpawnTrace> }> {
  const traces = new Map<string, SpawnTrace>();
  const executor = instant ? createInstantExecutor() : createProcessExecutor({
    dataDir: mkdtempSync(join(tmpdir(), 'kiln-bench-p-')),
    // each step in a network of its own (--unshare-net): make replays the very same commands,
    // which could not join the per-attempt networks of --step-network=outside once kiln is done
    network: 'none',
    trace(t) {
      const m = /\/runs\/bench\/fan-([a-z0-9]+)-[0-9a-f]{8}\/attempt-0\//.exec(t.argv.join(' '));
      if (m) traces.set(m[1], t);
    },
  });
  const store = createMemoryStore();
  const taskruns = createTaskRunController({ store, executor, maxRunning: PARALLEL, workers: 4 });
  const pipelineruns = createPipelineRunController({ store });
  await Promise.all([taskruns.start(), pipelineruns.start()]);
  try {
    const watch = store.watch(PIPELINERUN, { namespace: 'bench' });
    const t0 = performance.now();
    await store.create(PIPELINERUN, fanPipelineRun('fan', tasks));
    for await (const ev of watch) {
      const c = (ev.object.status as { conditions?: Array<{ status: string; reason?: string; message?: string }> } | undefined)?.conditions?.[0];
      if (c && c.status !== 'Unknown') {
        if (c.status !== 'True') throw new Error(`bench PipelineRun failed: ${c.reason}: ${c.message}`);
        break;
      }
    }
    const ms = performance.now() - t0;
    watch.stop();
    return { ms, traces };
  } finally {
    await pipelineruns.stop();
    await taskruns.stop();
    await executor.close();
    await store.close();
  }
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function makefile(traces: Map<string, SpawnTrace>, tasks: number): string {
  const mids = midsOf(tasks);
  const recipe = (task: string) => {
    const t = traces.get(task);
    if (!t) throw new Error(`no recorded step for task ${task}`);
    const env = Object.entries(t.env).map(([k, v]) => q(`${k}=${v}`)).join(' ');
    // the descriptors it inherited (kiln-step-enter), reopened by the shell
    const { argv, redirections } = forShell(t);
    const redirect = redirections.map((r) => ` ${r.slice(0, r.indexOf('<') + 1)}${q(r.slice(r.indexOf('<') + 1))}`).join('');
    // `$` is make's: doubled, so the shell gets the recorded words as they were
    return `\tcd ${q(t.cwd)} && env -i ${env} ${argv.map(q).join(' ')}${redirect}`.replace(/\$/g, '$$$$');
  };
  const lines = ['.PHONY: start end ' + mids.join(' '), `end: ${mids.join(' ')}`, recipe('end'), ...mids.flatMap((m) => [`${m}: start`, recipe(m)]), 'start:', recipe('start')];
  return lines.join('\n') + '\n';
}

/**
 * Per-task cost of the fan-out/fan-in pipeline at each size, kiln only: with sandboxed no-op
 * steps, then with steps that take no time (what kiln itself costs per task).
 */
async function scalingRows(sizes: number[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const instant of [false, true]) {
    let first: number | undefined;
    for (const [i, tasks] of sizes.entries()) {
      const { ms } = await kilnRun(tasks, { instant });
      const per = ms / tasks;
      first ??= per;
      rows.push({
        name: `${i ? '  ' : ''}${tasks.toLocaleString('en-US')}-task fan-out/fan-in pipeline, kiln, per task${instant ? ', steps taking no time' : ''}`,
        value: `${per.toFixed(2)} ms`,
        note: i ? `${(per / first).toFixed(2)}× the ${sizes[0].toLocaleString('en-US')}-task rate; target ≤ 1.2×` : `${ms.toFixed(0)} ms in all`,
      });
    }
  }
  return rows;
}

/**
 * The 200-task pipeline beside make, then the per-task rate at each of `sizes` (default 200 and
 * 2,000 tasks).
 */
export async function pipelineBench({ sizes = [TASKS, 2000] }: { sizes?: number[] } = {}): Promise<Row[]> {
  if (!existsSync('/usr/bin/make') && spawnSync('make', ['--version']).status !== 0) return [{ name: '200-task fan-out/fan-in pipeline', value: 'skipped', note: 'make not installed' }];
  const kiln = await kilnRun(TASKS);
  // executors remove secret-bearing dirs when attempts end: put back what the binds need
  for (const t of kiln.traces.values()) t.argv.forEach((a, i) => { if (a === '--bind' && !existsSync(t.argv[i + 1])) mkdirSync(t.argv[i + 1], { recursive: true }); });
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-make-'));
  writeFileSync(join(dir, 'Makefile'), makefile(kiln.traces, TASKS));
  const t0 = performance.now();
  execFileSync('make', ['-s', `-j${PARALLEL}`, '-C', dir, 'end'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const make = performance.now() - t0;
  return [
    { name: `200-task fan-out/fan-in pipeline, kiln (${PARALLEL} TaskRuns at once)`, value: `${kiln.ms.toFixed(0)} ms`, note: "steps with --step-network=none, as make replays them" },
    { name: `  same DAG and sandboxed steps under make -j${PARALLEL}`, value: `${make.toFixed(0)} ms` },
    { name: '  ratio kiln / make', value: `${(kiln.ms / make).toFixed(2)}×`, note: 'target ≤ 2×' },
    ...(sizes.length ? await scalingRows(sizes) : []),
  ];
}
