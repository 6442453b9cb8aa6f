// Drift in kiln's own store (the in-cluster destination): a change to an object carrying Argo CD's
// tracking label wakes the Applications of that name at once, so self-heal does not wait for the
// next resync. Other destinations are compared at each resync (`--app-resync`).
import type { KObject } from '../../api/meta.ts';
import type { ResourceType, Store } from '../../store/store.ts';
import { createInformer, type Informer } from '../../runtime/informer.ts';
import type { Logger } from '../../runtime/logger.ts';

export const TRACKING_LABEL = 'app.kubernetes.io/instance';

/** What in a tracked object counts as drift: anything but its status and bookkeeping. */
function shape(o: KObject): string {
  const { status: _s, metadata, ...rest } = o as KObject & { status?: unknown };
  const { resourceVersion: _r, managedFields: _m, generation: _g, ...meta } = metadata as Record<string, unknown>;
  return JSON.stringify([meta, rest]);
}

/** Watches `kinds` for objects labelled with TRACKING_LABEL; `wake(appName)` on each add, delete or change. */
export function watchDrift(store: Store, kinds: readonly ResourceType[], wake: (appName: string) => void, logger?: Logger): { stop(): Promise<void> } {
  const label = (o: KObject) => o.metadata.labels?.[TRACKING_LABEL];
  const informers: Informer[] = kinds.map((type) => createInformer(store, type, {
    labelSelector: TRACKING_LABEL,
    logger,
    handlers: {
      onAdd: (o) => { const a = label(o); if (a) wake(a); },
      onDelete: (o) => { const a = label(o); if (a) wake(a); },
      onUpdate: (a, b) => {
        if (shape(a) === shape(b)) return;
        for (const n of new Set([label(a), label(b)])) if (n) wake(n);
      },
    },
  }));
  return { stop: async () => { await Promise.all(informers.map((i) => i.stop())); } };
}
