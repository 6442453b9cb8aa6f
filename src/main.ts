// The composition root: the one place that wires real implementations together.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { KObject } from './api/meta.ts';
import type { TaskRun } from './api/taskrun.types.ts';
import { TASKRUN } from './api/registry.ts';
import type { KilnClient } from './client/client.ts';
import { createInProcessClient, type ClientBackend } from './client/inprocess.ts';
import { runCli } from './cli/main.ts';
import { createTaskRunController } from './controllers/taskrun/controller.ts';
import { createPipelineRunController } from './controllers/pipelinerun/controller.ts';
import { tailStepLogs } from './executor/logfiles.ts';
import { createProcessExecutor } from './executor/process/executor.ts';
import { createMemoryStore } from './store/memory.ts';
import { isConflict, isNotFound, type Store } from './store/store.ts';

export interface LocalKilnOptions {
  /** runs, logs and claims live here */
  dataDir: string;
  /** treat network needs as unsupported */
  offline?: boolean;
  /** TaskRuns running their steps at once (default: twice the cores, at least 2) */
  maxParallel?: number;
  store?: Store;
}

/** How many TaskRuns run at once by default: steps mostly wait on processes and files. */
export function defaultParallelism(): number {
  return Math.max(2, availableParallelism() * 2);
}

/** An in-process kiln: store + controllers + process executor, behind the client interface. */
export async function startLocalKiln(opts: LocalKilnOptions): Promise<KilnClient> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const store = opts.store ?? createMemoryStore();
  const executor = createProcessExecutor({ dataDir });
  const maxRunning = opts.maxParallel ?? defaultParallelism();
  const taskruns = createTaskRunController({ store, executor, offline: opts.offline, workers: 4, maxRunning });
  const pipelineruns = createPipelineRunController({ store });
  await Promise.all([taskruns.start(), pipelineruns.start()]);

  return createInProcessClient({
    ...storeBackend(store),
    async *logs(ns, name, o) {
      const status = async () => (await store.get<TaskRun>(TASKRUN, ns, name).catch(() => undefined))?.status;
      for await (const l of tailStepLogs({ status, follow: !!o.follow, signal: o.signal })) yield { taskRun: name, ...l };
    },
    notices: () => executor.notices(),
    async close() {
      await Promise.all([pipelineruns.stop(), taskruns.stop()]);
      await executor.close();
      await store.close();
    },
  });
}

/** The object half of the in-process client's backend: the store, seen by kind. */
export function storeBackend(store: Store): Omit<ClientBackend, 'logs' | 'notices' | 'close'> {
  return {
    get: (k, ns, name) => store.get(k, ns, name),
    list: async (k, ns, sel) => (await store.list(k, { namespace: ns, labelSelector: sel })).items,
    create: (k, obj) => store.create(k, obj),
    update: (k, obj) => store.update(k, obj),
    delete: (k, ns, name) => store.delete(k, ns, name),
    watch(k, ns, sel) {
      const w = store.watch(k, { namespace: ns, labelSelector: sel });
      return { stop: () => w.stop(), [Symbol.asyncIterator]: () => w[Symbol.asyncIterator]() as AsyncIterator<{ type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KObject }> };
    },
    isNotFound,
    isConflict,
  };
}

/** Entry point used by bin/kiln.mjs. */
export async function main(argv: string[]): Promise<number> {
  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ninterrupted: cancelling the run (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await runCli(argv, { local: (o) => startLocalKiln(o), signal: ac.signal });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
