import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Executor } from '../executor.ts';
import { ownUserNamespaceProblem } from './executor.ts';
import { chooseExecutor } from './choose.ts';
import type { ExecutorChoice } from './choose.ts';

const fake = (name: string): Executor => ({ name } as Executor);

test('chooseExecutor: process by default, podman when it works, auto falls back with one warning', function () {
  const rows: { name: string; choice: ExecutorChoice | undefined; works: boolean; want: { executor?: string; warning?: string; error?: string } }[] = [
    { name: 'default', choice: undefined, works: true, want: { executor: 'process' } },
    { name: 'process', choice: 'process', works: true, want: { executor: 'process' } },
    { name: 'podman works', choice: 'podman', works: true, want: { executor: 'podman' } },
    { name: 'podman broken', choice: 'podman', works: false, want: { error: '--executor podman: podman cannot run containers here: podman not found (install podman and runc, or use --executor process)' } },
    { name: 'auto, podman works', choice: 'auto', works: true, want: { executor: 'podman' } },
    { name: 'auto, podman broken', choice: 'auto', works: false, want: { executor: 'process', warning: '--executor auto: podman cannot run containers here (podman not found): steps run as local processes (process executor)' } },
  ];
  for (const r of rows) {
    let probed = 0;
    const got = chooseExecutor(r.choice, { dataDir: '/d' }, {
      process: () => fake('process'),
      podman: () => fake('podman'),
      unusable: () => (probed++, r.works ? undefined : 'podman not found'),
    });
    const shown = 'error' in got ? { error: got.error } : { executor: got.executor.name, ...(got.warning ? { warning: got.warning } : {}) };
    assert.deepEqual(shown, r.want, r.name);
    assert.equal(probed, r.choice === undefined || r.choice === 'process' ? 0 : 1, `${r.name}: podman probed only when asked for`);
  }
});

test('chooseExecutor: --step-capabilities kubernetes needs podman with pods in a user namespace of their own', function () {
  const rows: { name: string; choice: ExecutorChoice | undefined; works: boolean; shared?: string; want: { executor?: string; warning?: string; error?: string } }[] = [
    { name: 'podman, own namespace', choice: 'podman', works: true, want: { executor: 'podman' } },
    { name: 'auto, own namespace', choice: 'auto', works: true, want: { executor: 'podman' } },
    { name: 'podman, shared namespace', choice: 'podman', works: true, shared: 'podman runs containers as root here',
      want: { error: '--step-capabilities kubernetes: podman runs containers as root here (run kiln as root, which gives every pod a user namespace, or use rootless podman)' } },
    { name: 'process', choice: 'process', works: true,
      want: { error: '--step-capabilities kubernetes applies to --executor podman only: the process executor runs steps as local processes with no user namespace of their own, so it grants no capability (docs/decisions/0012)' } },
    { name: 'default is process', choice: undefined, works: true, want: { error: '--step-capabilities kubernetes applies to --executor podman only: the process executor runs steps as local processes with no user namespace of their own, so it grants no capability (docs/decisions/0012)' } },
    { name: 'auto falling back: ignored, said', choice: 'auto', works: false,
      want: { executor: 'process', warning: '--executor auto: podman cannot run containers here (podman not found): steps run as local processes (process executor); --step-capabilities kubernetes is ignored: the process executor runs steps as local processes with no user namespace of their own, so it grants no capability (docs/decisions/0012)' } },
  ];
  for (const r of rows) {
    let given: unknown;
    const got = chooseExecutor(r.choice, { dataDir: '/d', capabilities: 'kubernetes' }, {
      process: () => fake('process'),
      podman: (o) => (given = o.capabilities, fake('podman')),
      unusable: () => (r.works ? undefined : 'podman not found'),
      sharedUserNamespace: () => r.shared,
    });
    const shown = 'error' in got ? { error: got.error } : { executor: got.executor.name, ...(got.warning ? { warning: got.warning } : {}) };
    assert.deepEqual(shown, r.want, r.name);
    if (shown.executor === 'podman') assert.equal(given, 'kubernetes', `${r.name}: podman gets the option`);
  }
  // without the option the user namespace is not asked about
  const got = chooseExecutor('podman', { dataDir: '/d' }, { process: () => fake('process'), podman: () => fake('podman'), unusable: () => undefined, sharedUserNamespace: () => assert.fail('probed') });
  assert.ok(!('error' in got));
});

test('ownUserNamespaceProblem: kiln as root maps every pod; otherwise podman must say it is rootless', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-userns-'));
  try {
    const fakePodman = (name: string, body: string): string => {
      const bin = join(dir, name);
      writeFileSync(bin, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      return bin;
    };
    const rootless = fakePodman('rootless', 'echo true');
    const rootful = fakePodman('rootful', 'echo false');
    const broken = fakePodman('broken', 'echo "Error: cannot connect" >&2; exit 125');
    assert.equal(ownUserNamespaceProblem(dir, rootful, 0), undefined, 'as root kiln gives each pod its uid map');
    assert.equal(ownUserNamespaceProblem(dir, rootless, 1000), undefined);
    assert.equal(ownUserNamespaceProblem(dir, rootful, 1000), "podman runs containers as root here (not rootless) while kiln runs as uid 1000: its pods would share the host's user namespace, and capabilities there are the host's");
    assert.match(ownUserNamespaceProblem(dir, broken, 1000) ?? '', /^podman info failed: Error: cannot connect while kiln runs as uid 1000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
