// Step images made on this machine for the catalog's tests: no registry outside is reachable, so
// an image is a busybox userland plus the host's own binaries (git, buildah) with every shared
// library they load, imported with `podman import` and tagged with the names the catalog uses.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Podman } from '../../src/executor/podman/cli.ts';

/** What goes into a host-tool image besides busybox. */
export interface HostImageSpec {
  /** the image's names: the first is imported, the others are tags of it */
  names: string[];
  /** host files or directories copied to the same path (links inside kept), with the libraries of every ELF among them */
  paths: string[];
  /** files written into the image: path → content */
  files?: Record<string, string>;
  /** symbolic links made in the image: path → target */
  links?: Record<string, string>;
  /** empty directories made in the image (mode 0755, owned by root unless `owners` names them) */
  dirs?: string[];
  /** paths (with what lies beneath) owned by another uid:gid than root in the image: path → [uid, gid] */
  owners?: Record<string, [number, number]>;
  /** Dockerfile instructions for `podman import --change` (default `CMD ["sh"]`) */
  changes?: string[];
}

const LABEL = 'kiln.dev/test-image-spec';

function podmanSync(p: Podman, args: string[]): { code: number; out: string } {
  const r = spawnSync(p.bin, args, { env: p.env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

function isElf(file: string): boolean {
  const st = lstatSync(file);
  if (!st.isFile()) return false;
  return readFileSync(file).subarray(0, 4).toString('latin1') === '\x7fELF';
}

/** Every regular file under `path` (itself when it is one). */
function filesUnder(path: string): string[] {
  const st = lstatSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** The shared libraries `elf` loads, as `ldd` resolves them. */
function librariesOf(elf: string): string[] {
  const r = spawnSync('ldd', [elf], { encoding: 'utf8' });
  return [...(r.stdout ?? '').matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]);
}

/** Copies host `path` to the same place under `root`: a directory with its links kept, a file (or a link to one: libraries often are) as its content. */
function copyIn(root: string, path: string): void {
  const to = join(root, path);
  if (existsSync(to)) return;
  mkdirSync(dirname(to), { recursive: true });
  if (statSync(path).isDirectory()) cpSync(path, to, { recursive: true, verbatimSymlinks: true });
  else {
    copyFileSync(path, to);
    chmodSync(to, statSync(path).mode & 0o7777);
  }
}

/** The busybox rootfs every host-tool image starts from. */
function busyboxRoot(root: string, busybox: string): void {
  for (const d of ['bin', 'etc', 'root', 'home', 'var/tmp', 'usr/bin', 'usr/local/bin']) mkdirSync(join(root, d), { recursive: true });
  mkdirSync(join(root, 'tmp'));
  chmodSync(join(root, 'tmp'), 0o1777);
  chmodSync(join(root, 'var/tmp'), 0o1777);
  copyFileSync(busybox, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const applets = spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
  // what `#!/usr/bin/env …` scripts look for
  symlinkSync('/bin/env', join(root, 'usr/bin/env'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

/** The image's root as a tar: everything owned by root, but what `spec.owners` names, appended with its owner. */
function writeTar(root: string, tar: string, spec: HostImageSpec): void {
  const owned = Object.entries(spec.owners ?? {}).map(([path, ids]) => [`.${path}`, ids] as const);
  const runs: string[][] = [['--owner=0', '--group=0', ...owned.map(([path]) => `--exclude=${path}`), '-cf', tar, '.']];
  for (const [path, [uid, gid]] of owned) runs.push([`--owner=${uid}`, `--group=${gid}`, '-rf', tar, path]);
  for (const args of runs) {
    const t = spawnSync('tar', ['-C', root, ...args], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`tar of image ${spec.names[0]} failed: ${t.stderr}`);
  }
}

/** A hash of what the image is made of, so a changed spec or host binary makes it again. */
function specHash(spec: HostImageSpec, busybox: string): string {
  // busyboxRoot's own text too: a change to the common userland makes every image again
  const h = createHash('sha256').update(JSON.stringify(spec)).update(busybox).update(busyboxRoot.toString());
  for (const p of spec.paths) for (const f of filesUnder(p).slice(0, 400)) h.update(f).update(String(lstatSync(f).mtimeMs));
  return h.digest('hex').slice(0, 16);
}

/**
 * Makes the image `spec` describes unless one with the same spec exists: busybox (static) as the
 * userland, the host's `paths` and their libraries. Throws with podman's output when podman refuses.
 */
export function ensureHostImage(p: Podman, busybox: string, spec: HostImageSpec): void {
  const hash = specHash(spec, busybox);
  const have = spec.names.map((n) => podmanSync(p, ['image', 'inspect', '--format', `{{index .Labels "${LABEL}"}}`, n]));
  if (have.every((r) => r.code === 0 && r.out.trim() === hash)) return;
  const dir = mkdtempSync(join(tmpdir(), 'kiln-host-image-'));
  try {
    const root = join(dir, 'root');
    busyboxRoot(root, busybox);
    const libs = new Set<string>();
    for (const path of spec.paths) {
      copyIn(root, path);
      for (const f of filesUnder(path)) if (isElf(f)) librariesOf(f).forEach((l) => libs.add(l));
    }
    for (const l of libs) copyIn(root, l);
    for (const [path, text] of Object.entries(spec.files ?? {})) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text, { mode: text.startsWith('#!') ? 0o755 : 0o644 }); // a script is executable
    }
    for (const [path, target] of Object.entries(spec.links ?? {})) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      if (!existsSync(join(root, path))) symlinkSync(target, join(root, path));
    }
    for (const d of spec.dirs ?? []) mkdirSync(join(root, d), { recursive: true, mode: 0o755 });
    const tar = join(dir, 'rootfs.tar');
    writeTar(root, tar, spec);
    const changes = [...(spec.changes ?? ['CMD ["sh"]']), `LABEL ${LABEL}=${hash}`];
    const imp = podmanSync(p, ['import', '--quiet', ...changes.flatMap((c) => ['--change', c]), tar, spec.names[0]]);
    if (imp.code !== 0) throw new Error(`podman import ${spec.names[0]} failed: ${imp.out}`);
    for (const n of spec.names.slice(1)) {
      const tag = podmanSync(p, ['tag', spec.names[0], n]);
      if (tag.code !== 0) throw new Error(`podman tag ${n} failed: ${tag.out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The catalog's default git image, made of the host's git. */
export const GIT_IMAGE = 'docker.io/alpine/git:2.45.2';
/** The catalog's default buildah image, made of the host's buildah. */
export const BUILDAH_IMAGE = 'quay.io/buildah/stable:v1.37.0';

/** The git image: /usr/bin/git, its helpers (git-remote-http…) and templates. */
export function gitImage(): HostImageSpec {
  return { names: [GIT_IMAGE], paths: ['/usr/bin/git', '/usr/lib/git-core', '/usr/share/git-core/templates'] };
}

/** The buildah image: the binary, its libraries, the policy that accepts any image, vfs storage. */
export function buildahImage(): HostImageSpec {
  return {
    names: [BUILDAH_IMAGE],
    paths: ['/usr/bin/buildah', '/etc/containers/policy.json'],
    files: {
      '/etc/containers/registries.conf': 'unqualified-search-registries = []\n',
      '/etc/containers/storage.conf': '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n',
    },
  };
}
