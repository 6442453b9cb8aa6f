// What the container-build tests need on this machine: podman that works, buildah, git, a static
// busybox, docker-registry, and an address containers reach the host on; then the local images,
// a registry holding the base image, and the example's app as a git repository served by
// `git daemon` (all on the host's non-loopback address: see hostAddress in registry.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { podmanWith } from '../../src/executor/podman/cli.ts';
import type { Podman } from '../../src/executor/podman/cli.ts';
import { podmanUnusable } from '../../src/executor/podman/executor.ts';
import { createWhich } from '../../src/executor/process/host.ts';
import { ensureBusyboxImage, notStatic } from '../../src/executor/podman/testimage.ts';
import { ROOT } from './helpers.ts';
import { buildahImage, ensureHostImage, gitImage } from './images.ts';
import { hostAddress, registryMissing, startRegistry, type Registry } from './registry.ts';

const which = createWhich();

/** The image the example's tests (and its Dockerfile's base) run in. */
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:1.36';

/** Why the container-build tests cannot run here, or false. */
export function containerSkip(dataDir: string): string | false {
  for (const [tool, pkg] of [['podman', 'podman, runc'], ['buildah', 'buildah'], ['git', 'git']]) {
    if (!which(tool, process.env.PATH)) return `${tool} is not installed (Debian package ${pkg})`;
  }
  const busybox = which('busybox', process.env.PATH);
  if (!busybox) return 'busybox is not installed (Debian package busybox-static): no local base image';
  const dynamic = notStatic(busybox);
  if (dynamic) return dynamic;
  const missing = registryMissing();
  if (missing) return missing;
  if (!hostAddress()) return 'this machine has no non-loopback IPv4 address: containers in a podman pod (slirp4netns) cannot reach a service on the host';
  const why = podmanUnusable(dataDir);
  return why ? `podman does not work here: ${why}` : false;
}

/** Makes the step images (busybox, git, buildah) from this host's binaries. */
export function ensureImages(p: Podman): void {
  ensureBusyboxImage(p, which('busybox', process.env.PATH)!, [BUSYBOX_IMAGE]);
  ensureHostImage(p, which('busybox', process.env.PATH)!, gitImage());
  ensureHostImage(p, which('busybox', process.env.PATH)!, buildahImage());
}

/** A registries.conf that lets the host's podman pull from `registry` over plain HTTP. */
export function insecureRegistriesConf(dir: string, registry: Registry): string {
  const file = join(dir, 'registries.conf');
  writeFileSync(file, `unqualified-search-registries = []\n\n[[registry]]\nlocation = "${registry.host}"\ninsecure = true\n`);
  return file;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts, env: { ...process.env, ...opts.env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

/** Starts a registry on the host address and pushes the base image to it (`<registry>/library/busybox:1.36`). */
export async function registryWithBase(p: Podman): Promise<{ registry: Registry; base: string }> {
  const registry = await startRegistry(hostAddress());
  const base = `${registry.host}/library/busybox:1.36`;
  run(p.bin, ['push', '--quiet', '--tls-verify=false', BUSYBOX_IMAGE, `docker://${base}`], { env: p.env });
  return { registry, base };
}

/** The example's app (examples/container-build/app) committed in a bare repository `<dir>/app.git`; returns the commit. */
export function appRepository(dir: string): string {
  const work = join(dir, 'app-work');
  cpSync(join(ROOT, 'examples/container-build/app'), work, { recursive: true });
  const git = (...args: string[]) => run('git', ['-c', 'user.email=test@kiln.dev', '-c', 'user.name=kiln test', ...args], { cwd: work });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'the example app');
  run('git', ['clone', '-q', '--bare', work, join(dir, 'app.git')]);
  return git('rev-parse', 'HEAD').trim();
}

/** A `git daemon` serving the repositories under `base` on `host`; `url` is its git:// root. */
export interface GitDaemon { url: string; stop(): void }

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts `git daemon` exporting every repository under `base`; resolves once it serves repository `probe`. */
export async function startGitDaemon(base: string, host: string, probe: string): Promise<GitDaemon> {
  mkdirSync(base, { recursive: true });
  const port = await freePort(host);
  const child: ChildProcess = spawn('git', ['daemon', '--export-all', '--reuseaddr', `--base-path=${base}`, `--listen=${host}`, `--port=${port}`, base], { stdio: 'ignore' });
  const url = `git://${host}:${port}`;
  for (let i = 0; i < 100; i++) {
    if (spawnSync('git', ['ls-remote', `${url}/${probe}`], { timeout: 5000 }).status === 0) break;
    if (child.exitCode !== null) throw new Error(`git daemon exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => void child.kill('SIGTERM') };
}

export { podmanWith };
