// Controller replicas as real processes, for the replicas test and bench: one `kiln serve --api-only`
// holds the store (standing in for a cluster's API server), N `kiln serve --store kube` replicas
// (process executor, data dirs of their own) share the work; every step records its execution as a
// file of its own in a shared hostPath directory, so executions can be counted.
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { api, startServe, type Served } from '../e2e/serve-helpers.ts';

export interface ReplicaCluster {
  cluster: Served;
  replicas: Array<Served & { id: string }>;
  /** where steps record their executions */
  countDir: string;
  /** starts one more replica, `id` */
  add(id: string): Promise<Served & { id: string }>;
  stop(): Promise<void>;
}

/** Starts the store and `n` replicas (ids r1…rn) under `base`. */
export async function startReplicaCluster(base: string, n: number, { leaseSeconds = 3 } = {}): Promise<ReplicaCluster> {
  const countDir = join(base, 'count');
  mkdirSync(countDir, { recursive: true });
  chmodSync(countDir, 0o777); // steps run as an unprivileged user of the sandbox
  const cluster = await startServe(join(base, 'cluster'), ['--insecure-loopback-only', '--api-only', '--allow-host-path', countDir]);
  const replicas: ReplicaCluster['replicas'] = [];
  const stop = async () => {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) await r.stop();
    await cluster.stop();
  };
  const add = async (id: string) => {
    const s = await startServe(join(base, id), [
      '--insecure-loopback-only', '--store', 'kube', '--kubeconfig', join(cluster.dataDir, 'kubeconfig'),
      '--replica-id', id, '--lease-namespace', 'kiln', '--lease-duration', String(leaseSeconds), '--allow-host-path', countDir,
    ]);
    const r = { ...s, id };
    replicas.push(r);
    return r;
  };
  try {
    for (let i = 1; i <= n; i++) await add(`r${i}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { cluster, replicas, countDir, add, stop };
}

/** One `kiln serve` with its embedded SQLite store doing all the work (a reference for the replicas): `cluster` is that server. */
export async function startEmbedded(base: string): Promise<ReplicaCluster> {
  const countDir = join(base, 'count');
  mkdirSync(countDir, { recursive: true });
  chmodSync(countDir, 0o777);
  const cluster = await startServe(join(base, 'embedded'), ['--insecure-loopback-only', '--allow-host-path', countDir]);
  return { cluster, replicas: [], countDir, add: () => Promise.reject(new Error('no replicas here')), stop: async () => { await cluster.stop(); } };
}

/** A PipelineRun of two tasks in sequence (retries 1), each step recording its execution in `countDir` (the first after `firstSeconds`). */
export function countingPipelineRun(name: string, countDir: string, stepSeconds = 0, firstSeconds = stepSeconds): object {
  const task = (t: string, after?: string) => ({
    name: t,
    ...(after ? { runAfter: [after] } : {}),
    retries: 1,
    workspaces: [{ name: 'count', workspace: 'count' }],
    taskSpec: {
      workspaces: [{ name: 'count' }],
      steps: [{ name: 'record', image: 'busybox', script: `${(after ? stepSeconds : firstSeconds) ? `sleep ${after ? stepSeconds : firstSeconds}\n` : ''}mktemp "$(workspaces.count.path)/$(context.taskRun.name).XXXXXX" >/dev/null` }],
    },
  });
  return {
    apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: 'default' },
    spec: {
      workspaces: [{ name: 'count', hostPath: { path: countDir } }],
      pipelineSpec: { workspaces: [{ name: 'count' }], tasks: [task('first'), task('second', 'first')] },
    },
  };
}

/** Creates the PipelineRuns on the store; throws on the first refusal. */
export async function createRuns(cluster: Served, names: string[], countDir: string, stepSeconds = 0, firstSeconds = stepSeconds): Promise<void> {
  for (const name of names) {
    const r = await api(cluster, 'POST', '/apis/tekton.dev/v1/namespaces/default/pipelineruns', countingPipelineRun(name, countDir, stepSeconds, firstSeconds));
    if (r.status !== 201) throw new Error(`creating ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  }
}

export interface RunState { name: string; status?: string; reason?: string }

/** The Succeeded condition of every PipelineRun in `default`. */
export async function pipelineRunStates(cluster: Served): Promise<RunState[]> {
  const r = await api(cluster, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns');
  return (r.json.items as Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string; reason: string }> } }>).map((p) => {
    const c = p.status?.conditions?.find((x) => x.type === 'Succeeded');
    return { name: p.metadata.name, status: c?.status, reason: c?.reason };
  });
}

/** Polls until every PipelineRun named is done (Succeeded True or False); calls `progress` with the count done. */
export async function waitDone(cluster: Served, count: number, ms: number, progress?: (done: number) => void | Promise<void>): Promise<RunState[]> {
  const end = Date.now() + ms;
  for (;;) {
    const states = await pipelineRunStates(cluster);
    const done = states.filter((s) => s.status === 'True' || s.status === 'False').length;
    await progress?.(done);
    if (done >= count) return states;
    if (Date.now() > end) throw new Error(`timed out: ${done} of ${count} PipelineRuns done`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** How many times each TaskRun's step ran, by the files its executions left. */
export function executions(countDir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of readdirSync(countDir)) {
    const tr = f.replace(/\.[^.]+$/, '');
    out.set(tr, (out.get(tr) ?? 0) + 1);
  }
  return out;
}
