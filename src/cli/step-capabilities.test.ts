// `--step-capabilities` reaches the in-process kiln (run, conformance) and the server (serve); a
// value other than none|kubernetes is refused; it applies to --executor kubernetes as to podman.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from './exit.ts';
import { runCli } from './main.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-step-caps-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const FILE = join(dir, 'task.yaml');
writeFileSync(FILE, 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps: [{name: a, image: busybox, script: "true"}]\n');

function deps() {
  const local: unknown[] = [];
  const served: unknown[] = [];
  const err: string[] = [];
  return {
    local, served, err,
    deps: {
      local: (o: { stepCapabilities?: string }) => (local.push(o.stepCapabilities), Promise.reject(new Error('stop here'))),
      serve: async (o: { stepCapabilities?: string }) => (served.push(o.stepCapabilities), 0),
      conformanceCluster: async () => ({ prepare: async () => {}, remove: async () => {}, close: () => {} }),
      writers: { out: () => {}, err: (s: string) => err.push(s) },
      env: {},
    },
  };
}

test('kiln run, conformance and serve pass --step-capabilities on; absent is undefined (none)', async () => {
  const d = deps();
  await runCli(['run', '-f', FILE, '--data-dir', dir, '--executor', 'podman', '--step-capabilities', 'kubernetes'], d.deps);
  await runCli(['run', '-f', FILE, '--data-dir', dir], d.deps);
  await runCli(['conformance', dir, '--data-dir', dir, '--executor', 'podman', '--step-capabilities', 'kubernetes'], d.deps);
  assert.deepEqual(d.local, ['kubernetes', undefined, 'kubernetes']);
  const serve = ['serve', '--insecure-loopback-only', '--data-dir', '/nonexistent'];
  assert.equal(await runCli([...serve, '--executor', 'podman', '--step-capabilities', 'kubernetes'], d.deps), 0);
  assert.equal(await runCli([...serve, '--step-capabilities', 'none'], d.deps), 0);
  assert.deepEqual(d.served, ['kubernetes', 'none']);
});

test('--step-capabilities: unknown values are refused before anything runs', async () => {
  const d = deps();
  assert.equal(await runCli(['serve', '--insecure-loopback-only', '--data-dir', '/nonexistent', '--step-capabilities', 'all'], d.deps), EXIT.invalid);
  assert.match(d.err.join('\n'), /--step-capabilities <set>' argument 'all' is invalid. Allowed choices are none, kubernetes/);
  assert.deepEqual(d.served, []);
});

test('--step-capabilities kubernetes reaches the kubernetes executor of serve and conformance', async () => {
  const d = deps();
  assert.equal(await runCli(['serve', '--insecure-loopback-only', '--data-dir', '/nonexistent', '--executor', 'kubernetes', '--step-capabilities', 'kubernetes'], d.deps), 0);
  await runCli(['conformance', dir, '--data-dir', dir, '--executor', 'kubernetes', '--step-capabilities', 'kubernetes'], d.deps);
  assert.deepEqual(d.served, ['kubernetes']);
  assert.deepEqual(d.local, ['kubernetes']);
  assert.deepEqual(d.err.filter((e) => /--step-capabilities/.test(e)), []);
});
