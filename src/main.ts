// The composition root: the one place that wires real implementations together.
import { chmodSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { admitHostPath, PRIVILEGED_NOTICE, RUN_POLICY, type HostPolicy } from './api/hostpolicy.ts';
import type { KObject } from './api/meta.ts';
import type { TaskRun } from './api/taskrun.types.ts';
import { TASKRUN } from './api/registry.ts';
import type { KilnClient } from './client/client.ts';
import { createInProcessClient, type ClientBackend } from './client/inprocess.ts';
import { runCli, type ServeOptions } from './cli/main.ts';
import { createTaskRunController } from './controllers/taskrun/controller.ts';
import { createPipelineRunController } from './controllers/pipelinerun/controller.ts';
import { createClaimController } from './controllers/volumeclaims/controller.ts';
import { createKilnResolution } from './resolution/index.ts';
import { RESOLUTION_REQUEST_CRD } from './api/resolutionrequest.ts';
import { ensureCrd } from './controllers/crds.ts';
import { gitConfigsOf } from './resolution/gitconfig.ts';
import type { BundleMapping, HubUrls } from './resolution/index.ts';
import type { UrlRewrite } from './resolution/remote.ts';
import type { ClaimStorage } from './controllers/volumeclaims/reconciler.ts';
import { claimDir } from './executor/process/layout.ts';
import { tailStepLogs } from './executor/logfiles.ts';
import { createProcessExecutor } from './executor/process/executor.ts';
import type { Executor } from './executor/executor.ts';
import { chooseExecutor, type ExecutorChoice } from './executor/podman/choose.ts';
import { CliError, EXIT } from './cli/exit.ts';
import { createMemoryStore } from './store/memory.ts';
import { isConflict, isNotFound, type Store } from './store/store.ts';

export interface LocalKilnOptions {
  /** runs, logs and claims live here */
  dataDir: string;
  /** treat network needs as unsupported */
  offline?: boolean;
  /** TaskRuns running their steps at once (default: twice the cores, at least 2) */
  maxParallel?: number;
  /** steps' network beyond their attempt's loopback (default 'outside') */
  stepNetwork?: 'outside' | 'none';
  /** steps may ask for securityContext.privileged (`kiln run --allow-privileged`; still no capability) */
  allowPrivileged?: boolean;
  /** the capabilities the podman executor's containers get (`--step-capabilities`; default 'none') */
  stepCapabilities?: 'none' | 'kubernetes';
  /** which executor runs steps (default 'process'; auto: podman when it works here; kubernetes: a Pod per TaskRun in the cluster of `kubeconfig`) */
  executor?: ExecutorChoice | 'kubernetes';
  /** --executor kubernetes: the kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster) */
  kubeconfig?: string;
  /** --executor kubernetes: the busybox image of each Pod's prepare and report containers */
  toolsImage?: string;
  store?: Store;
  /** resolvers' remote URL prefixes served from elsewhere (stand-ins, e.g. a loopback git daemon) */
  resolverRewrites?: readonly UrlRewrite[];
  /** the hub resolver's API bases (default the public ones) */
  hubUrls?: HubUrls;
  /** bundle references served from stand-ins (exact reference → stand-in reference) */
  bundleMappings?: readonly BundleMapping[];
}

/** Creates kiln's data directory, private to kiln's user (0700): it holds logs, the store, credentials. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Claims' directories where the process executor keeps them (<dataDir>/claims/<ns>/<name>): removed with their claim. */
function claimStorage(dataDir: string): ClaimStorage {
  return { remove: (ns, name) => rm(claimDir(dataDir, ns, name), { recursive: true, force: true, maxRetries: 3 }) };
}

/** How many TaskRuns run at once by default: steps mostly wait on processes and files. */
export function defaultParallelism(): number {
  return Math.max(2, availableParallelism() * 2);
}

/** An in-process kiln: store + controllers + process executor, behind the client interface. */
export async function startLocalKiln(opts: LocalKilnOptions): Promise<KilnClient> {
  const dataDir = resolve(opts.dataDir);
  privateDir(dataDir);
  const store = opts.store ?? createMemoryStore();
  const chosen = opts.executor === 'kubernetes'
    ? await kubernetesExecutor(dataDir, opts.kubeconfig, opts.toolsImage, undefined, { capabilities: opts.stepCapabilities, allowPrivileged: !!opts.allowPrivileged })
    : chooseExecutor(opts.executor, { dataDir, network: opts.stepNetwork, allowPrivileged: !!opts.allowPrivileged, capabilities: opts.stepCapabilities }, { process: () => createProcessExecutor({ dataDir, network: opts.stepNetwork }) });
  if ('error' in chosen) throw new CliError(opts.executor === 'kubernetes' ? EXIT.invalid : EXIT.unsupported, chosen.error);
  const executor = chosen.executor;
  const maxRunning = opts.maxParallel ?? defaultParallelism();
  // the user's own machine: any hostPath (`-w name=DIR`); privileged only when asked for
  const hostPolicy: HostPolicy = { ...RUN_POLICY, allowPrivileged: !!opts.allowPrivileged };
  const resolution = createKilnResolution({ store, dataDir, offline: opts.offline, rewrites: opts.resolverRewrites, hub: opts.hubUrls, bundles: opts.bundleMappings });
  const taskruns = createTaskRunController({ store, executor, offline: opts.offline, workers: 4, maxRunning, hostPolicy, resolution });
  const pipelineruns = createPipelineRunController({ store, resolution });
  const claims = createClaimController({ store, storage: claimStorage(dataDir) });
  await Promise.all([taskruns.start(), pipelineruns.start(), claims.start()]);

  return createInProcessClient({
    ...storeBackend(store),
    async *logs(ns, name, o) {
      for await (const l of logReader(store)(ns, name, o)) yield { taskRun: name, ...l };
    },
    notices: () => [...(chosen.warning ? [chosen.warning] : []), ...executor.notices()],
    executor: executor.name,
    async close() {
      await Promise.all([pipelineruns.stop(), taskruns.stop(), claims.stop()]);
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

/** Reads a TaskRun's step logs from its log files, following while it runs. */
function logReader(store: Store) {
  return function logs(ns: string, name: string, o: { follow?: boolean; signal?: AbortSignal; timestamps?: boolean }) {
    const status = async () => (await store.get<TaskRun>(TASKRUN, ns, name).catch(() => undefined))?.status;
    return tailStepLogs({ status, follow: !!o.follow, signal: o.signal, timestamps: !!o.timestamps });
  };
}

/**
 * `kiln serve`: SQLite store + every controller + the API server, until SIGTERM/SIGINT. Secure by
 * default (TLS with a self-signed CA and a bearer token, kept in the data dir, and a kubeconfig
 * for kubectl and kiln); `insecureLoopbackOnly` serves plain HTTP without auth on 127.0.0.1.
 */
/** `--executor kubernetes`: a Pod per TaskRun attempt in the cluster of `kubeconfig` (client-node loads only here). */
async function kubernetesExecutor(dataDir: string, kubeconfig: string | undefined, toolsImage: string | undefined, context: string | undefined, security: { capabilities?: 'none' | 'kubernetes'; allowPrivileged?: boolean }): Promise<{ executor: Executor; warning?: string } | { error: string }> {
  return (await import('./main-kubernetes.ts')).kubernetesExecutor(dataDir, kubeconfig, toolsImage, context, security);
}

export async function serve(opts: ServeOptions, signals: NodeJS.EventEmitter = process): Promise<number> {
  // the server's modules (fastify, SQLite, triggers) load only here: one-shot commands start faster
  const [{ createServer }, { ensureCredentials, writeKubeconfig }, { openServeStore }, { createRetention }, { createEventListenerController }, { CORE_INTERCEPTORS }, { tokenLookup, TOKENS_FILE }] = await Promise.all([
    import('./server/server.ts'), import('./server/tls-credentials.ts'), import('./serve-store.ts'),
    import('./controllers/retention/retention.ts'), import('./controllers/triggers/eventlistener.ts'), import('./triggers/interceptors/index.ts'),
    import('./server/tokens.ts'),
  ]);
  const dataDir = resolve(opts.dataDir);
  privateDir(dataDir);
  // state: SQLite in the data dir, or (--store kube) a Kubernetes API shared with other replicas
  const opened = await openServeStore(opts, dataDir, opts.log);
  if ('error' in opened) {
    opts.log(`error: ${opened.error}`);
    return 1;
  }
  const { store, replicas } = opened;
  const closeStore = async () => { await replicas?.stop(); await store.close(); };
  const chosen = opts.executor === 'kubernetes'
    ? await kubernetesExecutor(dataDir, opts.kubeconfig, opts.toolsImage, opts.context, { capabilities: opts.stepCapabilities, allowPrivileged: !!opts.allowPrivileged })
    : chooseExecutor(opts.executor, { dataDir, network: opts.stepNetwork, allowPrivileged: !!opts.allowPrivileged, capabilities: opts.stepCapabilities }, { process: () => createProcessExecutor({ dataDir, network: opts.stepNetwork }) });
  if ('error' in chosen) {
    opts.log(`error: ${chosen.error}`);
    await closeStore();
    return 1;
  }
  if (chosen.warning) opts.log(`warning: ${chosen.warning}`);
  const executor = chosen.executor;
  const uncontained = executor.uncontained?.();
  if (uncontained && !opts.allowUnsandboxed) {
    opts.log(`error: ${uncontained}: steps would run on the host as kiln's own user, and whoever can create a run (API, kubectl, a webhook) would own the host`);
    opts.log('  install bubblewrap (and util-linux), or pass --allow-unsandboxed to serve anyway');
    await closeStore();
    return 1;
  }
  if (uncontained) opts.log(`warning: serving unsandboxed (--allow-unsandboxed): ${uncontained}`);
  // whoever may create a run must not reach the host beyond what the operator allows
  const { resolveHostPath } = await import('./server/hostpaths.ts');
  const hostPolicy: HostPolicy = { allowHostPath: opts.allowHostPath ?? [], allowPrivileged: !!opts.allowPrivileged, resolvePath: resolveHostPath };
  // whoever creates a run reads no repository of this machine beyond --allow-host-path, and fetches
  // with none of the operator's credentials
  const localRepository = (path: string): string | undefined => {
    const a = admitHostPath(path, hostPolicy);
    return 'problem' in a ? a.problem.replace(/hostPath/g, 'a repository on this machine') : undefined;
  };
  const resolution = createKilnResolution({ store, dataDir, clusterNamespaces: opts.resolverClusterNamespaces, localRepository, ambientCredentials: false, gitConfigs: gitConfigsOf(opts.gitResolverConfig), hub: opts.hubUrls });
  // the API serves the ResolutionRequests resolution records (`kubectl get resolutionrequests`)
  await ensureCrd(store, RESOLUTION_REQUEST_CRD).catch((e) => opts.log(`error: the ResolutionRequest kind is not served: ${(e as Error).message}`));
  // traces (OpenTelemetry) when the OTEL_* variables ask for them: spans of runs and steps, TRACEPARENT for steps
  const tracing = Object.keys(process.env).some((k) => k.startsWith('OTEL_'))
    ? (await import('./controllers/tracing/tracing.ts')).createTracing({ store, logger: { info: () => {}, error: (m) => opts.log(`error: ${m}`) } })
    : undefined;
  // with replicas (--store kube), each controller handles the keys its replica owns
  const shard = replicas;
  const taskruns = createTaskRunController({ store, executor, workers: 4, maxRunning: opts.maxParallel ?? defaultParallelism(), hostPolicy, resolution, tracing: !!tracing, shard });
  const pipelineruns = createPipelineRunController({ store, resolution, shard });
  const claims = createClaimController({ store, storage: claimStorage(dataDir) });
  const creds = opts.insecureLoopbackOnly ? undefined : ensureCredentials(dataDir, [opts.address]);
  let ready = false;
  let cdevents: import('./controllers/cdevents/controller.ts').CDEvents | undefined;
  // Prometheus metrics at /metrics (behind the token unless --metrics-public)
  const [{ createMetrics, registerMetrics }, { sqliteStoreStats }, diagnostics, { RECONCILE_CHANNEL }] = await Promise.all([
    import('./server/metrics.ts'), import('./server/metrics-store.ts'), import('node:diagnostics_channel'), import('./runtime/controller.ts'),
  ]);
  // the SQLite file's size and pages: not with --store kube (the cluster's API server has its own metrics)
  const storeStats = opened.sqlitePath ? sqliteStoreStats(opened.sqlitePath) : undefined;
  const metrics = createMetrics({ store, storeStats: storeStats?.read });
  // reconcile latency and outcomes per controller, as the runtime reports them
  const onReconcile = (m: unknown) => metrics.reconciled(m as { controller: string; seconds: number; outcome: string });
  diagnostics.subscribe(RECONCILE_CHANNEL, onReconcile);
  const app = createServer({
    store,
    logs: logReader(store),
    token: creds?.token,
    publicPaths: opts.metricsPublic ? ['/metrics'] : [],
    // named tokens (`kiln token create`), re-read when the file changes; a broken file accepts none and is logged
    lookup: tokenLookup(join(dataDir, TOKENS_FILE), { onError: (e) => opts.log(`error: API tokens ignored: ${e.message}`) }),
    https: creds ? { key: creds.key, cert: creds.cert } : undefined,
    logger: { level: 'info', stream: process.stderr },
    ready: () => ready,
    // a delivery's CDEvents are recorded before what it creates (cdevents is started below)
    hooks: {
      interceptors: CORE_INTERCEPTORS,
      prepareDelivery: async (d) => (cdevents ? cdevents.prepareDelivery(d) : {}),
      deliveryCreated: async (d, created) => cdevents?.deliveryCreated(d, created),
    },
    hostPolicy,
    // the web UI at `/`, built by `npm ci` (prepare) or `npm run build:dashboard`
    dashboard: { root: fileURLToPath(new URL('../dashboard/dist', import.meta.url)) },
  });
  const policy = { keepLast: opts.keepRuns, maxAgeDays: opts.keepDays };
  const retention = policy.keepLast !== undefined || policy.maxAgeDays !== undefined
    ? createRetention({ store, executor, policy, onError: (e) => app.log.error({ err: e }, 'retention sweep failed') })
    : undefined;
  // --api-only: the API alone (the store other replicas share with --store kube); no controller runs
  const controllersOn = !opts.apiOnly;
  if (controllersOn) await Promise.all([taskruns.start(), pipelineruns.start(), claims.start(), tracing?.start()]);
  if (controllersOn) retention?.start();
  registerMetrics(app, metrics);
  metrics.start();
  ready = true;
  await app.listen({ port: opts.port, host: opts.address });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.address.includes(':') ? `[${opts.address}]` : opts.address === '0.0.0.0' ? '127.0.0.1' : opts.address;
  const url = `${creds ? 'https' : 'http'}://${host}:${port}`;
  const kubeconfig = writeKubeconfig(dataDir, url, creds);
  const listeners = createEventListenerController({ store, baseUrl: url, shard });
  if (controllersOn) await listeners.start();
  // CDEvents: an outbox in the store, delivered to --events-sink URLs and to the sinks a namespace's
  // ConfigMap kiln-events names (a namespace with neither records nothing)
  cdevents = (await import('./controllers/cdevents/controller.ts')).createCDEvents({
    store, source: { source: url, apiBase: url }, sinks: (opts.eventsSinks ?? []).map((u) => ({ url: u, mode: opts.eventsMode })), onOutcome: metrics.eventOutcome,
    logger: { info: () => {}, error: (m, f) => app.log.error(f ?? {}, m) },
    sealKey: (await import('./controllers/cdevents/seal.ts')).readOrCreateSealKey(join(dataDir, 'cdevents.key')), shard,
  });
  metrics.setPendingEvents(cdevents.delivery.pending);
  if (controllersOn) await cdevents.start();
  // GitOps: Applications synced from Git into any Kubernetes API, kiln's own for in-cluster
  const applications = await startApplications(store, dataDir, url, creds, opts.appResyncMs, (m) => app.log.error(m), shard, controllersOn);
  for (const n of executor.notices()) opts.log(`note: ${n}`);
  if (opts.allowHostPath?.length) opts.log(`note: hostPath allowed beneath ${opts.allowHostPath.join(', ')} (links resolved)`);
  if (hostPolicy.allowPrivileged) opts.log(`note: ${PRIVILEGED_NOTICE}`);
  if (opts.stepCapabilities === 'kubernetes') opts.log(opts.executor === 'kubernetes' ? 'note: step and sidecar containers get their node\'s default capabilities (--step-capabilities kubernetes: the Pods do not drop ALL)' : 'note: containers get the default capabilities of a Kubernetes node (--step-capabilities kubernetes), in their pod\'s user namespace');
  if (tracing) opts.log('note: traces of runs are exported (OTEL_* variables)');
  if (!controllersOn) opts.log('note: --api-only: serving the API alone, no controller runs (runs wait for replicas with --store kube)');
  if (opts.store === 'kube') opts.log(`note: state in the Kubernetes API at ${opened.describe}; logs and credentials in ${dataDir}`);
  opts.log(`kiln serving on ${url} (data: ${dataDir})`);
  opts.log(`  kubectl --kubeconfig ${kubeconfig} get pipelineruns`);
  await new Promise<void>((resolveStop) => {
    const stop = (sig: string) => {
      ready = false;
      retention?.stop();
      opts.log(`${sig}: stopping (no new work; running steps get ${SHUTDOWN_GRACE_MS / 1000}s to finish)`);
      resolveStop();
    };
    signals.once('SIGTERM', () => stop('SIGTERM'));
    signals.once('SIGINT', () => stop('SIGINT'));
  });
  // Applications first: their destinations' watches of kiln's own API would keep the server from closing
  await applications.stop();
  await app.close();
  metrics.stop();
  diagnostics.unsubscribe(RECONCILE_CHANNEL, onReconcile);
  storeStats?.close();
  await Promise.all([pipelineruns.stop(), taskruns.stop(), listeners.stop(), claims.stop(), cdevents.stop()]);
  await tracing?.stop();
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([executor.drain?.() ?? Promise.resolve(), new Promise((r) => (grace = setTimeout(r, SHUTDOWN_GRACE_MS)))]);
  clearTimeout(grace);
  await executor.close();
  // the lease goes last: the other replicas take this one's keys once its attempts have ended
  await closeStore();
  opts.log('stopped');
  return 0;
}

/** The Application controller, with kiln's own API (this server) as the in-cluster destination. */
async function startApplications(store: import('./store/store.ts').Store, dataDir: string, url: string, creds: { caCert: string; token: string } | undefined, resyncMs: number | undefined, logError: (m: string) => void, shard?: import('./runtime/replicas.ts').Shard, start = true) {
  const [{ createApplicationController }, { createGitSource }, { lazyDestinations }] = await Promise.all([
    import('./controllers/gitops/controller.ts'), import('./gitops/source/index.ts'), import('./gitops/cluster/lazy.ts'),
  ]);
  const createDestination = lazyDestinations(() => import('./gitops/cluster/destination.ts'));
  const inCluster = { server: url, name: 'in-cluster', bearerToken: creds?.token, tlsClientConfig: creds ? { caData: Buffer.from(creds.caCert).toString('base64') } : undefined };
  const c = createApplicationController({
    // a branch is fetched at most twice per resync period (a refresh or a webhook push fetches at once)
    store, source: createGitSource({ cacheDir: join(dataDir, 'gitops'), revisionCacheMs: Math.min((resyncMs ?? 180_000) / 2, 60_000) }), inCluster, destination: createDestination, resyncMs, shard,
    logger: { info: () => {}, error: (m, f) => logError(f ? `${m} ${JSON.stringify(f)}` : m) },
  });
  if (start) await c.start();
  return c;
}

/** How long running steps may take to finish after SIGTERM before they are stopped. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Entry point used by bin/kiln.mjs. */
export async function main(argv: string[]): Promise<number> {
  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ninterrupted: stopping cleanly (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await runCli(argv, {
      local: (o) => startLocalKiln(o),
      serve: (o) => serve(o),
      tokens: async (dir) => (await import('./server/tokens.ts')).tokenAdmin(resolve(dir)),
      bundlePush: async (req) => {
        const { pushBundle, BundlePushError } = await import('./resolution/bundle-push.ts');
        try {
          return await pushBundle(req);
        } catch (e) {
          throw e instanceof BundlePushError ? new CliError(EXIT.failed, e.message) : e;
        }
      },
      gitopsConformance: async (dir) => (await import('./gitops/conformance/run.ts')).runGitopsConformance(dir),
      conformanceCluster: async (kubeconfig) => (await import('./main-kubernetes.ts')).conformanceCluster(kubeconfig),
      cluster: async (file, context) => (await import('./gitops/cluster/kubeconfig.ts')).kubeconfigDestination(file, context),
      signal: ac.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
