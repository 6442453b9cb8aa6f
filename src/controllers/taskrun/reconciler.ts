// The TaskRun reconciler: level-based. It reads the TaskRun, asks the executor what the current
// attempt looks like, and writes status. Safe to run any number of times.
import type { TaskRun, TaskRunStatus } from '../../api/taskrun.types.ts';
import { TASKRUN } from '../../api/registry.ts';
import { TaskRunReason } from '../../api/reasons.ts';
import type { Store } from '../../store/store.ts';
import { isNotFound } from '../../store/store.ts';
import type { Executor, ExecutionHandle } from '../../executor/executor.ts';
import { parseResults } from '../../engine/taskrun.apply.ts';
import { prepareAttempt, timeoutOf } from './prepare.ts';
import { condition, containerStatus, finalCondition, isDone, MSG_RUNNING, succeededCondition, withCondition } from './status.ts';

export interface TaskRunReconcilerOptions {
  store: Store;
  executor: Executor;
  /** called with `namespace/name` when the attempt changes state (the controller enqueues it) */
  enqueue: (req: { namespace: string; name: string }) => void;
  offline?: boolean;
  now?: () => Date;
}

export interface Request { namespace: string; name: string }

/** podName of attempt n, as Tekton names retried pods. */
function podName(run: TaskRun, attempt: number): string {
  return `${run.metadata.name}-pod${attempt ? `-retry${attempt}` : ''}`;
}

export function createTaskRunReconciler({ store, executor, enqueue, offline = false, now = () => new Date() }: TaskRunReconcilerOptions) {
  const iso = () => now().toISOString();

  async function write(run: TaskRun, status: TaskRunStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(run.status ?? {})) return;
    await store.updateStatus(TASKRUN, { ...run, status });
  }

  async function finish(run: TaskRun, status: TaskRunStatus, reason: string, message: string): Promise<void> {
    const c = condition('False', reason, message, iso());
    await write(run, { ...withCondition(status, c), startTime: status.startTime ?? iso(), completionTime: iso() });
  }

  async function start(run: TaskRun, status: TaskRunStatus, attempt: number): Promise<void> {
    const prepared = await prepareAttempt(run, attempt, { store, executor, offline });
    if (!prepared.ok) return finish(run, status, prepared.reason, prepared.message);
    const req = { namespace: run.metadata.namespace ?? 'default', name: run.metadata.name ?? '' };
    const handle = executor.start(prepared.plan, () => enqueue(req));
    const next: TaskRunStatus = {
      ...status,
      podName: podName(run, attempt),
      startTime: iso(),
      taskSpec: prepared.taskSpec,
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
    });
    const done: TaskRunStatus = { ...next, results: parsed.results.length ? parsed.results : undefined, completionTime: snap.finishedAt ?? iso() };
    const retries = run.spec.retries ?? 0;
    if (c.status === 'False' && attempt < retries && snap.outcome.status !== 'cancelled') {
      const archived = withCondition(done, c);
      delete archived.retriesStatus;
      const retry: TaskRunStatus = {
        conditions: [condition('Unknown', TaskRunReason.ToBeRetried, c.message ?? '', iso())],
        retriesStatus: [...(status.retriesStatus ?? []), archived],
        taskSpec: status.taskSpec,
      };
      await write(run, retry);
      enqueue({ namespace: run.metadata.namespace ?? 'default', name: run.metadata.name ?? '' });
      return;
    }
    await write(run, withCondition(done, c));
  }

  async function reconcile(req: Request): Promise<void> {
    let run: TaskRun;
    try {
      run = await store.get<TaskRun>(TASKRUN, req.namespace, req.name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const status: TaskRunStatus = run.status ?? {};
    if (isDone(status) || run.metadata.deletionTimestamp) return;
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
      // This attempt was started by an executor that is gone (the process died).
      return finish(run, status, TaskRunReason.ExecutorLost, `the executor running TaskRun "${req.name}" went away (kiln was restarted); its steps did not finish`);
    }
    return start(run, status, attempt);
  }

  return { reconcile };
}

function stepResultsOf(snap: { steps: Array<{ name: string; results?: Record<string, string> }> }): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const s of snap.steps) if (s.results) out[s.name] = s.results;
  return out;
}
