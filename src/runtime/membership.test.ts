import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultReplicaId, isLive, liveMembers, nextExpiry, observeLease, replicaIdProblem, replicaLease, staleLeases, type Lease, type LeaseSeen } from './membership.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const lease = (holder: string | undefined, renewTime: string | undefined, seconds = 10): Lease => ({
  apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `l-${holder}`, namespace: 'kiln' },
  spec: { holderIdentity: holder, leaseDurationSeconds: seconds, renewTime },
});

test('observeLease: first sight counts from a past renewTime, or from now when it is ahead (skew) or missing', () => {
  assert.equal(observeLease(undefined, lease(undefined, '2026-01-01T00:00:00Z'), T0), undefined);
  assert.equal(observeLease(undefined, lease('a', '2025-12-31T23:59:55.000000Z'), T0)!.observedAt, T0 - 5000);
  assert.equal(observeLease(undefined, lease('a', '2026-01-01T00:05:00Z'), T0)!.observedAt, T0);
  assert.equal(observeLease(undefined, lease('a', undefined), T0)!.observedAt, T0);
});

test('observeLease: an unchanged renewTime keeps its observation time; a new one is seen now, whatever it says', () => {
  const first = observeLease(undefined, lease('a', '2026-01-01T00:00:00Z'), T0)!;
  assert.equal(observeLease(first, lease('a', '2026-01-01T00:00:00Z'), T0 + 9000)!.observedAt, T0);
  // the holder's clock is an hour behind: its renewal still counts from when it was seen
  assert.equal(observeLease(first, lease('a', '2025-12-31T23:00:03Z'), T0 + 9000)!.observedAt, T0 + 9000);
});

test('liveness: live for leaseDurationSeconds after the last renewal seen; members sorted and unique', () => {
  const seen: LeaseSeen[] = [
    { holder: 'b', renewTime: 'x', observedAt: T0, durationMs: 10_000 },
    { holder: 'a', renewTime: 'y', observedAt: T0 - 4000, durationMs: 10_000 },
    { holder: 'c', renewTime: 'z', observedAt: T0 - 10_000, durationMs: 10_000 },
    { holder: 'a', renewTime: 'w', observedAt: T0, durationMs: 10_000 },
  ];
  assert.deepEqual(liveMembers(seen, T0), ['a', 'b']);
  assert.equal(isLive(seen[2], T0), false);
  assert.deepEqual(liveMembers(seen, T0 + 6000), ['a', 'b']);
  assert.deepEqual(liveMembers(seen, T0 + 10_000), []);
  assert.equal(nextExpiry(seen, T0), T0 + 6000);
  assert.equal(nextExpiry(seen, T0 + 10_000), undefined);
});

test('replica ids: the default is valid; bad ones are refused with what is expected', () => {
  assert.equal(defaultReplicaId('Build_Host.example', 4242), 'build-host.example-4242');
  assert.equal(replicaIdProblem(defaultReplicaId('Build_Host', 1)), undefined);
  assert.equal(replicaIdProblem('kiln-0'), undefined);
  assert.match(replicaIdProblem('Kiln_0')!, /lower-case letters/);
  assert.match(replicaIdProblem('-a')!, /starting and ending/);
});

test('replicaLease: a Lease with MicroTime renewTime, the duration in whole seconds and the group label', () => {
  const l = replicaLease('kiln-controller', 'kiln', 'r1', 9500, new Date(T0));
  assert.deepEqual(l, {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name: 'kiln-controller-r1', namespace: 'kiln', labels: { 'kiln.dev/replicas': 'kiln-controller' } },
    spec: { holderIdentity: 'r1', leaseDurationSeconds: 10, acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:00.000000Z' },
  });
});

test('staleLeases: expired for four lease durations (by default)', () => {
  const seen = new Map<string, LeaseSeen>([
    ['l-a', { holder: 'a', renewTime: 'x', observedAt: T0 - 39_999, durationMs: 10_000 }],
    ['l-b', { holder: 'b', renewTime: 'y', observedAt: T0 - 40_000, durationMs: 10_000 }],
    ['l-c', { holder: 'c', renewTime: 'z', observedAt: T0, durationMs: 10_000 }],
  ]);
  assert.deepEqual(staleLeases(seen, T0), ['l-b']);
  assert.deepEqual(staleLeases(seen, T0, 2), ['l-a', 'l-b']);
});
