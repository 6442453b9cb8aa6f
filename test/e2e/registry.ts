// A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8) with a config of
// kiln's own (filesystem storage in a temporary directory, plain HTTP, no auth: the packaged
// config asks for htpasswd), on a free port, stopped and removed by stop().
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running registry. */
export interface Registry {
  /** `HOST:PORT`, the registry part of image names pushed to it */
  host: string;
  /** `http://HOST:PORT` */
  url: string;
  /** its storage and config */
  dir: string;
  /** stops it (SIGTERM, then SIGKILL) and removes its directory */
  stop(): Promise<void>;
}

/** Why no registry can be started here (`docker-registry` missing), or undefined. */
export function registryMissing(bin = 'docker-registry'): string | undefined {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.error ? `${bin} is not installed (Debian package docker-registry)` : undefined;
}

/** The registry's config: filesystem storage under `root`, HTTP on `addr`, no auth. */
export function registryConfig(root: string, addr: string): string {
  return `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\nhttp:\n  addr: ${addr}\n`;
}

/** A port free on `host` now (the kernel's pick). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * This machine's first IPv4 address that is not loopback, or undefined. Containers in a pod on
 * slirp4netns reach the host there: podman starts slirp4netns with --disable-host-loopback, so
 * the host's 127.0.0.1 (10.0.2.2 in the pod) is refused.
 */
export function hostAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** Starts a registry on `host` (default 127.0.0.1); resolves once `GET /v2/` answers 200. */
export async function startRegistry(host = '127.0.0.1', bin = 'docker-registry'): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-registry-'));
  const port = await freePort(host);
  const addr = `${host}:${port}`;
  writeFileSync(join(dir, 'config.yml'), registryConfig(join(dir, 'data'), addr));
  const child = spawn(bin, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log = (log + d).slice(-4000); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  async function stop(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const url = `http://${addr}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/v2/`).then((r) => r.status === 200, () => false);
    if (ok) return { host: addr, url, dir, stop };
    if (child.exitCode !== null || i > 100) {
      await stop();
      throw new Error(`docker-registry did not start on ${addr}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
