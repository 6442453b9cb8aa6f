// Links a step plants are never followed by kiln: every case has a step put a symbolic link where
// kiln later writes, reads or binds something, pointing at a host file or directory outside kiln's
// data directory; the host side must stay untouched and unread, and the step or TaskRun must fail
// naming the path. Run with the real bwrap and, for kiln's own writes and reads, without it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionPlan, ExecutionSnapshot } from '../executor.ts';
import { runPlan, suitePlan, suiteStep } from '../suite.ts';
import { DEFAULT_STEP_USER, createProcessExecutor } from './executor.ts';
import type { ProcessExecutorOptions } from './executor.ts';
import { createWhich } from './host.ts';

/** A host directory the step user may write (kiln as root runs steps as 65534, see DEFAULT_STEP_USER). */
function stepWritable(dir: string): string {
  if (process.getuid?.() === 0) chownSync(dir, DEFAULT_STEP_USER.uid, DEFAULT_STEP_USER.gid);
  return dir;
}

const BWRAP = createWhich()('bwrap', process.env.PATH);
const NO_BWRAP = BWRAP ? false : 'bubblewrap (bwrap) is not installed';
const REFUSED = 'is a symbolic link; kiln does not follow links a step could have planted';

// kiln's data directory outside /tmp; the "host" files the links point at in another temp directory
const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-links-test-'));
const outside = mkdtempSync(join(tmpdir(), 'kiln-links-host-'));
after(() => {
  rmSync(base, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});
let n = 0;
const SECRET = `host-secret-${process.pid}`;

/** A fresh host file (content SECRET) and a host directory holding `r` (content SECRET). */
function hostFixture(): { file: string; dir: string } {
  const dir = join(outside, `dir${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'r'), SECRET);
  const file = join(outside, `file${n++}`);
  writeFileSync(file, SECRET);
  return { file, dir };
}

function executor(opts: Partial<ProcessExecutorOptions> = {}) {
  const dataDir = join(base, `d${n++}`);
  mkdirSync(dataDir);
  return createProcessExecutor({ dataDir, graceMs: 500, ...opts });
}

/** The host directory and file are as the fixture made them: nothing written, nothing added. */
function assertUntouched(h: { file: string; dir: string }): void {
  assert.equal(readFileSync(h.file, 'utf8'), SECRET, `${h.file} was written`);
  assert.deepEqual(readdirSync(h.dir), ['r'], `${h.dir} got new entries`);
  assert.equal(readFileSync(join(h.dir, 'r'), 'utf8'), SECRET, `${h.dir}/r was written`);
}

/** The attempt failed, and its message (or a step's) names `path` and says why. */
function assertRefused(snap: ExecutionSnapshot, path: string): void {
  assert.ok(!JSON.stringify(snap).includes(SECRET), 'the host file was read into the snapshot');
  assert.equal(snap.outcome?.status, 'failed', JSON.stringify(snap.outcome));
  const messages = [snap.outcome && 'message' in snap.outcome ? snap.outcome.message : '', ...snap.steps.map((s) => s.message ?? '')];
  assert.ok(messages.some((m) => m.includes(path) && m.includes(REFUSED)), `no message names ${path}: ${JSON.stringify(messages)}`);
}

const w = { volumes: [{ name: 'w', source: { type: 'emptyDir' as const } }] };
const mountW = { mounts: [{ volume: 'w', mountPath: '/workspace/w' }] };

const MODES = [
  { mode: 'bwrap', opts: {}, skip: NO_BWRAP },
  { mode: 'no bwrap', opts: { bwrap: false as const }, skip: false as const },
];

for (const { mode, opts, skip } of MODES) {
  describe(`links a step planted, kiln's own writes and reads (${mode})`, { skip }, function ownIO() {
    test('the exit code is never written through a link at /tekton/steps/<c>/exitCode', async function () {
      for (const code of [42, 0]) {
        const h = hostFixture();
        const { snap } = await runPlan(executor(opts), suitePlan('exitcode', [
          suiteStep('a', `ln -s ${h.file} /tekton/steps/step-a/exitCode\nexit ${code}`),
        ]));
        assertUntouched(h);
        assert.equal(snap.steps[0].exitCode, code);
        assertRefused(snap, '/tekton/steps/step-a/exitCode');
      }
    });

    const tees = [
      { name: 'the tee file is a link', plant: (h: { file: string }) => `ln -s ${h.file} /workspace/w/out.txt`, path: '/workspace/w/out.txt', at: 'stdoutPath' },
      { name: 'a directory of the tee path is a link', plant: (h: { dir: string }) => `ln -s ${h.dir} /workspace/w/d`, path: '/workspace/w/d/out.txt', at: 'stderrPath' },
    ] as const;
    for (const t of tees) {
      test(`stdoutConfig/stderrConfig: ${t.name}`, async function () {
        const h = hostFixture();
        const { snap } = await runPlan(executor(opts), suitePlan('tee', [
          suiteStep('a', t.plant(h), mountW),
          suiteStep('b', 'echo pwned; echo pwned >&2', { ...mountW, [t.at]: t.path }),
        ], w));
        assertUntouched(h);
        assertRefused(snap, t.path);
        assert.equal(snap.steps[1].exitCode, 127);
      });
    }

    test('a workingDir through a link is not created on the host', async function () {
      const h = hostFixture();
      const { snap } = await runPlan(executor(opts), suitePlan('wd', [
        suiteStep('a', `ln -s ${h.dir} /workspace/w/l`, mountW),
        suiteStep('b', 'touch pwned', { ...mountW, workingDir: '/workspace/w/l/made' }),
      ], w));
      assertUntouched(h);
      assertRefused(snap, '/workspace/w/l');
    });

    const reads = [
      { name: 'a step results directory replaced by a link', plant: (h: { dir: string }) => `rmdir /tekton/steps/step-a/results && ln -s ${h.dir} /tekton/steps/step-a/results`, path: '/tekton/steps/step-a/results', results: [] },
      { name: 'a task result file replaced by a link', plant: (h: { file: string }) => `ln -s ${h.file} /tekton/results/r`, path: '/tekton/results/r', results: ['r'] },
      { name: 'a step result file replaced by a link', plant: (h: { file: string }) => `ln -s ${h.file} /tekton/steps/step-a/results/r`, path: '/tekton/steps/step-a/results/r', results: [] },
      { name: "the task's provenance.json a link", plant: (h: { file: string }) => `ln -s ${h.file} /tekton/artifacts/provenance.json`, path: '/tekton/artifacts/provenance.json', results: [] },
      { name: "a step's provenance.json a link", plant: (h: { file: string }) => `ln -s ${h.file} /tekton/steps/step-a/artifacts/provenance.json`, path: '/tekton/steps/step-a/artifacts/provenance.json', results: [] },
    ];
    for (const r of reads) {
      test(`results and artifacts are never read through a link: ${r.name}`, async function () {
        const h = hostFixture();
        const seen: string[] = [];
        const plan: ExecutionPlan = suitePlan('results', [suiteStep('a', r.plant(h)), suiteStep('b', 'true')], {
          results: r.results,
          beforeStep: (_i, step, ctx) => {
            seen.push(JSON.stringify(ctx));
            return { step };
          },
        });
        const { snap } = await runPlan(executor(opts), plan);
        assertUntouched(h);
        assert.ok(!seen.some((s) => s.includes(SECRET)), 'the host file reached a later step');
        assertRefused(snap, r.path);
      });
    }
  });
}

describe('links a step planted, under binds (bwrap)', { skip: NO_BWRAP }, function binds() {
  test('a subPath directory replaced by a link to / is never bound', async function () {
    const v = { volumes: [{ name: 'v', source: { type: 'emptyDir' as const } }] };
    const { snap, logs } = await runPlan(executor(), suitePlan('subpath', [
      suiteStep('a', 'rmdir /workspace/v/sub && ln -s / /workspace/v/sub', { mounts: [{ volume: 'v', mountPath: '/workspace/v' }] }),
      suiteStep('b', 'if [ -e /data/etc/passwd ]; then echo BOUND-HOST-ROOT; fi', { mounts: [{ volume: 'v', mountPath: '/data', subPath: 'sub' }] }),
    ], v));
    assert.ok(!logs[1].includes('BOUND-HOST-ROOT'), logs[1]);
    assertRefused(snap, 'subPath "sub"');
  });

  const shared = [
    { name: 'a claim', volume: () => ({ type: 'claim' as const, claimName: 'shared', namespace: 'suite' }) },
    { name: 'a hostDir', volume: () => ({ type: 'hostDir' as const, path: stepWritable(mkdtempSync(join(base, 'hostdir-'))) }) },
  ];
  for (const s of shared) {
    test(`a link planted in ${s.name} by one TaskRun is not followed by the next one's subPath`, async function () {
      const h = hostFixture();
      const ex = executor();
      const volumes = [{ name: 'c', source: s.volume() }];
      const first = await runPlan(ex, suitePlan('plant', [
        suiteStep('a', `ln -s ${h.dir} /workspace/c/sub`, { mounts: [{ volume: 'c', mountPath: '/workspace/c' }] }),
      ], { volumes }));
      assert.deepEqual(first.snap.outcome, { status: 'succeeded' }, first.logs[0]);
      const { snap } = await runPlan(ex, suitePlan('victim', [
        suiteStep('a', 'echo pwned > /workspace/s/pwned', { mounts: [{ volume: 'c', mountPath: '/workspace/s', subPath: 'sub' }] }),
      ], { volumes }));
      assertUntouched(h);
      assertRefused(snap, 'subPath "sub"');
    });
  }

  test('a hostPath admitted beneath an allowed directory, replaced by a link before it is bound, is not followed', async function () {
    // kiln serve --allow-host-path=ALLOWED admitted ALLOWED/cache (a directory then); a step of an
    // earlier run binding ALLOWED swapped it for a link to a host directory before this run started
    const h = hostFixture();
    const allowed = stepWritable(mkdtempSync(join(base, 'allowed-')));
    const ex = executor();
    const whole = [{ name: 'all', source: { type: 'hostDir' as const, path: allowed, within: allowed } }];
    const swap = await runPlan(ex, suitePlan('swap', [
      suiteStep('a', `ln -s ${h.dir} /workspace/all/cache`, { mounts: [{ volume: 'all', mountPath: '/workspace/all' }] }),
    ], { volumes: whole }));
    assert.deepEqual(swap.snap.outcome, { status: 'succeeded' }, swap.logs[0]);
    const cache = [{ name: 'c', source: { type: 'hostDir' as const, path: join(allowed, 'cache'), within: allowed } }];
    const { snap } = await runPlan(ex, suitePlan('bind-cache', [
      suiteStep('a', 'echo pwned > /workspace/c/pwned; cat /workspace/c/r', { mounts: [{ volume: 'c', mountPath: '/workspace/c' }] }),
    ], { volumes: cache }));
    assertUntouched(h);
    assertRefused(snap, join(allowed, 'cache'));
    // a missing directory beneath the allowed one is created for the step, no link followed
    const fresh = [{ name: 'n', source: { type: 'hostDir' as const, path: join(allowed, 'new/deep'), within: allowed } }];
    const made = await runPlan(ex, suitePlan('bind-new', [suiteStep('a', 'echo ok > /workspace/n/f', { mounts: [{ volume: 'n', mountPath: '/workspace/n' }] })], { volumes: fresh }));
    assert.deepEqual(made.snap.outcome, { status: 'succeeded' }, made.logs[0]);
    assert.equal(readFileSync(join(allowed, 'new/deep/f'), 'utf8'), 'ok\n');
  });

  test('an attempt directory met again (same attempt id, e.g. after a restart) is not trusted where its steps wrote', async function () {
    const h = hostFixture();
    const dataDir = join(base, `d${n++}`);
    const plan = suitePlan('again', [suiteStep('a', `rmdir /tekton/steps/step-a/results && ln -s ${h.dir} /tekton/steps/step-a/results`)]);
    await runPlan(createProcessExecutor({ dataDir }), plan);
    const { snap } = await runPlan(createProcessExecutor({ dataDir }), plan);
    assertUntouched(h);
    assert.ok(!JSON.stringify(snap).includes(SECRET), 'the host file was read into the snapshot');
    assert.equal(snap.outcome?.status === 'failed' && snap.outcome.reason, 'PodCreationFailed');
    assert.match(snap.outcome && 'message' in snap.outcome ? snap.outcome.message : '', new RegExp(`/steps/step-a/results ${REFUSED}`));
  });

  test('a file is bound by descriptor too (a files volume subPath naming a file)', async function () {
    const plan = suitePlan('file-bind', [suiteStep('a', 'cat /etc/app.conf', { mounts: [{ volume: 's', mountPath: '/etc/app.conf', subPath: 'a/b.txt' }] })], {
      volumes: [{ name: 's', source: { type: 'files', files: { 'a/b.txt': 'conf' } } }],
    });
    const { snap, logs } = await runPlan(executor(), plan);
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.equal(logs[0], 'conf');
  });

  test('no descriptor kiln opened beneath a directory outlives the attempt (binds, tees, refusals)', async function () {
    const ex = executor();
    const h = hostFixture();
    const v = { volumes: [{ name: 'v', source: { type: 'emptyDir' as const } }] };
    const mounts = [{ volume: 'v', mountPath: '/workspace/v' }, { volume: 'v', mountPath: '/data', subPath: 'sub' }];
    const plans = () => [
      suitePlan('fds', [suiteStep('a', 'echo x', { mounts, stdoutPath: '/workspace/v/out', workingDir: '/data/wd' }), suiteStep('b', 'true', { mounts })], v),
      suitePlan('fds-refused', [suiteStep('a', `ln -s ${h.dir} /workspace/v/l`, { mounts }), suiteStep('b', 'true', { mounts, stdoutPath: '/workspace/v/l/out' })], v),
    ];
    const fds = () => readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return '?'; } }).filter((l) => l.startsWith('/')).sort();
    for (let i = 0; i < 3; i++) for (const plan of plans()) await runPlan(ex, plan); // warm up (the spawner thread starts after 8 spawns)
    const before = fds();
    for (let i = 0; i < 3; i++) for (const plan of plans()) await runPlan(ex, plan);
    assert.deepEqual(fds(), before);
  });

  test('a sidecar cannot plant a link where a step binds a subPath', async function () {
    const h = hostFixture();
    const v = { volumes: [{ name: 'v', source: { type: 'emptyDir' as const } }] };
    const sidecar = {
      ...suiteStep('s', `rmdir /workspace/v/sub; ln -s ${h.dir} /workspace/v/sub; touch /workspace/v/planted; sleep 30`, { mounts: [{ volume: 'v', mountPath: '/workspace/v' }] }),
      containerName: 'sidecar-s',
      readinessProbe: { command: ['test', '-e', '/workspace/v/planted'], periodMs: 20 },
    };
    const { snap } = await runPlan(executor(), suitePlan('sidecar', [
      suiteStep('a', 'echo pwned > /data/pwned', { mounts: [{ volume: 'v', mountPath: '/data', subPath: 'sub' }] }),
    ], { ...v, sidecars: [sidecar] }));
    assertUntouched(h);
    assertRefused(snap, 'subPath "sub"');
  });
});
