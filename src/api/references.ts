// Cross-object checks over the objects of one load: references by name must resolve, and each
// object's wiring (params, workspaces, result references) must fit the Tasks/Pipelines it names.
import type { Step } from './container.types.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { LoadedObject } from './load.ts';
import type { Pipeline, PipelineSpec, PipelineTask } from './pipeline.types.ts';
import type { PipelineRun } from './pipelinerun.types.ts';
import type { Task, TaskSpec } from './task.types.ts';
import type { TaskRef, TaskRun } from './taskrun.types.ts';
import { validateWiring, type Specs } from './wiring.validation.ts';

/**
 * The key a reference is looked up by in `known`: `Kind/name`, or `Kind/namespace/name`
 * when the namespace matters.
 */
export function refKey(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

/**
 * Checks that every by-name reference resolves among `objects` (same namespace; a missing
 * namespace matches any) or in `known` (keys made by `refKey`, with or without namespace):
 * TaskRun `taskRef.name` → Task, step `ref.name` → StepAction, PipelineRun `pipelineRef.name` →
 * Pipeline, pipeline tasks' `taskRef.name` → Task (and `pipelineRef.name` → Pipeline).
 * References through a resolver, custom tasks and ClusterTasks are not checked. Then the wiring
 * of each object against the Tasks/Pipelines of the file (wiring.validation.ts: params,
 * workspaces, result references); `runs: false` leaves TaskRuns and PipelineRuns to the caller
 * (which may add params and bindings first). Problems carry file:line:col; those Tekton tolerates
 * have severity `warning`.
 */
export function validateReferences(objects: LoadedObject[], known: ReadonlySet<string> = new Set(), opts: { runs?: boolean } = {}): FieldError[] {
  const errs: FieldError[] = [];
  const find = (kind: string, name: string, ns: string | undefined) => objects.find((o) =>
    o.object.kind === kind && o.object.metadata.name === name && sameNamespace(o.object.metadata.namespace, ns));
  const isKnown = (kind: string, name: string, ns: string | undefined) =>
    known.has(refKey(kind, name)) || (ns !== undefined && known.has(refKey(kind, name, ns)));
  for (const lo of objects) {
    const ns = lo.object.metadata.namespace;
    const report = (path: string, message: string) => errs.push({ path: lo.sourcePath(path), message, file: lo.file, ...lo.locate(path), severity: 'error' });
    const check = (kind: string, name: string | undefined, path: string): LoadedObject | undefined => {
      if (!name) return undefined;
      const found = find(kind, name, ns);
      if (!found && !isKnown(kind, name, ns)) report(path, `${kind.toLowerCase()} "${name}" not found in this file`);
      return found;
    };
    switch (lo.object.kind) {
      case 'Task':
        stepRefs((lo.object as Task).spec?.steps, 'spec.steps', check);
        break;
      case 'TaskRun': {
        const spec = (lo.object as TaskRun).spec ?? {};
        if (spec.taskRef && isPlainTaskRef(spec.taskRef)) check('Task', spec.taskRef.name, 'spec.taskRef.name');
        if (spec.taskSpec) stepRefs(spec.taskSpec.steps, 'spec.taskSpec.steps', check);
        break;
      }
      case 'Pipeline':
        pipelineRefs((lo.object as Pipeline).spec, 'spec', check);
        break;
      case 'PipelineRun': {
        const spec = (lo.object as PipelineRun).spec ?? {};
        if (spec.pipelineRef && !spec.pipelineRef.resolver) check('Pipeline', spec.pipelineRef.name, 'spec.pipelineRef.name');
        if (spec.pipelineSpec) pipelineRefs(spec.pipelineSpec, 'spec.pipelineSpec', check);
        break;
      }
    }
    const isRun = lo.object.kind === 'TaskRun' || lo.object.kind === 'PipelineRun';
    if (opts.runs !== false || !isRun) errs.push(...wiringOf(lo, objects));
  }
  return errs;
}

/** Specs of the Tasks and Pipelines among `objects` in namespace `ns` (a missing namespace matches any). */
export function specsIn(objects: readonly LoadedObject[], ns: string | undefined): Specs {
  const spec = (kind: string, name: string) => objects.find((o) =>
    o.object.kind === kind && o.object.metadata.name === name && sameNamespace(o.object.metadata.namespace, ns))?.object.spec;
  return {
    task: (name) => spec('Task', name) as TaskSpec | undefined,
    pipeline: (name) => spec('Pipeline', name) as PipelineSpec | undefined,
  };
}

/** The wiring problems of one loaded object against the Tasks/Pipelines of `objects`, placed at file:line:col. */
export function wiringOf(lo: LoadedObject, objects: readonly LoadedObject[]): FieldError[] {
  return validateWiring(lo.object, specsIn(objects, lo.object.metadata.namespace))
    .map((e) => ({ ...lo.locate(e.path), ...e, path: lo.sourcePath(e.path), file: lo.file }));
}

type Check = (kind: string, name: string | undefined, path: string) => LoadedObject | undefined;

function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return !a || !b || a === b;
}

/** A reference to a namespaced Task by name (not a resolver, ClusterTask or custom task). */
function isPlainTaskRef(ref: TaskRef): boolean {
  return !ref.resolver && !ref.apiVersion && (ref.kind === undefined || ref.kind === 'Task');
}

function stepRefs(steps: Step[] | undefined, path: string, check: Check): void {
  (steps ?? []).forEach((s, i) => {
    if (s?.ref && !s.ref.resolver) check('StepAction', s.ref.name, joinPath(joinPath(joinPath(path, i), 'ref'), 'name'));
  });
}

function pipelineRefs(spec: PipelineSpec | undefined, path: string, check: Check): void {
  for (const section of ['tasks', 'finally'] as const) {
    (spec?.[section] ?? []).forEach((pt: PipelineTask, i) => {
      const p = joinPath(joinPath(path, section), i);
      if (pt.taskRef && isPlainTaskRef(pt.taskRef)) check('Task', pt.taskRef.name, joinPath(p, 'taskRef.name'));
      if (pt.taskSpec) stepRefs((pt.taskSpec as Partial<TaskSpec>).steps, joinPath(p, 'taskSpec.steps'), check);
      if (pt.pipelineRef && !pt.pipelineRef.resolver) check('Pipeline', pt.pipelineRef.name, joinPath(p, 'pipelineRef.name'));
      if (pt.pipelineSpec) pipelineRefs(pt.pipelineSpec, joinPath(p, 'pipelineSpec'), check);
    });
  }
}
