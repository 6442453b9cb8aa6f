// kiln-step-enter: its arguments and refusals (nothing ever runs after one), the drop itself beside
// setpriv's, joining namespaces by descriptor, the once-only check, and the executor choosing it or
// falling back to setpriv. Built here from the source (as `npm ci` does) into a directory of its own.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlan, suitePlan, suiteStep } from '../suite.ts';
import { DROPPER_REFUSED, DROPPER_SOURCE, dropperFds, findDropper } from './dropper.ts';
import { createProcessExecutor } from './executor.ts';
import { createWhich } from './host.ts';
import { otherFds, type SpawnTrace } from './launch.ts';
import { createHash } from 'node:crypto';

const which = createWhich();
const root = process.getuid?.() === 0;
const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-dropper-test-'));
chmodSync(base, 0o755); // the step user reaches the files the exec-failure cases make
after(() => rmSync(base, { recursive: true, force: true }));

/** The dropper built from the source by the install script, or why it could not be. */
const built = (function build(): { bin?: string; why?: string } {
  const bin = join(base, 'bin', 'kiln-step-enter');
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../../scripts/build-dropper.mjs'), bin], { encoding: 'utf8' });
  return existsSync(bin) ? { bin } : { why: `kiln-step-enter cannot be built here: ${r.stdout.trim() || r.stderr.trim()}` };
})();
const BIN = built.bin!;
const NOT_BUILT = built.why ?? false;
const NOT_ROOT = NOT_BUILT || (root ? false : 'dropping privileges needs root');
const STEP = ['--uid', '65534', '--gid', '65534'];

/** Runs the dropper with `args`, descriptors 3, 4, … being `fds`. */
function run(args: string[], fds: number[] = []): SpawnSyncReturns<string> {
  return spawnSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', ...fds], timeout: 20_000 });
}

/** A command that leaves a file behind if it ever runs. */
function marker(): { path: string; argv: string[] } {
  const path = join(base, `ran-${Math.random().toString(36).slice(2)}`);
  return { path, argv: ['/bin/sh', '-c', `echo ran > ${path}`] };
}

/** The lines of /proc/self/status that say who a process is and what it may do. */
const WHO = /^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):/;
const who = (status: string) => status.split('\n').filter((l) => WHO.test(l)).join('\n');
const SHOW = ['/bin/sh', '-c', 'cat /proc/self/status; if [ -e /proc/$$/fd/3 ]; then echo fd3-open; else echo fd3-closed; fi'];

describe('the install script (prepare)', () => {
  test('without a C compiler: one line saying so, exit 0 (npm ci goes on), nothing built', () => {
    const out = join(base, 'no-cc', 'kiln-step-enter');
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../../scripts/build-dropper.mjs'), out], { encoding: 'utf8', env: { ...process.env, CC: join(base, 'no-such-cc') } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^kiln-step-enter not built \(.*no-such-cc: no C compiler \(apt-get install gcc libc6-dev\)\): kiln as root drops each step with nsenter \+ setpriv instead/);
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.sha256`), false);
  });

  test('with one: the binary and the stamp of the source it was built from', { skip: NOT_BUILT }, () => {
    assert.equal(readFileSync(`${BIN}.sha256`, 'utf8'), `${createHash('sha256').update(readFileSync(DROPPER_SOURCE)).digest('hex')}\n`);
  });
});

describe('kiln-step-enter: arguments', { skip: NOT_BUILT }, () => {
  test('--version', () => {
    const r = run(['--version']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'kiln-step-enter 1\n');
  });

  const cases: { name: string; args: string[]; says: RegExp }[] = [
    { name: 'nothing', args: [], says: /--uid and --gid are required/ },
    { name: 'no --gid', args: ['--uid', '65534'], says: /--uid and --gid are required/ },
    { name: 'uid 0', args: ['--uid', '0', '--gid', '65534'], says: /--uid must be a user id other than 0: 0/ },
    { name: 'gid 0', args: ['--uid', '65534', '--gid', '0'], says: /--gid must be a group id other than 0: 0/ },
    { name: 'a negative uid', args: ['--uid', '-1', '--gid', '65534'], says: /--uid must be .*: -1/ },
    { name: 'uid (uid_t)-1, which setresuid reads as "unchanged"', args: ['--uid', '4294967295', '--gid', '65534'], says: /--uid must be/ },
    { name: 'a signed uid', args: ['--uid', '+5', '--gid', '65534'], says: /--uid must be/ },
    { name: 'a uid with letters', args: ['--uid', '12a', '--gid', '65534'], says: /--uid must be/ },
    { name: 'an empty gid', args: ['--uid', '65534', '--gid', ''], says: /--gid must be/ },
    { name: 'an option value that is --', args: ['--gid', '65534', '--uid', '--'], says: /--uid must be/ },
    { name: 'stdin as a namespace', args: ['--net-fd', '0', ...STEP], says: /--net-fd must be a descriptor above 2: 0/ },
    { name: 'an unknown option', args: ['--keep-caps', '1', ...STEP], says: /unknown option: --keep-caps/ },
  ];
  for (const c of cases) {
    test(`refuses ${c.name}, exit ${DROPPER_REFUSED}, running nothing`, () => {
      const m = marker();
      const r = run([...c.args, '--', ...m.argv]);
      assert.equal(r.status, DROPPER_REFUSED, r.stderr);
      assert.match(r.stderr, c.says);
      assert.match(r.stderr, /usage: kiln-step-enter/);
      assert.equal(existsSync(m.path), false);
    });
  }

  test('refuses an option without its value', () => {
    const r = run(['--gid', '65534', '--uid']);
    assert.equal(r.status, DROPPER_REFUSED);
    assert.match(r.stderr, /--uid must be a user id other than 0: \(missing\)/);
  });

  test('refuses a missing command', () => {
    for (const args of [STEP, [...STEP, '--']]) {
      const r = run(args);
      assert.equal(r.status, DROPPER_REFUSED);
      assert.match(r.stderr, /no command after --/);
    }
  });
});

describe('kiln-step-enter: the drop (as root)', { skip: NOT_ROOT }, () => {
  test('the step user with no capability, no group, no-new-privileges and no descriptor above 2: as setpriv leaves it', () => {
    const extra = openSync('/dev/null', 'r');
    try {
      const mine = run([...STEP, '--', ...SHOW], [extra]);
      assert.equal(mine.status, 0, mine.stderr);
      const setpriv = spawnSync(which('setpriv')!, ['--reuid=65534', '--regid=65534', '--clear-groups', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--no-new-privs', '--', ...SHOW], { encoding: 'utf8' });
      assert.equal(setpriv.status, 0, setpriv.stderr);
      assert.equal(who(mine.stdout), who(setpriv.stdout));
      assert.match(who(mine.stdout), /^Uid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65534\nGroups:\t *\nCapInh:\t0{16}\nCapPrm:\t0{16}\nCapEff:\t0{16}\nCapBnd:\t0{16}\nCapAmb:\t0{16}\nNoNewPrivs:\t1\n/);
      assert.match(mine.stdout, /fd3-closed/);
    } finally {
      closeSync(extra);
    }
  });

  test('refuses without privilege: nothing runs, as anyone', () => {
    const m = marker();
    const setpriv = which('setpriv')!;
    const r = spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', '--', BIN, ...STEP, '--', ...m.argv], { encoding: 'utf8' });
    assert.equal(r.status, DROPPER_REFUSED, r.stderr);
    assert.match(r.stderr, /kiln-step-enter: dropping from the bounding set: Operation not permitted/);
    assert.equal(existsSync(m.path), false);
  });

  test('a descriptor that is not the namespace asked for is refused', () => {
    const devnull = openSync('/dev/null', 'r');
    const net = openSync('/proc/self/ns/net', 'r');
    try {
      for (const [args, says] of [[['--net-fd', '3'], /joining the network namespace \(--net-fd\): Invalid argument/], [['--ipc-fd', '4'], /joining the IPC namespace \(--ipc-fd\): Invalid argument/], [['--net-fd', '5'], /Bad file descriptor/]] as const) {
        const m = marker();
        const r = run([...args, ...STEP, '--', ...m.argv], [devnull, net]);
        assert.equal(r.status, DROPPER_REFUSED, r.stderr);
        assert.match(r.stderr, says);
        assert.equal(existsSync(m.path), false);
      }
    } finally {
      closeSync(devnull);
      closeSync(net);
    }
  });

  test('joins the network and IPC namespaces it is given, then closes their descriptors', async () => {
    const holder = spawn(which('unshare')!, ['--net', '--ipc', '--', 'sleep', '60'], { stdio: 'ignore' });
    try {
      await until(() => readlinkSync(`/proc/${holder.pid}/ns/net`) !== readlinkSync('/proc/self/ns/net'));
      const ns = { net: `/proc/${holder.pid}/ns/net`, ipc: `/proc/${holder.pid}/ns/ipc` };
      const fds = [openSync(ns.net, 'r'), openSync(ns.ipc, 'r')];
      try {
        const r = run(['--net-fd', '3', '--ipc-fd', '4', ...STEP, '--', '/bin/sh', '-c', 'readlink /proc/self/ns/net /proc/self/ns/ipc; ls /proc/$$/fd'], fds);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, `${readlinkSync(ns.net)}\n${readlinkSync(ns.ipc)}\n0\n1\n2\n`);
      } finally {
        fds.forEach((fd) => closeSync(fd));
      }
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('a command that cannot be run: 127 when not found, 126 otherwise (as setpriv)', () => {
    const plain = join(base, 'not-executable');
    writeFileSync(plain, 'echo no\n', { mode: 0o644 });
    const missing = run([...STEP, '--', join(base, 'missing')]);
    assert.equal(missing.status, 127);
    assert.match(missing.stderr, /kiln-step-enter: failed to execute .*missing: No such file or directory/);
    const denied = run([...STEP, '--', plain]);
    assert.equal(denied.status, 126);
    assert.match(denied.stderr, /Permission denied/);
  });
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('findDropper: used only when built from this source and working', { skip: NOT_BUILT }, () => {
  const user = { uid: 65534, gid: 65534 };
  const dir = join(base, 'find');
  mkdirSync(dir);
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  test('not built: why', () => {
    assert.match(findDropper(user, join(dir, 'absent')).why!, /is not built \(npm run build:dropper/);
  });

  test('built from another version of the source: not used', () => {
    const bin = join(dir, 'stale');
    writeFileSync(bin, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(`${bin}.sha256`, `${sha('another source')}\n`);
    assert.match(findDropper(user, bin).why!, /was built from another version of/);
  });

  test('a binary that does not drop: not used', () => {
    const source = join(dir, 'source.c');
    writeFileSync(source, 'int main(void) { return 3; }\n');
    const bin = join(dir, 'broken');
    writeFileSync(bin, '#!/bin/sh\necho nope >&2\nexit 3\n', { mode: 0o755 });
    writeFileSync(`${bin}.sha256`, `${sha('int main(void) { return 3; }\n')}\n`);
    assert.match(findDropper(user, bin, source).why!, /does not work here \(nope\)/);
  });

  test('the built one, checked once', { skip: NOT_ROOT }, () => {
    const a = findDropper(user, BIN, DROPPER_SOURCE);
    assert.equal(a.dropper?.path, BIN, a.why);
    assert.equal(findDropper(user, BIN, DROPPER_SOURCE), a);
  });
});

describe('otherFds: what a trace must reopen to replay a step', () => {
  test('descriptors other than bwrap\'s binds, by number and path', () => {
    const argv = ['bwrap', '--bind-fd', '3', '/w', '--ro-bind-fd', '4', '/r', '--', '/proc/self/fd/5', '--net-fd', '6', '--uid', '1', '--gid', '1', '--', 'true'];
    assert.deepEqual(otherFds({ argv, fdPaths: ['/d/w', '/d/r', '/k/kiln-step-enter', '/proc/9/ns/net'] }), [{ fd: 5, path: '/k/kiln-step-enter' }, { fd: 6, path: '/proc/9/ns/net' }]);
    assert.equal(otherFds({ argv: ['bwrap', '--bind-fd', '3', '/w', '--', 'true'], fdPaths: ['/d/w'] }), undefined);
  });
});

describe('dropperFds', () => {
  test('the dropper shared; the namespaces opened for this container alone, or the reason', () => {
    const given: { fd: number; path: string; owned: boolean }[] = [];
    const inherit = (fd: number, path: string, owned: boolean) => given.push({ fd, path, owned }) + 9;
    const self = { path: '/x/kiln-step-enter', fd: 42 };
    assert.deepEqual(dropperFds(self, undefined, inherit), { self: 10 });
    const ns = { net: '/proc/self/ns/net', ipc: '/proc/self/ns/ipc' };
    assert.deepEqual(dropperFds(self, ns, inherit), { self: 11, net: 12, ipc: 13 });
    assert.deepEqual(given.map((g) => [g.path, g.owned]), [['/x/kiln-step-enter', false], ['/x/kiln-step-enter', false], [ns.net, true], [ns.ipc, true]]);
    given.slice(2).forEach((g) => closeSync(g.fd));
    assert.match(dropperFds(self, { net: '/proc/self/ns/net', ipc: '/nonexistent/ipc' }, inherit) as string, /cannot open the attempt's namespaces: ENOENT/);
  });
});

const NO_SANDBOX = NOT_ROOT || (!which('bwrap') ? 'bubblewrap (bwrap) is not installed' : !which('busybox') ? 'busybox is not installed' : false);

describe('the process executor as root: kiln-step-enter when it works, else setpriv, the same step either way', { skip: NO_SANDBOX }, () => {
  let n = 0;
  /** The step's status lines and the argv it was started with, the attempt having a network (a sidecar). */
  async function stepUnder(dropper: string | false): Promise<{ who: string; argv: string[] }> {
    const traces: SpawnTrace[] = [];
    const ex = createProcessExecutor({ dataDir: join(base, `d${n++}`), graceMs: 500, network: 'none', dropper, trace: (t) => traces.push(t) });
    try {
      const plan = suitePlan(`drop-${n}`, [suiteStep('who', 'cat /proc/self/status')], { sidecars: [{ ...suiteStep('side', 'sleep 30'), containerName: 'sidecar-side' }] });
      const { snap, logs } = await runPlan(ex, plan);
      assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
      return { who: who(logs[0]), argv: traces.find((t) => t.argv.some((a) => a.includes('/tekton/scripts/step-who')))!.argv };
    } finally {
      await ex.close();
    }
  }

  test('picks the built dropper: joins the attempt network itself, no nsenter or setpriv', async () => {
    const { who: seen, argv } = await stepUnder(BIN);
    assert.ok(argv[0].endsWith('bwrap'), argv.join(' '));
    const after = argv.slice(argv.indexOf('--') + 1);
    assert.match(after.slice(0, 10).join(' '), /^\/proc\/self\/fd\/\d+ --net-fd \d+ --ipc-fd \d+ --uid 65534 --gid 65534 --$/);
    assert.ok(!argv.some((a) => a.endsWith('setpriv') || a === 'nsenter'));
    const fallback = await stepUnder(false);
    assert.equal(fallback.argv[1], 'nsenter');
    assert.ok(fallback.argv.some((a) => a.endsWith('setpriv')));
    assert.equal(seen, fallback.who);
  });

  test('falls back to setpriv when the dropper is not built', async () => {
    const { argv } = await stepUnder(join(base, 'never-built'));
    assert.equal(argv[1], 'nsenter');
    assert.ok(argv.some((a) => a.endsWith('setpriv')));
  });
});
