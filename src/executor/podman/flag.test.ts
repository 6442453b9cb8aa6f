// `kiln run --executor podman|process|auto` through the real CLI: the same TaskRun sees the image's
// userland on podman and the host's on the process executor.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWhich } from '../process/host.ts';
import { podmanWith } from './cli.ts';
import { ensureBusyboxImage, podmanTestHost } from './testimage.ts';

const which = createWhich();
const dir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-executor-flag-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const HOST_SH = which('sh', process.env.PATH);
const HOST = podmanTestHost(dir);
const SKIP = HOST.skip;
const BUSYBOX = HOST.busybox;
if (!SKIP) ensureBusyboxImage(podmanWith(dir), BUSYBOX!, ['docker.io/library/busybox:latest', 'localhost/kiln-test/busybox:latest']);

const KILN = join(import.meta.dirname, '..', '..', '..', 'bin', 'kiln.mjs');
const TASKRUN = `apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: where}
spec:
  taskSpec:
    steps:
      - name: a
        image: busybox
        script: |
          if [ -e /etc/os-release ]; then echo "userland: host"; else echo "userland: image"; fi
`;

function kilnRun(executor: string): { code: number | null; out: string } {
  const file = join(dir, 'tr.yaml');
  writeFileSync(file, TASKRUN);
  const r = spawnSync(process.execPath, [KILN, 'run', '-f', file, '--data-dir', join(dir, `data-${executor}`), '--executor', executor], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('--executor podman runs the step in its image, --executor process on the host', { skip: SKIP || (!existsSync('/etc/os-release') && 'the host has no /etc/os-release') || (!HOST_SH && 'no host sh') }, function () {
  const podman = kilnRun('podman');
  assert.equal(podman.code, 0, podman.out);
  assert.match(podman.out, /userland: image/);
  const proc = kilnRun('process');
  assert.equal(proc.code, 0, proc.out);
  assert.match(proc.out, /userland: host/);
  const auto = kilnRun('auto');
  assert.equal(auto.code, 0, auto.out);
  assert.match(auto.out, /userland: image/, 'auto takes podman where it works');
});

test('--executor podman where podman cannot run says why and runs nothing', function () {
  const file = join(dir, 'tr-none.yaml');
  writeFileSync(file, TASKRUN);
  const r = spawnSync(process.execPath, [KILN, 'run', '-f', file, '--data-dir', join(dir, 'data-none'), '--executor', 'podman'], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: join(dir, 'empty-path') },
  });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /--executor podman: podman cannot run containers here: podman not found/);
});
