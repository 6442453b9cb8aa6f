// The state of a PipelineRun's tasks as the CLI shows it: built from the PipelineRun's status and
// its children (TaskRuns; a child PipelineRun for a task that runs a Pipeline), rendered as a
// live block (TTY) or as one line per change (plain).
import pc from './colors.ts';
import type { KObject, Condition } from '../api/meta.ts';
import type { PipelineRunStatus } from '../api/pipelinerun.types.ts';
import type { PipelineTask } from '../api/pipeline.types.ts';
import type { TaskRunStatus } from '../api/taskrun.types.ts';
import { duration } from './duration.ts';

export type TaskState = 'waiting' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface TaskView {
  name: string;
  finally: boolean;
  /** the tasks it waits for (runAfter and result references) */
  after: string[];
  state: TaskState;
  startedAt?: string;
  finishedAt?: string;
  /** why it failed or was skipped */
  reason?: string;
  /** matrix combinations / retries seen */
  runs: number;
}

function succeeded(status: { conditions?: Condition[] } | undefined): Condition | undefined {
  return status?.conditions?.find((c) => c.type === 'Succeeded');
}

function deps(pt: PipelineTask): string[] {
  const refs = new Set(pt.runAfter ?? []);
  const text = JSON.stringify([pt.params, pt.when, pt.matrix, pt.displayName]);
  for (const m of text.matchAll(/\$\(tasks\.([^.)\s]+)\.results\./g)) refs.add(m[1]);
  return [...refs];
}

function stateOf(kind: string, st: TaskRunStatus | undefined, spec: { status?: string } | undefined): TaskState {
  const c = succeeded(st);
  if (!c || c.status === 'Unknown') return st?.startTime ? 'running' : 'waiting';
  if (c.status === 'True') return 'succeeded';
  if (kind === 'PipelineRun' ? c.reason === 'Cancelled' : c.reason === 'TaskRunCancelled' || spec?.status === 'TaskRunCancelled') return 'cancelled';
  return 'failed';
}

/** Tracks one PipelineRun's tasks. */
export class PipelineView {
  readonly tasks = new Map<string, TaskView>();
  private readonly children = new Map<string, { task: string; state: TaskState; st?: TaskRunStatus }>();

  /** Learns the task list (once the controller has resolved the pipeline) and the skipped tasks. */
  updatePipelineRun(pr: KObject): void {
    const st = pr.status as PipelineRunStatus | undefined;
    const spec = st?.pipelineSpec;
    if (spec) {
      // spec order first; tasks already seen through their TaskRuns keep their state
      const seen = new Map(this.tasks);
      this.tasks.clear();
      for (const [pt, fin] of [...(spec.tasks ?? []).map((t) => [t, false] as const), ...(spec.finally ?? []).map((t) => [t, true] as const)]) {
        const known = seen.get(pt.name);
        this.tasks.set(pt.name, known ? { ...known, finally: fin, after: fin ? [] : deps(pt) } : { name: pt.name, finally: fin, after: fin ? [] : deps(pt), state: 'waiting', runs: 0 });
        seen.delete(pt.name);
      }
      for (const [k, v] of seen) this.tasks.set(k, v);
    }
    for (const s of st?.skippedTasks ?? []) {
      const t = this.tasks.get(s.name);
      if (t && t.state === 'waiting') Object.assign(t, { state: 'skipped', reason: s.reason });
    }
    const c = succeeded(st);
    if (c && c.status !== 'Unknown') {
      for (const t of this.tasks.values()) if (t.state === 'waiting') Object.assign(t, { state: 'skipped', reason: t.reason ?? 'not started' });
    }
  }

  /** Folds in a child TaskRun (or child PipelineRun); returns the task whose state changed, if any. */
  updateTaskRun(tr: KObject): TaskView | undefined {
    const task = tr.metadata.labels?.['tekton.dev/pipelineTask'];
    if (!task) return undefined;
    const st = tr.status as TaskRunStatus | undefined;
    this.children.set(tr.metadata.name!, { task, state: stateOf(tr.kind, st, tr.spec as { status?: string }), st });
    const t = this.tasks.get(task) ?? { name: task, finally: tr.metadata.labels?.['tekton.dev/memberOf'] === 'finally', after: [], state: 'waiting' as TaskState, runs: 0 };
    this.tasks.set(task, t);
    const mine = [...this.children.values()].filter((c) => c.task === task);
    const states = mine.map((c) => c.state);
    const next: TaskState = states.some((s) => s === 'running' || s === 'waiting') ? 'running'
      : states.includes('failed') ? 'failed' : states.includes('cancelled') ? 'cancelled' : 'succeeded';
    const starts = mine.map((c) => c.st?.startTime).filter(Boolean).sort() as string[];
    const ends = mine.map((c) => c.st?.completionTime).filter(Boolean).sort() as string[];
    const failedCond = mine.map((c) => succeeded(c.st)).find((c) => c?.status === 'False');
    const changed = next !== t.state;
    Object.assign(t, {
      state: next,
      runs: mine.length,
      startedAt: starts[0],
      finishedAt: next === 'running' ? undefined : ends[ends.length - 1],
      reason: failedCond ? `${failedCond.reason}: ${failedCond.message}` : undefined,
    });
    return changed ? t : undefined;
  }
}

const ICON: Record<TaskState, string> = {
  waiting: pc.dim('○'),
  running: pc.cyan('●'),
  succeeded: pc.green('✓'),
  failed: pc.red('✗'),
  skipped: pc.dim('-'),
  cancelled: pc.yellow('⊘'),
};

/** One line per task: icon, name, what it waits for, duration or reason. */
export function renderTask(t: TaskView, nowIso: string): string {
  const d = t.startedAt ? duration(t.startedAt, t.finishedAt ?? nowIso) : '';
  const runs = t.runs > 1 ? pc.dim(` ×${t.runs}`) : '';
  const after = t.state === 'waiting' && t.after.length ? pc.dim(` ← ${t.after.join(', ')}`) : '';
  const why = (t.state === 'skipped' || t.state === 'failed') && t.reason ? pc.dim(` (${t.reason})`) : '';
  return [`${ICON[t.state]} ${t.finally ? pc.dim('finally ') : ''}${t.name}${runs}${after}`, d && pc.dim(d), why.trim()].filter(Boolean).join(' ');
}

/** The whole block, tasks then finally tasks. */
export function renderView(view: PipelineView, nowIso: string): string[] {
  const all = [...view.tasks.values()];
  return [...all.filter((t) => !t.finally), ...all.filter((t) => t.finally)].map((t) => `  ${renderTask(t, nowIso)}`);
}
