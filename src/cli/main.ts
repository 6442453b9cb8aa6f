// The kiln CLI: parses flags, calls a client (in-process here), renders. No engine code.
import { Command, CommanderError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import pc from './colors.ts';
import { parseDuration } from '../api/duration.ts';
import { ValidationError, formatFieldError } from '../api/errors.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import { runCommand } from './run.ts';
import { fieldValidationOf, loadFile, notAppliedNote, VALIDATE_HELP } from './files.ts';
import { readImageMap } from './conformance-images.ts';
import { conformanceCommand, type ConformanceCluster } from './conformance.ts';
import { hubUrlsOf, readResolverConfig, type BundleMapping, type HubUrls, type UrlRewrite } from './resolver-config.ts';
import { addGitopsConformance, type GitopsConformanceRunner } from './conformance-gitops.ts';
import { gitResolverConfig } from './git-resolver-config.ts';
import { createPlainReporter, type Writers } from './reporter.ts';
import { addRemoteCommands, type Connection } from './remote-commands.ts';
import { addTokenCommands, type TokenAdminFactory } from './token.ts';
import { addInstallCommands, type ClusterConnector } from './install.ts';
import { addBundleCommands, type BundlePusher } from './bundle.ts';

/** What the CLI gets from the composition root. */
export interface CliDeps {
  /** an in-process kiln (store + controllers + executor) */
  local(opts: { dataDir: string; offline?: boolean; maxParallel?: number; stepNetwork?: StepNetwork; allowPrivileged?: boolean; stepCapabilities?: StepCapabilities; executor?: ExecutorChoice | 'kubernetes'; kubeconfig?: string; toolsImage?: string; resolverRewrites?: readonly UrlRewrite[]; hubUrls?: HubUrls; bundleMappings?: readonly BundleMapping[] }): Promise<KilnClient>;
  /** a client for a server (default: the HTTP client) */
  remote?(c: Connection): KilnClient;
  /** runs `kiln serve` until SIGTERM/SIGINT; resolves with the exit code */
  serve?(opts: ServeOptions): Promise<number>;
  /** `kiln token`: the named API tokens of a data dir */
  tokens?: TokenAdminFactory;
  /** `kiln conformance gitops`: runs the GitOps fixtures through gitops/health and gitops/diff */
  gitopsConformance?: GitopsConformanceRunner;
  /** `kiln install|uninstall`: a Kubernetes API from a kubeconfig */
  cluster?: ClusterConnector;
  /** `kiln conformance --executor kubernetes`: what each file's Pods need in their cluster (namespace, ConfigMaps, Secrets) */
  conformanceCluster?: (kubeconfig: string | undefined) => Promise<ConformanceCluster>;
  /** `kiln bundle push`: builds and pushes a Tekton bundle */
  bundlePush?: BundlePusher;
  writers?: Writers;
  env?: Record<string, string | undefined>;
  /** aborted on Ctrl-C */
  signal?: AbortSignal;
}

export interface ServeOptions {
  port: number;
  address: string;
  dataDir: string;
  insecureLoopbackOnly: boolean;
  maxParallel?: number;
  /** retention: keep at most this many finished runs per pipeline/task (default: all) */
  keepRuns?: number;
  /** retention: prune finished runs older than this many days (default: never) */
  keepDays?: number;
  /** steps' network beyond their attempt's loopback (default 'outside') */
  stepNetwork?: StepNetwork;
  /** host directories runs may bind as hostPath (realpath beneath one of them; default: none) */
  allowHostPath?: string[];
  /** containers may ask for securityContext.privileged (still granted no capability) */
  allowPrivileged?: boolean;
  /** the capabilities the podman executor's containers get (default 'none') */
  stepCapabilities?: StepCapabilities;
  /** serve even when steps cannot be contained here (no working bwrap): the host is then theirs */
  allowUnsandboxed?: boolean;
  /** which executor runs steps (default 'process'); kubernetes: a Pod per TaskRun in the cluster of `kubeconfig` */
  executor?: ExecutorChoice | 'kubernetes';
  /** serve the API alone, running no controller: the store other replicas share through --store kube */
  apiOnly?: boolean;
  /** where state lives (default 'sqlite', a file in the data dir); kube: the Kubernetes API of `kubeconfig`, shared by replicas */
  store?: 'sqlite' | 'kube';
  /** --store kube / --executor kubernetes: the kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster) */
  kubeconfig?: string;
  /** the kubeconfig's context (default its current one) */
  context?: string;
  /** --store kube: this replica's id (default host name and process id) */
  replicaId?: string;
  /** --store kube: the namespace of the replicas' Leases (default the Pod's namespace in a cluster, else default) */
  leaseNamespace?: string;
  /** --store kube: how long a replica's lease lasts unrenewed (ms; default 15 000): a dead replica's keys move within it */
  leaseDurationMs?: number;
  /** --executor kubernetes: the busybox image each Pod's prepare and report containers run */
  toolsImage?: string;
  /** CDEvents sinks (http/https URLs; default none: no events are recorded) and their CloudEvents HTTP mode */
  eventsSinks?: string[];
  eventsMode?: 'binary' | 'structured';
  /** serve /metrics without the API token */
  metricsPublic?: boolean;
  /** namespaces the cluster resolver may read (default: all) */
  resolverClusterNamespaces?: string[];
  /** the git resolver's settings by the keys of Tekton's git-resolver-config (scm-type, server-url, api-token-secret-name, …) */
  gitResolverConfig?: Record<string, string>;
  /** the hub resolver's API bases (default the public Artifact Hub and Tekton Hub) */
  hubUrls?: HubUrls;
  /** GitOps: how often every Application is refreshed (ms; default 180 s) */
  appResyncMs?: number;
  log: (line: string) => void;
}

/** `--step-network`: outside access for steps through a user-mode network, or none. */
export type StepNetwork = 'outside' | 'none';
const STEP_NETWORK_HELP = "steps' network besides their TaskRun's own loopback: outside (user-mode NAT, the default) or none";

/** `--step-capabilities`: none (the default) or the default set of a Kubernetes node's container runtime (podman and kubernetes executors). */
export type StepCapabilities = 'none' | 'kubernetes';
const STEP_CAPABILITIES_HELP = 'capabilities of step and sidecar containers: none (the default) or kubernetes (the default set a Kubernetes node gives a container, without NET_RAW; securityContext.capabilities add and drop on top); podman: only where each pod has a user namespace of its own; --executor kubernetes: the Pods no longer drop ALL';
const stepCapabilitiesOption = () => new Option('--step-capabilities <set>', STEP_CAPABILITIES_HELP).choices(['none', 'kubernetes']);

/** `--executor`: steps in their images (podman), as local processes, or podman when it works here. */
export type ExecutorChoice = 'auto' | 'podman' | 'process';
const EXECUTOR_HELP = 'what runs steps: podman (each step in its image), process (local processes, the default) or auto (podman when it works here, else process)';

const KUBECONFIG_HELP = 'with --executor kubernetes: the cluster the Pods run in (default: $KUBECONFIG, ~/.kube/config or in-cluster)';
const TOOLS_IMAGE_HELP = 'with --executor kubernetes: the busybox image of each Pod\'s prepare and report containers (default docker.io/library/busybox:1.36)';

/** --kubeconfig and --tools-image mean something with --executor kubernetes only. */
function kubernetesOnly(o: { executor?: string; kubeconfig?: string; toolsImage?: string }): void {
  for (const f of ['kubeconfig', 'toolsImage'] as const) {
    if (o[f] !== undefined && o.executor !== 'kubernetes') throw new CliError(EXIT.invalid, `--${f === 'toolsImage' ? 'tools-image' : f} applies to --executor kubernetes only`);
  }
}

/** Default port of `kiln serve`. */
export const DEFAULT_PORT = 7443;

const collect = (v: string, prev: string[]) => [...prev, v];

const HUB_ARTIFACT_HELP = 'the hub resolver\'s Artifact Hub API (default https://artifacthub.io)';
const HUB_TEKTON_HELP = 'the hub resolver\'s Tekton Hub API (default https://api.hub.tekton.dev)';

const ALLOW_PRIVILEGED_HELP = 'accept steps and sidecars asking for securityContext.privileged (they still get no capability)';

/** `--allow-host-path` values (repeated, comma-separated) as absolute directories; undefined when absent. */
export function allowedHostPaths(values: readonly string[], cwd = process.cwd()): string[] | undefined {
  if (!values.length) return undefined;
  const dirs = values.flatMap((v) => v.split(',')).map((d) => d.trim()).filter((d) => d !== '');
  if (!dirs.length) throw new CliError(EXIT.invalid, '--allow-host-path: expected a directory (DIR[,DIR…])');
  return dirs.map((d) => resolvePath(cwd, d));
}

function parallelOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(EXIT.invalid, `--parallel ${v}: expected a positive integer`);
  return n;
}

/** A non-negative number flag (`min` and up), or undefined when absent. */
function countOf(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new CliError(EXIT.invalid, `${flag} ${v}: expected a number ≥ ${min}`);
  return n;
}

function dataDirOf(opts: { dataDir?: string }, env: Record<string, string | undefined>): string {
  return opts.dataDir ?? env.KILN_HOME ?? '.kiln';
}

/** Writers for the real terminal; `raw` only when stdout is one (live redraws). */
function processWriters(): Writers {
  return {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
    raw: process.stdout.isTTY ? (s) => process.stdout.write(s) : undefined,
  };
}

export function buildProgram(deps: CliDeps, setCode: (n: number) => void): Command {
  const w = deps.writers ?? processWriters();
  const env = deps.env ?? process.env;
  const program = new Command('kiln')
    .description('Run Tekton pipelines and tasks on this machine')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => w.out(s.trimEnd()), writeErr: (s) => w.err(s.trimEnd()) })
    .showHelpAfterError();

  program
    .command('run')
    .description('run every TaskRun/PipelineRun in a file (or the file\'s one Task/Pipeline) and follow it')
    .requiredOption('-f, --filename <file>', 'YAML file with Tekton resources (- for stdin)')
    .option('-n, --namespace <ns>', 'namespace for the objects (default: theirs, else "default")')
    .option('-p, --param <name=value>', 'param for the run: value, a,b,c for arrays, k1:v1,k2:v2 for objects', collect, [])
    .option('-w, --workspace <name=DIR>', 'bind a workspace to a host directory (created if missing)', collect, [])
    .option('--pipeline <name>', 'with no run in the file: start this Pipeline of the file')
    .option('--task <name>', 'with no run in the file: start this Task of the file')
    .addOption(new Option('-o, --output <format>', 'print the final runs').choices(['json']))
    .option('--data-dir <dir>', 'where runs and logs are kept (default $KILN_HOME or ./.kiln)')
    .option('--parallel <n>', 'at most N TaskRuns run at once (default: twice the cores, at least 2)')
    .option('--validate [mode]', VALIDATE_HELP)
    .option('--strict', 'unknown fields are errors (the default; same as --validate=strict)')
    .addOption(new Option('--step-network <mode>', STEP_NETWORK_HELP).choices(['outside', 'none']))
    .option('--allow-privileged', ALLOW_PRIVILEGED_HELP)
    .addOption(stepCapabilitiesOption())
    .addOption(new Option('--executor <name>', EXECUTOR_HELP).choices(['auto', 'podman', 'process']))
    .option('--hub-artifact-url <url>', HUB_ARTIFACT_HELP)
    .option('--hub-tekton-url <url>', HUB_TEKTON_HELP)
    .action(async (o) => {
      const fieldValidation = fieldValidationOf(o.validate, o.strict);
      const hubUrls = hubUrlsOf(o);
      const reporter = createPlainReporter(w, { json: o.output === 'json', live: !!w.raw });
      setCode(await runCommand({
        file: o.filename,
        namespace: o.namespace,
        params: o.param,
        workspaces: o.workspace,
        pipeline: o.pipeline,
        task: o.task,
        fieldValidation,
        reporter,
        signal: deps.signal,
        allowPrivileged: !!o.allowPrivileged,
        executor: o.executor,
        stepCapabilities: o.stepCapabilities,
        client: () => deps.local({ dataDir: dataDirOf(o, env), maxParallel: parallelOf(o.parallel), stepNetwork: o.stepNetwork, allowPrivileged: !!o.allowPrivileged, stepCapabilities: o.stepCapabilities, executor: o.executor, hubUrls }),
      }));
    });

  program
    .command('validate')
    .description('validate a file without running anything')
    .requiredOption('-f, --filename <file>', 'YAML file')
    .option('--validate [mode]', VALIDATE_HELP)
    .option('--strict', 'unknown fields are errors (the default; same as --validate=strict)')
    .action((o) => {
      const fieldValidation = fieldValidationOf(o.validate, o.strict);
      const { objects, warnings, notApplied } = loadFile(o.filename, { fieldValidation, setAside: true });
      for (const x of warnings) w.err(`${pc.yellow('warning:')} ${formatFieldError(x)}`);
      if (notApplied.length) w.err(`${pc.yellow('note:')} ${notAppliedNote(notApplied)}`);
      w.out(`${o.filename}: ${objects.length} object(s) valid${warnings.length ? `, ${warnings.length} warning(s)` : ''}`);
      setCode(EXIT.ok);
    });

  const conformance = program
    .command('conformance')
    .description('run every YAML file under DIR as upstream CI does; report PASS/FAIL/UNSUPPORTED per file')
    .argument('<dir>', 'directory of Tekton example files')
    .option('--json', 'print the results as JSON')
    .option('-j, --jobs <n>', 'files run at once', String(Math.max(2, availableParallelism())))
    .option('--timeout <duration>', 'per-file limit (Go duration)', '5m')
    .option('--ratchet <file>', 'fail only if a file listed here stops passing; warn about passing files not listed')
    .option('--ratchet-root <dir>', 'ratchet paths are relative to this directory (default: DIR)')
    .option('--report <file>', 'also write a Markdown report (counts per directory, verdict per file)')
    .option('--parallel <n>', 'at most N TaskRuns run at once across files')
    .option('--network', 'the machine has network access: do not report network needs as unsupported')
    .option('--data-dir <dir>', 'where runs and logs are kept (default: a directory under $KILN_HOME or ./.kiln)')
    .addOption(new Option('--executor <name>', `${EXECUTOR_HELP}; kubernetes: each TaskRun a Pod in a cluster (--kubeconfig)`).choices(['auto', 'podman', 'process', 'kubernetes']))
    .addOption(stepCapabilitiesOption())
    .option('--kubeconfig <file>', KUBECONFIG_HELP)
    .option('--tools-image <image>', TOOLS_IMAGE_HELP)
    .option('--images <file>', 'replace image references before creating the objects: lines "upstream-image local-image"')
    .option('--resolver-config <file>', 'resolvers\' remotes served elsewhere (stand-ins on loopback): YAML/JSON {rewrites: [{from, to}], hub: {artifact, tekton}, bundles: [{from, to}]}')
    .option('--hub-artifact-url <url>', HUB_ARTIFACT_HELP)
    .option('--hub-tekton-url <url>', HUB_TEKTON_HELP)
    .action(async (dir, o) => {
      const resolvers = o.resolverConfig ? readResolverConfig(o.resolverConfig) : { rewrites: [], hub: {}, bundles: [] };
      const hubUrls = { ...resolvers.hub, ...hubUrlsOf(o) };
      const timeoutMs = parseDuration(o.timeout);
      if (timeoutMs === undefined) throw new CliError(EXIT.invalid, `--timeout ${o.timeout}: not a duration (e.g. 90s, 5m)`);
      const jobs = Number(o.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new CliError(EXIT.invalid, `--jobs ${o.jobs}: expected a positive integer`);
      kubernetesOnly(o);
      const kube = o.executor === 'kubernetes';
      if (kube && !deps.conformanceCluster) throw new CliError(EXIT.internal, 'this build of kiln cannot reach a cluster');
      setCode(await conformanceCommand({
        dir, jobs, timeoutMs, json: !!o.json, ratchet: o.ratchet, ratchetRoot: o.ratchetRoot, report: o.report,
        ...(o.images ? { images: { file: o.images, map: readImageMap(o.images) } } : {}),
        client: () => deps.local({ dataDir: o.dataDir ?? `${dataDirOf({}, env)}/conformance`, offline: !o.network, maxParallel: parallelOf(o.parallel), executor: o.executor, stepCapabilities: o.stepCapabilities, kubeconfig: o.kubeconfig, toolsImage: o.toolsImage, resolverRewrites: resolvers.rewrites, hubUrls, bundleMappings: resolvers.bundles }),
        ...(kube ? { cluster: () => deps.conformanceCluster!(o.kubeconfig).catch((e: Error) => { throw new CliError(EXIT.invalid, e.message); }) } : {}),
        out: w.out, err: w.err,
      }));
    });

  addGitopsConformance(conformance, deps.gitopsConformance, w, setCode);

  addRemoteCommands(program, deps, w, env, setCode);
  addTokenCommands(program, deps.tokens, w, (o) => dataDirOf(o, env), setCode);
  addInstallCommands(program, deps.cluster, w, env, setCode);
  addBundleCommands(program, deps.bundlePush, w, env, setCode, deps.signal);

  program
    .command('serve')
    .description('run the API server and every controller (state in SQLite under the data dir, or --store kube)')
    .option('--port <n>', `port (default ${DEFAULT_PORT})`)
    .option('--address <a>', 'address to listen on (default 127.0.0.1)')
    .option('--data-dir <dir>', 'state, logs and credentials (default $KILN_HOME or ./.kiln)')
    .option('--insecure-loopback-only', 'plain HTTP without auth, bound to 127.0.0.1 only (local use)')
    .option('--parallel <n>', 'at most N TaskRuns run at once (default: twice the cores, at least 2)')
    .option('--keep-runs <n>', 'keep the last N finished runs per pipeline/task; older ones go with their logs (default: all)')
    .option('--keep-days <d>', 'prune finished runs (and their logs) and trigger records older than D days (default: never)')
    .addOption(new Option('--step-network <mode>', STEP_NETWORK_HELP).choices(['outside', 'none']))
    .option('--allow-host-path <dirs>', 'runs may bind host directories beneath these (DIR[,DIR…], repeatable; links resolved); default: no hostPath', collect, [])
    .option('--allow-privileged', ALLOW_PRIVILEGED_HELP)
    .addOption(stepCapabilitiesOption())
    .option('--allow-unsandboxed', 'serve even where steps cannot be sandboxed (no working bwrap): whoever can create a run then owns the host')
    .addOption(new Option('--executor <name>', `${EXECUTOR_HELP}; kubernetes: a Pod per TaskRun in a cluster (--kubeconfig)`).choices(['auto', 'podman', 'process', 'kubernetes']))
    .option('--api-only', 'serve the API alone and run no controller: a store for `kiln serve --store kube` replicas (as a cluster\'s API server is)')
    .addOption(new Option('--store <kind>', 'where state lives: sqlite (a file in the data dir, the default) or kube (the Kubernetes API of --kubeconfig, shared by replicas)').choices(['sqlite', 'kube']))
    .option('--kubeconfig <file>', 'with --store kube or --executor kubernetes: the cluster (default: $KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--context <name>', 'with --kubeconfig: its context to use (default its current one)')
    .option('--replica-id <id>', 'with --store kube: this replica\'s id, its Lease\'s name suffix (default: host name and process id)')
    .option('--lease-namespace <ns>', 'with --store kube: the namespace of the replicas\' Leases (default: the Pod\'s namespace in a cluster, else default)')
    .option('--lease-duration <seconds>', 'with --store kube: a replica is live while its Lease was renewed this recently (default 15; renewed every third of it)')
    .option('--tools-image <image>', TOOLS_IMAGE_HELP)
    .option('--events-sink <url>', 'send CDEvents of runs to this http(s) URL as CloudEvents (repeatable; kept in an outbox until delivered)', collect, [])
    .addOption(new Option('--events-mode <mode>', 'CloudEvents HTTP mode of --events-sink (default binary)').choices(['binary', 'structured']))
    .option('--metrics-public', 'serve /metrics without the API token')
    .option('--resolver-cluster-namespaces <ns>', 'namespaces the cluster resolver may read Tasks and Pipelines from (NS[,NS…], repeatable; default: all)', collect, [])
    .option('--git-resolver-config <key=value>', 'the git resolver\'s settings as in Tekton\'s git-resolver-config: fetch-timeout, default-url, default-revision, scm-type, server-url, api-token-secret-name, -key, -namespace, default-org; CONFIGKEY.KEY for the configuration a configKey param selects (repeatable)', collect, [])
    .option('--hub-artifact-url <url>', HUB_ARTIFACT_HELP)
    .option('--hub-tekton-url <url>', HUB_TEKTON_HELP)
    .option('--app-resync <seconds>', 'GitOps: refresh every Application this often (default 180)')
    .action(async (o) => {
      const hubUrls = hubUrlsOf(o);
      const appResync = o.appResync === undefined ? undefined : Number(o.appResync);
      if (appResync !== undefined && !(Number.isFinite(appResync) && appResync > 0)) throw new CliError(EXIT.invalid, `--app-resync ${o.appResync}: expected a number of seconds > 0`);
      if (!deps.serve) throw new CliError(EXIT.internal, 'this build of kiln cannot serve');
      for (const u of o.eventsSink as string[]) if (!/^https?:\/\/[^/]/i.test(u) || !URL.canParse(u)) throw new CliError(EXIT.invalid, `--events-sink ${u}: expected an http:// or https:// URL`);
      const port = o.port === undefined ? DEFAULT_PORT : Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(EXIT.invalid, `--port ${o.port}: expected 0-65535`);
      if (o.toolsImage !== undefined && o.executor !== 'kubernetes') throw new CliError(EXIT.invalid, '--tools-image applies to --executor kubernetes only');
      for (const f of ['kubeconfig', 'context'] as const) {
        if (o[f] !== undefined && o.executor !== 'kubernetes' && o.store !== 'kube') throw new CliError(EXIT.invalid, `--${f} applies to --store kube or --executor kubernetes only`);
      }
      for (const [f, flag] of [['replicaId', '--replica-id'], ['leaseNamespace', '--lease-namespace'], ['leaseDuration', '--lease-duration']] as const) {
        if (o[f] !== undefined && o.store !== 'kube') throw new CliError(EXIT.invalid, `${flag} applies to --store kube only`);
      }
      const leaseDuration = countOf('--lease-duration', o.leaseDuration, 1);
      if (o.insecureLoopbackOnly && o.address && o.address !== '127.0.0.1' && o.address !== 'localhost') {
        throw new CliError(EXIT.invalid, `--insecure-loopback-only binds 127.0.0.1 only; drop --address ${o.address}`);
      }
      setCode(await deps.serve({
        port,
        address: o.insecureLoopbackOnly ? '127.0.0.1' : o.address ?? '127.0.0.1',
        dataDir: dataDirOf(o, env),
        insecureLoopbackOnly: !!o.insecureLoopbackOnly,
        maxParallel: parallelOf(o.parallel),
        keepRuns: countOf('--keep-runs', o.keepRuns, 0),
        keepDays: countOf('--keep-days', o.keepDays, 0),
        stepNetwork: o.stepNetwork,
        allowHostPath: allowedHostPaths(o.allowHostPath),
        allowPrivileged: !!o.allowPrivileged,
        stepCapabilities: o.stepCapabilities,
        allowUnsandboxed: !!o.allowUnsandboxed,
        executor: o.executor,
        store: o.store,
        apiOnly: !!o.apiOnly,
        kubeconfig: o.kubeconfig,
        context: o.context,
        replicaId: o.replicaId,
        leaseNamespace: o.leaseNamespace,
        leaseDurationMs: leaseDuration === undefined ? undefined : leaseDuration * 1000,
        toolsImage: o.toolsImage,
        eventsSinks: o.eventsSink,
        eventsMode: o.eventsMode,
        metricsPublic: !!o.metricsPublic,
        resolverClusterNamespaces: (o.resolverClusterNamespaces as string[]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean),
        gitResolverConfig: gitResolverConfig(o.gitResolverConfig as string[]),
        hubUrls,
        appResyncMs: appResync === undefined ? undefined : appResync * 1000,
        log: w.err,
      }));
    });

  return program;
}

/** Runs the CLI; returns the exit code. User errors print one banner, never a stack trace. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const w = deps.writers ?? processWriters();
  let code: number = EXIT.ok;
  const program = buildProgram(deps, (n) => (code = n));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (e instanceof CliError) {
      w.err(`${pc.red('error:')} ${e.message}`);
      for (const d of e.details) w.err(`  ${d}`);
      return e.code;
    }
    if (e instanceof ValidationError) {
      w.err(`${pc.red('error:')} invalid input`);
      for (const fe of e.errors) w.err(`  ${formatFieldError(fe)}`);
      return EXIT.invalid;
    }
    w.err(`${pc.red('internal error:')} ${(e as Error).stack ?? String(e)}`);
    w.err('this is a bug in kiln; please report it with the command you ran');
    return EXIT.internal;
  }
}
