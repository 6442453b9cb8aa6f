// The Application controller: reconciles argoproj.io/v1alpha1 Applications (compare, status, sync)
// on every change of their spec, operation or refresh annotation, of an object they track (seen by
// the destination's watched cache), and every --app-resync.
import type { KObject } from '../../api/meta.ts';
import { keyOf } from '../../api/meta.ts';
import type { Shard } from '../../runtime/replicas.ts';
import { createController } from '../../runtime/controller.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Store } from '../../store/store.ts';
import type { ClusterConfig, Destination, DestinationOptions } from '../../gitops/cluster/destination.ts';
import type { GitSource } from '../../gitops/source/index.ts';
import { APPLICATION, ensureArgoCrds } from './crds.ts';
import { createApplicationReconciler, REFRESH_ANNOTATION } from './reconciler.ts';
import { TRACKING_LABEL } from './compare.ts';

export interface ApplicationControllerOptions {
  store: Store;
  source: GitSource;
  inCluster?: ClusterConfig;
  destination: (c: ClusterConfig, o?: DestinationOptions) => Destination;
  resyncMs?: number;
  logger?: Logger;
  /** several replicas share the work: each Application is synced by the replica of its key (default: this process syncs all) */
  shard?: Shard;
}

/** What in an Application asks for a reconcile: its spec, a requested operation, a refresh annotation, deletion. */
function wanted(o: KObject): string {
  const a = o as KObject & { spec?: unknown; operation?: unknown };
  return JSON.stringify([a.spec, a.operation ?? null, o.metadata.annotations?.[REFRESH_ANNOTATION] ?? null, o.metadata.deletionTimestamp ?? null]);
}

export function createApplicationController(opts: ApplicationControllerOptions) {
  const destinations = new Map<string, Destination>();
  // a change to a tracked object in any destination (its watched cache) wakes the Applications of
  // that name at once: self-heal and health do not wait for the next resync
  const appNamespaces = new Set<string>();
  const wakeNamed = (appName: string) => {
    for (const ns of appNamespaces) if (controller.informer?.get(ns, appName)) controller.enqueue({ namespace: ns, name: appName });
  };
  const destination = (c: ClusterConfig) => {
    const key = JSON.stringify(c);
    let d = destinations.get(key);
    if (!d) { d = opts.destination(c, { trackingLabel: TRACKING_LABEL, onTrackedChange: wakeNamed }); destinations.set(key, d); }
    return d;
  };
  // when each refresh annotation was first seen: the refresh needs a fetch started after then, not
  // after its reconcile begins (a push that refreshes 1,000 Applications is answered by a few fetches)
  const refreshSeen = new Map<string, number>();
  const specSeen = new Map<string, { spec: string; at: number }>();
  const refreshAskedAt = (namespace: string, name: string) => {
    const k = `${namespace}/${name}`;
    const at = refreshSeen.get(k);
    refreshSeen.delete(k);
    return at;
  };
  const controller = createController({
    name: 'applications',
    store: opts.store,
    shard: opts.shard && { owns: (o) => opts.shard!.owns(keyOf(o)), onChange: (l) => opts.shard!.onChange(l) },
    type: APPLICATION,
    workers: 4,
    reconciler: { reconcile: createApplicationReconciler({ store: opts.store, source: opts.source, inCluster: opts.inCluster, destination, resyncMs: opts.resyncMs, refreshAskedAt, specSeenAt: (ns, name) => specSeen.get(`${ns}/${name}`)?.at }) },
    // the namespaces holding Applications, so a wake looks each name up instead of scanning them all
    // and when each Application's spec was first seen as it is now (a new or edited one is compared
    // against a fetch made after that, not against the revision cache)
    watches: [{
      type: APPLICATION,
      mapToRequests: (o) => {
        appNamespaces.add(o.metadata.namespace!);
        const k = `${o.metadata.namespace}/${o.metadata.name}`;
        const spec = JSON.stringify((o as KObject & { spec?: unknown }).spec ?? null);
        if (specSeen.get(k)?.spec !== spec) specSeen.set(k, { spec, at: Date.now() });
        return [];
      },
    }],
    updatePredicate: (a, b) => {
      if (b.metadata.annotations?.[REFRESH_ANNOTATION] && !a.metadata.annotations?.[REFRESH_ANNOTATION]) refreshSeen.set(`${b.metadata.namespace}/${b.metadata.name}`, Date.now());
      return wanted(a) !== wanted(b);
    },
    logger: opts.logger,
  });
  return {
    controller,
    async start() {
      await ensureArgoCrds(opts.store);
      await controller.start();
    },
    async stop() {
      await controller.stop();
      for (const d of destinations.values()) d.close?.();
    },
  };
}
