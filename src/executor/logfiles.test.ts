import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Condition } from '../api/meta.ts';
import type { StepState, TaskRunStatus } from '../api/taskrun.types.ts';
import type { StepLogLine } from './logfiles.ts';
import { logFileOf, tailStepLogs } from './logfiles.ts';

let root = '';
before(() => { root = mkdtempSync(join(tmpdir(), 'kiln-logfiles-')); });
after(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
function freshDir(): string {
  const dir = join(root, `run-${seq++}`);
  mkdirSync(dir);
  return dir;
}

const waiting = (name: string): StepState => ({ name, container: `step-${name}`, waiting: { reason: 'PodInitializing' } });
const running = (name: string): StepState => ({ name, container: `step-${name}`, running: { startedAt: 't' } });
const done = (name: string): StepState => ({ name, container: `step-${name}`, terminated: { exitCode: 0, reason: 'Completed' }, terminationReason: 'Completed' });
const RUNNING: Condition[] = [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }];
const SUCCEEDED: Condition[] = [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }];

/**
 * A status source that plays one frame per call: each frame may write log files, then returns the
 * status the reader sees. After the last frame the last status repeats. Deterministic: the reader
 * only ever sees a frame's writes together with that frame's status.
 */
function scripted(frames: Array<() => TaskRunStatus>): { status: () => Promise<TaskRunStatus>; calls: () => number } {
  let i = 0;
  let last: TaskRunStatus = {};
  return {
    async status() {
      if (i < frames.length) last = frames[i]();
      i++;
      return structuredClone(last);
    },
    calls: () => i,
  };
}

async function collect(it: AsyncIterable<StepLogLine>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const l of it) out.push([l.step, l.line]);
  return out;
}

test('logFileOf: <logDir>/<containerName>.log', () => {
  assert.equal(logFileOf('/data/logs/ns/tr/0', 'step-build'), '/data/logs/ns/tr/0/step-build.log');
});

describe('tailStepLogs: follow', () => {
  test('every line of every step in order, lines split across writes, a final line without newline', async () => {
    const logDir = freshDir();
    const log = (name: string, text: string | Uint8Array) => appendFileSync(logFileOf(logDir, `step-${name}`), text);
    const e = Buffer.from('é', 'utf8');
    const st = (steps: StepState[], conditions = RUNNING): TaskRunStatus => ({ logDir, steps, conditions });
    const script = scripted([
      () => st([waiting('a'), waiting('b'), waiting('c')]),
      () => st([running('a'), waiting('b'), waiting('c')]),
      () => { log('a', 'a1\n'); return st([running('a'), waiting('b'), waiting('c')]); },
      () => { log('a', 'a2\na3-'); log('a', e.subarray(0, 1)); return st([running('a'), waiting('b'), waiting('c')]); },
      () => { log('a', e.subarray(1)); log('a', ' rest\n'); return st([running('a'), waiting('b'), waiting('c')]); },
      () => { log('a', 'a-last'); return st([done('a'), waiting('b'), waiting('c')]); },
      () => st([done('a'), running('b'), waiting('c')]),
      () => { log('b', 'b1\nb2'); return st([done('a'), running('b'), waiting('c')]); },
      () => st([done('a'), done('b'), running('c')]),
      // step c never writes a log file
      () => st([done('a'), done('b'), done('c')], SUCCEEDED),
    ]);
    const lines = await collect(tailStepLogs({ status: script.status, follow: true, pollMs: 1 }));
    assert.deepEqual(lines, [
      ['a', 'a1'], ['a', 'a2'], ['a', 'a3-é rest'], ['a', 'a-last'],
      ['b', 'b1'], ['b', 'b2'],
    ]);
    assert.ok(script.calls() >= 10, 'read until the run finished');
  });

  test('a step whose log file never appears is skipped once it has terminated', async () => {
    const logDir = freshDir();
    const script = scripted([
      () => ({ logDir, steps: [running('ghost'), waiting('b')], conditions: RUNNING }),
      () => ({ logDir, steps: [running('ghost'), waiting('b')], conditions: RUNNING }),
      () => ({ logDir, steps: [done('ghost'), running('b')], conditions: RUNNING }),
      () => { writeFileSync(logFileOf(logDir, 'step-b'), 'hello from b\n'); return { logDir, steps: [done('ghost'), done('b')], conditions: RUNNING }; },
      () => ({ logDir, steps: [done('ghost'), done('b')], conditions: SUCCEEDED }),
    ]);
    assert.deepEqual(await collect(tailStepLogs({ status: script.status, follow: true, pollMs: 1 })), [['b', 'hello from b']]);
  });

  test('steps that never started are drained once the run is over (cancelled before they ran)', async () => {
    const logDir = freshDir();
    writeFileSync(logFileOf(logDir, 'step-a'), 'only a\n');
    const script = scripted([
      () => ({ logDir, steps: [running('a'), waiting('b')], conditions: RUNNING }),
      () => ({ logDir, steps: [done('a'), waiting('b')], conditions: [{ type: 'Succeeded', status: 'False', reason: 'TaskRunCancelled' }] }),
    ]);
    assert.deepEqual(await collect(tailStepLogs({ status: script.status, follow: true, pollMs: 1 })), [['a', 'only a']]);
  });

  test('an aborted signal stops following', async () => {
    const logDir = freshDir();
    const ac = new AbortController();
    const script = scripted([
      () => ({ logDir, steps: [running('a')], conditions: RUNNING }),
      () => { appendFileSync(logFileOf(logDir, 'step-a'), 'one\n'); return { logDir, steps: [running('a')], conditions: RUNNING }; },
      () => { ac.abort(); return { logDir, steps: [running('a')], conditions: RUNNING }; },
    ]);
    assert.deepEqual(await collect(tailStepLogs({ status: script.status, follow: true, pollMs: 1, signal: ac.signal })), [['a', 'one']]);
  });
});

describe('tailStepLogs: without follow', () => {
  const cases: Array<{ name: string; files: Record<string, string>; steps: StepState[]; want: Array<[string, string]> }> = [
    {
      name: 'reads what is there, a partial last line included',
      files: { 'step-a': 'a1\na2\n', 'step-b': 'b1\nb2-partial' },
      steps: [done('a'), running('b'), waiting('c')],
      want: [['a', 'a1'], ['a', 'a2'], ['b', 'b1'], ['b', 'b2-partial']],
    },
    {
      name: 'empty lines are kept; missing files are skipped',
      files: { 'step-b': '\nx\n\n' },
      steps: [done('a'), done('b')],
      want: [['b', ''], ['b', 'x'], ['b', '']],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const logDir = freshDir();
      for (const [container, text] of Object.entries(c.files)) writeFileSync(logFileOf(logDir, container), text);
      const script = scripted([() => ({ logDir, steps: c.steps, conditions: RUNNING })]);
      assert.deepEqual(await collect(tailStepLogs({ status: script.status, follow: false })), c.want);
      assert.equal(script.calls(), 1, 'status read once');
    });
  }

  test('a character split by the 64 KiB read buffer stays whole', async () => {
    const logDir = freshDir();
    const long = 'x'.repeat(64 * 1024 - 1);
    writeFileSync(logFileOf(logDir, 'step-a'), `${long}é\nü\n`);
    const lines = await collect(tailStepLogs({ status: async () => ({ logDir, steps: [done('a')] }), follow: false }));
    // compared in short form: a diff of 64 KiB lines is unreadable
    assert.deepEqual(lines.map(([s, l]) => [s, l.length, l.slice(-2)]), [['a', long.length + 1, 'xé'], ['a', 1, 'ü']]);
    assert.equal(lines[0][1], `${long}é`);
  });

  test('a line longer than 64 Ki characters comes in 64 Ki pieces that join to the whole line', async () => {
    const logDir = freshDir();
    const huge = 'y'.repeat(3 * 64 * 1024 + 10);
    writeFileSync(logFileOf(logDir, 'step-a'), `${huge}\nnext\n${huge}`);
    const lines = await collect(tailStepLogs({ status: async () => ({ logDir, steps: [done('a')] }), follow: false }));
    const K = 64 * 1024;
    assert.deepEqual(lines.map(([s, l]) => [s, l.length]), [
      ['a', K], ['a', K], ['a', K], ['a', 10], ['a', 4], ['a', K], ['a', K], ['a', K], ['a', 10],
    ]);
    assert.equal(lines.slice(0, 4).map(([, l]) => l).join(''), huge);
    assert.equal(lines[4][1], 'next');
  });

  test('no status or no logDir yields nothing', async () => {
    assert.deepEqual(await collect(tailStepLogs({ status: async () => undefined, follow: false })), []);
    assert.deepEqual(await collect(tailStepLogs({ status: async () => ({ steps: [done('a')] }), follow: false })), []);
  });
});

describe('tailStepLogs: timestamps', () => {
  test('each line gets the time its bytes arrived (side file), pieces of an over-long line the time of their read, none without asking', async () => {
    const dir = freshDir();
    const long = 'x'.repeat(70 * 1024);
    writeFileSync(join(dir, 'step-a.log'), `one\ntwo\n${long}\nlast`);
    const at = Date.parse('2026-12-05T21:55:01Z') * 1000;
    writeFileSync(join(dir, 'step-a.log.times'), `4 ${at}\n8 ${at + 1500}\n${8 + long.length + 1 + 4} ${at + 2_000_000}\n`);
    const status = async (): Promise<TaskRunStatus> => ({ logDir: dir, steps: [done('a')], conditions: SUCCEEDED });
    const lines: StepLogLine[] = [];
    for await (const l of tailStepLogs({ status, follow: false, timestamps: true })) lines.push(l);
    assert.deepEqual(lines.map((l) => [l.line.length, l.time]), [
      [3, '2026-12-05T21:55:01Z'],
      [3, '2026-12-05T21:55:01.0015Z'],
      [64 * 1024, '2026-12-05T21:55:03Z'],
      [6 * 1024, '2026-12-05T21:55:03Z'],
      [4, '2026-12-05T21:55:03Z'],
    ]);
    assert.equal((await collect(tailStepLogs({ status, follow: false }))).length, 5);
    for await (const l of tailStepLogs({ status, follow: false })) assert.equal(l.time, undefined);
  });
});
