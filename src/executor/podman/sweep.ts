// Crash safety: a kiln killed outright (kill -9) leaves its attempts' pods and containers running
// (conmon keeps them). When the podman executor starts on the same data directory, it removes
// every pod and container labelled with that directory before its first pod is created; the
// TaskRun controller marks the lost attempts (ExecutorLost), as with the process executor.
import { createHash } from 'node:crypto';
import { LABEL_DATA_DIR } from './args.ts';
import { podmanRun, removePods } from './cli.ts';
import type { Podman } from './cli.ts';

/** The LABEL_DATA_DIR value of a data directory (absolute path): short, and no path in labels. */
export function dataDirKey(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
}

/** Removes the pods (and the containers in them) and any other containers labelled with `key`; returns their names. */
export async function sweepLeftovers(p: Podman, key: string): Promise<string[]> {
  const filter = `label=${LABEL_DATA_DIR}=${key}`;
  const pods = await podmanRun(p, ['pod', 'ps', '--filter', filter, '--format', '{{.Name}}']);
  const podNames = pods.code === 0 ? pods.stdout.split('\n').filter(Boolean) : [];
  await removePods(p, podNames);
  const containers = await podmanRun(p, ['ps', '-a', '--filter', filter, '--format', '{{.Names}}']);
  const names = containers.code === 0 ? containers.stdout.split('\n').filter(Boolean) : [];
  if (names.length) await podmanRun(p, ['rm', '--force', '--time', '0', ...names]);
  return [...podNames, ...names];
}
