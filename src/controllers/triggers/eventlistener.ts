// The EventListener controller: kiln serve itself is every listener's sink, so a listener is
// ready as soon as it exists; its status says where to send events (`status.address.url`,
// `/hooks/{namespace}/{name}` on this server), as Tekton's reconciler reports its Service URL.
import type { Condition, KObject } from '../../api/meta.ts';
import { keyOf } from '../../api/meta.ts';
import type { Shard } from '../../runtime/replicas.ts';
import { findKind } from '../../api/registry.ts';
import type { EventListener } from '../../api/triggers.types.ts';
import { createController } from '../../runtime/controller.ts';
import { notOnlyStatus } from '../../runtime/predicates.ts';
import type { Reconciler } from '../../runtime/result.ts';
import { orUndefined, type Store } from '../../store/store.ts';

const EL = findKind('EventListener', 'triggers.tekton.dev')!;

export interface EventListenerControllerOptions {
  store: Store;
  /** the server's base URL, e.g. https://127.0.0.1:7443 */
  baseUrl: string;
  now?: () => Date;
  /** several replicas share the work: a listener's status is written by the replica of its key (default: this process) */
  shard?: Shard;
}

/** The status a listener gets: its sink URL and a Ready condition. */
export function listenerStatus(el: KObject, baseUrl: string, now: Date, previous?: Condition): Record<string, unknown> {
  const url = `${baseUrl.replace(/\/+$/, '')}/hooks/${el.metadata.namespace}/${el.metadata.name}`;
  const ready: Condition = {
    type: 'Ready', status: 'True', reason: 'ListenerReady', message: `kiln serve receives this listener's events at ${url}`,
    lastTransitionTime: previous?.status === 'True' && previous.message?.endsWith(url) ? previous.lastTransitionTime : now.toISOString(),
  };
  return { address: { url }, configuration: { generatedName: `el-${el.metadata.name}` }, conditions: [ready] };
}

export function createEventListenerController({ store, baseUrl, now = () => new Date(), shard }: EventListenerControllerOptions) {
  const reconciler: Reconciler = {
    async reconcile(req) {
      const el = await orUndefined(store.get<EventListener>(EL, req.namespace, req.name));
      if (!el || el.metadata.deletionTimestamp) return;
      const prev = (el.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === 'Ready');
      await store.updateStatus(EL, { ...el, status: listenerStatus(el, baseUrl, now(), prev) });
    },
  };
  return createController({ name: 'eventlistener', store, type: EL, reconciler, updatePredicate: notOnlyStatus, shard: shard && { owns: (o) => shard.owns(keyOf(o)), onChange: (l) => shard.onChange(l) } });
}
