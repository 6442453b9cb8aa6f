// What the process executor learns about the machine once (synchronously, at creation or first
// use): the top-level entries of /, where executables are, whether bwrap works, busybox applets.
import { accessSync, constants, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { RootOp } from './sandbox.ts';

/**
 * The host's top-level entries steps see, read-only: the allow-list (programs, libraries,
 * configuration). Nothing else of the host is visible: not /home, /root, /var, /srv, /mnt, /media,
 * /boot or project directories; /proc, /dev and /tmp are the sandbox's own.
 */
export const ROOT_ALLOW: ReadonlySet<string> = new Set(['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'usr', 'etc', 'opt']);

/** PATH given to a step that sets none (the usual container default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The entries of directory `dir` as sandbox root ops: symlinks recreated, the rest bound read-only. */
export function scanDir(dir: string, skip: ReadonlySet<string> = new Set()): RootOp[] {
  const ops: RootOp[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return ops;
  }
  for (const name of names) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      ops.push(st.isSymbolicLink() ? { op: 'symlink', path, target: readlinkSync(path) } : { op: 'ro-bind', path });
    } catch {
      // vanished while scanning
    }
  }
  return ops;
}

/** Host files that often point into /run (systemd-resolved), which the sandbox does not bind. */
const RUN_LINKS = ['/etc/resolv.conf'];

/**
 * The allow-listed entries of the host's `/` ({@link ROOT_ALLOW}) as sandbox root ops, plus the
 * targets under /run of files like /etc/resolv.conf so that name resolution keeps working in steps.
 */
export function scanRoot(): RootOp[] {
  const ops = scanDir('/').filter((op) => ROOT_ALLOW.has(op.path.slice(1)));
  for (const link of RUN_LINKS) {
    try {
      const target = realpathSync(link);
      if (target.startsWith('/run/')) ops.push({ op: 'ro-bind', path: target });
    } catch {
      // dangling or absent: nothing to bind
    }
  }
  return ops;
}

/** True when `path` is an executable regular file. */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A `which` with a cache: the full path of `name` on `PATH`, or undefined. */
export function createWhich(): (name: string, path?: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return function which(name: string, path = DEFAULT_PATH): string | undefined {
    if (name.includes('/')) return isExecutable(name) ? name : undefined;
    const key = `${path}\0${name}`;
    if (cache.has(key)) return cache.get(key);
    let found: string | undefined;
    for (const dir of path.split(':')) {
      if (dir && isExecutable(join(dir, name))) {
        found = join(dir, name);
        break;
      }
    }
    cache.set(key, found);
    return found;
  };
}

/** Runs a minimal sandbox once; returns why bwrap cannot be used here, or undefined when it works. */
export function probeBwrap(bwrap: string): string | undefined {
  const r = spawnSync(bwrap, ['--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--unshare-pid', '--die-with-parent', 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 10_000,
  });
  if (r.error) return r.error.message;
  if (r.status !== 0) return (r.stderr?.toString().trim().split('\n')[0] || `exit ${r.status ?? r.signal}`);
  return undefined;
}

/** The applets a busybox binary provides (`busybox --list`); empty when it cannot tell. */
export function busyboxApplets(busybox: string): Set<string> {
  const r = spawnSync(busybox, ['--list'], { encoding: 'utf8', timeout: 10_000 });
  return new Set(r.status === 0 ? r.stdout.split('\n').filter(Boolean) : []);
}

/**
 * Root ops that make the missing `path` creatable inside the sandbox when it lies under a host
 * directory bound read-only: the deepest existing ancestor is replaced by a tmpfs holding its
 * entries again (read-only), so bwrap can create the mount point there and never on the host.
 * Returns [] when nothing is needed (the path exists, or lies where the sandbox is writable).
 */
export function shadowOps(path: string, root: readonly RootOp[], writable: readonly string[]): RootOp[] {
  const top = '/' + path.split('/')[1];
  if (!root.some((r) => r.op === 'ro-bind' && r.path === top)) return [];
  if (writable.some((w) => path === w || path.startsWith(w + '/'))) return [];
  let dir = path;
  while (dir !== top) {
    try {
      const st = lstatSync(dir);
      if (dir === path) return [];
      if (!st.isDirectory()) return [];
      break;
    } catch {
      dir = dir.slice(0, dir.lastIndexOf('/'));
    }
  }
  if (dir === path) return [];
  return [{ op: 'tmpfs', path: dir }, ...scanDir(dir)];
}
