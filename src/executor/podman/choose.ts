// `--executor auto|podman|process`: which executor runs the steps. auto takes podman when it is
// installed and works here, else the process executor, saying so once.
import type { Executor } from '../executor.ts';
import { createPodmanExecutor, podmanUnusable } from './executor.ts';
import type { PodmanExecutorOptions } from './executor.ts';

/** The values of `--executor`. */
export type ExecutorChoice = 'auto' | 'podman' | 'process';

/** What `chooseExecutor` decided: the executor and a warning to show once, or why the choice cannot be honoured. */
export type Chosen = { executor: Executor; warning?: string } | { error: string };

/** How to make each executor (injectable for tests). */
export interface ExecutorMakers {
  process(): Executor;
  podman(opts: PodmanExecutorOptions): Executor;
  /** why podman cannot run containers here, or undefined */
  unusable(dataDir: string): string | undefined;
}

const REAL: Omit<ExecutorMakers, 'process'> = { podman: createPodmanExecutor, unusable: podmanUnusable };

/** The executor for `choice` (default 'process'); podman gets `podmanOpts`. */
export function chooseExecutor(choice: ExecutorChoice | undefined, podmanOpts: PodmanExecutorOptions, makers: Pick<ExecutorMakers, 'process'> & Partial<ExecutorMakers>): Chosen {
  const m = { ...REAL, ...makers };
  if (choice === undefined || choice === 'process') return { executor: m.process() };
  const why = m.unusable(podmanOpts.dataDir);
  if (!why) return { executor: m.podman(podmanOpts) };
  if (choice === 'podman') return { error: `--executor podman: podman cannot run containers here: ${why} (install podman and runc, or use --executor process)` };
  // kiln run reads the `--executor auto:` prefix: the process executor runs the steps
  return { executor: m.process(), warning: `--executor auto: podman cannot run containers here (${why}): steps run as local processes (process executor)` };
}
