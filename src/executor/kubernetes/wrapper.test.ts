// The step wrapper run for real: busybox sh in a bwrap sandbox whose /tekton is a temporary
// directory and whose /dev/termination-log is a file, as the containers of a Pod see them.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanContainer } from '../executor.ts';
import { createWhich } from '../process/host.ts';
import { parseTermination, POD_BUSYBOX, stepWrapper } from './wrapper.ts';
import type { WrapperOptions } from './wrapper.ts';
import { answerText, parseContext } from './beforestep.ts';

const which = createWhich();
const BWRAP = which('bwrap', process.env.PATH);
const BUSYBOX = existsSync('/usr/bin/busybox') ? '/usr/bin/busybox' : existsSync('/bin/busybox') ? '/bin/busybox' : undefined;
const SKIP = !BWRAP ? 'bwrap is not installed' : !BUSYBOX ? 'busybox is not installed' : false;
/** The host's userland, read-only, as an image's would be (a merged /usr keeps its links). */
const HOST = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/etc'].flatMap((p) => {
  if (!existsSync(p)) return [];
  const link = lstatSync(p).isSymbolicLink() ? readlinkSync(p) : undefined;
  return link ? ['--symlink', link, p] : ['--ro-bind', p, p];
});
const base = mkdtempSync(join(tmpdir(), 'kiln-wrapper-'));
after(() => rmSync(base, { recursive: true, force: true }));

const step = (name: string, more: Partial<PlanContainer> = {}): PlanContainer => ({ name, containerName: `step-${name}`, image: 'x', env: [], mounts: [], ...more });

/** A Pod's shared /tekton for one test. */
function pod(name: string): string {
  const t = join(base, name);
  mkdirSync(join(t, 'bin'), { recursive: true });
  mkdirSync(join(t, 'steps'), { recursive: true });
  return t;
}

/** Runs step `c` with `argv` as its init container would; returns its output and termination message. */
function run(tekton: string, c: PlanContainer, argv: string[], o: WrapperOptions = {}): { out: string; err: string; term: ReturnType<typeof parseTermination>; code: number | null } {
  mkdirSync(join(tekton, 'steps', c.containerName), { recursive: true });
  const term = join(tekton, `${c.containerName}.term`);
  writeFileSync(term, '');
  const r = spawnSync(BWRAP!, [
    ...HOST, '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--bind', tekton, '/tekton',
    '--ro-bind', BUSYBOX!, POD_BUSYBOX, '--bind', term, '/dev/termination-log', '--die-with-parent', '--unshare-pid',
    POD_BUSYBOX, 'sh', '-c', stepWrapper(c, o), 'kiln-step', ...argv,
  ], { encoding: 'utf8', timeout: 30_000, env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...Object.fromEntries(c.env.map((e) => [e.name, e.value])) } });
  return { out: r.stdout, err: r.stderr, term: parseTermination(readFileSync(term, 'utf8')), code: r.status };
}

describe('the step wrapper (busybox sh, as in a Pod)', { skip: SKIP }, () => {
  test('a step\'s exit code is recorded and the container still exits 0; the steps after a failure are skipped', () => {
    const t = pod('fail');
    const a = run(t, step('a'), ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([a.code, a.out, a.err, a.term], [0, 'out\n', 'err\n', { exitCode: 3 }]);
    assert.equal(readFileSync(join(t, 'steps/step-a/exitCode'), 'utf8'), '3', 'the number alone, as Tekton writes it');
    const b = run(t, step('b'), ['sh', '-c', 'echo must-not-run']);
    assert.deepEqual([b.code, b.out, b.term], [0, '', { skipped: true }]);
  });

  test('onError: continue records the code and lets the next step run', () => {
    const t = pod('continue');
    assert.deepEqual(run(t, step('a', { onError: 'continue' }), ['false']).term, { exitCode: 1 });
    const b = run(t, step('b'), ['echo', 'ran']);
    assert.deepEqual([b.out, b.term], ['ran\n', { exitCode: 0 }]);
  });

  test('a command name is looked up on the image\'s PATH, not among busybox\'s applets', () => {
    const t = pod('path');
    const r = run(t, step('a'), ['ls', '--version']);
    assert.match(r.out, /GNU coreutils/);
    assert.deepEqual(run(t, step('b'), ['no-such-command-here']).term?.exitCode, 127);
  });

  test('a step over its timeout is stopped (its tee too) and marked; the rest are skipped unless onError: continue', () => {
    const t = pod('timeout');
    const r = run(t, step('a', { timeoutMs: 1000, onError: 'continue', stdoutPath: '/tekton/out.txt' }), ['sh', '-c', 'echo before; sleep 20; echo after']);
    assert.equal(r.term?.timedOut, true);
    assert.notEqual(r.term?.exitCode, 0);
    assert.equal(r.out, 'before\n', 'stopped before it could say after');
    assert.equal(readFileSync(join(t, 'out.txt'), 'utf8'), 'before\n');
    assert.deepEqual(run(t, step('b'), ['true']).term, { exitCode: 0 });
    assert.equal(run(t, step('c', { timeoutMs: 1000 }), ['sleep', '20']).term?.timedOut, true);
    assert.deepEqual(run(t, step('d'), ['true']).term, { skipped: true });
  });

  test('stdoutConfig and stderrConfig paths receive a copy; the exit code is the step\'s, not tee\'s', () => {
    const t = pod('tee');
    const r = run(t, step('a', { stdoutPath: '/tekton/o', stderrPath: '/tekton/e' }), ['sh', '-c', 'echo 1; echo 2 >&2; exit 5']);
    assert.deepEqual([r.out, r.err, r.term], ['1\n', '2\n', { exitCode: 5 }]);
    assert.deepEqual([readFileSync(join(t, 'o'), 'utf8'), readFileSync(join(t, 'e'), 'utf8')], ['1\n', '2\n']);
  });
});

describe('a step waiting for kiln\'s beforeStep answer (busybox sh, as in a Pod)', { skip: SKIP }, () => {
  const nasty = ['$(touch /tekton/pwned)', "'; touch /tekton/pwned; '", '`touch /tekton/pwned`', 'two\nlines\n\n', '-n', '*'];
  test('prints the earlier steps\' results first, then runs the answer\'s argv, env and script as data, never as shell code', () => {
    const t = pod('gate');
    mkdirSync(join(t, 'steps/step-a/results'), { recursive: true });
    writeFileSync(join(t, 'steps/step-a/results/out'), 'v1\n$(x)');
    mkdirSync(join(t, 'downward'));
    const original = step('b', { command: ['sh', '-c'], args: ['RESULT'], env: [{ name: 'KEEP', value: 'k' }, { name: 'GONE', value: 'g' }] });
    const next = { ...original, args: ['printf "[%s]" "$@"; printf "<%s|%s|%s>" "$V" "$KEEP" "${GONE-unset}"', 'kiln-step', ...nasty], env: [{ name: 'KEEP', value: 'k' }, { name: 'V', value: nasty.join(' ') }] };
    writeFileSync(join(t, 'downward/before-step-1'), answerText(original, { step: next }, (c) => [...c.command!, ...c.args!]));
    const r = run(t, original, ['sh', '-c', 'RESULT'], { gate: { index: 1, earlier: ['step-a'] } });
    const [context, own] = r.out.split('kiln-context-end\n');
    const plan = { id: 'x', namespace: 'n', taskRunName: 't', steps: [step('a'), original], sidecars: [], volumes: [], results: [] };
    assert.deepEqual(parseContext(context, plan).stepResults, { a: { out: 'v1\n$(x)' } });
    assert.equal(own, `${nasty.map((a) => `[${a}]`).join('')}<${nasty.join(' ')}|k|unset>`);
    assert.deepEqual(r.term, { exitCode: 0 });
    assert.ok(!existsSync(join(t, 'pwned')), 'no value was evaluated');
    writeFileSync(join(t, 'downward/before-step-2'), answerText(step('c', { script: 'echo old' }), { step: step('c', { script: 'echo "new $1"', args: ['$(y)'] }) }, (c, p) => [p ?? `/tekton/scripts/${c.containerName}`, ...(c.args ?? [])]));
    const s = run(t, step('c', { script: 'echo old' }), ['/tekton/scripts/step-c'], { gate: { index: 2, earlier: ['step-a', 'step-b'] } });
    assert.equal(s.out.split('kiln-context-end\n')[1], 'new $(y)\n');
  });

  test('an answer to skip skips; a skip decided up front runs nothing; an answer that fails the step fails it', () => {
    const t = pod('gate-skip');
    mkdirSync(join(t, 'downward'));
    writeFileSync(join(t, 'downward/before-step-1'), answerText(step('b'), { skip: 'when expressions were evaluated to false' }, () => []));
    assert.deepEqual(run(t, step('b'), ['sh', '-c', 'touch /tekton/ran'], { gate: { index: 1, earlier: ['step-a'] } }).term, { skipped: true });
    assert.deepEqual(run(t, step('c'), ['sh', '-c', 'touch /tekton/ran'], { skip: true }).term, { skipped: true });
    assert.ok(!existsSync(join(t, 'ran')));
    writeFileSync(join(t, 'downward/before-step-3'), answerText(step('d'), { step: step('d', { image: 'other' }) }, () => ['true']));
    const f = run(t, step('d'), ['true'], { gate: { index: 3, earlier: [] } });
    assert.deepEqual(f.term, { exitCode: 1 });
    assert.match(f.err, /kiln: the step's image cannot change once its Pod exists/);
  });
});

test('parseTermination reads only the wrapper\'s messages', () => {
  assert.deepEqual(parseTermination('{"exitCode":0,"timedOut":false}'), { exitCode: 0 });
  assert.deepEqual(parseTermination('{"skipped":true}'), { skipped: true });
  for (const m of [undefined, '', 'oops', '[]', '{"exitCode":"1"}']) assert.equal(parseTermination(m), undefined, String(m));
});
