// The podman executor's overhead: a 1-step and a 5-step no-op TaskRun through store + controller +
// podman executor in-process, beside the same containers started directly — one `podman pod create`,
// a `podman run --pod` per step (same local busybox image, same network mode, kiln's containers.conf)
// and `podman pod rm` — alternately, so both see the same machine.
// Usage: node bench/podman.ts [--iterations 10]   (also `npm run bench -- --only podman`)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KObject } from '../src/api/meta.ts';
import { TASKRUN } from '../src/api/registry.ts';
import { createTaskRunController } from '../src/controllers/taskrun/controller.ts';
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

async function must(p: Podman, args: string[]): Promise<void> {
  const r = await podmanRun(p, args);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr}`);
}

/** The same containers without kiln: a pod, one `podman run` per step in order, the pod removed. */
async function direct(p: Podman, steps: number, i: number): Promise<number> {
  const pod = `kiln-bench-direct-${process.pid}-${i}`;
  const t0 = performance.now();
  await must(p, ['pod', 'create', '--name', pod, '--network', 'none']);
  for (let s = 0; s < steps; s++) await must(p, ['run', '--pod', pod, '--name', `${pod}-s${s}`, '--cap-drop', 'all', '--security-opt', 'no-new-privileges', IMAGE, 'true']);
  await must(p, ['pod', 'rm', '--force', '--time', '0', pod]);
  return performance.now() - t0;
}

export async function podmanBench(opts: { iterations: number }): Promise<Row[]> {
  const base = mkdtempSync(join(tmpdir(), 'kiln-bench-podman-'));
  try {
    const found = createWhich();
    const which = (name: string) => found(name, process.env.PATH);
    const busybox = which('busybox');
    const why = !which('podman') ? 'podman is not installed' : podmanUnusable(base) ?? (!busybox ? 'busybox is not installed' : notStatic(busybox));
    if (why) return [{ name: 'podman executor', value: 'skipped', note: why }];
    const p = podmanWith(base);
    ensureBusyboxImage(p, busybox!, [IMAGE]);
    const dataDir = join(base, 'data');
    mkdirSync(dataDir);
    const executor = createPodmanExecutor({ dataDir, network: 'none', graceMs: 500 });
    const store = createMemoryStore();
    const controller = createTaskRunController({ store, executor, workers: 1 });
    await controller.start();
    let n = 0;
    const viaKiln = async (steps: number): Promise<number> => {
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
    };
    const rows: Row[] = [];
    try {
      for (const steps of [1, 5]) {
        await viaKiln(steps); // warm-up of both paths
        await direct(p, steps, -steps);
        const k: number[] = [];
        const d: number[] = [];
        for (let i = 0; i < opts.iterations; i++) {
          k.push(await viaKiln(steps));
          d.push(await direct(p, steps, i * 10 + steps));
        }
        const km = median(k);
        const dm = median(d);
        rows.push(
          { name: `${steps}-step no-op TaskRun on podman, engine in-process`, value: `${km.toFixed(0)} ms`, note: `median of ${opts.iterations}` },
          { name: `  same ${steps} container${steps > 1 ? 's' : ''} with podman directly (pod create, run, pod rm)`, value: `${dm.toFixed(0)} ms`, note: 'run alternately with the row above' },
          { name: '  kiln overhead', value: `${(km - dm).toFixed(0)} ms`, note: `${(((km - dm) / dm) * 100).toFixed(1)}% of the direct time; target ≤ 10%` },
        );
      }
    } finally {
      await controller.stop();
      await executor.close();
      await store.close();
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
