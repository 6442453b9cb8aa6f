// The podman executor's overhead: a 1-step and a 5-step no-op TaskRun through store + controller +
// podman executor in-process, beside the same containers started with podman directly, alternately
// so both see the same machine. Two direct paths:
//   - replayed: the podman commands kiln itself ran for those containers (`pod create`, each step's
//     `run --rm` with its labels, binds and env file, `pod rm`), recorded once through a wrapper
//     script (never on the timed path) and run again with a fresh pod name; kiln's other podman
//     calls (its image check, the start-up sweep) are left out, so they count as kiln's overhead
//   - minimal: what one would type — `pod create`, `run --pod` per step (same image, network mode,
//     capabilities dropped, no-new-privileges), `pod rm`; no binds, no env file
// Both with kiln's containers.conf (CONTAINERS_CONF) and environment.
// Usage: node bench/podman.ts [--iterations 10]   (also `npm run bench -- --only podman`)
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KObject } from '../src/api/meta.ts';
import { TASKRUN } from '../src/api/registry.ts';
import { createTaskRunController } from '../src/controllers/taskrun/controller.ts';
import type { Executor } from '../src/executor/executor.ts';
import { createPodmanExecutor, podmanUnusable } from '../src/executor/podman/executor.ts';
import { podmanRun, podmanWith, type Podman } from '../src/executor/podman/cli.ts';
import { ensureBusyboxImage, notStatic } from '../src/executor/podman/testimage.ts';
import { createWhich } from '../src/executor/process/host.ts';
import { createMemoryStore } from '../src/store/memory.ts';
import { median, type Row } from './taskrun.ts';

const IMAGE = 'localhost/kiln-bench/busybox:latest';

function noopTaskRun(name: string, steps: number): KObject {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: 'bench' },
    spec: { taskSpec: { steps: Array.from({ length: steps }, (_, i) => ({ name: `s${i}`, image: IMAGE, imagePullPolicy: 'Never', command: ['true'] })) } },
  };
}

async function must(p: Podman, args: readonly string[]): Promise<void> {
  const r = await podmanRun(p, args);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr}`);
}

/** Store + TaskRun controller + `executor`; `run(steps)` times one no-op TaskRun from create to Succeeded. */
async function engine(executor: Executor): Promise<{ run: (steps: number) => Promise<number>; stop: () => Promise<void> }> {
  const store = createMemoryStore();
  const controller = createTaskRunController({ store, executor, workers: 1 });
  await controller.start();
  let n = 0;
  return {
    async run(steps) {
      const name = `noop-${steps}-${n++}`;
      const watch = store.watch(TASKRUN, { namespace: 'bench' });
      const t0 = performance.now();
      await store.create(TASKRUN, noopTaskRun(name, steps));
      for await (const ev of watch) {
        const c = ev.object.metadata.name === name ? (ev.object.status as { conditions?: Array<{ status: string; reason?: string; message?: string }> } | undefined)?.conditions?.[0] : undefined;
        if (c && c.status !== 'Unknown') {
          if (c.status !== 'True') throw new Error(`bench TaskRun ${name} failed: ${c.reason} ${c.message}`);
          break;
        }
      }
      watch.stop();
      return performance.now() - t0;
    },
    async stop() {
      await controller.stop();
      await executor.close();
      await store.close();
    },
  };
}

/**
 * A podman wrapper that appends each call's argv to `log` (args \x1f-separated, calls \x1e-terminated),
 * keeps a copy of each `--env-file` under `keep` (kiln removes them with the attempt) and execs `podman`.
 */
function recorder(dir: string, podman: string, log: string, keep: string): string {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const script = join(dir, 'podman-recorder.sh');
  writeFileSync(script, [
    '#!/bin/sh',
    `rec=$(for a in "$@"; do printf '%s\\037' "$a"; done)`,
    `printf '%s\\036' "$rec" >> ${q(log)}`,
    `prev=; for a in "$@"; do if [ "$prev" = --env-file ]; then mkdir -p ${q(keep)}"$(dirname "$a")" && cp "$a" ${q(keep)}"$a"; fi; prev=$a; done`,
    `exec ${q(podman)} "$@"`,
    '',
  ].join('\n'));
  chmodSync(script, 0o755);
  return script;
}

/** Puts back what kiln's recorded calls read and kiln removed after its attempt: env files (from `keep`), bind sources. */
function restoreFiles(calls: string[][], keep: string): void {
  for (const call of calls) {
    call.forEach((a, i) => {
      const next = call[i + 1];
      if (a === '--env-file' && next && !existsSync(next)) {
        mkdirSync(dirname(next), { recursive: true });
        copyFileSync(keep + next, next);
      }
      const src = a === '--mount' && next ? /(?:^|,)src=([^,]+)/.exec(next)?.[1] : undefined;
      if (src && !existsSync(src)) mkdirSync(src, { recursive: true });
    });
  }
}

/** kiln's podman calls for one attempt's containers: its `pod create`, `run`s and `pod rm`, in order; `dropped` names the rest. */
function containerCalls(log: string): { pod: string; calls: string[][]; dropped: string[] } {
  const all = readFileSync(log, 'utf8').split('\x1e').filter(Boolean).map((r) => r.split('\x1f').slice(0, -1));
  const kept = all.filter((a) => a[0] === 'run' || (a[0] === 'pod' && (a[1] === 'create' || a[1] === 'rm')));
  const create = kept.find((a) => a[0] === 'pod' && a[1] === 'create');
  const pod = create?.[create.indexOf('--name') + 1];
  if (!pod || kept.filter((a) => a[0] === 'pod').length !== 2) throw new Error(`unexpected podman calls recorded: ${all.map((a) => a.slice(0, 2).join(' ')).join(', ')}`);
  return { pod, calls: kept, dropped: [...new Set(all.filter((a) => !kept.includes(a)).map((a) => a.slice(0, 2).join(' ')))] };
}

/** kiln's recorded container calls again, one after another, under pod name `pod`. */
async function replayed(p: Podman, rec: { pod: string; calls: string[][] }, pod: string): Promise<number> {
  const t0 = performance.now();
  try {
    for (const call of rec.calls) await must(p, call.map((a) => a.replaceAll(rec.pod, pod)));
  } catch (e) {
    await podmanRun(p, ['pod', 'rm', '--force', '--time', '0', pod]); // a failed replay leaves no pod behind
    throw e;
  }
  return performance.now() - t0;
}

/** The same containers as one would start them by hand: a pod, one `podman run` per step in order, the pod removed. */
async function minimal(p: Podman, steps: number, pod: string): Promise<number> {
  const t0 = performance.now();
  try {
    await must(p, ['pod', 'create', '--name', pod, '--network', 'none']);
    for (let s = 0; s < steps; s++) await must(p, ['run', '--pod', pod, '--name', `${pod}-s${s}`, '--cap-drop', 'all', '--security-opt', 'no-new-privileges', IMAGE, 'true']);
  } catch (e) {
    await podmanRun(p, ['pod', 'rm', '--force', '--time', '0', pod]);
    throw e;
  }
  await must(p, ['pod', 'rm', '--force', '--time', '0', pod]);
  return performance.now() - t0;
}

const pct = (x: number, of: number) => `${(((x - of) / of) * 100).toFixed(1)}%`;

export async function podmanBench(opts: { iterations: number }): Promise<Row[]> {
  const base = mkdtempSync(join(tmpdir(), 'kiln-bench-podman-'));
  try {
    const found = createWhich();
    const which = (name: string) => found(name, process.env.PATH);
    const busybox = which('busybox');
    const podman = which('podman');
    const why = !podman ? 'podman is not installed' : podmanUnusable(base) ?? (!busybox ? 'busybox is not installed' : notStatic(busybox));
    if (why) return [{ name: 'podman executor', value: 'skipped', note: why }];
    const p = podmanWith(base);
    ensureBusyboxImage(p, busybox!, [IMAGE]);
    const dir = (name: string) => {
      mkdirSync(join(base, name));
      return join(base, name);
    };
    const kiln = await engine(createPodmanExecutor({ dataDir: dir('data'), network: 'none', graceMs: 500 }));
    const rows: Row[] = [];
    try {
      for (const steps of [1, 5]) {
        // kiln's own podman argv for these containers, from a TaskRun of a second executor (its
        // attempt directories and env files stay for the replays)
        const log = join(base, `argv-${steps}`);
        const rec = await engine(createPodmanExecutor({ dataDir: dir(`rec-${steps}`), network: 'none', graceMs: 500, podman: recorder(base, podman!, log, join(base, `kept-${steps}`)) }));
        try {
          await rec.run(steps);
        } finally {
          await rec.stop();
        }
        const calls = containerCalls(log);
        restoreFiles(calls.calls, join(base, `kept-${steps}`));
        const pod = (i: number) => `kiln-bench-direct-${process.pid}-${steps}-${i}`;
        await kiln.run(steps); // warm-up of every path
        await replayed(p, calls, pod(-1));
        await minimal(p, steps, pod(-2));
        const k: number[] = [];
        const r: number[] = [];
        const m: number[] = [];
        for (let i = 0; i < opts.iterations; i++) {
          k.push(await kiln.run(steps));
          r.push(await replayed(p, calls, pod(2 * i)));
          m.push(await minimal(p, steps, pod(2 * i + 1)));
        }
        const [km, rm, mm] = [median(k), median(r), median(m)];
        const s = steps > 1 ? 's' : '';
        rows.push(
          { name: `${steps}-step no-op TaskRun on podman, engine in-process`, value: `${km.toFixed(0)} ms`, note: `median of ${opts.iterations}, alternating with the rows below` },
          { name: `  same ${steps} container${s}: kiln's podman calls replayed`, value: `${rm.toFixed(0)} ms`, note: `${calls.calls.length} calls (pod create, ${steps} × run, pod rm); kiln's ${calls.dropped.join(', ') || 'none'} not replayed` },
          { name: '  kiln overhead over its own podman calls', value: `${(km - rm).toFixed(0)} ms`, note: `${pct(km, rm)} of the direct time; target ≤ 10%` },
          { name: `  same ${steps} container${s}: podman by hand (no binds, no env file)`, value: `${mm.toFixed(0)} ms`, note: 'pod create, run --pod, pod rm' },
          { name: '  kiln overhead over podman by hand', value: `${(km - mm).toFixed(0)} ms`, note: `${pct(km, mm)} of the direct time; target ≤ 10%` },
        );
      }
    } finally {
      await kiln.stop();
    }
    return rows;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--iterations');
  const rows = await podmanBench({ iterations: i >= 0 ? Number(process.argv[i + 1]) : 10 });
  for (const r of rows) console.log(`${r.name.padEnd(72)}  ${r.value.padStart(9)}  ${r.note ?? ''}`);
}
