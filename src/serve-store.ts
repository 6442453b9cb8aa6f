// Part of the composition root (main.ts): the store `kiln serve` keeps its state in, and with
// `--store kube` the replica set its controllers share the work through.
//   sqlite (default): <data dir>/kiln.db, this process does all the work
//   kube: the Kubernetes API of --kubeconfig/--context (a cluster, or another kiln serve); every
//         replica on that API holds a Lease and handles the keys rendezvous hashing gives it
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ServeOptions } from './cli/main.ts';
import { defaultReplicaId, replicaIdProblem } from './runtime/membership.ts';
import type { ReplicaSet } from './runtime/replicas.ts';
import type { Store } from './store/store.ts';

/** The namespace of a Pod's service account: the default lease namespace in a cluster. */
const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface ServeStore {
  store: Store;
  /** with --store kube (and controllers): this replica among the others (started) */
  replicas?: ReplicaSet;
  /** the SQLite file, with --store sqlite (metrics read its size) */
  sqlitePath?: string;
  /** a line for the log: where state lives */
  describe: string;
}

/** The lease namespace when --lease-namespace names none: the Pod's own namespace in a cluster, else `default`. */
export function defaultLeaseNamespace(file = SA_NAMESPACE_FILE): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || 'default' : 'default';
}

/** Opens the store `opts` asks for; with --store kube also joins the replica set. Errors are messages for the operator. */
export async function openServeStore(opts: ServeOptions, dataDir: string, log: (line: string) => void): Promise<ServeStore | { error: string }> {
  if (opts.store !== 'kube') {
    const { createSqliteStore } = await import('./store/sqlite.ts');
    const path = join(dataDir, 'kiln.db');
    return { store: createSqliteStore({ path }), sqlitePath: path, describe: path };
  }
  const [{ kubeConfigOf }, { createKubeStore }, { createReplicaSet }] = await Promise.all([
    import('./executor/kubernetes/kubeconfig.ts'), import('./store/kube.ts'), import('./runtime/replicas.ts'),
  ]);
  const idProblem = opts.replicaId === undefined ? undefined : replicaIdProblem(opts.replicaId);
  if (idProblem) return { error: `--replica-id ${idProblem}` };
  let kubeConfig;
  try {
    kubeConfig = kubeConfigOf(opts.kubeconfig, opts.context);
  } catch (e) {
    return { error: `--store kube: ${(e as Error).message}` };
  }
  const server = kubeConfig.getCurrentCluster()!.server;
  const store = await createKubeStore({ kubeConfig });
  // --api-only runs no controller: it takes no keys, so it holds no lease
  if (opts.apiOnly) return { store, describe: `${server} (no controller: no lease held)` };
  const id = opts.replicaId ?? defaultReplicaId(hostname(), process.pid);
  const namespace = opts.leaseNamespace ?? defaultLeaseNamespace();
  const replicas = createReplicaSet({
    store, id, namespace, durationMs: opts.leaseDurationMs,
    logger: { info: (m) => log(`note: ${m}`), error: (m, f) => log(`error: ${m}${f?.error ? `: ${(f.error as Error).message}` : ''}`) },
  });
  try {
    // a readable refusal (unreachable, unauthorized, no Lease kind) before the lease loop retries forever
    await store.list((await import('./runtime/replicas.ts')).LEASE, { namespace, limit: 1 });
    await replicas.start();
  } catch (e) {
    await store.close();
    return { error: `--store kube: cannot join the replicas through leases in namespace ${namespace} of ${server}: ${(e as Error).message}` };
  }
  return { store, replicas, describe: `${server} (replica ${id}; leases in ${namespace}; live: ${replicas.members().join(', ')})` };
}
