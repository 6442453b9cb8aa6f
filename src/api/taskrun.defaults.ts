// Defaults for TaskRuns (taskrun_defaults.go): timeout, service account, taskRef kind, inline spec.
import type { RunDefaults } from './config.ts';
import { CONFIG_DEFAULTS } from './config.ts';
import { defaultTaskSpec } from './task.defaults.ts';
import type { TaskRef, TaskRun, TaskRunSpec } from './taskrun.types.ts';

/** A TaskRef with `kind: Task` when it names a Task directly (no resolver, not a custom task). */
export function defaultTaskRef(ref: TaskRef): TaskRef {
  if (ref.kind || ref.resolver || ref.apiVersion) return ref;
  return { ...ref, kind: 'Task' };
}

/**
 * A TaskRunSpec with `timeout` (default `60m`) and `serviceAccountName` (default `default`)
 * filled in, `taskRef.kind` defaulted and an inline `taskSpec` defaulted.
 */
export function defaultTaskRunSpec(spec: TaskRunSpec, config: Partial<RunDefaults> = {}): TaskRunSpec {
  const { timeout, serviceAccountName } = { ...CONFIG_DEFAULTS, ...config };
  const out: TaskRunSpec = { ...spec };
  if (out.timeout === undefined) out.timeout = timeout;
  if (!out.serviceAccountName) out.serviceAccountName = serviceAccountName;
  if (out.taskRef) out.taskRef = defaultTaskRef(out.taskRef);
  if (out.taskSpec) out.taskSpec = defaultTaskSpec(out.taskSpec);
  return out;
}

/** A TaskRun with its spec defaulted; metadata (namespace included) is left to the caller. */
export function defaultTaskRun(tr: TaskRun, config: Partial<RunDefaults> = {}): TaskRun {
  return { ...tr, spec: defaultTaskRunSpec(tr.spec ?? {}, config) };
}
