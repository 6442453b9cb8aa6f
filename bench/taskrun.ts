// TaskRun benchmarks: no-op TaskRuns through the engine in-process, beside the very same step
// processes (same argv, env, sandbox) started directly, and `kiln run` end to end.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../src/api/meta.ts';
import { TASKRUN } from '../src/api/registry.ts';
import { createTaskRunController } from '../src/controllers/taskrun/controller.ts';
import { createProcessExecutor } from '../src/executor/process/executor.ts';
import type { SpawnTrace } from '../src/executor/process/launch.ts';
import { createMemoryStore } from '../src/store/memory.ts';
import { startNetwork } from '../src/executor/process/network.ts';
import { joins, networkTools, rejoin, restoreBinds, runDirect } from './replay.ts';
import { sandboxCost, sandboxCostRows } from './sandboxcost.ts';

export interface Row { name: string; value: string; note?: string }

const now = () => performance.now();

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function noopTaskRun(name: string, steps: number): KObject {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'TaskRun',
    metadata: { name, namespace: 'bench' },
    spec: { taskSpec: { steps: Array.from({ length: steps }, (_, i) => ({ name: `s${i}`, image: 'busybox', command: ['true'] })) } },
  };
}

/** One no-op TaskRun of `steps` steps through store + controller + executor; ms until Succeeded. */
async function engineRuns(steps: number, iterations: number): Promise<{ ms: number[]; traces: SpawnTrace[][] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiln-bench-'));
  let current: SpawnTrace[] = [];
  const executor = createProcessExecutor({ dataDir, trace: (t) => current.push(t) });
  const store = createMemoryStore();
  const controller = createTaskRunController({ store, executor, workers: 2 });
  await controller.start();
  const ms: number[] = [];
  const traces: SpawnTrace[][] = [];
  try {
    for (let i = 0; i < iterations + 1; i++) {
      current = [];
      const name = `noop-${steps}-${i}`;
      const watch = store.watch(TASKRUN, { namespace: 'bench' });
      const t0 = now();
      await store.create(TASKRUN, noopTaskRun(name, steps));
      for await (const ev of watch) {
        const st = ev.object.status as { conditions?: Array<{ status: string; reason?: string }> } | undefined;
        const c = ev.object.metadata.name === name ? st?.conditions?.[0] : undefined;
        if (c && c.status !== 'Unknown') {
          if (c.status !== 'True') throw new Error(`bench TaskRun ${name} failed: ${c.reason}`);
          break;
        }
      }
      const took = now() - t0;
      watch.stop();
      if (i > 0) { ms.push(took); traces.push(current); } // the first run warms up
    }
  } finally {
    await controller.stop();
    await executor.close();
    await store.close();
  }
  return { ms, traces };
}

/**
 * The same step processes, started one after the other directly; ms per TaskRun's worth,
 * including a fresh attempt network when the recorded steps joined one (as the executor makes).
 */
async function directRuns(traces: SpawnTrace[][]): Promise<number[]> {
  const out: number[] = [];
  restoreBinds(traces.flat());
  const tools = networkTools();
  for (const run of traces) {
    const t0 = now();
    const net = tools && run.some(joins) ? await startNetwork(tools) : undefined;
    try {
      for (const t of run) await runDirect(rejoin(t, net));
    } finally {
      net?.stop();
    }
    out.push(now() - t0);
  }
  return out;
}

async function kilnRunEndToEnd(iterations: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-e2e-'));
  const file = join(dir, 'noop.yaml');
  writeFileSync(file, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: noop}\nspec:\n  steps: [{name: noop, image: busybox, command: ["true"]}]\n');
  const bin = join(import.meta.dirname, '../bin/kiln.mjs');
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = now();
    await new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, [bin, 'run', '-f', file, '--data-dir', join(dir, 'data')], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kiln run exited ${code}`))));
    });
    out.push(now() - t0);
  }
  return out;
}

async function nodeStart(iterations: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = now();
    await new Promise<void>((resolve) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('exit', () => resolve()));
    out.push(now() - t0);
  }
  return out;
}

const f = (ms: number) => `${ms.toFixed(1)} ms`;

export async function taskRunBench(opts: { iterations: number }): Promise<Row[]> {
  const n = opts.iterations;
  const e1 = await engineRuns(1, n);
  const e20 = await engineRuns(20, Math.max(3, Math.ceil(n / 2)));
  const d1 = await directRuns(e1.traces);
  const d20 = await directRuns(e20.traces);
  const [E1, E20, D1, D20] = [median(e1.ms), median(e20.ms), median(d1), median(d20)];
  const perStep = (E20 - D20 - (E1 - D1)) / 19;
  const e2e = median(await kilnRunEndToEnd(Math.max(3, Math.ceil(n / 2))));
  const node = median(await nodeStart(5));
  const costRows = sandboxCostRows(await sandboxCost(e1.traces[0][0], Math.max(21, n * 4)));
  return [
    { name: '1-step no-op TaskRun, engine in-process', value: f(E1) },
    { name: '  same step process started directly (same sandbox)', value: f(D1) },
    { name: '  engine overhead per TaskRun', value: f(E1 - D1), note: 'target ≤ 20 ms' },
    { name: '20-step no-op TaskRun, engine in-process', value: f(E20) },
    { name: '  same 20 step processes started directly', value: f(D20) },
    { name: '  engine overhead per extra step', value: f(perStep), note: 'target ≤ 3 ms' },
    { name: '`kiln run` 1-step Task end to end (process start included)', value: f(e2e) },
    { name: '  `node -e 0` for reference', value: f(node) },
    ...costRows,
  ];
}

/** Only the sandbox's per-step cost (`--only sandbox`): one recorded no-op step, replayed `rounds` times per variant. */
export async function sandboxBench(opts: { rounds: number }): Promise<Row[]> {
  const e1 = await engineRuns(1, 1);
  restoreBinds(e1.traces[0]);
  return sandboxCostRows(await sandboxCost(e1.traces[0][0], opts.rounds));
}
