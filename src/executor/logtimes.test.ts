import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogTimes, recordLogTimes, rfc3339Nano, timesFileOf } from './logtimes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('log times', () => {
  it('formats instants as RFC3339Nano does: nanosecond digits, trailing zeros dropped', () => {
    const at = Date.parse('2026-12-05T21:55:01Z') * 1000;
    assert.equal(rfc3339Nano(at + 123_456), '2026-12-05T21:55:01.123456Z');
    assert.equal(rfc3339Nano(at + 120_000), '2026-12-05T21:55:01.12Z');
    assert.equal(rfc3339Nano(at + 1), '2026-12-05T21:55:01.000001Z');
    assert.equal(rfc3339Nano(at), '2026-12-05T21:55:01Z');
  });

  it('records each growth of a log, waiting for the directory to exist, and everything at stop', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-logtimes-'));
    const dir = join(root, 'logs');
    let clock = 1_000;
    const rec = recordLogTimes(dir, { now: () => clock, retryMs: 5 });
    try {
      await sleep(20);
      mkdirSync(dir);
      writeFileSync(join(dir, 'step-a.log'), '');
      await sleep(50); // the watcher is on
      appendFileSync(join(dir, 'step-a.log'), 'one\ntwo\n');
      for (let i = 0; i < 100 && !existsSync(timesFileOf(join(dir, 'step-a.log'))); i++) await sleep(10);
      clock = 2_000;
      appendFileSync(join(dir, 'step-a.log'), 'three\n');
      appendFileSync(join(dir, 'step-b.log'), 'b\n');
      await rec.stop();
      const a = readFileSync(timesFileOf(join(dir, 'step-a.log')), 'utf8');
      assert.match(a, /^8 1000\n/, 'the first growth, seen while watching');
      assert.match(a, /\n14 2000\n$/, 'the last, at the latest when stopped');
      assert.equal(readFileSync(timesFileOf(join(dir, 'step-b.log')), 'utf8'), '2 2000\n');
      assert.ok(!existsSync(timesFileOf(timesFileOf(join(dir, 'step-a.log')))), 'side files are not logs');
    } finally {
      await rec.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('polls where the directory cannot be watched (the inotify limit reached)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-logtimes-'));
    const refuse = () => { throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' }); };
    let clock = 7;
    const rec = recordLogTimes(root, { now: () => clock, pollMs: 5, watchDir: refuse });
    try {
      writeFileSync(join(root, 's.log'), 'one\n');
      for (let i = 0; i < 100 && !existsSync(timesFileOf(join(root, 's.log'))); i++) await sleep(5);
      clock = 9;
      await rec.stop();
      assert.equal(readFileSync(timesFileOf(join(root, 's.log')), 'utf8'), '4 7\n', 'seen by a poll, before stop');
    } finally {
      await rec.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('stops when the directory never came, creating nothing', async () => {
    const dir = join(tmpdir(), `kiln-no-such-dir-${process.pid}`, 'logs');
    const rec = recordLogTimes(dir, { retryMs: 5 });
    await sleep(15);
    await rec.stop();
    assert.ok(!existsSync(dir));
  });

  it('dates a line by the first record that covers its end; past them, by the log\'s last change', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-logtimes-'));
    try {
      const log = join(root, 's.log');
      writeFileSync(log, 'one\ntwo\nthree\nfour\n');
      writeFileSync(timesFileOf(log), '4 100\n8 200\n5 250\nnot a record\n14 300\n');
      utimesSync(log, 1, 1); // a second after the epoch
      const t = readLogTimes(log);
      assert.deepEqual([await t.at(4), await t.at(8), await t.at(14), await t.at(19)], [100, 200, 300, 1_000_000]);
      // an old log, no side file: every line from the log's last change
      const old = join(root, 'old.log');
      writeFileSync(old, 'x\n');
      utimesSync(old, 2, 2);
      assert.equal(await readLogTimes(old).at(2), 2_000_000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads records written after it started (a log being followed)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-logtimes-'));
    try {
      const log = join(root, 's.log');
      writeFileSync(log, 'one\n');
      writeFileSync(timesFileOf(log), '4 100\n');
      let now = 0;
      const t = readLogTimes(log, { refreshMs: 25, clock: () => now });
      assert.equal(await t.at(4), 100);
      appendFileSync(log, 'two\n');
      appendFileSync(timesFileOf(log), '8 2');
      now = 30;
      const beforeRecord = await t.at(8); // half a record: not read yet, dated by the log's change
      assert.ok(beforeRecord > 100);
      appendFileSync(timesFileOf(log), '00\n');
      appendFileSync(log, 'three\n');
      appendFileSync(timesFileOf(log), '14 300\n');
      now = 60;
      assert.equal(await t.at(14), 300);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
