// Stand-ins on loopback for the remotes Tekton's resolver examples name (this machine has no
// network): github.com's repositories (tektoncd/catalog, tektoncd/pipeline, kelseyhightower/nocode)
// served by `git daemon`, raw.githubusercontent.com's files and Artifact Hub's / Tekton Hub's APIs
// served by one http server, all from repositories made in a temporary directory. The catalog
// holds task/git-clone/0.10/git-clone.yaml: kiln's catalog git-clone (the same params, workspace
// and results as upstream's), whose clone reads these repositories too (a read-only hostPath, and
// git's url.<base>.insteadOf for https://github.com/). A loopback registry (Debian's
// `docker-registry`; skipped with a note when it is not installed) holds the same git-clone as a
// Tekton bundle, mapped from the digest-pinned reference the bundles example names (a stand-in
// cannot have that digest). Writes a --resolver-config naming the stand-ins, runs `kiln
// conformance` with it, and stops the servers when it ends.
// Usage: node conformance/remotes.ts [DIR-or-FILE] [kiln conformance flags…]
//   (default DIR ../shared/conformance/tekton; exits with kiln's code)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { registryUnusable, startRegistry } from '../src/executor/podman/registry.ts';
import { pushBundle } from '../src/resolution/bundle-push.ts';
import { makeRepo, startGitDaemon, type TestRepo } from '../src/resolution/testing.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
/** Where the step sees the stand-in repositories (github.com/<owner>/<repo>.git beneath it). */
const MOUNT = '/kiln-remotes/github.com';
/** The bundle examples/v1/taskruns/beta/bundles-resolver.yaml names (catalog git-clone 0.10). */
export const GIT_CLONE_BUNDLE = 'ghcr.io/tektoncd/catalog/upstream/tasks/git-clone@sha256:65e61544c5870c8828233406689d812391735fd4100cb444bbd81531cb958bb3';

/** kiln's catalog git-clone as catalog version `version`, cloning https://github.com/… from the stand-ins. */
export function gitCloneTask(version: string, reposDir: string): string {
  const task = parse(readFileSync(join(ROOT, 'catalog/git-clone/git-clone.yaml'), 'utf8'));
  task.metadata.labels['app.kubernetes.io/version'] = version;
  const step = task.spec.steps[0];
  step.env.push(
    { name: 'GIT_CONFIG_COUNT', value: '1' },
    { name: 'GIT_CONFIG_KEY_0', value: `url.file://${MOUNT}/.insteadOf` },
    { name: 'GIT_CONFIG_VALUE_0', value: 'https://github.com/' },
  );
  step.volumeMounts = [{ name: 'stand-in-remotes', mountPath: MOUNT, readOnly: true }];
  task.spec.volumes = [{ name: 'stand-in-remotes', hostPath: { path: reposDir, type: 'Directory' } }];
  return `# stand-in for tektoncd/catalog's git-clone ${version}: kiln's catalog git-clone, cloning from loopback stand-ins\n${stringify(task)}`;
}

interface Catalog { repo: TestRepo; tasks: Array<{ name: string; version: string; yaml: string }> }

/** The repositories github.com stands for here, under `<root>/github.com`. */
function makeRepos(root: string): Catalog {
  const reposDir = join(root, 'github.com');
  const catalog = makeRepo('catalog.git', join(reposDir, 'tektoncd'));
  const tasks = ['0.9', '0.10'].map((version) => ({ name: 'git-clone', version, yaml: gitCloneTask(version, reposDir) }));
  const files: Record<string, string> = { 'README.md': '# tektoncd/catalog (stand-in)\n' };
  for (const t of tasks) files[`task/${t.name}/${t.version}/${t.name}.yaml`] = t.yaml;
  catalog.commit(files, 'catalog');
  makeRepo('pipeline.git', join(reposDir, 'tektoncd')).commit({ 'README.md': '# tektoncd/pipeline (stand-in)\n' }, 'pipeline');
  const nocode = makeRepo('nocode.git', join(reposDir, 'kelseyhightower'));
  nocode.commit({ 'README.md': '# nocode (stand-in)\n' }, 'nocode');
  nocode.git('branch', 'master'); // the upstream repository's branch, which examples name

  return { repo: catalog, tasks };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * raw.githubusercontent.com (`/raw/tektoncd/catalog/<rev>/<path>`), Artifact Hub (`/artifacthub/api/v1/packages/…`)
 * and Tekton Hub (`/tektonhub/v1/resource/…`) answering for the catalog's tasks.
 */
function handler({ repo, tasks }: Catalog) {
  return function serve(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let m = /^\/raw\/tektoncd\/catalog\/([^/]+)\/(.+)$/.exec(path);
    if (m) {
      try {
        return void res.end(repo.git('show', `${m[1]}:${m[2]}`) + '\n');
      } catch {
        res.statusCode = 404;
        return void res.end('404: Not Found');
      }
    }
    m = /^\/artifacthub\/api\/v1\/packages\/tekton-task\/tekton-catalog-tasks\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const mine = tasks.filter((t) => t.name === m![1]);
      if (!m[2] && mine.length) return json(res, 200, { available_versions: mine.map((t) => ({ version: `${t.version}.0`, prerelease: false })) });
      const t = mine.find((x) => `${x.version}.0` === m![2]);
      return t ? json(res, 200, { data: { manifestRaw: t.yaml } }) : json(res, 404, { message: 'not found' });
    }
    m = /^\/tektonhub\/v1\/resource\/Tekton\/task\/([^/]+)(?:\/([^/]+)\/yaml)?$/.exec(path);
    if (m) {
      const mine = tasks.filter((t) => t.name === m![1]);
      if (!m[2] && mine.length) return json(res, 200, { data: { versions: mine.map((t) => ({ version: t.version })) } });
      const t = mine.find((x) => x.version === m![2]);
      return t ? json(res, 200, { data: { yaml: t.yaml } }) : json(res, 404, { message: 'resource not found' });
    }
    json(res, 404, { message: 'not found' });
  };
}

/**
 * A loopback registry holding git-clone 0.10 as a bundle, and the mapping of the example's
 * reference to it; undefined (with `note` saying why) when `docker-registry` is not installed.
 */
async function startBundleRegistry({ tasks }: Catalog, note: (s: string) => void): Promise<{ bundles: Array<{ from: string; to: string }>; stop(): Promise<void> } | undefined> {
  const unusable = registryUnusable();
  if (unusable) {
    note(`remotes: no bundle stand-in: ${unusable}`);
    return undefined;
  }
  const registry = await startRegistry();
  try {
    const task = parse(tasks.find((t) => t.version === '0.10')!.yaml);
    const to = `${registry.host}/tektoncd/catalog/upstream/tasks/git-clone:0.10`;
    await pushBundle({ reference: to, objects: [{ apiVersion: task.apiVersion, kind: task.kind, name: task.metadata.name, json: JSON.stringify(task) }] });
    return { bundles: [{ from: GIT_CLONE_BUNDLE, to }], stop: registry.stop };
  } catch (e) {
    await registry.stop();
    throw e;
  }
}

/** Starts the stand-ins; the config names them. `note` hears of a stand-in left out (default: stderr). */
export async function startRemotes(root: string, note: (s: string) => void = (s) => console.error(s)): Promise<{ config: object; stop(): Promise<void> }> {
  const catalog = makeRepos(root);
  const daemon = await startGitDaemon(join(root, 'github.com'));
  const server = createServer(handler(catalog));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const http = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const stopServers = () => Promise.all([daemon.stop(), new Promise<void>((r) => server.close(() => r()))]);
  let registry;
  try {
    registry = await startBundleRegistry(catalog, note);
  } catch (e) {
    await stopServers();
    throw e;
  }
  return {
    config: {
      rewrites: [
        { from: 'https://github.com/', to: `${daemon.url}/` },
        { from: 'https://raw.githubusercontent.com/', to: `${http}/raw/` },
      ],
      hub: { artifact: `${http}/artifacthub`, tekton: `${http}/tektonhub` },
      ...(registry ? { bundles: registry.bundles } : {}),
    },
    stop: async () => {
      await Promise.all([stopServers(), registry?.stop()]);
    },
  };
}

async function main(args: string[]): Promise<number> {
  const target = args[0] && !args[0].startsWith('-') ? args.shift()! : join(ROOT, '..', 'shared', 'conformance', 'tekton');
  const root = mkdtempSync(join(tmpdir(), 'kiln-remotes-'));
  const remotes = await startRemotes(root);
  const configFile = join(root, 'resolvers.json');
  writeFileSync(configFile, JSON.stringify(remotes.config, null, 2));
  try {
    const child = spawn(process.execPath, [join(ROOT, 'bin/kiln.mjs'), 'conformance', target, '--resolver-config', configFile, ...args], { stdio: 'inherit' });
    const forward = (s: NodeJS.Signals) => child.kill(s);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    return await new Promise<number>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? 130 : 1))));
  } finally {
    await remotes.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
