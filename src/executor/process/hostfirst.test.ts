import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlan, suitePlan, suiteStep } from '../suite.ts';
import { createProcessExecutor } from './executor.ts';
import { DEFAULT_PATH, busyboxApplets, createWhich } from './host.ts';
import { ashBuiltins, hostFirstCommands, hostFirstPrelude } from './hostfirst.ts';
import { withPrelude } from './prepare.ts';
import { scriptArgv } from './script.ts';

const which = createWhich();
const BUSYBOX = which('busybox', process.env.PATH);
const GNU_TAR = (() => {
  const t = which('tar', DEFAULT_PATH);
  return t && /GNU tar/.test(spawnSync(t, ['--version'], { encoding: 'utf8' }).stdout ?? '') ? t : undefined;
})();
const SKIP = !BUSYBOX ? 'busybox is not installed' : !GNU_TAR ? 'the host has no GNU tar to tell apart from busybox tar' : false;

describe('host-first prelude (pure)', () => {
  test('one function per command, sorted; shells, busybox and names ash cannot define are left out', () => {
    const text = hostFirstPrelude('/tekton/bin/busybox', ['tar', 'sh', 'ash', 'busybox', 'run-parts', 'ls']);
    const fns = text.split('\n').filter((l) => /^[a-z]\w*\(\)/.test(l));
    assert.deepEqual(fns, ['ls() { __kiln_host ls "$@"; }', 'tar() { __kiln_host tar "$@"; }']);
    assert.match(text, /\/tekton\/bin\/busybox "\$__c" "\$@"/);
  });
  test('wrapped: every applet but the builtins and the shells (PATH is looked up when called)', () => {
    const got = hostFirstCommands(new Set(['tar', 'echo', 'unix2dos', 'sh']), new Set(['echo']));
    assert.deepEqual(got, ['tar', 'unix2dos']);
  });
  test('scripts: the prelude is sourced, then the script with $0 and $@; shebang options kept', () => {
    assert.deepEqual(scriptArgv('#!/bin/sh -e\necho', '/s', ['a'], 'bb', '/p'), ['bb', 'sh', '-e', '-c', '. /p; . "$0"', '/s', 'a']);
    assert.deepEqual(scriptArgv('#!/bin/sh\necho', '/s', [], 'bb', '/a dir/p'), ['bb', 'sh', '-c', `. '/a dir/p'; . "$0"`, '/s']);
    assert.deepEqual(scriptArgv('#!/bin/bash\necho', '/s', [], 'bb', '/p'), ['/s']);
  });
  test('sh arguments: -c text gets it first; a file is sourced after it; stdin and -s are left alone', () => {
    const cases: Array<[string[], string[]]> = [
      [['-c', 'tar x', 'n', 'a'], ['-c', '. /p\ntar x', 'n', 'a']],
      [['-e', '-c', 'ls'], ['-e', '-c', '. /p\nls']],
      [['build.sh', 'a'], ['-c', '. /p; . "$0"', 'build.sh', 'a']],
      [['-x', '--', 'build.sh'], ['-x', '-c', '. /p; . "$0"', 'build.sh']],
      [[], []],
      [['-s', 'a'], ['-s', 'a']],
      [['-'], ['-']],
    ];
    for (const [args, want] of cases) assert.deepEqual(withPrelude(args, '/p'), want, args.join(' '));
  });
});

describe('host-first prelude under busybox sh', { skip: SKIP }, () => {
  test('the builtins ash has are found (echo, test, printf), the host-only tools are not', () => {
    const b = ashBuiltins(BUSYBOX!, busyboxApplets(BUSYBOX!));
    for (const n of ['echo', 'test', 'printf']) assert.ok(b.has(n), n);
    assert.ok(!b.has('tar'));
  });

  test('a script gets the host tar; the applet only where PATH has none; builtins stay builtins', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kiln-hostfirst-'));
    try {
      for (const bwrap of [undefined, false] as const) {
        const ex = createProcessExecutor({ dataDir, bwrap, graceMs: 500 });
        const script = '#!/bin/sh\nset -e\ntar --version | head -1\ntype echo\n(PATH=/nowhere; tar --version | head -1)\necho "$0" | grep -q step-a && echo "args: $*"';
        const { snap, logs } = await runPlan(ex, suitePlan('hostfirst', [suiteStep('a', script, { args: ['x', 'y'] })]));
        assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
        const lines = logs[0].trim().split('\n');
        assert.match(lines[0], /GNU tar/, `bwrap ${bwrap}: ${logs[0]}`);
        assert.match(lines[1], /echo is a shell builtin/);
        assert.match(lines[2], /busybox/i);
        assert.equal(lines[3], 'args: x y');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the same through busybox sh directly (what the executor runs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-hostfirst-'));
    try {
      const prelude = join(dir, 'p');
      writeFileSync(prelude, hostFirstPrelude(BUSYBOX!, ['tar']));
      const out = execFileSync(BUSYBOX!, ['sh', ...withPrelude(['-c', 'tar --version | head -1'], prelude)], { encoding: 'utf8' });
      assert.match(out, /GNU tar/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
