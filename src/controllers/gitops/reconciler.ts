// The Application reconciler: refresh (resolve the revision, render, compare with the destination),
// write the status Argo CD writes, and run sync operations one step per reconcile with the sync
// engine's decisions (gitops/sync): requested ones (`.operation`, as the argocd CLI writes it) and
// automated ones (once per revision + source; self-heal; prune).
import type { KObject } from '../../api/meta.ts';
import type { Store } from '../../store/store.ts';
import { StoreError } from '../../store/store.ts';
import type { Request, Result } from '../../runtime/result.ts';
import { clusterFor, clustersFromSecrets } from '../../gitops/cluster/clusters.ts';
import type { ClusterConfig, Destination } from '../../gitops/cluster/destination.ts';
import type { GitSource } from '../../gitops/source/index.ts';
import { credentialFor, credentialsFromSecrets } from '../../gitops/source/index.ts';
import { ComparisonError, createRenderCache, sourcesOf } from '../../gitops/render/index.ts';
import type { ApplicationSource, RenderedManifest } from '../../gitops/types.ts';
import {
  advance, appendHistory, onOperationFailed, planDeletion, planSync, recordOutcomes, recordsHistory, restartForRetry, retryWaitMs, shouldAutoSync, startOperation,
  RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND, type OperationState, type RevisionHistory, type SyncOperation,
} from '../../gitops/sync/index.ts';
import { compare, kindsOf, listTracked, prepareDesired, TRACKING_LABEL, type Comparison, type CompareSettings } from './compare.ts';
import { APPLICATION, APPPROJECT, defaultProject } from './crds.ts';
import { CONFIGMAP, SECRET } from '../../api/registry.ts';
import { settingsOf } from './settings.ts';
import { loadJq } from '../../gitops/jq.ts';
import type { JqEngine } from '../../gitops/diff/ignore.ts';
import { performStep } from './perform.ts';
import { kindPermitted, permitted } from './project.ts';
import { imagesOf } from './images.ts';

export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';
/** How long after an operation's step its Application reads the destination directly rather than the watched cache. */
const READ_YOUR_WRITES_MS = 3000;

export interface ReconcilerDeps {
  store: Store;
  source: GitSource;
  /** kiln's own API, for `in-cluster` destinations */
  inCluster?: ClusterConfig;
  destination: (c: ClusterConfig) => Destination;
  /** periodic refresh (default 180 s) */
  resyncMs?: number;
  /** when the refresh annotation of the Application was first seen (ms), then forgotten; undefined when unknown */
  refreshAskedAt?: (namespace: string, name: string) => number | undefined;
  /** when the Application's current spec was first seen (ms); undefined when unknown */
  specSeenAt?: (namespace: string, name: string) => number | undefined;
  now?: () => Date;
}

type App = KObject & { spec?: Record<string, unknown>; status?: Record<string, unknown>; operation?: SyncOperation };

export function createApplicationReconciler(deps: ReconcilerDeps) {
  const renders = createRenderCache(4096); // one entry per Application source at a commit: a push re-renders each once
  /** per Application: not before this time may its running operation take its next step (the engine's wait, e.g. 2 s between waves) */
  const nextStepAt = new Map<string, number>();
  /** per Application: when its operation last took a step (wrote to the destination) */
  const wroteAt = new Map<string, number>();
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const resync = deps.resyncMs ?? 180_000;
  let jq: Promise<JqEngine> | undefined;

  /** argocd-cm of the Application's namespace (Lua health checks, system-wide ignoreDifferences), jq when a rule needs it. */
  async function settingsFor(namespace: string) {
    let data: Record<string, unknown> | undefined;
    try { data = (await deps.store.get<KObject & { data?: Record<string, unknown> }>(CONFIGMAP, namespace, 'argocd-cm')).data; } catch (e) {
      if (!(e instanceof StoreError && e.reason === 'NotFound')) throw e;
    }
    const { settings, errors } = settingsOf(data);
    const needsJq = settings.ignoreDifferences?.some((r) => (r as { jqPathExpressions?: string[] }).jqPathExpressions?.length);
    if (needsJq) settings.jq = await (jq ??= loadJq());
    return { settings, errors };
  }

  /** Argo CD's argocd-ssh-known-hosts-cm (key ssh_known_hosts) of the Application's namespace: the ssh hosts git may trust. */
  async function knownHostsOf(namespace: string): Promise<string | undefined> {
    try {
      const cm = await deps.store.get<KObject & { data?: Record<string, string> }>(CONFIGMAP, namespace, 'argocd-ssh-known-hosts-cm');
      return cm.data?.ssh_known_hosts?.trim() || undefined;
    } catch (e) {
      if (e instanceof StoreError && e.reason === 'NotFound') return undefined;
      throw e;
    }
  }

  const writeStatus = (app: App, status: Record<string, unknown>) => deps.store.updateStatus(APPLICATION, { ...app, status });

  /** The destination the Application names (by server or name), or why there is none. */
  async function destinationOf(app: App): Promise<Destination | string> {
    const destSpec = (app.spec?.destination ?? {}) as { server?: string; name?: string };
    const secrets = (await deps.store.list(SECRET, { namespace: app.metadata.namespace })).items;
    const cluster = clusterFor(destSpec, clustersFromSecrets(secrets as never).clusters, deps.inCluster);
    return typeof cluster === 'string' ? cluster : deps.destination(cluster);
  }

  async function renderAll(app: App, dest: Destination, sources: ApplicationSource[], creds: ReturnType<typeof credentialsFromSecrets>, fresh?: { freshAfter: number; hard?: boolean }) {
    const manifests: RenderedManifest[] = [];
    const revisions: string[] = [];
    let sourceType = 'Directory';
    const namespace = String((app.spec?.destination as { namespace?: string } | undefined)?.namespace ?? '');
    const knownHosts = await knownHostsOf(app.metadata.namespace!);
    for (const src of sources) {
      const found = credentialFor(src.repoURL, creds);
      const cred = knownHosts ? { ...(found ?? { url: src.repoURL }), knownHosts } : found;
      const { commit } = await deps.source.resolve(src.repoURL, src.targetRevision, cred, fresh && { freshAfter: fresh.freshAfter });
      revisions.push(commit);
      if (src.ref && !src.path) continue; // a values-only source (multi-source refs)
      const dir = await deps.source.checkout(src.repoURL, commit, cred);
      const r = await renders.render(commit, dir, src, { appName: app.metadata.name!, namespace }, !!fresh?.hard);
      sourceType = r.type;
      manifests.push(...r.manifests);
    }
    return { desired: await prepareDesired(manifests, app.metadata.name!, namespace, dest), revisions, sourceType };
  }

  return async function reconcile(req: Request): Promise<Result> {
    let app: App;
    try {
      app = await deps.store.get<App>(APPLICATION, req.namespace, req.name);
    } catch (e) {
      if (e instanceof StoreError && e.reason === 'NotFound') return;
      throw e;
    }
    if (app.metadata.deletionTimestamp) return finalize(app);
    const spec = app.spec ?? {};
    const status = { ...(app.status ?? {}) } as Record<string, unknown>;
    const conditions: Array<{ type: string; message: string; lastTransitionTime: string }> = [];
    const t = now();
    /** removes the refresh annotation once its refresh was attempted */
    const refreshDone = async () => {
      if (!app.metadata.annotations?.[REFRESH_ANNOTATION]) return;
      const fresh = await deps.store.get<App>(APPLICATION, req.namespace, req.name);
      const annotations = { ...fresh.metadata.annotations };
      delete annotations[REFRESH_ANNOTATION];
      await deps.store.update(APPLICATION, { ...fresh, metadata: { ...fresh.metadata, annotations } });
    };
    const fail = async (type: string, message: string): Promise<Result> => {
      conditions.push({ type, message, lastTransitionTime: t });
      await writeStatus(app, { ...status, conditions, sync: { ...(status.sync as object ?? {}), status: 'Unknown' }, health: { status: 'Unknown' }, reconciledAt: t });
      await refreshDone(); // a failed refresh is done too: the next push must be able to ask again
      return { requeueAfter: Math.min(resync, 30_000) };
    };

    // where it goes, and whether its project allows that
    const sources = sourcesOf(spec as { source?: ApplicationSource; sources?: ApplicationSource[] });
    if (sources.length === 0) return fail('InvalidSpecError', 'spec.source or spec.sources is required');
    const destSpec = (spec.destination ?? {}) as { server?: string; name?: string; namespace?: string };
    const project = await loadProject(deps.store, app.metadata.namespace!, String(spec.project ?? 'default'));
    if (typeof project === 'string') return fail('InvalidSpecError', project);
    const denied = permitted(project, sources, destSpec);
    if (denied) return fail('InvalidSpecError', denied);
    const dest = await destinationOf(app);
    if (typeof dest === 'string') return fail('InvalidSpecError', dest);
    const secrets = (await deps.store.list(SECRET, { namespace: app.metadata.namespace })).items;

    // refresh: render and compare
    let rendered: Awaited<ReturnType<typeof renderAll>>;
    let cmp: Comparison;
    let settings: CompareSettings = {};
    try {
      // a refresh asked for, or a source/destination not compared yet (a new or edited Application, one
      // whose last comparison failed): resolved by a fetch made after that was seen, not from the cache
      const compared = JSON.stringify((status.sync as { comparedTo?: unknown } | undefined)?.comparedTo ?? null);
      const unseen = compared !== JSON.stringify({ source: spec.source, sources: spec.sources, destination: destSpec });
      // `hard` (Argo CD's other refresh kind) renders again too, not only fetches
      const refresh = app.metadata.annotations?.[REFRESH_ANNOTATION] ? { freshAfter: deps.refreshAskedAt?.(req.namespace, req.name) ?? Date.now(), hard: app.metadata.annotations[REFRESH_ANNOTATION] === 'hard' }
        : unseen ? { freshAfter: deps.specSeenAt?.(req.namespace, req.name) ?? Date.now() } : undefined;
      rendered = await renderAll(app, dest, sources, credentialsFromSecrets(secrets as never), refresh);
      const known = kindsOf((status.resources ?? []) as Comparison['resources']);
      const cm = await settingsFor(app.metadata.namespace!);
      for (const e of cm.errors) conditions.push({ type: 'InvalidSpecError', message: `argocd-cm ${e}`, lastTransitionTime: t });
      // the watched cache answers idle Applications; one with an operation, or that wrote in the last
      // moments (its writes may not have come back through the watch yet), reads the destination itself
      const key = `${req.namespace}/${req.name}`;
      const wrote = wroteAt.get(key);
      if (wrote !== undefined && Date.now() - wrote > READ_YOUR_WRITES_MS) wroteAt.delete(key);
      const busy = !!app.operation || ['Running', 'Terminating'].includes(String((status.operationState as OperationState | undefined)?.phase));
      settings = { ...cm.settings, cached: !busy && !wroteAt.has(key) };
      cmp = await compare(app.metadata.name!, rendered.desired, dest, known, (spec.ignoreDifferences ?? []) as unknown[], settings);
    } catch (e) {
      return fail('ComparisonError', e instanceof ComparisonError ? e.message : `${(e as Error).message}`);
    }
    const revision = rendered.revisions[0];
    const multi = Array.isArray(spec.sources) && (spec.sources as unknown[]).length > 0;
    const newStatus: Record<string, unknown> = {
      ...status,
      sync: { status: cmp.sync, revision, ...(multi ? { revisions: rendered.revisions } : {}), comparedTo: { source: spec.source, sources: spec.sources, destination: destSpec } },
      health: cmp.health,
      resources: cmp.resources,
      sourceType: rendered.sourceType,
      summary: { images: imagesOf(cmp.live as Array<Record<string, unknown>>) },
      reconciledAt: t,
      conditions,
    };

    // operations: a requested one, a running one, or an automated one starting now
    let op = app.operation;
    let state = status.operationState as OperationState | undefined;
    const running = state?.phase === 'Running' || state?.phase === 'Terminating';
    let requeue = Math.round(resync * (1 + Math.random() * 0.1)); // jitter: resyncs of many apps spread out
    if (!op && !running) {
      const policy = (spec.syncPolicy ?? {}) as { automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean; enabled?: boolean }; syncOptions?: string[]; retry?: never };
      const decision = shouldAutoSync({
        automated: policy.automated ?? null, syncOptions: policy.syncOptions, retry: policy.retry, operationInProgress: false,
        deleting: !!app.metadata.deletionTimestamp, syncStatus: cmp.sync, resources: cmp.resources, revision,
        revisions: multi ? rendered.revisions : undefined, source: spec.source as never, sources: spec.sources as never, lastOperation: state, now: t,
      });
      if (decision.sync) op = decision.operation;
      else {
        if (decision.condition) conditions.push({ ...decision.condition, lastTransitionTime: t });
        if (decision.requeueAfterMs) requeue = Math.min(requeue, decision.requeueAfterMs);
      }
    }
    if (op && !running) {
      state = startOperation(op, t, { revision: op.sync.revision || revision, source: spec.source as never });
      if (app.operation) {
        // the request is taken: clear `.operation` as Argo CD does once the operation is running
        const { operation: _taken, ...rest } = app;
        app = await deps.store.update<App>(APPLICATION, rest as App);
      }
    }
    if (state && (state.phase === 'Running' || state.phase === 'Terminating')) {
      const appKey = `${req.namespace}/${req.name}`;
      const early = state.startedAt === (status.operationState as OperationState | undefined)?.startedAt ? (nextStepAt.get(appKey) ?? 0) - Date.parse(t) : 0;
      const wait = Math.max(retryWaitMs(state, t), early);
      if (wait > 0) {
        requeue = Math.min(requeue, wait);
      } else {
        if (state.finishedAt) state = restartForRetry(state);
        // an operation for another revision (a rollback, `sync --revision`) applies what Git had there
        const opRevision = state.syncResult?.revision || revision;
        let opCmp = cmp;
        if (opRevision !== revision && !multi) {
          const at = await renderAll(app, dest, [{ ...sources[0], targetRevision: opRevision }], credentialsFromSecrets(secrets as never));
          opCmp = await compare(app.metadata.name!, at.desired, dest, kindsOf(cmp.resources), (spec.ignoreDifferences ?? []) as unknown[], settings);
        }
        const result = await runStep(app, state, opCmp, opCmp.desired, opRevision, dest, t, project);
        wroteAt.set(appKey, Date.now());
        state = result.state;
        if (state.phase === 'Succeeded' && recordsHistory(state)) {
          newStatus.history = appendHistory(status.history as RevisionHistory[] | undefined, state, t, spec.revisionHistoryLimit as number | undefined);
        }
        if (state.phase === 'Failed' || state.phase === 'Error') state = onOperationFailed(state, t).state;
        requeue = state.phase === 'Running' ? Math.max(200, Math.min(result.requeueAfterMs ?? 1000, 2000)) : 0;
        // a reconcile woken sooner (a watch event) must not cut the engine's wait short
        if (state.phase === 'Running') nextStepAt.set(appKey, Date.parse(t) + requeue); else nextStepAt.delete(appKey);
      }
      newStatus.operationState = state;
    }
    await writeStatus(app, newStatus);
    await refreshDone();
    // a finished operation leaves the app to be compared again at once (its result shows as Synced)
    return { requeueAfter: requeue === 0 ? 50 : requeue };
  };

  /** The resources finalizer: the app's objects deleted, highest wave first, then the finalizer removed. */
  async function finalize(app: App): Promise<Result> {
    const finalizers = app.metadata.finalizers ?? [];
    if (!finalizers.includes(RESOURCES_FINALIZER) && !finalizers.includes(RESOURCES_FINALIZER_BACKGROUND)) return;
    const dest = await destinationOf(app);
    if (typeof dest !== 'string') {
      const live: Record<string, unknown>[] = [];
      for (const k of kindsOf((app.status?.resources ?? []) as Comparison['resources'])) live.push(...(await listTracked(dest, k, app.metadata.name!)));
      const plan = planDeletion({ live, finalizers, self: { group: 'argoproj.io', kind: 'Application', namespace: app.metadata.namespace, name: app.metadata.name! } });
      if (!plan.done) {
        for (const ref of plan.deletes) await dest.delete(ref, plan.propagationPolicy);
        return { requeueAfter: 500 };
      }
    }
    const fresh = await deps.store.get<App>(APPLICATION, app.metadata.namespace!, app.metadata.name!);
    const rest = (fresh.metadata.finalizers ?? []).filter((f) => f !== RESOURCES_FINALIZER && f !== RESOURCES_FINALIZER_BACKGROUND);
    await deps.store.update(APPLICATION, { ...fresh, metadata: { ...fresh.metadata, finalizers: rest } });
    return;
  }

  async function runStep(app: App, state: OperationState, cmp: Comparison, desired: Comparison['desired'], revision: string, dest: Destination, t: string, project: KObject) {
    const spec = app.spec ?? {};
    const policy = (spec.syncPolicy ?? {}) as { syncOptions?: string[]; managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } };
    const namespace = String((spec.destination as { namespace?: string })?.namespace ?? '');
    // CreateNamespace=true: the namespace is not tracked (no label), so it is read for the plan
    const createNs = [...(policy.syncOptions ?? []), ...(state.operation.sync?.syncOptions ?? [])].includes('CreateNamespace=true') && namespace !== '';
    const destinationNamespace = createNs ? await dest.get({ apiVersion: 'v1', kind: 'Namespace', namespace: '', name: namespace }) : undefined;
    const plan = planSync({
      appName: app.metadata.name!, namespace, revision: state.syncResult?.revision || revision,
      ...(createNs ? { destinationNamespace, managedNamespaceMetadata: policy.managedNamespaceMetadata } : {}),
      startedAt: state.startedAt, desired: desired.map((d) => ({ object: d.object, origin: `${d.file}:${d.line}` })) as never, live: cmp.live, syncStatus: cmp.syncStatus,
      syncOptions: policy.syncOptions, operation: state.operation.sync, results: state.syncResult?.resources,
      tracking: { method: 'label', label: TRACKING_LABEL },
      // the AppProject's kind lists: a refused kind makes its task invalid and the sync fails before anything is applied
      permit: (task) => kindPermitted(project, task.group, task.kind, task.namespace !== ''),
    });
    const step = advance(plan, state, { now: t });
    const outcomes = await performStep(step, dest);
    return { state: recordOutcomes(step, outcomes, t), requeueAfterMs: step.requeueAfterMs };
  }
}

async function loadProject(store: Store, namespace: string, name: string): Promise<KObject | string> {
  try {
    return await store.get(APPPROJECT, namespace, name);
  } catch (e) {
    if (!(e instanceof StoreError && e.reason === 'NotFound')) throw e;
    if (name === 'default') {
      // Argo CD's `default` project, stored the first time an Application of this namespace needs it
      const def = defaultProject(namespace);
      try { return await store.create(APPPROJECT, def); } catch (err) {
        if (err instanceof StoreError && err.reason === 'AlreadyExists') return store.get(APPPROJECT, namespace, name);
        throw err;
      }
    }
    return `spec.project: AppProject ${name} does not exist in namespace ${namespace}`;
  }
}
