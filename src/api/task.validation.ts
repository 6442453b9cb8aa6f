// Task and TaskSpec validation (task_validation.go): steps, step template, sidecars, volumes,
// workspaces, params, results.
import { checkDuration, duplicateNames, fieldError, invalidValue, isDNSLabel, missingField } from './checks.ts';
import type { Sidecar, Step, StepTemplate } from './container.types.ts';
import { validateMetadata } from './core.validation.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import { validateParamSpecs } from './paramspec.validation.ts';
import { stepStrings, undeclaredParams, undeclaredResults } from './paramusage.validation.ts';
import { validateRef } from './ref.validation.ts';
import { validateResults } from './result.validation.ts';
import type { Task, TaskSpec } from './task.types.ts';
import { isParamReference } from './vars.ts';
import { validateWhenExpressions } from './when.validation.ts';
import type { VolumeMount, WorkspaceDeclaration } from './workspace.types.ts';

export interface TaskSpecOptions {
  /**
   * Params used in steps must be declared by the spec. True for a standalone Task and for inline
   * tasks of a standalone Pipeline; false for specs inline in a run (params propagate there).
   */
  declaredParamsOnly?: boolean;
}

/** Validates a Task: metadata and spec (params used must be declared). Paths start at `metadata`/`spec`. */
export function validateTask(task: Task): FieldError[] {
  return [
    ...validateMetadata(task.metadata, 'Task'),
    ...validateTaskSpec(task.spec ?? ({} as TaskSpec), 'spec', { declaredParamsOnly: true }),
  ];
}

/** Validates a TaskSpec at `path` (e.g. `spec`, `spec.taskSpec`, `spec.tasks[0].taskSpec`); every error, never the first only. */
export function validateTaskSpec(spec: Partial<TaskSpec>, path: string, opts: TaskSpecOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const steps = spec.steps ?? [];
  if (steps.length === 0) errs.push(missingField(joinPath(path, 'steps')));
  steps.forEach((s, i) => errs.push(...validateStep(s ?? {}, joinPath(joinPath(path, 'steps'), i), spec.stepTemplate)));
  for (const [i, name] of duplicateNames(steps)) {
    errs.push(invalidValue(joinPath(joinPath(joinPath(path, 'steps'), i), 'name'), name, 'step names must be unique'));
  }
  if (spec.stepTemplate) errs.push(...volumeMounts(spec.stepTemplate.volumeMounts, joinPath(path, 'stepTemplate')));
  (spec.sidecars ?? []).forEach((s, i) => errs.push(...validateSidecar(s ?? {}, joinPath(joinPath(path, 'sidecars'), i))));
  for (const [i, name] of duplicateNames(spec.volumes)) {
    errs.push(fieldError(joinPath(joinPath(joinPath(path, 'volumes'), i), 'name'), `multiple volumes with same name "${name}"`));
  }
  errs.push(...workspaceDeclarations(spec.workspaces, steps, spec.stepTemplate, joinPath(path, 'workspaces')));
  errs.push(...workspaceUsages(spec, path));
  errs.push(...validateParamSpecs(spec.params, joinPath(path, 'params')));
  errs.push(...validateResults(spec.results, joinPath(path, 'results')));
  errs.push(...undeclaredResults(steps, spec.results, path));
  if (opts.declaredParamsOnly) {
    const used = steps.flatMap((s, i) => stepStrings(s ?? {}, joinPath(joinPath(path, 'steps'), i)));
    errs.push(...undeclaredParams(used, spec.params));
  }
  return errs;
}

const NOT_WITH_REF = ['image', 'command', 'args', 'script', 'workingDir', 'env', 'volumeMounts', 'results'] as const;

/** One step at `path`; `template` supplies an image when the step has none. */
export function validateStep(s: Step, path: string, template?: StepTemplate): FieldError[] {
  const errs: FieldError[] = [];
  if (s.ref) {
    errs.push(...validateRef(s.ref, joinPath(path, 'ref')));
    for (const f of NOT_WITH_REF) {
      const v = s[f];
      if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) errs.push(fieldError(joinPath(path, f), `${f} cannot be used with Ref`));
    }
  } else {
    if (s.params?.length) errs.push(fieldError(joinPath(path, 'params'), 'params cannot be used without Ref'));
    if (!s.image && !template?.image) errs.push(missingField(joinPath(path, 'image')));
    if (s.script && s.command?.length) errs.push(fieldError(joinPath(path, 'script'), 'script cannot be used with command'));
  }
  if (s.name !== undefined && s.name !== '' && !isDNSLabel(s.name)) {
    errs.push(invalidValue(joinPath(path, 'name'), s.name, 'a step name must be a DNS label (lower case alphanumerics and \'-\', at most 63 characters)'));
  }
  errs.push(...checkDuration(s.timeout, joinPath(path, 'timeout')).errors);
  errs.push(...volumeMounts(s.volumeMounts, path));
  if (s.onError !== undefined && s.onError !== 'continue' && s.onError !== 'stopAndFail' && !isParamReference(s.onError)) {
    errs.push(invalidValue(joinPath(path, 'onError'), `"${s.onError}"`, 'Task step onError must be either "continue" or "stopAndFail"'));
  }
  errs.push(...validateWhenExpressions(s.when, joinPath(path, 'when')));
  if (s.results) errs.push(...validateResults(s.results, joinPath(path, 'results')));
  return errs;
}

function validateSidecar(s: Sidecar, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (s.name === 'tekton-log-results') errs.push(fieldError(joinPath(path, 'name'), `Invalid: cannot use reserved sidecar name ${s.name}`));
  else if (s.name && !isDNSLabel(s.name)) errs.push(invalidValue(joinPath(path, 'name'), s.name, 'a sidecar name must be a DNS label'));
  if (s.script && s.command?.length) errs.push(fieldError(joinPath(path, 'script'), 'script cannot be used with command'));
  errs.push(...volumeMounts(s.volumeMounts, path));
  return errs;
}

/**
 * Every volumeMount names a volume and a mount path (as Kubernetes requires of a container's);
 * volumeMounts under /tekton/ (except /tekton/home) and `tekton-internal-` names are reserved.
 */
function volumeMounts(mounts: VolumeMount[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (mounts ?? []).forEach((vm, j) => {
    const mp = joinPath(joinPath(path, 'volumeMounts'), j);
    if (!vm?.name) errs.push(missingField(joinPath(mp, 'name')));
    if (!vm?.mountPath) errs.push(missingField(joinPath(mp, 'mountPath')));
    const mountPath = vm?.mountPath ?? '';
    if (mountPath.startsWith('/tekton/') && !mountPath.startsWith('/tekton/home')) {
      errs.push(fieldError(joinPath(mp, 'mountPath'), `volumeMount cannot be mounted under /tekton/ (volumeMount "${vm.name}" mounted at "${mountPath}")`));
    }
    if (vm?.name?.startsWith('tekton-internal-')) {
      errs.push(fieldError(joinPath(mp, 'name'), `volumeMount name "${vm.name}" cannot start with "tekton-internal-"`));
    }
  });
  return errs;
}

/** Workspace names unique; mount paths unique among workspaces and the steps' volumeMounts. */
function workspaceDeclarations(
  ws: WorkspaceDeclaration[] | undefined, steps: Step[], template: StepTemplate | undefined, path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  for (const vm of [...steps.flatMap((s) => s?.volumeMounts ?? []), ...(template?.volumeMounts ?? [])]) {
    if (vm?.mountPath) mountPaths.add(cleanPath(vm.mountPath));
  }
  const names = new Set<string>();
  (ws ?? []).forEach((w, i) => {
    const wp = joinPath(path, i);
    if (!w.name) errs.push(missingField(joinPath(wp, 'name')));
    else if (names.has(w.name)) errs.push(fieldError(joinPath(wp, 'name'), `workspace name "${w.name}" must be unique`));
    names.add(w.name);
    const mp = cleanPath(w.mountPath || `/workspace/${w.name}`);
    if (mountPaths.has(mp)) errs.push(fieldError(joinPath(wp, 'mountPath'), `workspace mount path "${mp}" must be unique`));
    mountPaths.add(mp);
  });
  return errs;
}

/** Steps' and sidecars' `workspaces` must name declared workspaces. */
function workspaceUsages(spec: Partial<TaskSpec>, path: string): FieldError[] {
  const declared = new Set((spec.workspaces ?? []).map((w) => w.name));
  const errs: FieldError[] = [];
  for (const section of ['steps', 'sidecars'] as const) {
    (spec[section] ?? []).forEach((c, i) => {
      (c?.workspaces ?? []).forEach((u, j) => {
        if (!declared.has(u.name)) {
          const up = joinPath(joinPath(joinPath(joinPath(path, section), i), 'workspaces'), j);
          errs.push(fieldError(joinPath(up, 'name'), `undefined workspace "${u.name}"`));
        }
      });
    });
  }
  return errs;
}

/** Lexical path cleaning (Go's filepath.Clean for absolute and relative paths). */
function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') { if (parts.length && parts[parts.length - 1] !== '..') parts.pop(); else if (!abs) parts.push('..'); continue; }
    parts.push(seg);
  }
  const joined = parts.join('/');
  return abs ? `/${joined}` : joined || '.';
}
