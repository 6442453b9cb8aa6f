// removePods against a stand-in podman that refuses the first removals, as podman rarely does.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removePods } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-podman-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A podman that logs its arguments and fails its first `failures` calls. */
function fakePodman(name: string, failures: number): { bin: string; calls: () => string[] } {
  const log = join(dir, `${name}.log`);
  const bin = join(dir, name);
  writeFileSync(log, '');
  writeFileSync(bin, `#!/bin/sh\necho "$*" >> ${log}\nn=$(wc -l < ${log})\nif [ "$n" -le ${failures} ]; then echo "Error: container state improper" >&2; exit 125; fi\n`);
  chmodSync(bin, 0o755);
  return { bin, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

test('removePods tries again when podman refuses, and stops at the first success', async () => {
  const p = fakePodman('twice', 2);
  const r = await removePods({ bin: p.bin, env: {} }, ['kiln-a', 'kiln-b']);
  assert.equal(r.code, 0);
  assert.deepEqual(p.calls(), Array(3).fill('pod rm --force --ignore --time 0 kiln-a kiln-b'));
});

test('removePods gives up after its tries with podman\'s last refusal; no names, no call', async () => {
  const p = fakePodman('always', 99);
  const r = await removePods({ bin: p.bin, env: {} }, ['kiln-a'], 2);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /container state improper/);
  assert.equal(p.calls().length, 2);
  assert.equal((await removePods({ bin: p.bin, env: {} }, [])).code, 0);
  assert.equal(p.calls().length, 2);
});
