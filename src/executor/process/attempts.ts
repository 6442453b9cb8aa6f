// The attempts an executor keeps in memory, and what every executor does with them: forget a
// finished one, remove a pruned TaskRun's files, wait for all, cancel all. Shared by the process and
// podman executors (both keep attempts in the process executor's directory layout).
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExecutionHandle, Executor } from '../executor.ts';
import { attemptLayout } from './layout.ts';

/** The Executor methods over `attempts` (by plan id) whose files live under `dataDir`. */
export function attemptBook(dataDir: string, attempts: Map<string, ExecutionHandle>): Required<Pick<Executor, 'forget' | 'removeRun' | 'drain' | 'close'>> {
  return {
    forget: function forget(id: string): void {
      if (attempts.get(id)?.snapshot().outcome) attempts.delete(id);
    },
    removeRun: async function removeRun(namespace: string, taskRunName: string, uid: string): Promise<void> {
      const root = dirname(attemptLayout(dataDir, { id: `${namespace}/${taskRunName}/0`, namespace, taskRunName, taskRunUid: uid }).root);
      await rm(root, { recursive: true, force: true });
      for (const id of attempts.keys()) if (id.startsWith(`${namespace}/${taskRunName}/`)) attempts.delete(id);
    },
    drain: async function drain(): Promise<void> {
      await Promise.all([...attempts.values()].map((h) => h.done));
    },
    close: async function close(): Promise<void> {
      for (const h of attempts.values()) h.cancel('cancelled', 'the executor was closed');
      await Promise.all([...attempts.values()].map((h) => h.done));
    },
  };
}
