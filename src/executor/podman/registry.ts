// Test helper: a container registry on loopback (Debian's `docker-registry`, distribution v2) with
// a configuration of kiln's own: filesystem storage in a temporary directory, plain HTTP on
// 127.0.0.1 and a free port, optionally htpasswd auth (bcrypt entries made by Python's crypt).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running loopback registry. */
export interface LoopbackRegistry {
  /** `127.0.0.1:PORT`, the registry part of image names */
  host: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (closed again at once; the registry binds it next). */
function freePort(): Promise<number> {
  return new Promise(function listen(resolve, reject) {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** An htpasswd line for `user`/`password` (bcrypt, cost 4), or undefined when this host cannot make one. */
export function htpasswdLine(user: string, password: string): string | undefined {
  const py = 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))';
  const r = spawnSync('python3', ['-W', 'ignore', '-c', py, password], { encoding: 'utf8' });
  const hash = r.status === 0 ? r.stdout.trim() : '';
  return /^\$2[aby]\$/.test(hash) ? `${user}:${hash}` : undefined;
}

/** Why a loopback registry cannot run here, or undefined. */
export function registryUnusable(bin = 'docker-registry'): string | undefined {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.error ? `${bin} not found (Debian package docker-registry)` : undefined;
}

async function reachable(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    const ok = await fetch(url).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url}`);
}

/** Starts a registry on 127.0.0.1; with `htpasswd` (lines `user:bcrypt`), it asks for basic auth. */
export async function startRegistry(opts: { htpasswd?: string[]; bin?: string } = {}): Promise<LoopbackRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-registry-'));
  const port = await freePort();
  const auth = opts.htpasswd ? `auth:\n  htpasswd:\n    realm: kiln-test\n    path: ${join(dir, 'htpasswd')}\n` : '';
  if (opts.htpasswd) writeFileSync(join(dir, 'htpasswd'), `${opts.htpasswd.join('\n')}\n`);
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
  const child = spawn(opts.bin ?? 'docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const stop = async function stopRegistry(): Promise<void> {
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await reachable(`http://127.0.0.1:${port}/v2/`, child);
  } catch (e) {
    await stop();
    throw e;
  }
  return { host: `127.0.0.1:${port}`, stop };
}
