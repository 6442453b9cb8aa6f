import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeClock, until } from './testing.ts';

describe('createFakeClock', () => {
  it('runs due timers in deadline order, including timers they schedule', () => {
    const clock = createFakeClock(100);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      log.push(`a@${clock.now()}`);
      clock.setTimeout(() => log.push(`c@${clock.now()}`), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => log.push('never'), 1);
    clock.clearTimeout(cancelled);
    assert.equal(clock.pending, 2);
    assert.equal(clock.next, 110);
    clock.advance(15);
    assert.deepEqual(log, ['a@110', 'c@115']);
    assert.equal(clock.now(), 115);
    clock.advance(100);
    assert.deepEqual(log, ['a@110', 'c@115', 'b@120']);
    assert.equal(clock.now(), 215);
    assert.equal(clock.next, undefined);
  });
});

describe('until', () => {
  it('resolves once the condition holds', async () => {
    let n = 0;
    await until(() => ++n === 3);
    assert.equal(n, 3);
  });
});
