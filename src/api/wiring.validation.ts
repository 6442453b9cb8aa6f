// Checks between an object and the Tasks/Pipelines it references, made before anything runs:
// result references name results the producing Task declares (Tekton: InvalidTaskResultReference),
// params given to a Task or Pipeline are declared (a warning: Tekton accepts extra params) and the
// required ones are given (ParameterMissing), workspaces bound are declared and the required ones
// bound (TaskRunValidationFailed / InvalidWorkspaceBindings). Pure: the caller looks the referenced
// specs up (in a file, in a store) and passes them in; what it cannot find is not checked.
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { KObject } from './meta.ts';
import type { Param, ParamSpec } from './param.types.ts';
import { paramProblems } from './param.validation.ts';
import type { PipelineSpec, PipelineTask } from './pipeline.types.ts';
import { taskStrings } from './pipeline.validation.ts';
import type { PipelineRunSpec } from './pipelinerun.types.ts';
import type { TaskSpec } from './task.types.ts';
import type { TaskRef, TaskRunSpec } from './taskrun.types.ts';
import { expressionsIn, stringsOf } from './vars.ts';

/** The specs of referenced Tasks and Pipelines by name (same namespace); undefined when not known here. */
export interface Specs {
  task(name: string): TaskSpec | undefined;
  pipeline(name: string): PipelineSpec | undefined;
}

export interface WiringOptions {
  /**
   * For a PipelineRun with a `pipelineRef`: also check the referenced Pipeline's tasks, reporting
   * their problems at `spec.pipelineRef.name` (for callers where the Pipeline is not checked on
   * its own, e.g. an API create). Default false.
   */
  referencedPipeline?: boolean;
}

/**
 * Every wiring problem of `obj` (a Pipeline, PipelineRun or TaskRun; other kinds have none), with
 * paths relative to the object. Problems Tekton tolerates (extra params, bindings of workspaces
 * nobody declares on a PipelineRun) have severity `warning`.
 */
export function validateWiring(obj: KObject, specs: Specs, opts: WiringOptions = {}): FieldError[] {
  switch (obj.kind) {
    case 'Pipeline': return pipelineWiring((obj.spec ?? {}) as PipelineSpec, 'spec', specs);
    case 'TaskRun': return taskRunWiring((obj.spec ?? {}) as TaskRunSpec, specs);
    case 'PipelineRun': return pipelineRunWiring((obj.spec ?? {}) as PipelineRunSpec, specs, opts);
    default: return [];
  }
}

/** Names of the Tasks and Pipelines `obj` references that `validateWiring` would look up (one level; a Pipeline's tasks are a second). */
export function referencedNames(obj: KObject): { tasks: string[]; pipelines: string[] } {
  const tasks = new Set<string>();
  const pipelines = new Set<string>();
  const fromPipeline = (spec: PipelineSpec | undefined) => {
    for (const pt of [...(spec?.tasks ?? []), ...(spec?.finally ?? [])]) {
      const n = plainTaskName(pt?.taskRef);
      if (n) tasks.add(n);
    }
  };
  if (obj.kind === 'Pipeline') fromPipeline(obj.spec as PipelineSpec);
  if (obj.kind === 'TaskRun') {
    const n = plainTaskName((obj.spec as TaskRunSpec | undefined)?.taskRef);
    if (n) tasks.add(n);
  }
  if (obj.kind === 'PipelineRun') {
    const spec = (obj.spec ?? {}) as PipelineRunSpec;
    if (spec.pipelineRef?.name && !spec.pipelineRef.resolver) pipelines.add(spec.pipelineRef.name);
    fromPipeline(spec.pipelineSpec);
  }
  return { tasks: [...tasks], pipelines: [...pipelines] };
}

/** The name of a namespaced Task referenced by name (not a resolver, ClusterTask, custom task or `$(params…)`). */
function plainTaskName(ref: TaskRef | undefined): string | undefined {
  if (!ref || ref.resolver || ref.apiVersion || (ref.kind !== undefined && ref.kind !== 'Task')) return undefined;
  return ref.name && !ref.name.includes('$(') ? ref.name : undefined;
}

function error(path: string, message: string): FieldError {
  return { path, message, severity: 'error' };
}

function warning(path: string, message: string): FieldError {
  return { path, message, severity: 'warning' };
}

/** What a PipelineTask runs, when known: the referenced Task's spec (`who` names it) or its inline spec. */
interface Target { spec: TaskSpec; who: string; referenced: boolean }

function targetOf(pt: PipelineTask, specs: Specs): Target | undefined {
  if (pt.taskSpec && !pt.taskSpec.apiVersion && !pt.taskSpec.kind) return { spec: pt.taskSpec as TaskSpec, who: `the taskSpec of pipeline task "${pt.name}"`, referenced: false };
  const name = plainTaskName(pt.taskRef);
  const spec = name ? specs.task(name) : undefined;
  return spec ? { spec, who: `task "${name}"`, referenced: true } : undefined;
}

/** Wiring of a Pipeline spec at `path`: each task's params and workspaces against its Task, and every result reference. */
export function pipelineWiring(spec: PipelineSpec, path: string, specs: Specs): FieldError[] {
  const errs: FieldError[] = [];
  const targets = new Map<string, Target | undefined>();
  for (const section of ['tasks', 'finally'] as const) {
    (spec[section] ?? []).forEach((pt, i) => {
      if (!pt?.name) return;
      const t = targetOf(pt, specs);
      targets.set(`${section}/${pt.name}`, t);
      const p = joinPath(joinPath(path, section), i);
      if (t) errs.push(...taskParams(pt, p, t), ...taskWorkspaces(pt, p, t));
    });
  }
  for (const section of ['tasks', 'finally'] as const) {
    (spec[section] ?? []).forEach((pt, i) => {
      if (!pt) return;
      const p = joinPath(joinPath(path, section), i);
      for (const [sp, text] of taskStrings(pt, p)) errs.push(...resultRefs(text, sp, `pipeline task "${pt.name}"`, targets));
    });
  }
  (spec.results ?? []).forEach((r, i) => {
    const vp = joinPath(joinPath(joinPath(path, 'results'), i), 'value');
    for (const text of stringsOf(r?.value)) errs.push(...resultRefs(text, vp, `pipeline result "${r.name}"`, targets));
  });
  return errs;
}

const RESULT_REF = /^(tasks|finally)\.([^.[\]]+)\.results(?:\.([^.[\]]+)|\[(['"])(.+?)\4\])/;

/** `$(tasks.X.results.R…)` in `text` where X's Task is known and declares no result R. */
function resultRefs(text: string, path: string, consumer: string, targets: ReadonlyMap<string, Target | undefined>): FieldError[] {
  const errs: FieldError[] = [];
  for (const expr of expressionsIn(text)) {
    const m = RESULT_REF.exec(expr);
    if (!m) continue;
    const [, scope, task] = m;
    const result = m[3] ?? m[5];
    const t = targets.get(`${scope}/${task}`);
    if (!t || (t.spec.results ?? []).some((r) => r?.name === result)) continue;
    const declared = (t.spec.results ?? []).map((r) => r?.name).filter(Boolean);
    errs.push(error(path, `invalid result reference in ${consumer}: "${result}" is not a named result returned by pipeline task "${task}" (${t.who} declares ${declared.length ? declared.map((n) => `"${n}"`).join(', ') : 'no results'})`));
  }
  return errs;
}

/** The params a PipelineTask gives its Task: declared (else a warning), the required ones present, literal values of the declared type. */
function taskParams(pt: PipelineTask, path: string, t: Target): FieldError[] {
  const given: Param[] = [
    ...(pt.params ?? []),
    ...(pt.matrix?.params ?? []).map((p) => ({ name: p.name, value: '$(matrix)' })),
    ...(pt.matrix?.include ?? []).flatMap((inc) => (inc.params ?? []).map((p) => ({ name: p.name, value: '$(matrix)' }))),
  ];
  return paramsAgainst(t.spec.params ?? [], given, joinPath(path, 'params'), t.who, t.referenced, pt.params?.length ?? 0);
}

/**
 * `params` (the first `listed` of them at `path[i]`, the rest given another way, e.g. by a matrix)
 * against `decls`: type/enum/key problems of literal values and missing required params are
 * errors; undeclared params are warnings when `warnExtra` (Tekton passes them on).
 */
function paramsAgainst(decls: readonly ParamSpec[], params: readonly Param[], path: string, who: string, warnExtra: boolean, listed = params.length): FieldError[] {
  const errs: FieldError[] = [];
  const named = params.map((p, i) => ({ p, i })).filter((x) => x.p?.name);
  for (const problem of paramProblems(decls, named.map((x) => x.p), true)) {
    if (problem.reason === 'ParameterMissing') {
      errs.push(error(path, `${who} requires param(s) not given: ${problem.names.join(', ')}`));
      continue;
    }
    const { p, i } = named[problem.index!];
    if (i >= listed || stringsOf(p.value).some((s) => s.includes('$('))) continue;
    errs.push(error(joinPath(joinPath(path, i), problem.field ?? 'value'), `${problem.message} (param "${p.name}" of ${who})`));
  }
  if (warnExtra) {
    const declared = new Set(decls.map((d) => d.name));
    for (const { p, i } of named) {
      if (i < listed && !declared.has(p.name)) errs.push(warning(joinPath(joinPath(path, i), 'name'), `param "${p.name}" is not declared by ${who}: it is passed on, and nothing uses it`));
    }
  }
  return errs;
}

/** A PipelineTask's workspace bindings against a referenced Task's declarations (inline specs get bindings propagated). */
function taskWorkspaces(pt: PipelineTask, path: string, t: Target): FieldError[] {
  if (!t.referenced) return [];
  return bindingsAgainst(t.spec.workspaces ?? [], pt.workspaces ?? [], joinPath(path, 'workspaces'), t.who, 'error');
}

/**
 * Bindings against declarations, as Tekton's workspace.ValidateBindings: a required declaration
 * unbound is an error; a binding nobody declares has severity `extra` (`ignore`: not reported,
 * for inline specs, which bindings propagate into).
 */
function bindingsAgainst(decls: ReadonlyArray<{ name: string; optional?: boolean }>, bindings: ReadonlyArray<{ name: string }>, path: string, who: string, extra: 'error' | 'warning' | 'ignore'): FieldError[] {
  const errs: FieldError[] = [];
  const declared = new Set(decls.map((d) => d?.name));
  const bound = new Set(bindings.map((b) => b?.name));
  const missing = decls.filter((d) => d?.name && !d.optional && !bound.has(d.name)).map((d) => d.name);
  if (missing.length) errs.push(error(path, `declared workspace(s) of ${who} required but not bound: ${missing.join(', ')}`));
  bindings.forEach((b, i) => {
    if (extra === 'ignore' || !b?.name || declared.has(b.name)) return;
    const make = extra === 'error' ? error : warning;
    errs.push(make(joinPath(joinPath(path, i), 'name'), `workspace binding "${b.name}" does not match any declared workspace of ${who}`));
  });
  return errs;
}

function taskRunWiring(spec: TaskRunSpec, specs: Specs): FieldError[] {
  const name = plainTaskName(spec.taskRef);
  const ref = name ? specs.task(name) : undefined;
  if (ref) {
    const who = `task "${name}"`;
    return [
      ...paramsAgainst(ref.params ?? [], spec.params ?? [], 'spec.params', who, true),
      ...bindingsAgainst(ref.workspaces ?? [], spec.workspaces ?? [], 'spec.workspaces', who, 'error'),
    ];
  }
  if (!spec.taskSpec) return [];
  const who = 'the taskSpec';
  return [
    ...paramsAgainst(spec.taskSpec.params ?? [], spec.params ?? [], 'spec.params', who, false),
    ...bindingsAgainst(spec.taskSpec.workspaces ?? [], spec.workspaces ?? [], 'spec.workspaces', who, 'ignore'),
  ];
}

function pipelineRunWiring(spec: PipelineRunSpec, specs: Specs, opts: WiringOptions): FieldError[] {
  const errs: FieldError[] = [];
  const name = spec.pipelineRef && !spec.pipelineRef.resolver ? spec.pipelineRef.name : undefined;
  const ref = name ? specs.pipeline(name) : undefined;
  if (ref) {
    const who = `pipeline "${name}"`;
    errs.push(
      ...paramsAgainst(ref.params ?? [], spec.params ?? [], 'spec.params', who, true),
      ...bindingsAgainst(ref.workspaces ?? [], spec.workspaces ?? [], 'spec.workspaces', who, 'warning'),
    );
    if (opts.referencedPipeline) {
      for (const e of pipelineWiring(ref, 'spec', specs)) errs.push({ ...e, path: 'spec.pipelineRef.name', message: `${who}: ${e.path}: ${e.message}` });
    }
  }
  if (spec.pipelineSpec) {
    errs.push(
      ...paramsAgainst(spec.pipelineSpec.params ?? [], spec.params ?? [], 'spec.params', 'the pipelineSpec', false),
      ...bindingsAgainst(spec.pipelineSpec.workspaces ?? [], spec.workspaces ?? [], 'spec.workspaces', 'the pipelineSpec', 'ignore'),
      ...pipelineWiring(spec.pipelineSpec, 'spec.pipelineSpec', specs),
    );
  }
  return errs;
}
