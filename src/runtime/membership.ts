// Which controller replicas are live, from their coordination.k8s.io/v1 Leases (one per replica,
// renewed every few seconds). A lease's renewTime is written by its holder's clock; to be immune to
// clock skew a replica judges liveness by when it *saw* a renewal (as client-go's leader election
// does): live while less than leaseDurationSeconds have passed since the renewTime last changed.
// A lease seen for the first time counts from its renewTime when that is in the past (a dead
// replica's stale lease is not live), else from now. Pure: no IO.
import type { KObject } from '../api/meta.ts';

/** coordination.k8s.io/v1 Lease, the fields used here. */
export interface Lease extends KObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string };
}

/** What a replica remembers of one lease. */
export interface LeaseSeen {
  holder: string;
  /** the renewTime last seen: a new value is a renewal */
  renewTime: string;
  /** local clock (ms) when that renewal was seen */
  observedAt: number;
  durationMs: number;
}

/** Label on every replica lease of one controller group. */
export const REPLICA_LABEL = 'kiln.dev/replicas';

/** Lease duration when a lease names none (Kubernetes' leader election default). */
const DEFAULT_DURATION_S = 15;

/** The new memory of `lease` seen at `now`, given what was remembered of it; undefined for a lease without holder. */
export function observeLease(prev: LeaseSeen | undefined, lease: Lease, now: number): LeaseSeen | undefined {
  const holder = lease.spec?.holderIdentity;
  if (!holder) return undefined;
  const renewTime = lease.spec?.renewTime ?? lease.spec?.acquireTime ?? '';
  const durationMs = (lease.spec?.leaseDurationSeconds ?? DEFAULT_DURATION_S) * 1000;
  if (prev && prev.holder === holder && prev.renewTime === renewTime) return { ...prev, durationMs };
  const written = Date.parse(renewTime);
  const observedAt = prev || !Number.isFinite(written) ? now : Math.min(now, written);
  return { holder, renewTime, observedAt, durationMs };
}

/** Whether a lease seen so is still live at `now`. */
export function isLive(seen: LeaseSeen, now: number): boolean {
  return now < seen.observedAt + seen.durationMs;
}

/** The holders of the live leases, sorted, each once. */
export function liveMembers(seen: Iterable<LeaseSeen>, now: number): string[] {
  const out = new Set<string>();
  for (const s of seen) if (isLive(s, now)) out.add(s.holder);
  return [...out].sort();
}

/** The next moment (local ms) a live lease expires, or undefined when none is live. */
export function nextExpiry(seen: Iterable<LeaseSeen>, now: number): number | undefined {
  let next: number | undefined;
  for (const s of seen) {
    const at = s.observedAt + s.durationMs;
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}

/** Leases expired for more than `factor` lease durations at `now`: replicas that are gone for good, whose leases may be deleted. */
export function staleLeases(seen: ReadonlyMap<string, LeaseSeen>, now: number, factor = 4): string[] {
  return [...seen].filter(([, s]) => now >= s.observedAt + s.durationMs * factor).map(([name]) => name).sort();
}

/** A replica id is a lease name's suffix (a Pod's name will do): lower-case letters, digits, '-' and '.', at most 63 characters. */
export function replicaIdProblem(id: string): string | undefined {
  if (!/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(id)) return `"${id}": expected lower-case letters, digits, '-' or '.', starting and ending with a letter or digit, at most 63 characters`;
  return undefined;
}

/** The default replica id: host name and process id, made a valid name. */
export function defaultReplicaId(hostname: string, pid: number): string {
  const host = hostname.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 40) || 'kiln';
  return `${host}-${pid}`;
}

/** The name of a replica's lease in `group`. */
export function leaseName(group: string, id: string): string {
  return `${group}-${id}`;
}

/** The Lease a replica writes to say it is live at `now` (an ISO time with microseconds, as MicroTime). */
export function replicaLease(group: string, namespace: string, id: string, durationMs: number, now: Date, acquired?: string): Lease {
  const micro = now.toISOString().replace(/Z$/, '000Z');
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: leaseName(group, id), namespace, labels: { [REPLICA_LABEL]: group } },
    spec: { holderIdentity: id, leaseDurationSeconds: Math.max(1, Math.round(durationMs / 1000)), acquireTime: acquired ?? micro, renewTime: micro },
  };
}
