// `--executor auto|podman|process`: which executor runs the steps. auto takes podman when it is
// installed and works here, else the process executor, saying so once.
import type { Executor } from '../executor.ts';
import { createPodmanExecutor, ownUserNamespaceProblem, podmanUnusable } from './executor.ts';
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
  /** why podman's pods would not have a user namespace of their own here, or undefined */
  sharedUserNamespace(dataDir: string): string | undefined;
}

const REAL: Omit<ExecutorMakers, 'process'> = { podman: createPodmanExecutor, unusable: podmanUnusable, sharedUserNamespace: ownUserNamespaceProblem };

/** Why the process executor does not take `--step-capabilities`. */
const PROCESS_NO_CAPABILITIES = 'the process executor runs steps as local processes with no user namespace of their own, so it grants no capability (docs/decisions/0012)';

/**
 * The executor for `choice` (default 'process'); podman gets `podmanOpts`. `--step-capabilities
 * kubernetes` is refused where podman's pods would share the host's user namespace, and by the
 * process executor (auto falling back to it says it is ignored: the steps get less, not more).
 */
export function chooseExecutor(choice: ExecutorChoice | undefined, podmanOpts: PodmanExecutorOptions, makers: Pick<ExecutorMakers, 'process'> & Partial<ExecutorMakers>): Chosen {
  const m = { ...REAL, ...makers };
  const caps = podmanOpts.capabilities === 'kubernetes';
  if (choice === undefined || choice === 'process') {
    if (caps) return { error: `--step-capabilities kubernetes applies to --executor podman only: ${PROCESS_NO_CAPABILITIES}` };
    return { executor: m.process() };
  }
  const why = m.unusable(podmanOpts.dataDir);
  if (!why) {
    const shared = caps ? m.sharedUserNamespace(podmanOpts.dataDir) : undefined;
    if (shared) return { error: `--step-capabilities kubernetes: ${shared} (run kiln as root, which gives every pod a user namespace, or use rootless podman)` };
    return { executor: m.podman(podmanOpts) };
  }
  if (choice === 'podman') return { error: `--executor podman: podman cannot run containers here: ${why} (install podman and runc, or use --executor process)` };
  // kiln run reads the `--executor auto:` prefix: the process executor runs the steps
  const ignored = caps ? `; --step-capabilities kubernetes is ignored: ${PROCESS_NO_CAPABILITIES}` : '';
  return { executor: m.process(), warning: `--executor auto: podman cannot run containers here (${why}): steps run as local processes (process executor)${ignored}` };
}
