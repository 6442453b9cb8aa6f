// Reporters: everything the CLI prints about runs goes through one of these.
import type { KObject } from '../api/meta.ts';
import type { StepState, TaskRunStatus } from '../api/taskrun.types.ts';
import pc from 'picocolors';
import { succeeded } from './follow.ts';

export interface RunFailure {
  run: KObject;
  step?: string;
  exitCode?: number;
  tail: string[];
}

export interface Reporter {
  onNotice(message: string): void;
  onRunStart(run: KObject): void;
  onTaskRunUpdate(tr: KObject): void;
  onPipelineRunUpdate?(pr: KObject): void;
  onLog(prefix: string, line: string): void;
  onRunEnd(run: KObject, failure?: RunFailure): void;
  onAllEnd(runs: KObject[]): void;
}

export interface Writers { out: (s: string) => void; err: (s: string) => void }

/** Duration between two ISO times, as 1.2s / 340ms / 2m3s. */
export function duration(from?: string, to?: string): string {
  if (!from || !to) return '';
  const ms = Date.parse(to) - Date.parse(from);
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
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

/**
 * Plain lines for terminals and CI logs. With `json`, logs and progress go to stderr and the
 * final runs are printed to stdout as JSON.
 */
export function createPlainReporter(w: Writers, opts: { json?: boolean } = {}): Reporter {
  const log = opts.json ? w.err : w.out;
  return {
    onNotice: (m) => w.err(`${pc.yellow('note:')} ${m}`),
    onRunStart: (run) => log(`${pc.bold('▶')} ${run.kind.toLowerCase()} ${run.metadata.name} started`),
    onTaskRunUpdate() {},
    onLog: (prefix, line) => log(`${pc.dim(`[${prefix}]`)} ${line}`),
    onRunEnd(run, failure) {
      const c = succeeded(run);
      const st = run.status as { startTime?: string; completionTime?: string } | undefined;
      const d = duration(st?.startTime, st?.completionTime);
      const ok = c?.status === 'True';
      if (run.kind === 'TaskRun') {
        for (const s of ((run.status ?? {}) as TaskRunStatus).steps ?? []) {
          const line = stepLine(s);
          if (line) log(`  ${line}`);
        }
      }
      log(`${ok ? pc.green('✔') : pc.red('✘')} ${run.kind.toLowerCase()} ${run.metadata.name} ${ok ? 'succeeded' : 'failed'}${d ? ` in ${d}` : ''} ${pc.dim(`(${c?.reason ?? 'Unknown'}: ${c?.message ?? ''})`)}`);
      for (const r of ((run.status ?? {}) as TaskRunStatus).results ?? []) {
        log(`  result ${r.name} = ${typeof r.value === 'string' ? r.value : JSON.stringify(r.value)}`);
      }
      if (failure?.step) {
        log(`  failed step: ${failure.step} (exit code ${failure.exitCode})`);
        if (failure.tail.length) {
          log(`  last ${failure.tail.length} log line(s):`);
          for (const l of failure.tail) log(`    ${l}`);
        }
      }
    },
    onAllEnd(runs) {
      if (opts.json) w.out(JSON.stringify(runs.length === 1 ? runs[0] : { apiVersion: 'v1', kind: 'List', items: runs }, null, 2));
    },
  };
}
