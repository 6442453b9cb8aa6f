// The cpu and memory limits of one step or sidecar, as Tekton applies them (pure): the
// container's own computeResources (stepTemplate already merged), replaced by the TaskRun's
// stepSpecs/sidecarSpecs entry of the same name, and for steps the TaskRun's task-level
// computeResources.limits over both (tasklevel.ApplyTaskLevelComputeResources). Requests are
// not kept: a local executor reserves nothing.
import { isPlainObject } from '../../api/normalize.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import type { PlanContainer } from '../../executor/executor.ts';

/** The limits a plan container carries (quantities as written). */
export type Limits = NonNullable<PlanContainer['limits']>;

/** A quantity as written (`"500m"`, `2`); anything else is not one and is left out. */
function quantity(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function isSet(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length > 0;
}

/** `computeResources.limits` cpu and memory of `cr`; undefined when it sets neither. */
export function limitsOf(cr: unknown): Limits | undefined {
  const limits = isPlainObject(cr) && isPlainObject(cr.limits) ? cr.limits : undefined;
  if (!limits) return undefined;
  const out: Limits = {};
  const cpu = quantity(limits.cpu);
  const memory = quantity(limits.memory);
  if (cpu !== undefined) out.cpu = cpu;
  if (memory !== undefined) out.memory = memory;
  return out.cpu !== undefined || out.memory !== undefined ? out : undefined;
}

/**
 * The limits of container `name` (a step's or sidecar's name as written) with `own`
 * computeResources in `run`: a stepSpecs/sidecarSpecs entry of that name replaces them; the
 * TaskRun's task-level computeResources replace a step's limits (not a sidecar's), even with
 * none when it sets only requests.
 */
export function containerLimits(kind: 'step' | 'sidecar', name: string | undefined, own: unknown, run: Pick<TaskRun, 'spec'>): Limits | undefined {
  const specs = kind === 'step' ? run.spec.stepSpecs : run.spec.sidecarSpecs;
  const override = name ? (Array.isArray(specs) ? specs : []).find((s) => s?.name === name) : undefined;
  const cr = override ? override.computeResources : own;
  const task = run.spec.computeResources;
  // Tekton sets every step's limits to the task-level ones, none when it gives only requests
  if (kind === 'step' && isPlainObject(task) && (isSet(task.limits) || isSet(task.requests))) return limitsOf(task);
  return limitsOf(cr);
}
