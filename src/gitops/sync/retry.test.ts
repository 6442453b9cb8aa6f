import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onOperationFailed, parseBackoffDuration, restartForRetry, retryDelay, retryStrategyFor, retryWaitMs, shouldRetry } from './retry.ts';
import { startOperation } from './operation.ts';
import { advance } from './advance.ts';
import { planSync } from './plan.ts';
import { recordOutcomes } from './record.ts';
import { FakeCluster, obj } from './testkit.ts';
import type { OperationState } from './types.ts';

const ms = (r: { ms: number } | { error: string }) => ('ms' in r ? r.ms : r.error);

test('retryDelay: duration × factor^attempt capped at maxDuration (defaults 5s, 2, 3m)', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map((a) => ms(retryDelay(a))), [5000, 10000, 20000, 40000, 80000, 160000, 180000, 180000]);
  assert.deepEqual([0, 1, 2].map((a) => ms(retryDelay(a, { duration: '30s', factor: 3, maxDuration: '2m' }))), [30000, 90000, 120000]);
  assert.equal(ms(retryDelay(20, { duration: '1s', maxDuration: '0' })), 1000 * 2 ** 20, 'maxDuration 0: no cap');
  assert.equal(ms(retryDelay(1, { duration: '10', factor: 1 })), 10000, 'a bare number is seconds');
  assert.equal(ms(retryDelay(0, { duration: '1m30s' })), 90000);
  assert.equal(ms(retryDelay(0, { duration: 'soon' })), 'retry.backoff.duration: unable to parse "soon" as a duration');
  assert.equal(ms(retryDelay(0, { factor: -1 })), 'retry.backoff.factor: -1 is not a non-negative number');
  assert.deepEqual(parseBackoffDuration('', 'x'), { error: 'x: empty' });
});

function failed(retry: OperationState['operation']['retry'], retryCount = 0): OperationState {
  const s = startOperation({ sync: {}, retry }, '2026-03-01T10:00:00.000Z', { revision: 'abc' });
  return { ...s, phase: 'Failed', message: 'one or more objects failed to apply', finishedAt: '2026-03-01T10:00:01.000Z', retryCount };
}

test('a failed operation is retried while the limit allows; unlimited below 0; never when terminated', () => {
  assert.equal(shouldRetry(failed({ limit: 2 }, 0)), true);
  assert.equal(shouldRetry(failed({ limit: 2 }, 2)), false);
  assert.equal(shouldRetry(failed({ limit: -1 }, 99)), true);
  assert.equal(shouldRetry(failed(undefined)), false, 'no retry strategy: no retry');
  assert.equal(shouldRetry(failed({ limit: 2 }), true), false);
  assert.equal(shouldRetry({ ...failed({ limit: 2 }), phase: 'Error' }), true);
  assert.equal(shouldRetry({ ...failed({ limit: 2 }), phase: 'Succeeded' }), false);
});

test('onOperationFailed schedules the retry with its time in the message, then gives up naming the count', () => {
  const now = '2026-03-01T15:04:00.000Z';
  const first = onOperationFailed(failed({ limit: 2, backoff: { duration: '5s' } }, 0), now);
  assert.equal(first.state.phase, 'Running');
  assert.equal(first.state.retryCount, 1);
  assert.equal(first.state.finishedAt, now);
  assert.equal(first.retryAt, '2026-03-01T15:04:05.000Z');
  assert.equal(first.state.message, 'one or more objects failed to apply. Retrying attempt #1 at 3:04PM.');
  assert.equal(retryWaitMs(first.state, now), 5000);
  assert.equal(retryWaitMs(first.state, '2026-03-01T15:04:04.000Z'), 1000);
  assert.equal(retryWaitMs(first.state, '2026-03-01T15:05:00.000Z'), 0);
  const second = onOperationFailed(failed({ limit: 2 }, 1), now);
  assert.equal(second.retryAt, '2026-03-01T15:04:10.000Z', 'the second retry waits twice as long');
  const out = onOperationFailed(failed({ limit: 2 }, 2), now);
  assert.equal(out.state.phase, 'Failed');
  assert.equal(out.state.message, 'one or more objects failed to apply (retried 2 times).');
  assert.equal(out.retryAt, undefined);
  const bad = onOperationFailed(failed({ limit: 2, backoff: { duration: 'x' } }), now);
  assert.equal(bad.state.phase, 'Failed');
  assert.match(bad.state.message, /\(failed to retry: retry.backoff.duration: unable to parse "x" as a duration\)$/);
});

test('restartForRetry clears the results and the finish time; retry.refresh drops the pinned revision', () => {
  const s = { ...failed({ limit: 3, refresh: true }), phase: 'Running' as const, operation: { sync: { revision: 'abc' }, retry: { limit: 3, refresh: true } } };
  s.syncResult = { revision: 'abc', resources: [{ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'd', name: 'x', status: 'SyncFailed', message: 'no', hookPhase: 'Failed', syncPhase: 'Sync' }] };
  const r = restartForRetry(s);
  assert.deepEqual(r.syncResult?.resources, []);
  assert.equal(r.finishedAt, undefined);
  assert.equal(r.message, '');
  assert.equal(r.operation.sync.revision, '');
  assert.equal(restartForRetry({ ...s, operation: { sync: { revision: 'abc' }, retry: { limit: 3 } } }).operation.sync.revision, 'abc');
});

test('automated syncs retry 5 times unless the app says otherwise', () => {
  assert.deepEqual(retryStrategyFor(undefined, true), { limit: 5 });
  assert.equal(retryStrategyFor(undefined, false), undefined);
  assert.deepEqual(retryStrategyFor({ limit: 0 }, true), { limit: 0 });
});

test('the whole retry loop: a failed apply is retried after its backoff and then succeeds', () => {
  const c = new FakeCluster();
  c.failApply.set('cfg', 'etcdserver: request timed out');
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const iso = () => new Date(now).toISOString();
  let state = startOperation({ sync: {}, retry: { limit: 2, backoff: { duration: '5s' } } }, iso(), { revision: 'r' });
  const seen: string[] = [];
  for (let i = 0; i < 20 && state.phase === 'Running'; i++) {
    const wait = retryWaitMs(state, iso());
    if (wait > 0) {
      seen.push(`wait ${wait}`);
      now += wait;
      continue;
    }
    if (state.finishedAt) state = restartForRetry(state);
    const plan = planSync({ appName: 'app', namespace: 'd', revision: 'r', startedAt: state.startedAt, desired: [obj('v1', 'ConfigMap', 'cfg')], live: c.list(), results: state.syncResult?.resources });
    const step = advance(plan, state, { now: iso() });
    state = recordOutcomes(step, c.perform(step), iso());
    if (state.phase === 'Failed') {
      seen.push(state.message);
      state = onOperationFailed(state, iso()).state;
      c.failApply.clear();
    }
    now += 1000;
  }
  assert.equal(state.phase, 'Succeeded');
  assert.equal(state.retryCount, 1);
  assert.deepEqual(seen, ['one or more synchronization tasks completed unsuccessfully, reason: ConfigMap/cfg: etcdserver: request timed out', 'wait 4000']);
  assert.deepEqual(state.syncResult?.resources.map((r) => [r.name, r.status]), [['cfg', 'Synced']]);
});
