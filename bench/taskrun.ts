// TaskRun benchmarks: no-op TaskRuns through the engine in-process, beside the very same step
// processes (same argv, env, sandbox) started directly, and `kiln run` end to end.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../src/api/meta.ts';
import { TASKRUN } from '../src/api/registry.ts';
import { createTaskRunController } from '../src/controllers/taskrun/controller.ts';
import { createProcessExecutor } from '../src/executor/process/executor.ts';
import type { SpawnTrace } from '../src/executor/process/launch.ts';
import { createMemoryStore } from '../src/store/memory.ts';
import { startNetwork, type AttemptNetwork, type NetworkTools } from '../src/executor/process/network.ts';
import { createWhich } from '../src/executor/process/host.ts';

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

/** Runs argv to completion, resolving with nothing (exit status is checked). */
function runDirect(t: SpawnTrace): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(t.argv[0], t.argv.slice(1), { env: t.env, cwd: t.cwd, stdio: 'ignore', detached: true });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${t.argv.join(' ')} exited ${code}`))));
  });
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

/** The tools kiln's executor uses for attempt networks, found the same way. */
function networkTools(): NetworkTools | undefined {
  const which = createWhich();
  const [unshare, nsenter, busybox] = ['unshare', 'nsenter', 'busybox'].map((n) => which(n, process.env.PATH));
  if (!unshare || !nsenter || !busybox) return undefined;
  return { unshare, nsenter, busybox, slirp: which('slirp4netns', process.env.PATH), privileged: process.getuid?.() === 0 };
}

/** Where a recorded argv joined its attempt's network (`busybox nsenter -n… -F --`): the prefix length, or 0. */
function enterLength(argv: readonly string[]): number {
  return argv[1] === 'nsenter' ? argv.indexOf('--') + 1 : 0;
}

/** `t` joining `net` instead of the (gone) network it was recorded with. */
function rejoin(t: SpawnTrace, net: AttemptNetwork | undefined): SpawnTrace {
  const k = enterLength(t.argv);
  return k && net ? { ...t, argv: [...net.enter, ...t.argv.slice(k)] } : t;
}

/**
 * The same step processes, started one after the other directly; ms per TaskRun's worth,
 * including a fresh attempt network when the recorded steps joined one (as the executor makes).
 */
async function directRuns(traces: SpawnTrace[][]): Promise<number[]> {
  const out: number[] = [];
  // the executor removes secret-bearing dirs (creds/) when an attempt ends: put them back
  for (const t of traces.flat()) {
    t.argv.forEach((a, i) => { if (a === '--bind' && !existsSync(t.argv[i + 1])) mkdirSync(t.argv[i + 1], { recursive: true }); });
  }
  const tools = networkTools();
  for (const run of traces) {
    const t0 = now();
    const net = tools && run.some((t) => enterLength(t.argv)) ? await startNetwork(tools) : undefined;
    try {
      for (const t of run) await runDirect(rejoin(t, net));
    } finally {
      net?.stop();
    }
    out.push(now() - t0);
  }
  return out;
}

/** The recorded argv as the previous sandbox ran it: kiln's own network, no IPC/network namespace, no drop to the step user. */
function previousSandbox(argv: readonly string[]): string[] {
  const a = argv.slice(enterLength(argv));
  const sep = a.indexOf('--');
  const head = a.slice(0, sep).filter((x, i, all) => x !== '--unshare-ipc' && x !== '--unshare-net' && !(x === '--perms' || all[i - 1] === '--perms'));
  let rest = a.slice(sep + 1);
  if (rest[0]?.endsWith('setpriv')) rest = rest.slice(rest.indexOf('--') + 1);
  return [...head, '--', ...rest];
}

/**
 * Per-step cost of today's confinement beside the previous sandbox, replayed alternately in one
 * run: the same recorded no-op step as the previous sandbox ran it, confined with a network of
 * its own, and confined joining its attempt's network (the default with outside access).
 */
async function sandboxCost(trace: SpawnTrace, rounds: number): Promise<{ prev: number; own: number; joined: number } | undefined> {
  const tools = networkTools();
  if (!trace.argv[enterLength(trace.argv)]?.endsWith('bwrap') || !tools) return undefined;
  const net = await startNetwork(tools);
  const bw = trace.argv.slice(enterLength(trace.argv));
  const own = bw.includes('--unshare-net') ? bw : [...bw.slice(0, bw.indexOf('--')), '--unshare-ipc', '--unshare-net', ...bw.slice(bw.indexOf('--'))];
  // joined: the attempt's network and IPC namespaces entered with nsenter, as the executor runs a step then
  const variants = { prev: previousSandbox(trace.argv), own, joined: [...net.enter, ...own.filter((x) => x !== '--unshare-net' && x !== '--unshare-ipc')] };
  const ms: Record<keyof typeof variants, number[]> = { prev: [], own: [], joined: [] };
  try {
    for (let i = 0; i < rounds; i++) {
      for (const k of Object.keys(variants) as (keyof typeof variants)[]) {
        const t0 = now();
        await runDirect({ ...trace, argv: variants[k] });
        if (i > 0) ms[k].push(now() - t0);
      }
    }
  } finally {
    net.stop();
  }
  return { prev: median(ms.prev), own: median(ms.own), joined: median(ms.joined) };
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
  const cost = await sandboxCost(e1.traces[0][0], Math.max(21, n * 4));
  const costRows: Row[] = cost ? [
    { name: 'no-op step, previous sandbox (root with its capabilities, host network)', value: f(cost.prev), note: 'replayed alternately with the two rows below' },
    { name: '  confined, network of its own (allow-list, setpriv to the step user, IPC/net namespaces)', value: f(cost.own), note: `+${f(cost.own - cost.prev)}; target ≤ 1 ms more` },
    { name: '  confined, joining its attempt network (busybox nsenter first)', value: f(cost.joined), note: `+${f(cost.joined - cost.prev)}; the default with outside access` },
  ] : [];
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
