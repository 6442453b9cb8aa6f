// The TaskRun reconciler: level-based. It reads the TaskRun, asks the executor what the current
// attempt looks like, and writes status. Safe to run any number of times.
import type { TaskRun, TaskRunStatus } from '../../api/taskrun.types.ts';
import type { Condition } from '../../api/meta.ts';
import type { HostPolicy } from '../../api/hostpolicy.ts';
import { TASKRUN } from '../../api/registry.ts';
import { TaskRunReason } from '../../api/reasons.ts';
import type { Store } from '../../store/store.ts';
import { isConflict, isNotFound } from '../../store/store.ts';
import type { Executor, ExecutionHandle } from '../../executor/executor.ts';
import { parseResults } from '../../engine/taskrun.apply.ts';
import { parseArtifacts } from '../../engine/artifacts.ts';
import { prepareAttempt, timeoutOf } from './prepare.ts';
import { createRunEventRecorder } from '../events/recorder.ts';
import { createClaimMaker } from '../volumeclaims/claims.ts';
import type { RemoteResolution } from '../../resolution/resolver.ts';
import { withTestReports } from './reports.ts';
import { condition, containerStatus, finalCondition, isDone, MSG_RUNNING, succeededCondition, withCondition } from './status.ts';

export interface TaskRunReconcilerOptions {
  store: Store;
  executor: Executor;
  /** called with `namespace/name` when the attempt changes state (the controller enqueues it) */
  enqueue: (req: { namespace: string; name: string }) => void;
  offline?: boolean;
  now?: () => Date;
  /** at most this many attempts run at once; the rest wait (reason Pending) for a free slot (default: unbounded) */
  maxRunning?: number;
  /** hostPaths and privileged containers admitted (default: neither) */
  hostPolicy?: HostPolicy;
  /** kiln exports traces: every step gets a TRACEPARENT (plan.ts) */
  tracing?: boolean;
  /** resolves references through resolvers (git, http, cluster) */
  resolution?: RemoteResolution;
  /** several replicas share the work (default: this process does all of it); see {@link ReplicaView} */
  replica?: ReplicaView;
}

/**
 * This controller's replica among several on one store. A replica starts attempts of the TaskRuns
 * it owns and keeps every run it started an attempt of until that run is done (retries included),
 * whoever owns it meanwhile. An attempt is claimed before it starts: the status names the replica
 * (`status.replica`), written with the resourceVersion read, so two replicas cannot both start it.
 * An attempt left Running by a replica that is no longer live is lost (retried when retries remain).
 */
export interface ReplicaView {
  id: string;
  /** whether this replica owns `run` (by the hash of its PipelineRun's key or its own) */
  owns(run: TaskRun): boolean;
  /** whether replica `id` holds an unexpired lease */
  isLive(id: string): boolean;
}

export interface Request { namespace: string; name: string }

/** podName of attempt n, as Tekton names retried pods. */
function podName(run: TaskRun, attempt: number): string {
  return `${run.metadata.name}-pod${attempt ? `-retry${attempt}` : ''}`;
}

export function createTaskRunReconciler({ store, executor, enqueue, offline = false, now = () => new Date(), maxRunning = Infinity, hostPolicy, resolution, tracing, replica }: TaskRunReconcilerOptions) {
  const iso = () => now().toISOString();
  /** attempt ids holding a slot */
  const running = new Set<string>();
  /** runs waiting for a slot, in arrival order */
  const waiting = new Map<string, Request>();
  /** uid and last attempt of every TaskRun seen, by key: what to clean up once it is gone */
  const seen = new Map<string, { uid: string; attempt: number }>();
  /** Kubernetes Events on each change of the Succeeded condition (Started, Running, Succeeded/Failed…) */
  const events = createRunEventRecorder({ store, component: 'TaskRun', now });
  /** the run's volumeClaimTemplate claims, made before its first attempt */
  const claims = createClaimMaker(store);
  /** with replicas: runs this replica started an attempt of and that are not done (it keeps them) */
  const active = new Set<string>();

  /** A free slot, and no earlier waiter that should have it first. */
  function mayStart(key: string): boolean {
    const free = maxRunning - running.size;
    if (free <= 0) return false;
    if (!waiting.has(key)) return waiting.size < free;
    return [...waiting.keys()].indexOf(key) < free;
  }

  function release(id: string): void {
    if (!running.delete(id)) return;
    wakeWaiters();
  }

  /** Enqueues as many waiting runs, first come first, as there are free slots. */
  function wakeWaiters(): void {
    let free = maxRunning - running.size;
    for (const req of waiting.values()) {
      if (free-- <= 0) break;
      enqueue(req);
    }
  }

  async function write(run: TaskRun, status: TaskRunStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(run.status ?? {})) return;
    await store.updateStatus(TASKRUN, { ...run, status });
    await events.record(run, succeededCondition(run.status), succeededCondition(status));
  }

  async function finish(run: TaskRun, status: TaskRunStatus, reason: string, message: string): Promise<void> {
    const c = condition('False', reason, message, iso());
    await write(run, { ...withCondition(status, c), startTime: status.startTime ?? iso(), completionTime: iso() });
  }

  /**
   * Claims attempt `attempt` for this replica: the status says Running on this replica, written with
   * the resourceVersion `run` was read at. Undefined when another writer came first (re-read it).
   */
  async function claimAttempt(run: TaskRun, status: TaskRunStatus, attempt: number): Promise<TaskRun | undefined> {
    const claim: TaskRunStatus = withCondition({ ...status, podName: podName(run, attempt), replica: replica!.id, executor: executor.name, startTime: status.startTime ?? iso() }, condition('Unknown', TaskRunReason.Running, MSG_RUNNING, iso()));
    try {
      return await store.updateStatus(TASKRUN, { ...run, status: claim });
    } catch (e) {
      if (isConflict(e)) return undefined;
      throw e;
    }
  }

  async function start(run: TaskRun, status: TaskRunStatus, attempt: number): Promise<void> {
    const req = { namespace: run.metadata.namespace ?? 'default', name: run.metadata.name ?? '' };
    const key = `${req.namespace}/${req.name}`;
    const id = `${key}/${attempt}`;
    if (!mayStart(key)) {
      if (!waiting.has(key)) waiting.set(key, req);
      return write(run, withCondition(status, condition('Unknown', TaskRunReason.Pending, `waiting for a free slot: at most ${maxRunning} TaskRuns run at once`, iso())));
    }
    waiting.delete(key);
    running.add(id);
    const prepared = await prepareAttempt(run, attempt, { store, executor, offline, hostPolicy, resolution, tracing }).catch((e) => { release(id); throw e; });
    if (!prepared.ok) {
      release(id);
      return finish(run, status, prepared.reason, prepared.message);
    }
    if (replica) {
      const claimed = await claimAttempt(run, status, attempt);
      if (!claimed) {
        release(id);
        enqueue(req);
        return;
      }
      active.add(key);
      run = claimed;
      status = { ...status, replica: replica.id };
    }
    let handle: ExecutionHandle | undefined = undefined;
    handle = executor.start(prepared.plan, function onChange() {
      if (handle?.snapshot().outcome) release(id);
      enqueue(req);
    });
    const next: TaskRunStatus = {
      ...status,
      podName: podName(run, attempt),
      // kiln: which executor runs the attempt (Tekton has no such field)
      executor: executor.name,
      startTime: iso(),
      taskSpec: prepared.taskSpec,
      ...(prepared.provenance ? { provenance: prepared.provenance } : {}),
      ...(prepared.reportErrors.length ? { testReports: prepared.reportErrors } : {}),
      ...containerStatus(handle.snapshot()),
    };
    await write(run, withCondition(next, condition('Unknown', TaskRunReason.Running, MSG_RUNNING, iso())));
  }

  async function observe(run: TaskRun, status: TaskRunStatus, handle: ExecutionHandle, attempt: number): Promise<void> {
    if (run.spec.status === 'TaskRunCancelled') handle.cancel('cancelled', run.spec.statusMessage ?? '');
    const snap = handle.snapshot();
    const next: TaskRunStatus = { ...status, ...containerStatus(snap) };
    if (!snap.outcome) return write(run, next);

    const parsed = parseResults(status.taskSpec?.results ?? [], snap.results ?? {}, stepResultsOf(snap));
    const c = finalCondition(snap, {
      taskRunName: run.metadata.name ?? '',
      timeoutMs: timeoutOf(run),
      statusMessage: run.spec.statusMessage,
      results: parsed.results,
      resultErrors: parsed.errors.map((e) => (typeof e === 'string' ? e : e.message)),
      now: iso(),
      offline,
    });
    const done: TaskRunStatus = {
      ...next,
      results: parsed.results.length ? parsed.results : undefined,
      artifacts: parseArtifacts(snap.artifacts),
      ...withTestReports(status, snap),
      completionTime: snap.finishedAt ?? iso(),
    };
    if (c.status === 'False' && snap.outcome.status !== 'cancelled') await retryOrFail(run, done, attempt, c);
    else {
      await write(run, withCondition(done, c));
      active.delete(`${run.metadata.namespace ?? 'default'}/${run.metadata.name}`);
    }
    // recorded: the executor need not remember this attempt any longer (a long-running server would grow)
    executor.forget?.(handle.id);
  }

  /** A failed attempt: archived into retriesStatus and retried while retries are left, else final. */
  async function retryOrFail(run: TaskRun, done: TaskRunStatus, attempt: number, c: Condition): Promise<void> {
    if (attempt >= (run.spec.retries ?? 0)) return write(run, withCondition(done, c));
    const archived = withCondition(done, c);
    delete archived.retriesStatus;
    await write(run, {
      conditions: [condition('Unknown', TaskRunReason.ToBeRetried, c.message ?? '', iso())],
      retriesStatus: [...(done.retriesStatus ?? []), archived],
      taskSpec: done.taskSpec,
    });
    enqueue({ namespace: run.metadata.namespace ?? 'default', name: run.metadata.name ?? '' });
  }

  /**
   * A TaskRun that was seen is gone (deleted, or replaced by one of the same name): its attempt
   * is stopped and its files (attempt directories, logs) are removed, whichever way it was deleted.
   */
  async function removeGone(req: Request, key: string): Promise<void> {
    const was = seen.get(key);
    if (!was) return;
    for (let a = 0; a <= was.attempt; a++) {
      const h = executor.get(`${key}/${a}`);
      if (!h || h.snapshot().outcome) continue;
      h.cancel('cancelled', `TaskRun "${req.name}" was deleted`);
      await h.done;
    }
    await executor.removeRun?.(req.namespace, req.name, was.uid);
    seen.delete(key);
    active.delete(key);
  }

  async function reconcile(req: Request): Promise<void> {
    const key = `${req.namespace}/${req.name}`;
    let run: TaskRun;
    try {
      run = await store.get<TaskRun>(TASKRUN, req.namespace, req.name);
    } catch (e) {
      if (isNotFound(e)) {
        if (waiting.delete(key)) wakeWaiters();
        return removeGone(req, key);
      }
      throw e;
    }
    if (seen.get(key)?.uid !== run.metadata.uid) await removeGone(req, key);
    seen.set(key, { uid: run.metadata.uid ?? '', attempt: run.status?.retriesStatus?.length ?? 0 });
    const status: TaskRunStatus = run.status ?? {};
    if (isDone(status) || run.metadata.deletionTimestamp) {
      active.delete(key);
      if (waiting.delete(`${req.namespace}/${req.name}`)) wakeWaiters();
      return;
    }
    if (replica && !active.has(key) && !replica.owns(run)) {
      // another replica's: a slot this one kept waiting for it is given up
      if (waiting.delete(key)) wakeWaiters();
      return;
    }
    if (run.spec.managedBy && run.spec.managedBy !== 'tekton.dev/pipeline' && run.spec.managedBy !== 'kiln') return;
    const attempt = status.retriesStatus?.length ?? 0;
    const handle = executor.get(`${req.namespace}/${req.name}/${attempt}`);
    if (handle) return observe(run, status, handle, attempt);

    if (run.spec.status === 'TaskRunCancelled') {
      return finish(run, status, TaskRunReason.Cancelled, `TaskRun "${req.name}" was cancelled. ${run.spec.statusMessage ?? ''}`.trim());
    }
    if (run.spec.status === 'TaskRunPending' && !status.startTime) {
      return write(run, withCondition(status, condition('Unknown', TaskRunReason.TaskRunPending, `TaskRun "${req.name}" is pending`, iso())));
    }
    if (status.podName === podName(run, attempt) && succeededCondition(status)?.reason === TaskRunReason.Running) {
      if (replica && status.replica && status.replica !== replica.id && replica.isLive(status.replica)) {
        // a live replica runs this attempt: it is that replica's until the run is done
        active.delete(key);
        return;
      }
      // This attempt was started by an executor that is gone (the process died): fail it, and retry
      // when the run has retries left. Steps that were running are marked as lost.
      // What it may have left running elsewhere (a Pod) goes first, so it never runs beside the retry.
      await executor.abandon?.(`${req.namespace}/${req.name}/${attempt}`, req.name);
      const lost = condition('False', TaskRunReason.ExecutorLost, `the executor running TaskRun "${req.name}" went away (kiln was restarted) before its steps finished`, iso());
      const steps = status.steps?.map((s) => (s.terminated ? s : { name: s.name, container: s.container, terminated: { exitCode: 1, reason: TaskRunReason.ExecutorLost, startedAt: s.running?.startedAt, finishedAt: iso() }, terminationReason: TaskRunReason.ExecutorLost }));
      return retryOrFail(run, { ...status, steps, completionTime: iso() }, attempt, lost);
    }
    const claimFailure = await claims.ensure(run, run.spec.workspaces);
    if (claimFailure) return finish(run, status, claimFailure.reason, claimFailure.message);
    return start(run, status, attempt);
  }

  /** Whether this replica keeps `key` whoever owns it: it runs an attempt of it, or holds its place for a slot. */
  function holds(key: string): boolean {
    return active.has(key) || waiting.has(key);
  }

  return { reconcile, holds };
}

function stepResultsOf(snap: { steps: Array<{ name: string; results?: Record<string, string> }> }): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const s of snap.steps) if (s.results) out[s.name] = s.results;
  return out;
}
