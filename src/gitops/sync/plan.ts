// planSync: every task of a sync operation, in the order Argo CD runs them. Pure: built again from what the
// controller observes on every reconcile, so a restarted controller computes the same plan.
import { HOOK_FINALIZER, deletePoliciesOf, isHook, syncPhasesOf, waveOf, waveWarning } from './annotations.ts';
import { applyOptionsOf, propagationPolicy, pruneDisabled, pruneLast, pruneNeedsConfirm } from './options.ts';
import { sortTasks } from './order.ts';
import { respectIgnoreDifferences } from './respect.ts';
import { defaultClusterScoped, identityOf, isTrackedBy, keyOf, trackingApp, withTracking, type TrackingMethod } from './tracking.ts';
import type { Obj, ResourceResult, SyncOperation, SyncPhase, SyncTask } from './types.ts';
import type { IgnoreRule, JqEngine } from '../diff/ignore.ts';

/** A rendered manifest; `origin` (file:line) names it in errors. */
export interface DesiredManifest {
  object: Obj;
  origin?: string;
}

export interface PlanInput {
  appName: string;
  /** spec.destination.namespace: the namespace of namespaced objects that name none */
  namespace: string;
  /** the resolved revision being synced */
  revision: string;
  /** operationState.startedAt (RFC 3339): hooks with only generateName get a name derived from it */
  startedAt: string;
  desired: readonly (Obj | DesiredManifest)[];
  /** objects live in the destination: those matching a desired object, and those tracked by the app */
  live: readonly Obj[];
  /** per resource key (`group/kind/namespace/name`): the diff's verdict; absent = OutOfSync */
  syncStatus?: Readonly<Record<string, 'Synced' | 'OutOfSync'>>;
  /** spec.syncPolicy.syncOptions */
  syncOptions?: readonly string[];
  /** operation.sync (prune, dryRun, resources, syncOptions, syncStrategy) */
  operation?: SyncOperation['sync'];
  /** spec.syncPolicy.managedNamespaceMetadata, for CreateNamespace=true */
  managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** the destination namespace as observed (null = missing); needed with CreateNamespace=true */
  destinationNamespace?: Obj | null;
  tracking?: { method?: TrackingMethod; label?: string };
  /** scope of a kind; default: Kubernetes' cluster-scoped kinds plus CRDs in `desired` with scope Cluster */
  clusterScoped?: (group: string, kind: string) => boolean;
  /** spec.ignoreDifferences plus system rules: with RespectIgnoreDifferences=true their fields keep the live value */
  ignoreDifferences?: readonly IgnoreRule[];
  /** needed when such a rule has jqPathExpressions */
  jq?: JqEngine;
  /** operationState.syncResult.resources so far: objects already pruned keep their place in the prune order */
  results?: readonly ResourceResult[];
  /** extra checks (e.g. the AppProject's allow lists): a message makes the task invalid */
  permit?: (task: SyncTask) => string | undefined;
}

export interface InvalidTask {
  task: SyncTask;
  message: string;
}

export interface SyncPlan {
  appName: string;
  namespace: string;
  revision: string;
  /** tasks in run order (SyncFail hooks last) */
  tasks: SyncTask[];
  /** tasks that cannot run: the operation fails before anything is applied */
  invalid: InvalidTask[];
  warnings: string[];
  dryRun: boolean;
  prune: boolean;
  applyOutOfSyncOnly: boolean;
  /** true for a selective sync or the apply strategy: hooks were left out */
  skipHooks: boolean;
  /** the effective app-level sync options */
  syncOptions: readonly string[];
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function asManifest(d: Obj | DesiredManifest): DesiredManifest {
  return isObj(d.object) && !('apiVersion' in d) ? (d as DesiredManifest) : { object: d as Obj };
}

function withMeta(o: Obj, patch: (meta: Obj) => void): Obj {
  const meta: Obj = isObj(o.metadata) ? { ...o.metadata } : {};
  patch(meta);
  return { ...o, metadata: meta };
}

/** `<generateName><rev7>-<phase>-<unix seconds>` lower-cased, as gitops-engine names hooks. */
export function hookName(generateName: string, revision: string, phase: SyncPhase, startedAt: string): string {
  const rev = revision.length >= 8 ? revision.slice(0, 7) : revision;
  const unix = Math.floor((Date.parse(startedAt) || 0) / 1000);
  return `${generateName}${rev}-${phase}-${unix}`.toLowerCase();
}

function newTask(target: Obj | null, live: Obj | null, phase: SyncPhase, clusterScoped: (g: string, k: string) => boolean, origin?: string): SyncTask {
  const obj = (target ?? live) as Obj;
  const id = identityOf(obj);
  if (clusterScoped(id.group, id.kind)) id.namespace = '';
  const resourceKey = keyOf(id);
  const wave = waveOf(obj);
  return {
    key: `${resourceKey}:${phase}`, resourceKey, phase, wave, ownWave: wave, ...id, target, live,
    isHook: isHook(obj), deletePolicies: [], inSync: false, ...(origin ? { origin } : {}),
  };
}

function selected(op: PlanInput['operation'], id: { group: string; kind: string; namespace: string; name: string }): boolean {
  const list = op?.resources;
  if (!list?.length) return true;
  return list.some((r) => (r.group ?? '') === id.group && r.kind === id.kind && r.name === id.name && (r.namespace === undefined || r.namespace === '' || r.namespace === id.namespace));
}

function where(t: SyncTask): string {
  return t.origin ? `${t.origin}: ` : '';
}

/** Plans a sync operation (see index.ts for the contract). Never throws on user input. */
export function planSync(input: PlanInput): SyncPlan {
  const op = input.operation ?? {};
  const syncOptions = op.syncOptions?.length ? op.syncOptions : (input.syncOptions ?? []);
  const skipHooks = !!op.resources?.length || !!op.syncStrategy?.apply;
  const respect = syncOptions.includes('RespectIgnoreDifferences=true');
  const force = !!(op.syncStrategy?.apply?.force || op.syncStrategy?.hook?.force);
  const manifests = input.desired.map(asManifest);
  const crds = manifests.map((m) => m.object).filter((o) => o.kind === 'CustomResourceDefinition');
  const clusterScoped = input.clusterScoped ?? defaultClusterScoped(crds);
  const crdKinds = new Set(crds.map((c) => `${(c.spec as Obj | undefined)?.group}/${((c.spec as Obj | undefined)?.names as Obj | undefined)?.kind}`));
  const method = input.tracking?.method ?? 'annotation';
  const label = input.tracking?.label;
  const warnings: string[] = [];
  const invalid: InvalidTask[] = [];
  const liveByKey = new Map<string, Obj>();
  for (const l of input.live) {
    const id = identityOf(l);
    liveByKey.set(keyOf({ ...id, namespace: clusterScoped(id.group, id.kind) ? '' : id.namespace }), l);
  }
  const tasks: SyncTask[] = [];
  const desiredKeys = new Set<string>();
  const byKey = new Map<string, SyncTask>();

  for (const { object, origin } of manifests) {
    const at = origin ? `${origin}: ` : '';
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || !object.kind) {
      warnings.push(`${at}apiVersion and kind are required; object skipped`);
      continue;
    }
    const w = waveWarning(object);
    if (w) warnings.push(at + w);
    const hook = isHook(object);
    for (const phase of syncPhasesOf(object)) {
      if (hook && skipHooks) continue;
      let target = object;
      const id0 = identityOf(target);
      if (!id0.namespace && !clusterScoped(id0.group, id0.kind) && input.namespace) target = withMeta(target, (m) => { m.namespace = input.namespace; });
      if (clusterScoped(id0.group, id0.kind) && id0.namespace) target = withMeta(target, (m) => { delete m.namespace; });
      if (hook) {
        const meta = (target.metadata ?? {}) as Obj;
        if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) {
          target = withMeta(target, (m) => { m.name = hookName(String(meta.generateName), input.revision, phase, input.startedAt); });
        }
        target = withMeta(target, (m) => {
          const f = Array.isArray(m.finalizers) ? (m.finalizers as unknown[]) : [];
          if (!f.includes(HOOK_FINALIZER)) m.finalizers = [...f, HOOK_FINALIZER];
        });
      }
      target = withTracking(target, input.appName, method, label);
      const task = newTask(target, null, phase, clusterScoped, origin);
      if (!selected(op, task)) continue;
      task.live = liveByKey.get(task.resourceKey) ?? null;
      if (task.live && !hook && respect && input.ignoreDifferences?.length) {
        const r = respectIgnoreDifferences(target, task.live, input.ignoreDifferences, input.jq);
        task.target = target = r.target;
        warnings.push(...r.warnings.map((w) => where(task) + w));
      }
      desiredKeys.add(task.resourceKey);
      if (hook) task.deletePolicies = deletePoliciesOf(object);
      task.apply = applyOptionsOf(target, task.live, syncOptions, { force, crdInSync: crdKinds.has(`${task.group}/${task.kind}`) });
      task.inSync = !hook && !!task.live && input.syncStatus?.[task.resourceKey] === 'Synced';
      const owner = task.live && !hook ? trackingApp(task.live, method, label) : undefined;
      if (owner && owner !== input.appName) {
        const message = `${where(task)}${task.kind}/${task.name} is part of applications ${input.appName} and ${owner}`;
        if (syncOptions.includes('FailOnSharedResource=true')) invalid.push({ task, message: `Shared resource found: ${message}` });
        else warnings.push(message);
      }
      if (!task.name) invalid.push({ task, message: `${where(task)}metadata.name: required${hook ? ' (or metadata.generateName on a hook)' : ''}` });
      const dup = byKey.get(task.key);
      if (dup && task.name) {
        warnings.push(`${where(task)}${task.kind}/${task.name} is repeated${dup.origin ? ` (also ${dup.origin})` : ''}; the last one is applied`);
        byKey.delete(task.key);
      }
      byKey.set(task.name ? task.key : `${task.key}#${byKey.size}`, task);
    }
    if (!hook && syncPhasesOf(object).length === 0) {
      const id = identityOf(object);
      desiredKeys.add(keyOf({ ...id, namespace: clusterScoped(id.group, id.kind) ? '' : id.namespace || input.namespace }));
    }
  }

  tasks.push(...byKey.values());
  for (const [key, live] of liveByKey) {
    if (desiredKeys.has(key) || isHook(live) || !isTrackedBy(live, input.appName, method, label)) continue;
    const task = newTask(null, live, 'Sync', clusterScoped);
    if (!selected(op, task)) continue;
    const skip = !op.prune ? 'ignored (requires pruning)' : pruneDisabled(live, syncOptions) ? 'ignored (no prune)' : undefined;
    task.prune = { ...(skip ? { skip } : {}), requireConfirm: pruneNeedsConfirm(live, syncOptions), propagationPolicy: propagationPolicy(syncOptions) };
    tasks.push(task);
  }

  addNamespaceTask(input, syncOptions, manifests.map((m) => m.object), tasks, liveByKey, method, label);
  const gone = (input.results ?? []).filter((r) => (r.status === 'Pruned' || r.status === 'PruneSkipped') && r.syncWave !== undefined && !liveByKey.has(keyOf(r)));
  reorderPrunes(tasks, syncOptions, gone.map((r) => r.syncWave as number));
  for (const t of tasks) t.key = `${t.resourceKey}:${t.phase}`;
  sortTasks(tasks);
  if (input.permit) {
    for (const t of tasks) {
      const m = input.permit(t);
      if (m) invalid.push({ task: t, message: where(t) + m });
    }
  }
  return {
    appName: input.appName, namespace: input.namespace, revision: input.revision, tasks, invalid, warnings,
    dryRun: !!op.dryRun, prune: !!op.prune, applyOutOfSyncOnly: syncOptions.includes('ApplyOutOfSyncOnly=true'), skipHooks, syncOptions,
  };
}

/** CreateNamespace=true: a PreSync task creating (or labelling) the destination namespace, unless a manifest declares it. */
function addNamespaceTask(
  input: PlanInput, opts: readonly string[], desired: Obj[], tasks: SyncTask[], liveByKey: Map<string, Obj>, method: TrackingMethod, label?: string,
): void {
  if (!opts.includes('CreateNamespace=true') || !input.namespace) return;
  if (desired.some((o) => o.kind === 'Namespace' && identityOf(o).group === '' && identityOf(o).name === input.namespace)) return;
  const md = input.managedNamespaceMetadata;
  const live = liveByKey.get(`/Namespace//${input.namespace}`) ?? input.destinationNamespace ?? null;
  const meta: Obj = { name: input.namespace };
  if (md?.labels && Object.keys(md.labels).length) meta.labels = { ...md.labels };
  if (md?.annotations && Object.keys(md.annotations).length) meta.annotations = { ...md.annotations };
  if (live) {
    const lm = (live.metadata ?? {}) as Obj;
    const has = (want: Record<string, string> | undefined, got: unknown) => Object.entries(want ?? {}).every(([k, v]) => isObj(got) && got[k] === v);
    if (has(md?.labels, lm.labels) && has(md?.annotations, lm.annotations)) return;
  }
  let target: Obj = { apiVersion: 'v1', kind: 'Namespace', metadata: meta };
  if (md) target = withTracking(target, input.appName, method, label);
  const task = newTask(target, live, 'PreSync', () => true);
  task.wave = task.ownWave = 0;
  task.apply = applyOptionsOf(target, live, opts);
  tasks.push(task);
}

/**
 * Prune waves run in reverse (symmetric swap of the distinct prune waves, counting those of objects already
 * pruned in this operation); PruneLast prunes after the last Sync wave.
 */
function reorderPrunes(tasks: SyncTask[], opts: readonly string[], goneWaves: number[]): void {
  const prunes = tasks.filter((t) => !t.target);
  const waves = [...new Set([...prunes.map((t) => t.wave), ...goneWaves])].sort((a, b) => a - b);
  const swap = new Map(waves.map((w, i) => [w, waves[waves.length - 1 - i]]));
  for (const t of prunes) t.wave = swap.get(t.wave) ?? t.wave;
  const lastSyncWave = Math.max(0, ...tasks.filter((t) => t.phase === 'Sync').map((t) => t.wave), ...goneWaves.map((w) => swap.get(w) ?? w)) + 1;
  for (const t of prunes) if (t.live && pruneLast(t.live, opts)) t.wave = lastSyncWave;
}
