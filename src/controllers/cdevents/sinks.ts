// Where a namespace's CDEvents go: the server's sinks (`--events-sink`, every namespace) and the
// namespace's own, named by a ConfigMap `kiln-events` in it:
//   data:
//     sinks: |            # URLs, one per line (or separated by spaces or commas); http(s) only
//       https://events.example/team-a
//     mode: structured    # binary (default) or structured
// The ConfigMaps are followed with an informer, so a change applies to events recorded after it.
import type { KObject } from '../../api/meta.ts';
import { CONFIGMAP } from '../../api/registry.ts';
import type { HttpMode } from '../../events/cloudevent.ts';
import { createInformer, type Informer } from '../../runtime/informer.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Store } from '../../store/store.ts';

/** The name of the ConfigMap that gives a namespace its sinks. */
export const NAMESPACE_SINKS_CONFIGMAP = 'kiln-events';

/** A sink: where events go and how. */
export interface SinkConfig { url: string; mode?: HttpMode }

/** A namespace's sinks as its ConfigMap declares them, and what in it could not be used (with the field). */
export function sinksOfConfigMap(cm: KObject | undefined): { sinks: SinkConfig[]; problems: string[] } {
  const data = (cm as { data?: Record<string, string> } | undefined)?.data ?? {};
  const problems: string[] = [];
  const modeText = (data.mode ?? '').trim();
  let mode: HttpMode = 'binary';
  if (modeText === 'structured' || modeText === 'binary') mode = modeText;
  else if (modeText) problems.push(`data.mode: "${modeText}" is not binary or structured (binary used)`);
  const sinks: SinkConfig[] = [];
  for (const raw of (data.sinks ?? '').split(/[\s,]+/).filter(Boolean)) {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      problems.push(`data.sinks: "${raw}" is not a URL`);
      continue;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      problems.push(`data.sinks: "${raw}" is not an http(s) URL`);
      continue;
    }
    sinks.push({ url: raw, mode });
  }
  return { sinks, problems };
}

export interface SinkDirectory {
  /** the sinks of `namespace`: the server's, then the namespace's own */
  sinksOf(namespace: string): SinkConfig[];
  /** whether any event of `namespace` has somewhere to go */
  has(namespace: string): boolean;
  /** whether any namespace's events have somewhere to go */
  anywhere(): boolean;
  /**
   * The time from which `namespace`'s events are recorded: none when the server has sinks (every
   * event), else when its ConfigMap was created (a namespace given a sink does not get its history).
   */
  since(namespace: string): string | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The server's sinks plus, per namespace, those of its `kiln-events` ConfigMap. */
export function createSinkDirectory({ store, global, logger, onChange }: { store: Store; global: readonly SinkConfig[]; logger?: Logger; onChange?: () => void }): SinkDirectory {
  let informer: Informer | undefined;
  const reported = new Map<string, string>();

  function own(namespace: string): SinkConfig[] {
    const cm = informer?.get(namespace, NAMESPACE_SINKS_CONFIGMAP);
    if (!cm) return [];
    const { sinks, problems } = sinksOfConfigMap(cm);
    const key = `${namespace}@${cm.metadata.resourceVersion}`;
    if (problems.length && reported.get(namespace) !== key) {
      reported.set(namespace, key);
      logger?.error(`ConfigMap ${namespace}/${NAMESPACE_SINKS_CONFIGMAP}: ${problems.join('; ')}`);
    }
    return sinks;
  }

  return {
    sinksOf(namespace) {
      const mine = own(namespace).filter((s) => !global.some((g) => g.url === s.url && (g.mode ?? 'binary') === s.mode));
      return [...global, ...mine];
    },
    has(namespace) {
      return global.length > 0 || own(namespace).length > 0;
    },
    anywhere() {
      return global.length > 0 || (informer?.list() ?? []).some((cm) => sinksOfConfigMap(cm).sinks.length > 0);
    },
    since(namespace) {
      return global.length ? undefined : informer?.get(namespace, NAMESPACE_SINKS_CONFIGMAP)?.metadata.creationTimestamp;
    },
    async start() {
      const changed = () => onChange?.();
      informer = createInformer(store, CONFIGMAP, { fieldSelector: `metadata.name=${NAMESPACE_SINKS_CONFIGMAP}`, logger, handlers: { onAdd: changed, onUpdate: changed } });
      await informer.synced;
    },
    async stop() {
      await informer?.stop();
    },
  };
}
