// The `kiln app` command group (argocd's `app` commands and flags, against a kiln server).
import { Option, type Command } from 'commander';
import { appCreate, appDelete, appDiff, appGet, appHistory, appList, appRefresh, appRollback, appSync } from './app.ts';
import type { RemoteDeps } from './remote.ts';

type Connect = (o: { server?: string; token?: string }) => RemoteDeps;

export function addAppCommands(program: Command, remote: Connect, setCode: (n: number) => void): void {
  const app = program.command('app').description('GitOps: Argo CD Applications (list, get, diff, sync, history, rollback, refresh, create, delete)');
  const collect = (v: string, prev: string[]) => [...prev, v];
  const common = (c: Command) => c
    .option('-n, --app-namespace <ns>', 'the namespace Applications live in', 'argocd')
    .option('--server <url>', 'kiln server (default $KILN_SERVER, else the kubeconfig in the data dir)')
    .option('--token <t>', 'bearer token (default $KILN_TOKEN)');
  const syncFlags = (c: Command) => c
    .option('--prune', 'delete live objects no longer in Git')
    .option('--dry-run', 'validate only; change nothing')
    .option('--async', 'do not wait for the operation to finish')
    .option('--timeout <seconds>', 'give up waiting after this long (default 300)');
  const timeoutOf = (v: string | undefined) => (v === undefined ? undefined : Number(v));

  common(app.command('list').description('list Applications').option('-A, --all-namespaces', 'in every namespace'))
    .action(async (o) => setCode(await appList(o.allNamespaces ? undefined : o.appNamespace, remote(o))));
  common(app.command('get').description('show an Application: sync, health, conditions, last operation, resources').argument('<name>')
    .option('--refresh', 'compare with Git first').option('--hard-refresh', 'compare with Git first, re-rendering')
    .addOption(new Option('-o, --output <format>').choices(['json'])))
    .action(async (name, o) => setCode(await appGet(o.appNamespace, name, { refresh: !!o.refresh, hardRefresh: !!o.hardRefresh, output: o.output }, remote(o))));
  common(app.command('diff').description('the diff of every OutOfSync resource (exit 1 when there is one)').argument('<name>').option('--refresh', 'compare with Git first'))
    .action(async (name, o) => setCode(await appDiff(o.appNamespace, name, !!o.refresh, remote(o))));
  common(syncFlags(app.command('sync').description('sync an Application and follow the operation').argument('<name>')
    .option('--revision <rev>', 'sync to this revision instead of the target')
    .option('--resource <GROUP:KIND:NAME>', 'sync only this resource (repeatable; NAME may be NAMESPACE/NAME)', collect, [])))
    .action(async (name, o) => setCode(await appSync(o.appNamespace, name, { prune: !!o.prune, dryRun: !!o.dryRun, revision: o.revision, resource: o.resource, async: !!o.async, timeout: timeoutOf(o.timeout) }, remote(o))));
  common(app.command('history').description('the revisions synced, oldest first').argument('<name>'))
    .action(async (name, o) => setCode(await appHistory(o.appNamespace, name, remote(o))));
  common(syncFlags(app.command('rollback').description('sync the revision of a history entry (default: the previous one); refused while automated').argument('<name>').argument('[id]')))
    .action(async (name, id, o) => setCode(await appRollback(o.appNamespace, name, id, { prune: !!o.prune, dryRun: !!o.dryRun, async: !!o.async, timeout: timeoutOf(o.timeout) }, remote(o))));
  common(app.command('refresh').description('compare with Git now').argument('<name>').option('--hard', 're-render too'))
    .action(async (name, o) => setCode(await appRefresh(o.appNamespace, name, !!o.hard, remote(o))));
  common(app.command('create').description('create an Application').argument('<name>')
    .requiredOption('--repo <url>', 'repository URL').option('--path <path>', 'path in the repository').option('--revision <rev>', 'target revision (default HEAD)')
    .option('--dest-server <url>', 'destination API (https://kubernetes.default.svc: this kiln)').option('--dest-name <name>', 'destination cluster by name')
    .option('--dest-namespace <ns>', 'destination namespace').option('--project <p>', 'AppProject (default default)')
    .option('--sync-policy <policy>', 'automated or none').option('--self-heal', 'revert changes made outside Git').option('--auto-prune', 'automated sync prunes')
    .option('--sync-option <opt>', 'e.g. CreateNamespace=true (repeatable)', collect, []))
    .action(async (name, o) => setCode(await appCreate(o.appNamespace, name, {
      repo: o.repo, path: o.path, revision: o.revision, destServer: o.destServer, destName: o.destName, destNamespace: o.destNamespace,
      project: o.project, syncPolicy: o.syncPolicy, selfHeal: !!o.selfHeal, autoPrune: !!o.autoPrune, syncOption: o.syncOption,
    }, remote(o))));
  common(app.command('delete').description('delete an Application (its resources too when it has the resources finalizer)').argument('<name>'))
    .action(async (name, o) => setCode(await appDelete(o.appNamespace, name, remote(o))));
}
