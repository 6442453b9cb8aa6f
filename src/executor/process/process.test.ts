import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXECUTOR_SUITE_CASES, runExecutorSuite, runPlan, suitePlan, suiteStep } from '../suite.ts';
import { createProcessExecutor } from './executor.ts';
import type { ProcessExecutorOptions } from './executor.ts';
import { DEFAULT_PATH, createWhich } from './host.ts';

const which = createWhich();
const BWRAP = which('bwrap', process.env.PATH);
const BUSYBOX = which('busybox', process.env.PATH);
const NO_BWRAP = BWRAP ? false : 'bubblewrap (bwrap) is not installed';
const NO_BUSYBOX = BUSYBOX ? false : 'busybox is not installed';

// dataDir outside /tmp, so that masking it is really tested (the sandbox's /tmp is empty anyway)
const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-process-test-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function newDataDir(): string {
  const d = join(base, `d${n++}`);
  mkdirSync(d);
  return d;
}
function executor(opts: Partial<ProcessExecutorOptions> = {}) {
  return createProcessExecutor({ dataDir: newDataDir(), graceMs: 500, ...opts });
}

runExecutorSuite('process (bwrap)', () => executor(), { skip: BWRAP ? [] : [...EXECUTOR_SUITE_CASES] });
runExecutorSuite('process (no bwrap: path substitution)', () => executor({ bwrap: false }), { skip: ['readonly-mount'] });
runExecutorSuite('process (bwrap, no busybox: host sh)', () => executor({ busybox: false }), { skip: BWRAP ? [] : [...EXECUTOR_SUITE_CASES] });

describe('process executor: sandbox', { skip: NO_BWRAP }, function sandbox() {
  test('the host is read-only to steps', async function () {
    const ex = executor();
    // the sandbox's / is its own tmpfs (not writable to the step user): nothing lands on the host
    const script = 'touch /kiln-probe 2>/dev/null || true\nfor p in /usr/kiln-probe /etc/kiln-probe /var/kiln-probe; do if touch $p 2>/dev/null; then echo "wrote $p"; exit 1; fi; done';
    const { snap, logs } = await runPlan(ex, suitePlan('ro', [suiteStep('a', script)]));
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.ok(!['/usr', '/etc', '/var', ''].some((d) => existsSync(`${d}/kiln-probe`)));
  });

  test('dataDir, /root, /home and maskPaths are hidden; a mount from inside them stays visible', async function () {
    const secretDir = join(base, `secret${n++}`);
    mkdirSync(secretDir);
    writeFileSync(join(secretDir, 'token'), 'x');
    const dataDir = newDataDir();
    writeFileSync(join(dataDir, 'api-token'), 'x');
    const ex = createProcessExecutor({ dataDir, maskPaths: [secretDir] });
    const script = `for d in ${dataDir} ${secretDir} /root /home; do if [ -n "$(ls -A $d 2>/dev/null)" ]; then echo "visible: $d"; exit 1; fi; done\ncat /workspace/in/token`;
    const plan = suitePlan('mask', [suiteStep('a', script, { mounts: [{ volume: 'in', mountPath: '/workspace/in' }] })], {
      volumes: [{ name: 'in', source: { type: 'hostDir', path: secretDir } }],
    });
    const { snap, logs } = await runPlan(ex, plan);
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.equal(logs[0], 'x');
  });

  test("a step may write only its own /tekton/steps directory", async function () {
    const ex = executor();
    const { snap, logs } = await runPlan(ex, suitePlan('steps-ro', [
      suiteStep('a', 'echo mine > /tekton/steps/step-a/results/r'),
      suiteStep('b', 'if (echo x > /tekton/steps/step-a/results/r) 2>/dev/null; then echo writable; exit 1; fi\ncat /tekton/steps/0/results/r'),
    ]));
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[1]);
    assert.equal(logs[1], 'mine\n');
  });

  test('mounts outside /workspace, also under a missing host directory, without touching the host', async function () {
    const hostMissing = '/var/lib/kiln-test-never-created';
    const ex = executor();
    const mounts = [{ volume: 'v', mountPath: '/data' }, { volume: 'v', mountPath: `${hostMissing}/x`, subPath: 'sub' }];
    const { snap, logs } = await runPlan(ex, suitePlan('elsewhere', [
      suiteStep('a', `mkdir -p /data/sub && echo hi > /data/sub/f && cat ${hostMissing}/x/f && ls /var/lib >/dev/null`, { mounts, workingDir: '/src/app' }),
    ], { volumes: [{ name: 'v', source: { type: 'emptyDir' } }] }));
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.equal(logs[0], 'hi\n');
    assert.ok(!existsSync(hostMissing) && !existsSync('/src/app') && !existsSync('/data'));
  });

  test('files volumes are materialised read-only with their mode', async function () {
    const ex = executor();
    const plan = suitePlan('files', [suiteStep('a', 'cat /etc/cfg/a/b.txt; stat -c %a /etc/cfg/a/b.txt; if (echo x > /etc/cfg/new) 2>/dev/null; then exit 1; fi', {
      mounts: [{ volume: 'secret', mountPath: '/etc/cfg' }],
    })], { volumes: [{ name: 'secret', source: { type: 'files', files: { 'a/b.txt': 's3cret' }, mode: 0o400 } }] });
    const { snap, logs } = await runPlan(ex, plan);
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.equal(logs[0], 's3cret400\n');
  });

  test('securityContext ids: a step sees the uid and gid it asks for, root included, with no capability and no host identity', async function () {
    const ex = executor();
    const probe = 'echo "$(id -u):$(id -g) $(grep CapEff /proc/self/status | tr -d \'\\t\')"; echo x > /workspace/w/$(id -u); if cat /etc/shadow >/dev/null 2>&1; then echo "read /etc/shadow"; fi';
    const dir = join(base, `ids${n++}`);
    mkdirSync(dir);
    const root = process.getuid?.() === 0;
    if (root) chownSync(dir, 65534, 65534);
    const plan = suitePlan('ids', [
      suiteStep('user', probe, { runAs: { uid: 1000, gid: 3000 }, mounts: [{ volume: 'w', mountPath: '/workspace/w' }] }),
      suiteStep('root', probe, { runAs: { uid: 0 }, mounts: [{ volume: 'w', mountPath: '/workspace/w' }] }),
    ], { volumes: [{ name: 'w', source: { type: 'hostDir', path: dir } }] });
    const { snap, logs } = await runPlan(ex, plan);
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs.join('\n'));
    assert.deepEqual(logs, ['1000:3000 CapEff:0000000000000000\n', '0:0 CapEff:0000000000000000\n']);
    // on the host, both are the step user (kiln root) or kiln's own user: never uid 0 or 1000
    const hostUid = root ? 65534 : process.getuid?.();
    assert.deepEqual([statSync(join(dir, '1000')).uid, statSync(join(dir, '0')).uid], [hostUid, hostUid]);
  });
});

describe('process executor', function processExecutor() {
  test('results have no 4 KiB limit', async function () {
    const ex = executor();
    const { snap } = await runPlan(ex, suitePlan('big', [suiteStep('a', 'i=0; while [ $i -lt 1000 ]; do printf 0123456789; i=$((i+1)); done > /tekton/results/big')], { results: ['big'] }));
    assert.equal(snap.results?.big, '0123456789'.repeat(1000));
  });

  test('busybox sh runs #!/bin/sh-family scripts ([[ and ==)', { skip: NO_BUSYBOX }, async function () {
    const ex = executor();
    const { logs } = await runPlan(ex, suitePlan('ash', [suiteStep('a', 'if [[ "a" == "a" ]]; then echo same; fi'), suiteStep('b', '#!/bin/ash\necho ash')]));
    assert.deepEqual(logs, ['same\n', 'ash\n']);
  });

  test('a step without command or script runs the image entrypoint (bash image execs its args)', async function () {
    const ex = executor();
    const { snap, logs } = await runPlan(ex, suitePlan('image', [
      { name: 'a', containerName: 'step-a', image: 'docker.io/library/bash:5.2', args: ['echo', 'hi'], env: [], mounts: [] },
      { name: 'b', containerName: 'step-b', image: 'busybox', args: ['-c', 'echo from-cmd'], env: [], mounts: [] },
      { name: 'c', containerName: 'step-c', image: 'example.com/unknown:1', env: [], mounts: [], onError: 'continue' },
    ]));
    assert.deepEqual(logs.slice(0, 2), ['hi\n', 'from-cmd\n']);
    assert.equal(snap.steps[2].exitCode, 127);
    assert.match(logs[2], /does not know its entrypoint/);
  });

  test('stdoutPath and stderrPath also receive the streams', async function () {
    const ex = executor();
    const { snap, logs } = await runPlan(ex, suitePlan('tee', [
      suiteStep('a', 'echo out; echo err >&2', { stdoutPath: '/workspace/out.txt', stderrPath: '/tekton/results/err' }),
      suiteStep('b', 'cat /workspace/out.txt'),
    ], { results: ['err'] }));
    assert.equal(logs[1], 'out\n');
    assert.match(logs[0], /out\n/);
    assert.match(logs[0], /err\n/);
    assert.equal(snap.results?.err, 'err\n');
  });

  test('claims persist between attempts; subPath directories are created', async function () {
    const dataDir = newDataDir();
    const ex = createProcessExecutor({ dataDir });
    const volumes = [{ name: 'c', source: { type: 'claim' as const, claimName: 'cache', namespace: 'suite' } }];
    const mounts = [{ volume: 'c', mountPath: '/workspace/cache', subPath: 'a/b' }];
    await runPlan(ex, suitePlan('claim', [suiteStep('a', 'echo kept > /workspace/cache/f', { mounts })], { volumes }));
    const { logs } = await runPlan(ex, suitePlan('claim', [suiteStep('a', 'cat /workspace/cache/f', { mounts })], { volumes }));
    assert.equal(logs[0], 'kept\n');
    assert.ok(statSync(join(dataDir, 'claims', 'suite', 'cache', 'a', 'b')).isDirectory());
  });

  test('close() cancels what runs; start() of a known id returns the same handle', async function () {
    const ex = executor();
    const plan = suitePlan('close', [suiteStep('a', 'sleep 30')]);
    const h = ex.start(plan, () => {});
    assert.equal(ex.start(plan, () => {}), h);
    await ex.close();
    const snap = await h.done;
    assert.equal(snap.outcome?.status, 'cancelled');
  });

  test('a sidecar that dies before it is ready, or fails its startup probe, fails the attempt', async function () {
    const ex = executor();
    const dies = { name: 'dies', containerName: 'sidecar-dies', image: 'busybox', env: [], mounts: [], script: 'exit 3', readinessProbe: { command: ['false'], periodMs: 20 } };
    const never = { name: 'never', containerName: 'sidecar-never', image: 'busybox', env: [], mounts: [], command: ['sleep', '60'], startupProbe: { command: ['false'], periodMs: 20, failureThreshold: 2 } };
    for (const [sidecar, message] of [[dies, 'sidecar "dies" exited with code 3 before it was ready'], [never, 'sidecar "never" failed its startup probe 2 times']] as const) {
      const { snap } = await runPlan(ex, suitePlan('sidecar-fails', [suiteStep('a', 'true')], { sidecars: [sidecar] }));
      assert.deepEqual(snap.outcome, { status: 'failed', reason: 'SidecarFailed', message });
      assert.equal(snap.steps[0].reason, 'Skipped');
      assert.equal(snap.sidecars[0].phase, 'terminated');
    }
  });

  test('logs are files under logDir named after the container', async function () {
    const ex = executor();
    const { snap } = await runPlan(ex, suitePlan('logfile', [suiteStep('a', 'echo x')]));
    assert.equal(snap.steps[0].logFile, join(snap.logDir, 'step-a.log'));
    assert.equal(await readFile(snap.steps[0].logFile, 'utf8'), 'x\n');
  });
});

describe('process executor: check() and notices()', function checks() {
  test('reports unknown images, missing commands and interpreters, not builtins', function () {
    const ex = executor();
    const plan = suitePlan('check', [
      { name: 'a', containerName: 'step-a', image: 'example.com/tool:1', env: [], mounts: [] },
      suiteStep('b', ['kiln-no-such-command', '--help']),
      suiteStep('c', '#!/usr/bin/env kiln-no-such-interpreter\nprint(1)'),
      suiteStep('d', ['exit', '0']),
      suiteStep('e', 'echo fine'),
      suiteStep('f', ['sh', '-c', 'true'], { stdoutPath: '/elsewhere/out' }),
    ]);
    assert.deepEqual(ex.check(plan), [
      { what: 'image example.com/tool:1', why: 'kiln does not know its entrypoint; give the step a command or script' },
      { what: 'step b: command kiln-no-such-command', why: `not found on this machine (PATH=${DEFAULT_PATH})` },
      { what: 'step c: interpreter kiln-no-such-interpreter', why: 'not found on this machine' },
      { what: 'step f stdoutConfig.path /elsewhere/out', why: 'kiln can only write it in a workspace, a volume or under /tekton' },
    ]);
  });

  test('without bwrap: mounts and working directories outside /workspace need a namespace', function () {
    const ex = executor({ bwrap: false });
    const plan = suitePlan('check-nobwrap', [
      suiteStep('a', 'true', { mounts: [{ volume: 'v', mountPath: '/data' }, { volume: 'v', mountPath: '/workspace/ok' }], workingDir: '/kiln-no-such-dir' }),
    ], { volumes: [{ name: 'v', source: { type: 'emptyDir' } }] });
    assert.deepEqual(ex.check(plan), [
      { what: 'step a mounts /data', why: 'needs a mount namespace (install bubblewrap)' },
      { what: 'step a workingDir /kiln-no-such-dir', why: 'needs a mount namespace (install bubblewrap)' },
    ]);
    assert.equal(ex.notices().filter((l) => l.includes('bwrap')).length, 1);
  });

  test('with bwrap such mounts are fine; ash maps to busybox', { skip: NO_BWRAP || NO_BUSYBOX }, function () {
    const ex = executor();
    const plan = suitePlan('check-bwrap', [
      suiteStep('a', '#!/bin/ash\ntrue', { mounts: [{ volume: 'v', mountPath: '/data' }], workingDir: '/src' }),
      suiteStep('b', ['ash', '-c', 'true']),
    ], { volumes: [{ name: 'v', source: { type: 'emptyDir' } }] });
    assert.deepEqual(ex.check(plan), []);
    assert.deepEqual(ex.notices(), []);
  });
});
