// PipelineRun timeouts (`timeouts.pipeline|tasks|finally`, pipelinerun_types.go TasksTimeout /
// FinallyTimeout / HasTimedOut) and the timeout each TaskRun gets (pipelinerun.go getTaskRunTimeout).
import { CONFIG_DEFAULTS } from '../../api/config.ts';
import { formatDuration, parseDuration } from '../../api/duration.ts';
import type { TimeoutFields } from '../../api/pipelinerun.types.ts';

/** Deadlines in ms since the epoch; undefined = none. */
export interface Deadlines {
  /** `timeouts.pipeline` (default 60m) in ms; 0 = no timeout */
  pipelineMs: number;
  pipeline?: number;
  /** the `tasks` section's deadline (explicit, or pipeline − finally) */
  tasks?: number;
  /** the `finally` section's deadline (explicit, or pipeline − tasks), from finallyStartTime */
  finally?: number;
}

function ms(s: string | undefined): number | undefined {
  return s === undefined ? undefined : parseDuration(s);
}

/**
 * The deadlines of a run started at `start` (and whose finally tasks started at `finallyStart`).
 * `tasks` falls back to `pipeline − finally` and `finally` to `pipeline − tasks` when those are
 * not 0, as Tekton does (`pipeline` is always set: it defaults to 60m). A timeout of 0 means none.
 */
export function deadlinesOf(t: TimeoutFields | undefined, start: number, finallyStart: number | undefined, defaultTimeout = CONFIG_DEFAULTS.timeout): Deadlines {
  const pipelineMs = ms(t?.pipeline) ?? parseDuration(defaultTimeout) ?? 0;
  const explicitTasks = ms(t?.tasks);
  const explicitFinally = ms(t?.finally);
  let tasksMs = explicitTasks;
  if (tasksMs === undefined && explicitFinally !== undefined && pipelineMs !== 0 && explicitFinally !== 0) tasksMs = pipelineMs - explicitFinally;
  let finallyMs = explicitFinally;
  if (finallyMs === undefined && explicitTasks !== undefined && pipelineMs !== 0 && explicitTasks !== 0) finallyMs = pipelineMs - explicitTasks;
  const out: Deadlines = { pipelineMs };
  if (pipelineMs) out.pipeline = start + pipelineMs;
  if (tasksMs) out.tasks = start + tasksMs;
  if (finallyMs && finallyStart !== undefined) out.finally = finallyStart + finallyMs;
  return out;
}

/** Has this deadline passed? (strictly, as Go's `runtime > timeout`) */
export function passed(deadline: number | undefined, now: number): boolean {
  return deadline !== undefined && now > deadline;
}

/**
 * The `timeout` of a TaskRun created now: `taskRunSpecs[].timeout` or else the PipelineTask's
 * `timeout` (when set and not 0), capped by the time left until its section's deadline (`tasks`
 * or `finally`) and the pipeline's; with neither, the time left (or `0s` = none when no deadline
 * applies). A deadline already passed gives `1s`, like Tekton.
 */
export function taskRunTimeout(d: Deadlines, now: number, final: boolean, chosen: string | undefined): string {
  const section = final ? d.finally : d.tasks;
  const limits = [section, d.pipeline].filter((x): x is number => x !== undefined);
  const left = limits.length ? Math.max(Math.min(...limits) - now, 1000) : undefined;
  const own = ms(chosen);
  if (own !== undefined && own > 0) return formatDuration(left === undefined ? own : Math.min(own, left));
  return left === undefined ? '0s' : formatDuration(left);
}

/** Milliseconds until the earliest deadline still ahead (+1, so it has passed when we wake), or undefined. */
export function untilNext(deadlines: ReadonlyArray<number | undefined>, now: number): number | undefined {
  const ahead = deadlines.filter((x): x is number => x !== undefined && x >= now);
  return ahead.length ? Math.min(...ahead) - now + 1 : undefined;
}
