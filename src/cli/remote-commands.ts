// The client-mode commands' flags, declared once; they talk to a kiln server.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { parse } from 'yaml';
import type { KilnClient } from '../client/client.ts';
import { createHttpClient } from '../client/http.ts';
import { CliError, EXIT } from './exit.ts';
import { fieldValidationOf, VALIDATE_HELP } from './files.ts';
import { createPlainReporter, type Writers } from './reporter.ts';
import { startCommand } from './start.ts';
import { triggerTestCommand } from './trigger.ts';
import { applyCommand, cancelCommand, deleteCommand, describeCommand, getCommand, type OutputFormat, type RemoteDeps } from './remote.ts';
import { logsCommand } from './logs.ts';
import { addAppCommands } from './app-commands.ts';

export interface Connection { server: string; token?: string; ca?: string }

/**
 * Where the server is: `--server`/`KILN_SERVER` (+ `--token`/`KILN_TOKEN`), else the kubeconfig
 * `kiln serve` wrote in the data dir (`$KILN_HOME` or ./.kiln), else an error saying how to start one.
 */
export function resolveConnection(o: { server?: string; token?: string }, env: Record<string, string | undefined>): Connection {
  const server = o.server ?? env.KILN_SERVER;
  const token = o.token ?? env.KILN_TOKEN;
  if (server) return { server, token };
  const kubeconfig = join(env.KILN_HOME ?? '.kiln', 'kubeconfig');
  if (existsSync(kubeconfig)) {
    const cfg = parse(readFileSync(kubeconfig, 'utf8')) as {
      clusters?: Array<{ cluster?: { server?: string; 'certificate-authority-data'?: string } }>;
      users?: Array<{ user?: { token?: string } }>;
    };
    const cluster = cfg.clusters?.[0]?.cluster;
    if (cluster?.server) {
      const ca = cluster['certificate-authority-data'];
      return { server: cluster.server, token: token ?? cfg.users?.[0]?.user?.token, ca: ca ? Buffer.from(ca, 'base64').toString('utf8') : undefined };
    }
  }
  throw new CliError(EXIT.invalid, 'no kiln server to talk to', [
    'start one with `kiln serve` (it writes .kiln/kubeconfig, which this command reads),',
    'or point at one with --server URL / KILN_SERVER (and --token / KILN_TOKEN)',
  ]);
}

export function addRemoteCommands(program: Command, deps: { remote?: (c: Connection) => KilnClient; signal?: AbortSignal }, w: Writers, env: Record<string, string | undefined>, setCode: (n: number) => void): void {
  const connect = (o: { server?: string; token?: string }) => async () => {
    const c = resolveConnection(o, env);
    return deps.remote ? deps.remote(c) : createHttpClient(c);
  };
  const remote = (o: { server?: string; token?: string }): RemoteDeps => ({ client: connect(o), w });
  const common = (c: Command) => c
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--server <url>', 'kiln server (default $KILN_SERVER, else the kubeconfig in the data dir)')
    .option('--token <t>', 'bearer token (default $KILN_TOKEN)');

  common(program.command('apply').description('create or update every object in a file on the server')
    .requiredOption('-f, --filename <file>', 'YAML file')
    .option('--validate [mode]', VALIDATE_HELP)
    .option('--strict', 'unknown fields are errors (the default; same as --validate=strict)'))
    .action(async (o) => setCode(await applyCommand(o.filename, o.namespace === 'default' ? undefined : o.namespace, remote(o), fieldValidationOf(o.validate, o.strict))));

  common(program.command('get').description('list objects of a kind (newest first; events in the order they happened), or get one').argument('<kind>').argument('[name]')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['wide', 'yaml', 'json', 'name']))
    .option('-l, --selector <selector>', 'label selector, e.g. tekton.dev/pipeline=ci,env!=prod')
    .option('-A, --all-namespaces', 'list across every namespace'))
    .action(async (kind, name, o) => setCode(await getCommand(kind, name, o.namespace, (o.output ?? 'table') as OutputFormat, remote(o), { selector: o.selector, allNamespaces: !!o.allNamespaces })));

  const LAST = 'the newest run (by creation) instead of a name';
  common(program.command('describe').description('show an object, its conditions, steps and tasks').argument('<kind>').argument('[name]')
    .option('-L, --last', 'the newest object of the kind instead of a name'))
    .action(async (kind, name, o) => setCode(await describeCommand(kind, name, o.namespace, remote(o), !!o.last)));

  common(program.command('logs').description('print the logs of a TaskRun or PipelineRun (kept after the run), tasks in the order they ran').argument('[run]')
    .option('-f, --follow', 'keep printing until the run ends (every task of a PipelineRun, finally tasks included)')
    .option('--timestamps', 'begin each line with when it reached kiln (RFC 3339), as kubectl logs --timestamps')
    .option('-L, --last', LAST))
    .action(async (run, o) => setCode(await logsCommand({ name: run, namespace: o.namespace, follow: !!o.follow, last: !!o.last, timestamps: !!o.timestamps }, { ...remote(o), signal: deps.signal })));

  common(program.command('cancel').description('cancel a TaskRun or PipelineRun').argument('[run]')
    .option('-L, --last', LAST))
    .action(async (run, o) => setCode(await cancelCommand(run, o.namespace, remote(o), !!o.last)));

  const collect = (v: string, prev: string[]) => [...prev, v];
  common(program.command('start').description('start a run of a Pipeline or Task on the server and follow it live')
    .argument('<kind>', 'pipeline or task').argument('<name>')
    .option('-p, --param <name=value>', 'param: value, a,b,c for arrays, k1:v1,k2:v2 for objects', collect, [])
    .option('-w, --workspace <binding>', 'name=WS,emptyDir= | name=WS,claimName=PVC | name=WS,config=CM | name=WS,secret=S [,subPath=P]', collect, [])
    .option('-s, --serviceaccount <sa>', 'the ServiceAccount the run uses')
    .option('--showlog', 'show the logs while following the run (the default; accepted for tkn compatibility)')
    .addOption(new Option('-o, --output <format>', 'print the final run').choices(['json'])))
    .action(async (kind, name, o) => setCode(await startCommand({
      kind, name, namespace: o.namespace, params: o.param, workspaces: o.workspace, serviceAccount: o.serviceaccount,
      reporter: createPlainReporter(w, { json: o.output === 'json', live: !!w.raw }), client: connect(o), signal: deps.signal,
    })));

  const trigger = program.command('trigger').description('EventListeners: try an event against one');
  common(trigger.command('test').description('show which triggers match an event and what they would create (nothing is created)')
    .argument('<listener>', 'EventListener name')
    .requiredOption('--payload <file>', 'the event body (JSON; - for stdin)')
    .option('-H, --header <header>', '"Name: value", repeatable (e.g. -H "X-GitHub-Event: push")', collect, [])
    .addOption(new Option('-o, --output <format>', 'print the result').choices(['json', 'yaml'])))
    .action(async (listener, o) => setCode(await triggerTestCommand({
      listener, namespace: o.namespace, payload: o.payload, headers: o.header, output: o.output, client: connect(o), w,
    })));

  common(program.command('delete').description('delete an object (and what it owns)').argument('<kind>').argument('<name>'))
    .action(async (kind, name, o) => setCode(await deleteCommand(kind, name, o.namespace, remote(o))));

  addAppCommands(program, remote, setCode);
}
