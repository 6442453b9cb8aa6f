// Reporters: everything the CLI prints about runs goes through one of these.
import type { KObject } from '../api/meta.ts';
import type { StepState, TaskRunStatus } from '../api/taskrun.types.ts';
import type { PipelineRunStatus } from '../api/pipelinerun.types.ts';
import pc from './colors.ts';
import { succeeded } from './follow.ts';
import { duration } from './duration.ts';
import { PipelineView, renderTask, renderView } from './pipeline-view.ts';

export { duration };

export interface RunFailure {
  run: KObject;
  /** the TaskRun that failed (for a PipelineRun: one of its children) */
  taskRun?: string;
  step?: string;
  exitCode?: number;
  tail: string[];
}

export interface Reporter {
  onNotice(message: string): void;
  onRunStart(run: KObject): void;
  onTaskRunUpdate(tr: KObject): void;
  onPipelineRunUpdate?(pr: KObject): void;
  /** `time`: when the line reached kiln, when asked for (`kiln logs --timestamps`) */
  onLog(prefix: string, line: string, time?: string): void;
  /** `executors`: the executors that ran its TaskRuns (status.executor), when known */
  onRunEnd(run: KObject, failures?: RunFailure[], executors?: string[]): void;
  onAllEnd(runs: KObject[]): void;
}

export interface Writers {
  out: (s: string) => void;
  err: (s: string) => void;
  /** write to the terminal without a newline; present only when output is a terminal */
  raw?: (s: string) => void;
}

function stepLine(s: StepState): string | undefined {
  const t = s.terminated;
  if (!t) return undefined;
  const d = duration(t.startedAt, t.finishedAt);
  switch (s.terminationReason) {
    case 'Completed': return `${pc.green('✓')} ${s.name} ${pc.dim(d)}`;
    case 'Skipped': return `${pc.dim('-')} ${s.name} ${pc.dim('skipped')}`;
    case 'Continued': return `${pc.yellow('!')} ${s.name} exited ${t.exitCode} (onError: continue) ${pc.dim(d)}`;
    default: return `${pc.red('✗')} ${s.name} ${s.terminationReason ?? 'Error'} exit ${t.exitCode} ${pc.dim(d)}`;
  }
}

/** Reasons of a run's Succeeded=False that mean it was cancelled, not that it failed. */
const CANCELLED_REASONS = new Set(['Cancelled', 'TaskRunCancelled', 'PipelineRunCancelled']);

/** How the summary names an executor. */
function executorText(name: string): string {
  if (name === 'podman') return 'podman (each step in a container of its image)';
  if (name === 'process') return 'process (steps as local processes)';
  return name;
}

function resultText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Lines for terminals and CI logs. With `json`, logs and progress go to stderr and the final runs
 * are printed to stdout as JSON. With `live` (a terminal), a PipelineRun's task graph is redrawn in
 * place below the streaming logs.
 */
export function createPlainReporter(w: Writers, opts: { json?: boolean; live?: boolean; now?: () => Date } = {}): Reporter {
  const log = opts.json ? w.err : w.out;
  const now = opts.now ?? (() => new Date());
  const live = !!opts.live && !opts.json && !!w.raw;
  const views = new Map<string, PipelineView>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;

  function clear(): void {
    if (live && drawn) w.raw!(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  }
  function draw(): void {
    if (!live) return;
    clear();
    const lines = [...views.values()].flatMap((v) => renderView(v, now().toISOString()));
    for (const l of lines) w.raw!(`${l}\n`);
    drawn = lines.length;
  }
  function print(s: string): void {
    clear();
    log(s);
    draw();
  }
  function viewOf(pr: string): PipelineView {
    let v = views.get(pr);
    if (!v) {
      v = new PipelineView();
      views.set(pr, v);
      if (live && !timer) timer = setInterval(draw, 250);
    }
    return v;
  }

  return {
    onNotice: (m) => { clear(); w.err(`${pc.yellow('note:')} ${m}`); draw(); },
    onRunStart: (run) => print(`${pc.bold('▶')} ${run.kind.toLowerCase()} ${run.metadata.name} started`),
    onPipelineRunUpdate(pr) {
      viewOf(pr.metadata.name!).updatePipelineRun(pr);
      draw();
    },
    onTaskRunUpdate(tr) {
      const pr = tr.metadata.labels?.['tekton.dev/pipelineRun'];
      if (!pr) return;
      const changed = viewOf(pr).updateTaskRun(tr);
      // plain output: a line when a task starts; how each ended is in the summary (after its logs)
      if (changed && !live && changed.state === 'running') log(renderTask(changed, now().toISOString()));
      draw();
    },
    onLog: (prefix, line) => print(`${pc.dim(`[${prefix}]`)} ${line}`),
    onRunEnd(run, failures = [], executors = []) {
      const c = succeeded(run);
      const st = run.status as (TaskRunStatus & PipelineRunStatus) | undefined;
      const view = views.get(run.metadata.name!);
      if (view) {
        view.updatePipelineRun(run);
        views.delete(run.metadata.name!);
        if (!views.size && timer) clearInterval(timer);
        clear();
        for (const l of renderView(view, now().toISOString())) log(l);
        draw();
      }
      if (run.kind === 'TaskRun') for (const s of st?.steps ?? []) { const l = stepLine(s); if (l) log(`  ${l}`); }
      for (const r of st?.results ?? []) log(`  result ${r.name} = ${resultText(r.value)}`);
      if (executors.length) log(`  executor: ${executors.map(executorText).join(', ')}`);
      const d = duration(st?.startTime, st?.completionTime);
      const ok = c?.status === 'True';
      const cancelled = !ok && CANCELLED_REASONS.has(c?.reason ?? '');
      const verdict = ok ? 'succeeded' : cancelled ? 'was cancelled' : 'failed';
      log(`${ok ? pc.green('✔') : pc.red('✘')} ${run.kind.toLowerCase()} ${run.metadata.name} ${verdict}${d ? ` ${cancelled ? 'after' : 'in'} ${d}` : ''} ${pc.dim(`(${c?.reason ?? 'Unknown'}: ${c?.message ?? ''})`)}`);
      for (const f of failures) {
        if (!f.step) continue;
        // a cancelled run's steps were stopped (SIGTERM: exit 143), they did not fail
        const code = cancelled ? `stopped, exit code ${f.exitCode ?? 'none'}` : `exit code ${f.exitCode}`;
        log(`  ${cancelled ? 'stopped step' : 'failed step'}: ${f.taskRun && run.kind !== 'TaskRun' ? `${f.taskRun} / ` : ''}${f.step} (${code})`);
        if (f.tail.length) {
          log(`  last ${f.tail.length} log line(s):`);
          for (const l of f.tail) log(`    ${l}`);
        }
      }
    },
    onAllEnd(runs) {
      if (timer) clearInterval(timer);
      if (opts.json) w.out(JSON.stringify(runs.length === 1 ? runs[0] : { apiVersion: 'v1', kind: 'List', items: runs }, null, 2));
    },
  };
}
