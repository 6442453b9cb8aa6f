// CustomResourceDefinitions served at run time: the server's KindRegistry follows the CRDs in the
// store. sync() (level-based: reads every CRD, never trusts an event) sets the registry's custom
// kinds, deletes the objects of kinds whose CRD is gone (as Kubernetes does), and writes each CRD's
// status (Established). It runs at start, after every CRD write made through the server (before the
// write is answered: `kubectl get <plural>` right after `kubectl apply` of the CRD finds the kind),
// and on every CRD watch event (CRDs written to the store by anything else).
import { CRD_KIND } from '../api/generic/builtin.ts';
import { crdStatus, kindFromCrd } from '../api/generic/crd.ts';
import { KindRegistry } from '../api/generic/kinds.ts';
import type { KindInfo } from '../api/registry.ts';
import type { KObject } from '../api/meta.ts';
import { isConflict, isNotFound, orUndefined, type ResourceType, type Store, type Watch } from '../store/store.ts';

export interface CrdServing {
  /** the served kinds, following the stored CRDs */
  registry: KindRegistry;
  /** `store` with CRD writes followed by sync(): what the API server writes through */
  store: Store;
  /** syncs, then follows CRD changes made to the store by anything else */
  start(): Promise<void>;
  stop(): void;
  /** reads every CRD and brings the registry (and the CRDs' status) in line */
  sync(): Promise<void>;
}

export interface CrdOptions {
  store: Store;
  /** default: a new registry with the fixed kinds */
  registry?: KindRegistry;
  now?: () => Date;
  /** where a failed background sync is reported (default: nowhere; the next event retries) */
  onError?: (e: unknown) => void;
}

const isCrd = (t: ResourceType): boolean => t.group === CRD_KIND.group && t.plural === CRD_KIND.plural;

/** Serves the kinds the CRDs in `store` define; see the header. */
export function serveCrds({ store, registry = new KindRegistry(), now = () => new Date(), onError = () => {} }: CrdOptions): CrdServing {
  let chain: Promise<void> = Promise.resolve();
  let watch: Watch | undefined;
  let stopped = false;

  async function load(): Promise<void> {
    const { items } = await store.list(CRD_KIND);
    const live = items.filter((c) => !c.metadata.deletionTimestamp);
    const kinds = live.map(kindFromCrd).filter((k): k is KindInfo => k !== undefined);
    const change = registry.setCustom(kinds);
    for (const gone of change.removed) await deleteAll(gone);
    for (const crd of live) await writeStatus(crd);
  }

  async function deleteAll(kind: KindInfo): Promise<void> {
    const { items } = await store.list(kind);
    for (const o of items) await orUndefined(store.delete(kind, o.metadata.namespace ?? '', o.metadata.name!).then(() => true));
  }

  async function writeStatus(crd: KObject): Promise<void> {
    const spec = (crd.spec ?? {}) as { group?: string; names?: { plural?: string } };
    const served = registry.byResource(String(spec.group), String(spec.names?.plural)) !== undefined &&
      !registry.isFixed(String(spec.group), String(spec.names?.plural)) && kindFromCrd(crd) !== undefined;
    const status = crdStatus(crd, served, now().toISOString().replace(/\.\d+Z$/, 'Z'));
    if (JSON.stringify(status) === JSON.stringify(crd.status)) return;
    try {
      await store.updateStatus(CRD_KIND, { ...crd, status });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e; // changed meanwhile: its own event syncs again
    }
  }

  function sync(): Promise<void> {
    const run = chain.then(load);
    chain = run.catch(() => {});
    return run;
  }

  async function follow(): Promise<void> {
    while (!stopped) {
      try {
        watch = store.watch(CRD_KIND, {});
        for await (const _event of watch) await sync().catch(onError);
      } catch (e) {
        onError(e);
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 1000).unref());
      if (!stopped) await sync().catch(onError); // events may have been missed while away
    }
  }

  /** After a CRD write: sync, then the CRD as it is now (sync may have written its status). */
  async function synced<T extends KObject>(type: ResourceType, out: T): Promise<T> {
    if (!isCrd(type)) return out;
    await sync();
    return ((await orUndefined(store.get<T>(type, '', out.metadata.name!))) ?? out);
  }

  const wrapped: Store = {
    get: (type, ns, name) => store.get(type, ns, name),
    list: (type, opts) => store.list(type, opts),
    watch: (type, opts) => store.watch(type, opts),
    close: () => store.close(),
    create: async (type, obj) => synced(type, await store.create(type, obj)),
    update: async (type, obj) => synced(type, await store.update(type, obj)),
    updateStatus: async (type, obj) => synced(type, await store.updateStatus(type, obj)),
    async delete(type, ns, name) {
      await store.delete(type, ns, name);
      if (isCrd(type)) await sync();
    },
  };

  return {
    registry,
    store: wrapped,
    async start() {
      await sync();
      void follow();
    },
    stop() {
      stopped = true;
      watch?.stop();
    },
    sync,
  };
}
