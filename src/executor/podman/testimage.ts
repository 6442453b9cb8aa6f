// Local base images for tests: no registry is reachable from these machines, so a busybox image
// is made from the host's static busybox (Debian busybox-static) and tagged with the names plans use.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Podman } from './cli.ts';
import { createWhich } from '../process/host.ts';
import { podmanUnusable } from './executor.ts';

/** Why `busybox` cannot be the whole userland of an image (it is dynamically linked), or undefined. */
export function notStatic(busybox: string): string | undefined {
  const head = readFileSync(busybox).subarray(0, 1 << 16).toString('latin1');
  return head.includes('/ld-linux') || head.includes('/ld-musl') ? `${busybox} is dynamically linked (install busybox-static)` : undefined;
}

function podmanSync(p: Podman, args: string[], input?: Buffer): { code: number; out: string } {
  const r = spawnSync(p.bin, args, { env: p.env, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/** Copies host binary `bin` and the shared libraries `ldd` lists for it to the same paths under `root`. */
function copyWithLibraries(root: string, bin: string): void {
  const ldd = spawnSync('ldd', [bin], { encoding: 'utf8' });
  const files = [bin, ...(ldd.stdout ?? '').split('\n').map((l) => /(\/\S+) \(0x/.exec(l)?.[1]).filter((f): f is string => !!f)];
  for (const f of files) {
    const dest = join(root, realpathSync(f));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(realpathSync(f), dest);
    chmodSync(dest, 0o755);
    if (realpathSync(f) !== f && !existsSync(join(root, f))) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      symlinkSync(realpathSync(f), join(root, f));
    }
  }
}

/**
 * Makes image `names[0]` (a busybox rootfs: every applet linked in /bin, /usr/bin/env, /tmp,
 * /etc/passwd, and `hostBinaries` copied from the host with their libraries) with
 * `changes` (Dockerfile instructions such as `CMD ["sh"]`) unless it exists, and tags it with the
 * other names. Throws with podman's output when podman refuses.
 */
export function ensureBusyboxImage(p: Podman, busybox: string, names: string[], changes: string[] = ['CMD ["sh"]'], hostBinaries: string[] = []): void {
  if (names.every((n) => podmanSync(p, ['image', 'exists', n]).code === 0)) return;
  const dir = mkdtempSync(join(tmpdir(), 'kiln-image-'));
  try {
    const root = join(dir, 'root');
    for (const d of ['bin', 'etc', 'root', 'home', 'var', 'usr/bin']) mkdirSync(join(root, d), { recursive: true });
    mkdirSync(join(root, 'tmp'));
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync(busybox, join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    const applets = spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter((a) => a && a !== 'busybox');
    for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
    for (const b of hostBinaries) copyWithLibraries(root, b);
    // what `#!/usr/bin/env …` scripts look for
    symlinkSync('/bin/env', join(root, 'usr', 'bin', 'env'));
    for (const b of hostBinaries) if (!existsSync(join(root, 'usr', 'bin', basename(b)))) symlinkSync(b, join(root, 'usr', 'bin', basename(b)));
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tar = join(dir, 'rootfs.tar');
    const t = spawnSync('tar', ['-C', root, '--owner=0', '--group=0', '-cf', tar, '.'], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`tar of the test image failed: ${t.stderr}`);
    const imp = podmanSync(p, ['import', '--quiet', ...changes.flatMap((c) => ['--change', c]), tar, names[0]]);
    if (imp.code !== 0) throw new Error(`podman import ${names[0]} failed: ${imp.out}`);
    for (const n of names.slice(1)) {
      const tag = podmanSync(p, ['tag', names[0], n]);
      if (tag.code !== 0) throw new Error(`podman tag ${n} failed: ${tag.out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether tests that run containers of a local busybox image can run here: the host's static
 * busybox, or why not (podman missing or not working with kiln's configuration in `dir`, busybox
 * missing or not static).
 */
export function podmanTestHost(dir: string): { skip: string | false; busybox?: string } {
  const which = createWhich();
  if (!which('podman', process.env.PATH)) return { skip: 'podman is not installed (Debian packages podman, runc)' };
  const why = podmanUnusable(dir);
  if (why) return { skip: `podman does not work here: ${why}` };
  const busybox = which('busybox', process.env.PATH);
  if (!busybox) return { skip: 'busybox is not installed (Debian package busybox-static): no local test image' };
  const dynamic = notStatic(busybox);
  return dynamic ? { skip: dynamic } : { busybox, skip: false };
}
