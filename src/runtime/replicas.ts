// Controller replicas sharing the work: each replica holds a coordination.k8s.io/v1 Lease of its own,
// renewed every `renewMs`; the live replicas are the holders of unexpired leases (membership.ts);
// each key belongs to one live replica by rendezvous hashing (rendezvous.ts). When the member list
// changes (a replica starts, stops or its lease runs out) listeners are told, and controllers
// requeue what they now own. A replica that cannot renew its own lease for a lease duration counts
// itself out (owns nothing) until it renews again: the others have taken its keys by then. The
// first live replica deletes leases expired for four lease durations (replicas gone for good).
import type { KObject } from '../api/meta.ts';
import type { ResourceType, Store } from '../store/store.ts';
import { isConflict, isNotFound } from '../store/store.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import { createInformer, type Informer } from './informer.ts';
import type { Logger } from './logger.ts';
import { consoleLogger } from './logger.ts';
import { liveMembers, nextExpiry, observeLease, REPLICA_LABEL, replicaLease, staleLeases, type Lease, type LeaseSeen } from './membership.ts';
import { ownerOf } from './rendezvous.ts';

/** coordination.k8s.io/v1 leases. */
export const LEASE: ResourceType = { group: 'coordination.k8s.io', plural: 'leases', kind: 'Lease', namespaced: true };

/** What controllers ask of the replica set. */
export interface Shard {
  /** this replica's id */
  readonly id: string;
  /** whether this replica handles `key` (a `namespace/name`) among the live replicas */
  owns(key: string): boolean;
  /** whether replica `id` holds an unexpired lease */
  isLive(id: string): boolean;
  /** the live replicas, sorted */
  members(): string[];
  /** `listener` is called after every change of the member list; returns an unsubscribe */
  onChange(listener: () => void): () => void;
}

export interface ReplicaSetOptions {
  store: Store;
  /** this replica's id (membership.ts replicaIdProblem says which are valid) */
  id: string;
  /** the namespace of the leases */
  namespace: string;
  /** how long a lease lasts without renewal (default 15 000 ms) */
  durationMs?: number;
  /** how often the own lease is renewed (default a third of the duration) */
  renewMs?: number;
  /** names the leases (`<group>-<id>`) and labels them (default 'kiln-controller') */
  group?: string;
  clock?: Clock;
  logger?: Logger;
}

export interface ReplicaSet extends Shard {
  /** writes the own lease and reads the others'; resolves once the member list is known */
  start(): Promise<void>;
  /** stops renewing and deletes the own lease, so the others take its keys at once */
  stop(): Promise<void>;
}

/** Creates a replica set member (defaults in ReplicaSetOptions); nothing happens until start(). */
export function createReplicaSet({ store, id, namespace, durationMs = 15_000, renewMs = Math.max(200, Math.floor(durationMs / 3)), group = 'kiln-controller', clock = realClock, logger = consoleLogger }: ReplicaSetOptions): ReplicaSet {
  const seen = new Map<string, LeaseSeen>();
  const listeners = new Set<() => void>();
  let members: string[] = [];
  let informer: Informer<Lease> | undefined;
  let own: KObject | undefined;
  /** local time of the last successful renewal of the own lease */
  let renewedAt = -Infinity;
  let renewTimer: unknown;
  let expiryTimer: unknown;
  let stopped = false;
  let renewing: Promise<void> = Promise.resolve();

  function recompute(): void {
    const now = clock.now();
    // this replica counts itself live only while its own renewals succeed
    const next = liveMembers(seen.values(), now).filter((m) => m !== id);
    if (now < renewedAt + durationMs) next.push(id);
    next.sort();
    if (next.join('\n') !== members.join('\n')) {
      const before = members;
      members = next;
      logger.info(`replicas: ${before.join(',') || '(none)'} → ${next.join(',') || '(none)'}`, { replica: id, members: next });
      for (const l of listeners) {
        try { l(); } catch (e) { logger.error('replicas: a membership listener failed', { error: e }); }
      }
    }
    scheduleExpiry(now);
  }

  function scheduleExpiry(now: number): void {
    clock.clearTimeout(expiryTimer);
    if (stopped) return;
    const times = [nextExpiry(seen.values(), now), renewedAt + durationMs > now ? renewedAt + durationMs : undefined].filter((t): t is number => t !== undefined);
    if (!times.length) return;
    expiryTimer = clock.setTimeout(recompute, Math.max(1, Math.min(...times) - now + 1));
  }

  function observe(l: Lease): void {
    const name = l.metadata.name ?? '';
    const next = observeLease(seen.get(name), l, clock.now());
    if (next) seen.set(name, next);
    else seen.delete(name);
    recompute();
  }

  async function renew(): Promise<void> {
    const now = new Date(clock.now());
    const want = replicaLease(group, namespace, id, durationMs, now, (own as Lease | undefined)?.spec?.acquireTime);
    try {
      if (!own) {
        try {
          own = await store.create(LEASE, want);
        } catch (e) {
          if (!(e as { reason?: string }).reason || (e as { reason?: string }).reason !== 'AlreadyExists') throw e;
          const cur = await store.get<Lease>(LEASE, namespace, want.metadata.name!);
          own = await store.update(LEASE, { ...cur, metadata: { ...cur.metadata, labels: want.metadata.labels }, spec: want.spec });
        }
      } else {
        own = await store.update(LEASE, { ...own, spec: want.spec });
      }
      renewedAt = now.getTime();
    } catch (e) {
      // gone or changed by someone else: read or create it afresh next time
      if (isNotFound(e) || isConflict(e)) own = undefined;
      logger.error(`replicas: renewing lease ${want.metadata.name} failed`, { error: e });
    }
    recompute();
    if (members[0] === id) await removeStale();
  }

  /** The first live replica deletes the leases of replicas gone for good (a Deployment's old Pods never come back). */
  async function removeStale(): Promise<void> {
    for (const name of staleLeases(seen, clock.now())) {
      if (name === own?.metadata.name) continue;
      try {
        await store.delete(LEASE, namespace, name);
        logger.info(`replicas: deleted the stale lease ${name}`);
      } catch (e) {
        if (!isNotFound(e)) logger.error(`replicas: deleting the stale lease ${name} failed`, { error: e });
      }
      seen.delete(name);
    }
  }

  function scheduleRenew(): void {
    if (stopped) return;
    renewTimer = clock.setTimeout(() => {
      renewing = renew().finally(scheduleRenew);
    }, renewMs);
  }

  const set: ReplicaSet = {
    id,
    owns: (key) => ownerOf(key, members) === id,
    isLive: (r) => members.includes(r),
    members: () => [...members],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      await renew();
      informer = createInformer<Lease>(store, LEASE, {
        namespace,
        labelSelector: `${REPLICA_LABEL}=${group}`,
        logger,
        clock,
        handlers: {
          onAdd: observe,
          onUpdate: (_o, n) => observe(n),
          onDelete: (l) => {
            seen.delete(l.metadata.name ?? '');
            recompute();
          },
        },
      });
      await informer.synced;
      recompute();
      scheduleRenew();
    },
    async stop() {
      stopped = true;
      clock.clearTimeout(renewTimer);
      clock.clearTimeout(expiryTimer);
      await renewing;
      await informer?.stop();
      if (own) await store.delete(LEASE, namespace, own.metadata.name!).catch((e) => { if (!isNotFound(e)) logger.error('replicas: deleting the own lease failed', { error: e }); });
      own = undefined;
    },
  };
  return set;
}
