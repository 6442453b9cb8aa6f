// The PipelineRun reconciler: gathers what the facts engine needs (the resolved Pipeline, the
// referenced Tasks, the children: TaskRuns and, for PipelineTasks that run a Pipeline, child
// PipelineRuns), asks it what to do, then does it and writes status. A child PipelineRun is an
// ordinary PipelineRun: this same reconciler runs it.
import type { Condition, KObject } from '../../api/meta.ts';
import type { Pipeline, PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import type { PipelineRun, PipelineRunStatus } from '../../api/pipelinerun.types.ts';
import type { Task, TaskSpec } from '../../api/task.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { PIPELINE, PIPELINERUN, TASK, TASKRUN } from '../../api/registry.ts';
import { SUCCEEDED, TaskRunReason } from '../../api/reasons.ts';
import { defaultPipelineSpec } from '../../api/pipeline.defaults.ts';
import { defaultPipelineRunSpec } from '../../api/pipelinerun.defaults.ts';
import { defaultTaskSpec } from '../../api/task.defaults.ts';
import { decide } from '../../engine/pipelinerun/facts.ts';
import { useCel, usesCel } from '../../engine/pipelinerun/when-cel.ts';
import { CANCEL_MESSAGE_ANNOTATION, type Decisions, type ObservedChild, type PipelineRunToCancel } from '../../engine/pipelinerun/facts.types.ts';
import type { Store } from '../../store/store.ts';
import { isConflict, orUndefined, StoreError } from '../../store/store.ts';
import { sameJson } from './json.ts';
import { createRunEventRecorder } from '../events/recorder.ts';
import { createClaimMaker } from '../volumeclaims/claims.ts';
import { resolveRemotePipeline, resolveRemoteTasks, restoreRemote, type RemoteTasks } from './remote.ts';
import type { RefSource, RemoteResolution } from '../../resolution/resolver.ts';

export interface PipelineRunReconcilerOptions {
  store: Store;
  now?: () => Date;
  /**
   * Objects as the controller's informer caches have them (read-only, not copied; may lag the
   * store a little — writes carry resourceVersions, so a stale read ends in a conflict and a
   * retry). Default: everything is read from the store.
   */
  cache?: ReconcilerCache;
  /**
   * Pacing: a run's reconcile first waits until `pace` times the cost of its previous reconcile
   * has passed since that one ended (default 0: no wait). Every reconcile reads and judges every
   * child, so a run of N tasks costs O(N) per reconcile; unpaced, N children finishing one after
   * the other cost O(N²). Paced, the children that finish during the wait are judged together,
   * and reconciling takes at most 1/(1+pace) of the run's time. The wait holds the worker, so the
   * controller counts the run as busy (idle() waits for it), and events during it coalesce.
   */
  pace?: number;
  /** the monotonic clock (ms) and the wait pacing uses; default performance.now and setTimeout */
  pacer?: Pacer;
  /** resolves `pipelineRef`s and PipelineTask `taskRef`s with a resolver (absent: Unsupported) */
  resolution?: RemoteResolution;
}

export interface Pacer { now(): number; sleep(ms: number): Promise<void> }

const realPacer: Pacer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface ReconcilerCache {
  pipelineRun(namespace: string, name: string): PipelineRun | undefined;
  taskRuns(namespace: string): readonly TaskRun[] | undefined;
  pipelineRuns(namespace: string): readonly PipelineRun[] | undefined;
}

export interface Request { namespace: string; name: string }

function isDone(status: PipelineRunStatus | undefined): boolean {
  const c = succeededOf(status);
  return !!c && c.status !== 'Unknown';
}

function succeededOf(status: PipelineRunStatus | undefined): Condition | undefined {
  return status?.conditions?.find((x) => x.type === SUCCEEDED);
}

function failed(reason: string, message: string, now: string): Condition {
  return { type: SUCCEEDED, status: 'False', reason, message, lastTransitionTime: now };
}

let celLoaded: Promise<void> | undefined;

/** Loads CEL for the engine, once, the first time a spec needs it. */
function loadCel(): Promise<void> {
  celLoaded ??= import('@bufbuild/cel').then((lib) => useCel(lib));
  return celLoaded;
}

/** When each run's last reconcile ended and what it cost (ms, monotonic clock), for pacing. */
interface Paced { end: number; cost: number }

/** A resolved run: the spec the engine runs, and (remote references) what to put back in its status. */
interface ResolvedRun { spec: PipelineSpec; name: string; adopted?: boolean; remote?: RemoteTasks; refSource?: RefSource }

export function createPipelineRunReconciler({ store, now = () => new Date(), cache, pace = 0, pacer = realPacer, resolution }: PipelineRunReconcilerOptions) {
  const lastReconcile = new Map<string, Paced>();
  /** Kubernetes Events on each change of the Succeeded condition (Started, Running, Succeeded/Failed) */
  const events = createRunEventRecorder({ store, component: 'PipelineRun', now });
  /** the run's volumeClaimTemplate claims, made before its first TaskRun */
  const claims = createClaimMaker(store);

  /** The Pipeline spec a run names, or the condition that fails the run. */
  /**
   * Resolved specs by PipelineRun uid. As in Tekton, a run keeps the spec it started with (also
   * in status.pipelineSpec); handing the engine the same object lets it reuse its work.
   */
  const resolvedSpecs = new Map<string, ResolvedRun>();

  async function resolvePipeline(pr: PipelineRun, nowIso: string): Promise<ResolvedRun | { condition: Condition }> {
    const uid = pr.metadata.uid ?? '';
    const known = resolvedSpecs.get(uid);
    if (known) return adoptStored(known, pr.status?.pipelineSpec);
    const r = await withRemoteTasks(pr, await resolveAnew(pr, nowIso), nowIso);
    if ('spec' in r) {
      // runs deleted while running never come back to be forgotten: keep the map bounded
      if (resolvedSpecs.size >= 1000) resolvedSpecs.delete(resolvedSpecs.keys().next().value!);
      resolvedSpecs.set(uid, r);
    }
    return r;
  }

  /**
   * Once the spec is in the (read-only) cached status, the engine is handed that very object: the
   * status it writes then shares it with the stored one, so a write costs only what changed
   * rather than a copy and comparison of the whole spec each time.
   */
  function adoptStored(known: ResolvedRun, stored: PipelineSpec | undefined): ResolvedRun {
    if (known.adopted || known.remote || !stored || stored === known.spec || !Object.isFrozen(stored)) return known;
    known.adopted = true;
    if (sameJson(stored, known.spec)) known.spec = stored;
    return known;
  }

  /** PipelineTasks whose taskRef uses a resolver: resolved, under engine keys (see remote.ts). */
  async function withRemoteTasks(pr: PipelineRun, r: ResolvedRun | { condition: Condition }, nowIso: string): Promise<ResolvedRun | { condition: Condition }> {
    if ('condition' in r) return r;
    const remote = await resolveRemoteTasks(r.spec, pr, r.name, resolution, nowIso);
    if (!remote || 'condition' in remote) return remote ?? r;
    return { ...r, spec: remote.spec, remote: remote.remote };
  }

  async function resolveAnew(pr: PipelineRun, nowIso: string): Promise<ResolvedRun | { condition: Condition }> {
    const ns = pr.metadata.namespace ?? 'default';
    const name = pr.spec.pipelineRef?.name ?? pr.metadata.name ?? '';
    if (pr.status?.pipelineSpec && pr.status.startTime) return { spec: defaultPipelineSpec(pr.status.pipelineSpec), name };
    if (pr.spec.pipelineSpec) return { spec: defaultPipelineSpec(pr.spec.pipelineSpec), name: pr.metadata.name ?? '' };
    const ref = pr.spec.pipelineRef;
    if (ref?.resolver) return resolveRemotePipeline(pr, resolution, nowIso);
    if (!ref?.name) return { condition: failed('PipelineValidationFailed', '[User error] spec.pipelineRef.name: missing field(s)', nowIso) };
    const p = await orUndefined(store.get<Pipeline>(PIPELINE, ns, ref.name));
    if (!p) return { condition: failed('CouldntGetPipeline', `[User error] Error retrieving pipeline for pipelinerun ${ns}/${pr.metadata.name}: pipelines.tekton.dev "${ref.name}" not found`, nowIso) };
    return { spec: defaultPipelineSpec(p.spec), name: ref.name };
  }

  /** Every Task referenced by name (kind Task, no resolver); absent ones are left out. */
  async function referencedTasks(spec: PipelineSpec, ns: string): Promise<Map<string, TaskSpec>> {
    const out = new Map<string, TaskSpec>();
    const all: PipelineTask[] = [...(spec.tasks ?? []), ...(spec.finally ?? [])];
    for (const pt of all) {
      const ref = pt.taskRef;
      if (!ref?.name || ref.resolver || (ref.kind && ref.kind !== 'Task') || out.has(ref.name) || ref.name.includes('$(')) continue;
      const t = await orUndefined(store.get<Task>(TASK, ns, ref.name));
      if (t) out.set(ref.name, defaultTaskSpec(t.spec));
    }
    return out;
  }

  async function taskRunChildren(pr: PipelineRun): Promise<readonly TaskRun[]> {
    const ns = pr.metadata.namespace ?? 'default';
    const owned = (tr: TaskRun) => tr.metadata.labels?.['tekton.dev/pipelineRun'] === pr.metadata.name && !!tr.metadata.ownerReferences?.some((o) => o.uid === pr.metadata.uid);
    const cached = cache?.taskRuns(ns);
    if (cached) return cached.filter(owned);
    const { items } = await store.list<TaskRun>(TASKRUN, { namespace: ns, labelSelector: `tekton.dev/pipelineRun=${pr.metadata.name}` });
    return items.filter(owned);
  }

  /** Child PipelineRuns (pipelines in pipelines): by the `tekton.dev/pipelineRun` label and owner uid. */
  async function pipelineRunChildren(pr: PipelineRun): Promise<readonly PipelineRun[]> {
    const ns = pr.metadata.namespace ?? 'default';
    const owned = (c: PipelineRun) => c.metadata.labels?.['tekton.dev/pipelineRun'] === pr.metadata.name && !!c.metadata.ownerReferences?.some((o) => o.uid === pr.metadata.uid);
    const cached = cache?.pipelineRuns(ns);
    if (cached) return cached.filter(owned);
    const { items } = await store.list<PipelineRun>(PIPELINERUN, { namespace: ns, labelSelector: `tekton.dev/pipelineRun=${pr.metadata.name}` });
    return items.filter(owned);
  }

  /** Every child of the run, as the engine observes it: TaskRuns, then PipelineRuns. */
  async function children(pr: PipelineRun): Promise<ObservedChild[]> {
    const [taskRuns, pipelineRuns] = await Promise.all([taskRunChildren(pr), pipelineRunChildren(pr)]);
    return [
      ...taskRuns.map((tr): ObservedChild => ({ kind: 'TaskRun', metadata: tr.metadata, spec: tr.spec, status: tr.status })),
      ...pipelineRuns.map((c): ObservedChild => ({ kind: 'PipelineRun', metadata: c.metadata, spec: c.spec, status: c.status })),
    ];
  }

  /** Creates a child owned (controller: true) by `pr`; one that exists already is fine. */
  async function createChild(pr: PipelineRun, kind: 'TaskRun' | 'PipelineRun', c: { name: string; labels: Record<string, string>; annotations: Record<string, string>; spec: unknown }): Promise<void> {
    const obj: KObject = {
      apiVersion: 'tekton.dev/v1',
      kind,
      metadata: {
        name: c.name,
        namespace: pr.metadata.namespace ?? 'default',
        labels: c.labels,
        annotations: Object.keys(c.annotations).length ? c.annotations : undefined,
        ownerReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: pr.metadata.name!, uid: pr.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: c.spec,
    };
    try {
      await store.create(kind === 'TaskRun' ? TASKRUN : PIPELINERUN, obj);
    } catch (e) {
      if (!(e instanceof StoreError && e.reason === 'AlreadyExists')) throw e;
    }
  }

  async function createChildren(pr: PipelineRun, d: Decisions): Promise<void> {
    for (const c of d.create) await createChild(pr, 'TaskRun', c);
    // a child PipelineRun gets the defaults admission gives any PipelineRun (timeouts, service account)
    for (const c of d.createPipelineRuns ?? []) await createChild(pr, 'PipelineRun', { ...c, spec: defaultPipelineRunSpec(c.spec) });
  }

  /**
   * Asks a child PipelineRun to stop: `spec.status` set to what the decision says (unless it is
   * done or was asked for as much already), the reason in its cancel-message annotation.
   */
  async function stopChildPipelineRun(ns: string, c: PipelineRunToCancel): Promise<void> {
    const rank = (s: string | undefined) => ['StoppedRunFinally', 'CancelledRunFinally', 'Cancelled'].indexOf(s ?? '');
    for (;;) {
      const child = await orUndefined(store.get<PipelineRun>(PIPELINERUN, ns, c.name));
      if (!child || isDone(child.status) || rank(child.spec.status) >= rank(c.specStatus)) return;
      const annotations = { ...child.metadata.annotations, [CANCEL_MESSAGE_ANNOTATION]: c.statusMessage };
      try {
        await store.update(PIPELINERUN, { ...child, metadata: { ...child.metadata, annotations }, spec: { ...child.spec, status: c.specStatus } });
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  /** Applies `change` to a child TaskRun, retrying on conflicts; a vanished child is fine. */
  async function patchChild(ns: string, name: string, change: (tr: TaskRun) => TaskRun | undefined, status = false): Promise<void> {
    for (;;) {
      const tr = await orUndefined(store.get<TaskRun>(TASKRUN, ns, name));
      const next = tr && change(tr);
      if (!next) return;
      try {
        await (status ? store.updateStatus(TASKRUN, next) : store.update(TASKRUN, next));
        return;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  async function act(pr: PipelineRun, d: Decisions): Promise<void> {
    const ns = pr.metadata.namespace ?? 'default';
    await createChildren(pr, d);
    for (const c of d.cancel) {
      if (c.kind === 'PipelineRun') {
        await stopChildPipelineRun(ns, c);
        continue;
      }
      await patchChild(ns, c.name, (tr) => (isDone(tr.status) || tr.spec.status === 'TaskRunCancelled'
        ? undefined
        : { ...tr, spec: { ...tr.spec, status: 'TaskRunCancelled', statusMessage: c.statusMessage } }));
    }
    for (const name of d.ignoreFailures ?? []) {
      await patchChild(ns, name, (tr) => {
        const cond = tr.status?.conditions?.find((x) => x.type === SUCCEEDED);
        if (!cond || cond.status !== 'False' || cond.reason === TaskRunReason.FailureIgnored) return undefined;
        const conditions = tr.status!.conditions!.map((x) => (x === cond ? { ...x, reason: TaskRunReason.FailureIgnored } : x));
        return { ...tr, status: { ...tr.status, conditions } };
      }, true);
    }
  }

  /** Writes status if it changed. A conflict means our read was stale: the newer version's event requeues us. */
  async function writeStatus(pr: PipelineRun, status: PipelineRunStatus): Promise<{ requeueAfter: number } | undefined> {
    if (sameJson(status, pr.status ?? {})) return undefined;
    try {
      await store.updateStatus(PIPELINERUN, { ...pr, status });
      await events.record(pr, succeededOf(pr.status), succeededOf(status));
      return undefined;
    } catch (e) {
      if (isConflict(e)) return { requeueAfter: 5 };
      throw e;
    }
  }

  /** Waits out the pacing gap of a run (see {@link PipelineRunReconcilerOptions.pace}), then reconciles it. */
  async function reconcile(req: Request): Promise<{ requeueAfter?: number } | void> {
    if (!pace) return reconcileNow(req);
    const key = `${req.namespace}/${req.name}`;
    const last = lastReconcile.get(key);
    const wait = last ? last.end + last.cost * pace - pacer.now() : 0;
    if (wait >= 1) await pacer.sleep(wait);
    const start = pacer.now();
    try {
      return await reconcileNow(req);
    } finally {
      const end = pacer.now();
      const pr = await current(req);
      if (pr && !isDone(pr.status)) lastReconcile.set(key, { end, cost: end - start });
      else lastReconcile.delete(key);
    }
  }

  async function current(req: Request): Promise<PipelineRun | undefined> {
    return cache?.pipelineRun(req.namespace, req.name) ?? await orUndefined(store.get<PipelineRun>(PIPELINERUN, req.namespace, req.name));
  }

  async function reconcileNow(req: Request): Promise<{ requeueAfter?: number } | void> {
    const pr = await current(req);
    if (!pr || isDone(pr.status) || pr.metadata.deletionTimestamp) {
      if (pr) resolvedSpecs.delete(pr.metadata.uid ?? '');
      return;
    }
    if (pr.spec.managedBy && pr.spec.managedBy !== 'tekton.dev/pipeline' && pr.spec.managedBy !== 'kiln') return;
    const t = now();
    const nowIso = t.toISOString();
    const resolved = await resolvePipeline(pr, nowIso);
    if ('condition' in resolved) {
      return writeStatus(pr, { ...pr.status, startTime: pr.status?.startTime ?? nowIso, completionTime: nowIso, conditions: [resolved.condition] });
    }
    const claimFailure = await claims.ensure(pr, pr.spec.workspaces);
    if (claimFailure) {
      return writeStatus(pr, { ...pr.status, startTime: pr.status?.startTime ?? nowIso, completionTime: nowIso, conditions: [failed(claimFailure.reason, claimFailure.message, nowIso)] });
    }
    const ns = pr.metadata.namespace ?? 'default';
    if (usesCel(resolved.spec)) await loadCel();
    const observed = await children(pr);
    const d = decide({
      pipelineRun: pr,
      pipelineSpec: resolved.spec,
      pipelineName: resolved.name,
      tasks: new Map([...await referencedTasks(resolved.remote?.original ?? resolved.spec, ns), ...(resolved.remote?.tasks ?? [])]),
      children: observed,
      now: t.getTime(),
      nowIso,
    });
    restoreRemote(d, resolved.remote, resolved.refSource);
    await act(pr, d);
    const stale = await writeStatus(pr, d.status);
    if (stale) return stale;
    return d.requeueAfterMs !== undefined && !isDone(d.status) ? { requeueAfter: Math.max(1, d.requeueAfterMs) } : undefined;
  }

  return { reconcile };
}
