// `kiln manifests`, `kiln install`, `kiln uninstall`: kiln on a Kubernetes cluster. The manifests
// come from install/ (pure); the cluster client from the composition root (CliDeps.cluster).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { formatFieldError } from '../api/errors.ts';
import { install, uninstall, type InstallTarget } from '../install/cluster.ts';
import { manifests } from '../install/manifests.ts';
import { compileInstallOptions, DEFAULT_OPTIONS, SERVICE_TYPES, type InstallOptions } from '../install/options.ts';
import { CliError, EXIT } from './exit.ts';
import type { Writers } from './reporter.ts';

/** A Kubernetes API from a kubeconfig file and context (throws a readable error). */
export type ClusterConnector = (kubeconfig: string, context?: string) => Promise<InstallTarget>;

interface Flags {
  namespace?: string; image?: string; replicas?: string; serviceType?: InstallOptions['serviceType'];
  webhookServiceType?: InstallOptions['serviceType']; dataSize?: string; storageClass?: string;
  gitops?: boolean; gitopsInCluster?: boolean;
}

/** The options the flags give, checked (every bad flag named). */
export function optionsOf(f: Flags): InstallOptions {
  const r = compileInstallOptions({
    namespace: f.namespace, image: f.image, replicas: f.replicas === undefined ? undefined : Number(f.replicas),
    serviceType: f.serviceType, webhookServiceType: f.webhookServiceType, dataSize: f.dataSize,
    storageClass: f.storageClass, gitops: f.gitops, gitopsInCluster: f.gitopsInCluster,
  });
  if ('errors' in r) throw new CliError(EXIT.invalid, 'invalid options', r.errors.map(formatFieldError));
  return r.options;
}

/** Multi-document YAML of the objects, in order. */
export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

function layoutOptions(c: Command): Command {
  return c
    .option('-n, --namespace <ns>', `kiln's namespace (default ${DEFAULT_OPTIONS.namespace})`)
    .option('--image <image>', `the controller's image (default ${DEFAULT_OPTIONS.image}; no image is published yet: build and push your own)`)
    .option('--replicas <n>', 'controller replicas (default 1; more need a ReadWriteMany storage class)')
    .addOption(new Option('--service-type <type>', 'the API/dashboard Service\'s type (default ClusterIP)').choices(SERVICE_TYPES))
    .addOption(new Option('--webhook-service-type <type>', 'the webhook sink Service\'s type (default ClusterIP)').choices(SERVICE_TYPES))
    .option('--data-size <quantity>', `the data volume's size: logs, credentials (default ${DEFAULT_OPTIONS.dataSize})`)
    .option('--storage-class <name>', 'the data volume\'s storage class (default: the cluster\'s default)')
    .option('--no-gitops', 'leave out Argo CD\'s Application and AppProject CRDs (where Argo CD runs)')
    .option('--gitops-in-cluster', 'let Applications deploy any kind into this cluster (a ClusterRole with every right, as Argo CD\'s)');
}

function clusterOptions(c: Command): Command {
  return c
    .option('--kubeconfig <file>', 'the cluster\'s kubeconfig (default $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use (default its current one)');
}

/** Adds `kiln manifests|install|uninstall` to `program`. */
export function addInstallCommands(program: Command, connect: ClusterConnector | undefined, w: Writers, env: Record<string, string | undefined>, setCode: (n: number) => void): void {
  const target = async (o: { kubeconfig?: string; context?: string }) => {
    if (!connect) throw new CliError(EXIT.internal, 'this build of kiln cannot reach a cluster');
    const file = o.kubeconfig ?? env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
    try {
      return await connect(file, o.context);
    } catch (e) {
      throw new CliError(EXIT.invalid, (e as Error).message);
    }
  };
  /** API failures (refused, forbidden, unreachable) as one banner. */
  const onCluster = async (server: string, fn: () => Promise<number>) => {
    try {
      return await fn();
    } catch (e) {
      throw new CliError(EXIT.failed, `${server}: ${(e as Error).message}`);
    }
  };
  const log = (line: string) => w.err(line);

  layoutOptions(program.command('manifests'))
    .description('print the YAML `kiln install` applies (CRDs first), e.g. for GitOps or `kubectl apply -f -`')
    .action((o: Flags) => {
      w.out(toYaml(manifests(optionsOf(o))).trimEnd());
      setCode(EXIT.ok);
    });

  clusterOptions(layoutOptions(program.command('install')))
    .description('install kiln on a Kubernetes cluster, or upgrade it (server-side apply; re-running is safe)')
    .option('--force', 'take over Tekton\'s or Argo CD\'s CRDs if they are installed (kiln then serves those kinds)')
    .option('--timeout <seconds>', 'how long to wait for the CRDs to be Established (default 60)')
    .action(async (o: Flags & { kubeconfig?: string; context?: string; force?: boolean; timeout?: string }) => {
      const opts = optionsOf(o);
      const timeout = o.timeout === undefined ? 60 : Number(o.timeout);
      if (!Number.isFinite(timeout) || timeout < 0) throw new CliError(EXIT.invalid, `--timeout ${o.timeout}: expected a number of seconds ≥ 0`);
      const t = await target(o);
      setCode(await onCluster(t.server, () => install(opts, {
        target: t, log, force: !!o.force, timeoutMs: timeout * 1000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      })));
    });

  clusterOptions(program.command('uninstall'))
    .description('remove kiln from a cluster; keeps the CRDs (and every run) and the data volume unless asked')
    .option('-n, --namespace <ns>', `kiln's namespace (default ${DEFAULT_OPTIONS.namespace})`)
    .option('--delete-crds', 'also delete kiln\'s CRDs: every Task, Pipeline, run, trigger and Application on the cluster goes with them')
    .option('--delete-data', 'also delete the data volume (step logs, credentials) and kiln\'s namespace')
    .action(async (o: { namespace?: string; kubeconfig?: string; context?: string; deleteCrds?: boolean; deleteData?: boolean }) => {
      const opts = optionsOf({ namespace: o.namespace });
      const t = await target(o);
      setCode(await onCluster(t.server, () => uninstall(opts, { deleteCrds: !!o.deleteCrds, deleteData: !!o.deleteData }, { target: t, log })));
    });
}
