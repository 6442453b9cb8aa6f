// `kiln token create|list|revoke`: named API tokens for `kiln serve`, kept hashed in the data
// directory (the server sees changes without a restart). Works on the data dir directly, whether
// or not a server runs; the file logic comes from the composition root (CliDeps.tokens).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { parse, stringify } from 'yaml';
import { CliError, EXIT } from './exit.ts';
import type { Writers } from './reporter.ts';

/** The roles a token may have (the server's authz decides what each allows). */
export const TOKEN_ROLES = ['viewer', 'runner', 'admin'] as const;

/** What `kiln token` does to a data directory's tokens. */
export interface TokenAdmin {
  /** creates a token; returns it (the only time it is seen); throws when the name is taken or invalid */
  create(o: { name: string; role: string; namespaces: string[] }): { token: string };
  /** every token, without its hash */
  list(): Array<{ name: string; role: string; namespaces: string[]; created: string }>;
  /** removes a token; false when there was none of that name */
  revoke(name: string): boolean;
}

export type TokenAdminFactory = (dataDir: string) => Promise<TokenAdmin>;

/** Runs `fn`, turning its errors (bad names, a malformed file) into a clean banner. */
function userErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new CliError(EXIT.invalid, (e as Error).message);
  }
}

interface Cluster { server?: string; 'certificate-authority-data'?: string }

/** The cluster entry of the kubeconfig `kiln serve` wrote in the data dir, with `server` overriding its URL. */
export function clusterFor(dataDir: string, server: string | undefined): Cluster {
  const file = join(dataDir, 'kubeconfig');
  let cluster: Cluster = {};
  if (existsSync(file)) {
    const cfg = userErrors(() => parse(readFileSync(file, 'utf8'))) as { clusters?: Array<{ cluster?: Cluster }> } | null;
    cluster = { ...cfg?.clusters?.[0]?.cluster };
  }
  if (server) cluster.server = server;
  if (!cluster.server) {
    throw new CliError(EXIT.invalid, `--kubeconfig: no server address: ${file} does not exist yet`, ['start `kiln serve` once (it writes that file), or give --server URL']);
  }
  return cluster;
}

/** A kubeconfig for `token` on `cluster`, its context in `namespace`. */
export function kubeconfigFor(name: string, token: string, cluster: Cluster, namespace: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kiln', cluster }],
    users: [{ name, user: { token } }],
    contexts: [{ name: `kiln-${name}`, context: { cluster: 'kiln', user: name, namespace } }],
    'current-context': `kiln-${name}`,
  });
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd());
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Adds `kiln token …` to `program`; `dataDirOf` resolves --data-dir / $KILN_HOME / ./.kiln. */
export function addTokenCommands(program: Command, tokens: TokenAdminFactory | undefined, w: Writers, dataDirOf: (o: { dataDir?: string }) => string, setCode: (n: number) => void): void {
  const admin = async (o: { dataDir?: string }) => {
    if (!tokens) throw new CliError(EXIT.internal, 'this build of kiln cannot manage tokens');
    return tokens(dataDirOf(o));
  };
  const token = program.command('token').description('API tokens for `kiln serve` (kept hashed in the data dir; no restart needed)');

  token.command('create')
    .description('create a token with a role, limited to namespaces if given; prints it (it is shown only this once)')
    .argument('<name>', 'the token\'s name (the user in messages and `kiln token list`)')
    .addOption(new Option('--role <role>', 'viewer: read (not Secrets) · runner: also create, cancel, delete runs and definitions, Secrets · admin: everything').choices(TOKEN_ROLES).makeOptionMandatory())
    .option('-n, --namespace <ns>', 'a namespace the role applies in (repeatable; default: every namespace and cluster-wide)', collect, [])
    .option('--kubeconfig <file>', 'write a kubeconfig using the token to FILE instead of printing the token')
    .option('--server <url>', 'with --kubeconfig: the server\'s URL (default: the one in the data dir\'s kubeconfig)')
    .option('--data-dir <dir>', 'the server\'s data dir (default $KILN_HOME or ./.kiln)')
    .action(async (name: string, o) => {
      const a = await admin(o);
      const cluster = o.kubeconfig ? clusterFor(dataDirOf(o), o.server) : undefined;
      if (o.kubeconfig && existsSync(o.kubeconfig)) throw new CliError(EXIT.invalid, `--kubeconfig ${o.kubeconfig}: the file exists; remove it or choose another`);
      const { token: secret } = userErrors(() => a.create({ name, role: o.role, namespaces: o.namespace }));
      const where = o.namespace.length ? `in namespace(s) ${[...new Set(o.namespace)].join(', ')}` : 'in every namespace';
      if (cluster) {
        writeFileSync(o.kubeconfig, kubeconfigFor(name, secret, cluster, o.namespace[0] ?? 'default'), { mode: 0o600, flag: 'wx' });
        w.err(`token ${name} created (${o.role} ${where}); kubeconfig written to ${o.kubeconfig}`);
      } else {
        w.out(secret);
        w.err(`token ${name} created (${o.role} ${where}); it is shown only this once`);
      }
      setCode(EXIT.ok);
    });

  token.command('list')
    .description('list tokens: name, role, namespaces, creation time (never the token)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json']))
    .option('--data-dir <dir>', 'the server\'s data dir (default $KILN_HOME or ./.kiln)')
    .action(async (o) => {
      const a = await admin(o);
      const list = userErrors(() => a.list());
      if (o.output === 'json') w.out(JSON.stringify(list, null, 2));
      else if (list.length === 0) w.err('no tokens');
      else for (const line of table([['NAME', 'ROLE', 'NAMESPACES', 'CREATED'], ...list.map((t) => [t.name, t.role, t.namespaces.join(',') || '*', t.created])])) w.out(line);
      setCode(EXIT.ok);
    });

  token.command('revoke')
    .description('revoke a token: the server refuses it from its next request on')
    .argument('<name>')
    .option('--data-dir <dir>', 'the server\'s data dir (default $KILN_HOME or ./.kiln)')
    .action(async (name: string, o) => {
      const a = await admin(o);
      if (!userErrors(() => a.revoke(name))) throw new CliError(EXIT.invalid, `no token named ${JSON.stringify(name)}`, ['see `kiln token list`']);
      w.err(`token ${name} revoked`);
      setCode(EXIT.ok);
    });
}
