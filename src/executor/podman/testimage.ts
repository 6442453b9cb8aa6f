// Local base images for tests: no registry is reachable from these machines, so a busybox image
// is made from the host's static busybox (Debian busybox-static) and tagged with the names plans use.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Podman } from './cli.ts';

/** Why `busybox` cannot be the whole userland of an image (it is dynamically linked), or undefined. */
export function notStatic(busybox: string): string | undefined {
  const head = readFileSync(busybox).subarray(0, 1 << 16).toString('latin1');
  return head.includes('/ld-linux') || head.includes('/ld-musl') ? `${busybox} is dynamically linked (install busybox-static)` : undefined;
}

function podmanSync(p: Podman, args: string[], input?: Buffer): { code: number; out: string } {
  const r = spawnSync(p.bin, args, { env: p.env, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/**
 * Makes image `names[0]` (a busybox rootfs: every applet linked in /bin, /tmp, /etc/passwd) with
 * `changes` (Dockerfile instructions such as `CMD ["sh"]`) unless it exists, and tags it with the
 * other names. Throws with podman's output when podman refuses.
 */
export function ensureBusyboxImage(p: Podman, busybox: string, names: string[], changes: string[] = ['CMD ["sh"]']): void {
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
