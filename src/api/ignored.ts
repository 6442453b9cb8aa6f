// Fields kiln accepts but cannot honour when steps run as local processes (they describe pods,
// nodes, images or kernels), fewer when they run in containers (podman honours the containers'
// limits). Callers print them once as "accepted but not honoured" (IGNORED_MESSAGE).
import type { ContainerFields } from './container.types.ts';
import { joinPath } from './errors.ts';
import type { KObject } from './meta.ts';
import { isPlainObject } from './normalize.ts';
import type { PipelineSpec } from './pipeline.types.ts';
import type { PipelineRunSpec } from './pipelinerun.types.ts';
import type { TaskSpec } from './task.types.ts';
import type { TaskRunSpec } from './taskrun.types.ts';

/** Container fields about the container runtime or the node. */
const CONTAINER_FIELDS = ['computeResources', 'imagePullPolicy', 'volumeDevices'] as const;
/** Sidecar-only fields about the pod. */
const SIDECAR_FIELDS = [
  'ports', 'livenessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath', 'terminationMessagePolicy',
  'stdin', 'stdinOnce', 'tty',
] as const;
/** Volume sources that need a cluster (kiln provides emptyDir, configMap, secret, projected, persistentVolumeClaim, hostPath). */
const LOCAL_VOLUME_SOURCES = new Set(['name', 'emptyDir', 'configMap', 'secret', 'projected', 'persistentVolumeClaim', 'hostPath']);

/** Which executor runs the steps: local processes, or containers of the steps' images (podman). */
export type IgnoredBy = 'process' | 'container';

/** What a caller says of each field `ignoredFields` returns, by executor. */
export const IGNORED_MESSAGE: Record<IgnoredBy, string> = {
  process: 'accepted but not honoured when steps run as local processes',
  container: 'accepted but not honoured when steps run in containers',
};

/**
 * Fields (the last name of a path) a container executor honours: the containers' cpu and memory
 * limits and the runs' overrides of them, imagePullPolicy, and the registry credentials of the
 * podTemplate's imagePullSecrets. (A serviceAccountName is honoured everywhere: its Secrets give
 * the steps Tekton's git and docker credentials, and a container executor's pulls its imagePullSecrets.)
 */
const CONTAINER_HONOURED = new Set(['computeResources', 'stepSpecs', 'sidecarSpecs', 'imagePullPolicy', 'imagePullSecrets']);

/** The last field name of a path (`spec.steps[0].computeResources` → `computeResources`). */
function lastName(path: string): string {
  return path.replace(/\[\d+\]$/, '').split('.').pop() ?? '';
}

/**
 * Field paths set in `obj` (a converted v1 object) that are accepted but not honoured when steps
 * run as local processes: podTemplate (but its volumes and the run-as ids of its securityContext),
 * computeResources, stepSpecs/sidecarSpecs,
 * securityContext settings other than runAsUser, runAsGroup and runAsNonRoot, imagePullPolicy, volumeDevices, debug, sidecar probes/ports, cluster-only
 * volume sources and workspace `csi` bindings. Not `privileged`: steps are never privileged
 * (false is honoured), and asking for it is refused or allowed by the host policy (hostpolicy.ts).
 * `by` 'container': without what containers honour (CONTAINER_HONOURED).
 */
export function ignoredFields(obj: KObject, by: IgnoredBy = 'process'): string[] {
  const out: string[] = [];
  const spec = isPlainObject(obj.spec) ? obj.spec : undefined;
  if (!spec) return out;
  collect(obj.kind, spec, out);
  return by === 'container' ? out.filter((p) => !CONTAINER_HONOURED.has(lastName(p))) : out;
}

function collect(kind: string, spec: Record<string, unknown>, out: string[]): void {
  switch (kind) {
    case 'Task': taskSpec(spec as Partial<TaskSpec>, 'spec', out); break;
    case 'TaskRun': taskRunSpec(spec as TaskRunSpec, out); break;
    case 'Pipeline': pipelineSpec(spec as PipelineSpec, 'spec', out); break;
    case 'PipelineRun': pipelineRunSpec(spec as PipelineRunSpec, out); break;
    case 'StepAction': securityContext((spec as { securityContext?: unknown }).securityContext, 'spec', out); break;
  }
}

function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** securityContext fields honoured: privileged (refused or allowed) and who the container runs as */
const HONOURED_SC = new Set(['privileged', 'runAsUser', 'runAsGroup', 'runAsNonRoot']);

function securityContext(sc: unknown, path: string, out: string[]): void {
  if (!isPlainObject(sc)) return;
  for (const [k, v] of Object.entries(sc)) if (!HONOURED_SC.has(k) && isSet(v)) out.push(joinPath(joinPath(path, 'securityContext'), k));
}

/** A podTemplate: its volumes and its securityContext's run-as ids are honoured, the rest is not. */
function podTemplate(pt: unknown, path: string, out: string[]): void {
  if (!isPlainObject(pt)) {
    if (isSet(pt)) out.push(path);
    return;
  }
  for (const [k, v] of Object.entries(pt)) {
    if (k === 'volumes' || !isSet(v)) continue;
    if (k === 'securityContext' && isPlainObject(v)) securityContext(v, path, out);
    else out.push(joinPath(path, k));
  }
}

function container(c: ContainerFields & Record<string, unknown>, path: string, extra: readonly string[], out: string[]): void {
  for (const f of [...CONTAINER_FIELDS, ...extra]) if (isSet(c[f])) out.push(joinPath(path, f));
  securityContext(c.securityContext, path, out);
}

function taskSpec(spec: Partial<TaskSpec>, path: string, out: string[]): void {
  (spec.steps ?? []).forEach((s, i) => container(s as ContainerFields & Record<string, unknown>, joinPath(joinPath(path, 'steps'), i), [], out));
  if (spec.stepTemplate) container(spec.stepTemplate as ContainerFields & Record<string, unknown>, joinPath(path, 'stepTemplate'), [], out);
  (spec.sidecars ?? []).forEach((s, i) => container(s as ContainerFields & Record<string, unknown>, joinPath(joinPath(path, 'sidecars'), i), SIDECAR_FIELDS, out));
  (spec.volumes ?? []).forEach((v, i) => {
    for (const k of Object.keys(v ?? {})) if (!LOCAL_VOLUME_SOURCES.has(k)) out.push(joinPath(joinPath(joinPath(path, 'volumes'), i), k));
  });
}

interface RunOverrides {
  podTemplate?: unknown;
  computeResources?: unknown;
  stepSpecs?: unknown;
  sidecarSpecs?: unknown;
}

function runOverrides(o: RunOverrides, path: string, out: string[]): void {
  podTemplate(o.podTemplate, joinPath(path, 'podTemplate'), out);
  for (const f of ['computeResources', 'stepSpecs', 'sidecarSpecs'] as const) if (isSet(o[f])) out.push(joinPath(path, f));
}

function workspaces(ws: Array<{ csi?: unknown }> | undefined, path: string, out: string[]): void {
  (ws ?? []).forEach((w, i) => { if (isSet(w?.csi)) out.push(joinPath(joinPath(joinPath(path, 'workspaces'), i), 'csi')); });
}

function taskRunSpec(spec: TaskRunSpec, out: string[]): void {
  runOverrides(spec, 'spec', out);
  if (isSet(spec.debug)) out.push('spec.debug');
  workspaces(spec.workspaces, 'spec', out);
  if (spec.taskSpec) taskSpec(spec.taskSpec, 'spec.taskSpec', out);
}

function pipelineSpec(spec: PipelineSpec, path: string, out: string[]): void {
  for (const section of ['tasks', 'finally'] as const) {
    (spec[section] ?? []).forEach((pt, i) => {
      const p = joinPath(joinPath(path, section), i);
      if (pt.taskSpec) taskSpec(pt.taskSpec, joinPath(p, 'taskSpec'), out);
      if (pt.pipelineSpec) pipelineSpec(pt.pipelineSpec, joinPath(p, 'pipelineSpec'), out);
    });
  }
}

function pipelineRunSpec(spec: PipelineRunSpec, out: string[]): void {
  const t = spec.taskRunTemplate ?? {};
  podTemplate(t.podTemplate, 'spec.taskRunTemplate.podTemplate', out);
  (spec.taskRunSpecs ?? []).forEach((trs, i) => runOverrides(trs, joinPath('spec.taskRunSpecs', i), out));
  workspaces(spec.workspaces, 'spec', out);
  if (spec.pipelineSpec) pipelineSpec(spec.pipelineSpec, 'spec.pipelineSpec', out);
}
