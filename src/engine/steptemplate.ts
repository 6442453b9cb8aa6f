// Step names for status, and merging a Task's stepTemplate into its steps
// (pkg/apis/pipeline/v1/merge.go MergeStepsWithStepTemplate: a strategic merge where the step wins).
import type { EnvVar, Step, StepTemplate } from '../api/container.types.ts';
import type { VolumeMount } from '../api/workspace.types.ts';

/** The name a step has in status: its own name, or `unnamed-<i>` (the user's spec is never renamed). */
export function stepName(step: Step, i: number): string {
  return step.name ? step.name : `unnamed-${i}`;
}

/** The container name Tekton gives a step: `step-<name>` / `step-unnamed-<i>` (pod.StepName). */
export function stepContainerName(step: Step, i: number): string {
  return `step-${stepName(step, i)}`;
}

/**
 * Merges `template` into every step that does not (still) reference a StepAction: scalar fields
 * and lists without a merge key (`command`, `args`, `envFrom`) come from the step when it sets
 * them; `env` is merged by name and `volumeMounts` by mountPath (template order, the step's entry
 * replacing the template's in place, step-only entries appended); `securityContext` and
 * `computeResources` merge key by key. A step with a `script` never inherits `command`.
 */
export function mergeStepTemplate(template: StepTemplate | undefined, steps: readonly Step[]): Step[] {
  if (!template) return steps.map((s) => ({ ...s }));
  return steps.map((s) => (s.ref ? { ...s } : mergeOne(template, s)));
}

function mergeOne(t: StepTemplate, s: Step): Step {
  const out: Step = { ...s };
  if (out.image === undefined && t.image !== undefined) out.image = t.image;
  if (out.workingDir === undefined && t.workingDir !== undefined) out.workingDir = t.workingDir;
  if (out.imagePullPolicy === undefined && t.imagePullPolicy !== undefined) out.imagePullPolicy = t.imagePullPolicy;
  if (out.command === undefined && out.script === undefined && t.command !== undefined) out.command = [...t.command];
  if (out.args === undefined && t.args !== undefined) out.args = [...t.args];
  if (out.envFrom === undefined && t.envFrom !== undefined) out.envFrom = t.envFrom.map((e) => ({ ...e }));
  if (out.volumeDevices === undefined && t.volumeDevices !== undefined) out.volumeDevices = [...t.volumeDevices];
  if (t.env?.length) out.env = mergeBy(t.env, s.env, (e: EnvVar) => e.name);
  if (t.volumeMounts?.length) out.volumeMounts = mergeBy(t.volumeMounts, s.volumeMounts, (m: VolumeMount) => m.mountPath);
  const sc = mergeRecords(t.securityContext, s.securityContext);
  if (sc) out.securityContext = sc;
  const cr = mergeRecords(t.computeResources, s.computeResources);
  if (cr) out.computeResources = cr;
  return out;
}

/** Template entries in order (replaced in place by the step's entry with the same key), then step-only entries. */
function mergeBy<T>(base: readonly T[], over: readonly T[] | undefined, key: (x: T) => string): T[] {
  const overBy = new Map((over ?? []).map((x) => [key(x), x]));
  const merged = base.map((x) => ({ ...(overBy.get(key(x)) ?? x) }));
  const baseKeys = new Set(base.map(key));
  for (const x of over ?? []) if (!baseKeys.has(key(x))) merged.push({ ...x });
  return merged;
}

function mergeRecords<T>(base: T | undefined, over: T | undefined): T | undefined {
  if (base === undefined) return over;
  if (over === undefined) return base;
  if (isRecord(base) && isRecord(over)) return { ...base, ...over } as T;
  return over;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
