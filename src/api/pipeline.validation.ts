// Pipeline and PipelineSpec validation (pipeline_validation.go): task names, references between
// tasks (runAfter, `$(tasks.…)`), finally rules, params, workspaces, results. Cycle detection is
// the DAG module's job.
import { fieldError, invalidValue, isDNSLabel, missingField } from './checks.ts';
import { validateMetadata } from './core.validation.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import { validateParamSpecs } from './paramspec.validation.ts';
import { stepStrings, undeclaredParams } from './paramusage.validation.ts';
import type { Pipeline, PipelineResult, PipelineSpec, PipelineTask } from './pipeline.types.ts';
import { validatePipelineTask } from './pipelinetask.validation.ts';
import { RESULT_NAME } from './result.validation.ts';
import { expressionsIn, parseTaskVarRef, stringsOf } from './vars.ts';
import { buildGraph } from '../dag/dag.ts';

export interface PipelineSpecOptions {
  /**
   * A standalone Pipeline: params and workspaces it uses must be declared (true), versus a spec
   * inline in a PipelineRun, where the run's params and workspaces propagate (false).
   */
  standalone?: boolean;
  /** `default-max-matrix-combinations-count`; default 256 */
  maxMatrixCombinations?: number;
}

/** Validates a Pipeline: metadata and spec, as a standalone Pipeline. */
export function validatePipeline(p: Pipeline, opts: Omit<PipelineSpecOptions, 'standalone'> = {}): FieldError[] {
  return [...validateMetadata(p.metadata, 'Pipeline'), ...validatePipelineSpec(p.spec ?? {}, 'spec', { ...opts, standalone: true })];
}

/** Validates a PipelineSpec at `path` (`spec`, `spec.pipelineSpec`, …); every error with its path. */
export function validatePipelineSpec(spec: PipelineSpec, path: string, opts: PipelineSpecOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  const tasks = spec.tasks ?? [];
  const fin = spec.finally ?? [];
  if (!spec.description && !spec.params?.length && !tasks.length && !fin.length && !spec.workspaces?.length) {
    errs.push(fieldError(path, 'expected at least one, got none: description, params, tasks, workspaces'));
  }
  if (fin.length > 0 && tasks.length === 0) {
    errs.push(invalidValue(joinPath(path, 'finally'), `spec.tasks is empty but spec.finally has ${fin.length} tasks`));
  }
  const taskOpts = {
    maxMatrixCombinations: opts.maxMatrixCombinations,
    validatePipelineSpec: (s: PipelineSpec, p: string) => validatePipelineSpec(s, p, { ...opts, standalone: false }),
  };
  errs.push(...taskNames([...tasks.map((t, i) => [t, at(path, 'tasks', i)] as const), ...fin.map((t, i) => [t, at(path, 'finally', i)] as const)]));
  tasks.forEach((t, i) => errs.push(...validatePipelineTask(t, at(path, 'tasks', i), taskOpts)));
  fin.forEach((t, i) => errs.push(...validatePipelineTask(t, at(path, 'finally', i), taskOpts)));
  const refErrors = taskReferences(tasks, fin, path);
  errs.push(...refErrors);
  if (!refErrors.length) errs.push(...cycles(tasks, path));
  errs.push(...validateParamSpecs(spec.params, joinPath(path, 'params')));
  errs.push(...workspaceDeclarations(spec, path));
  errs.push(...pipelineResults(spec.results, tasks, fin, joinPath(path, 'results')));
  if (opts.standalone) errs.push(...standaloneUsage(spec, path));
  return errs;
}

/** The DAG of `tasks` (runAfter + result references) must have no cycle (Tekton: PipelineInvalidGraph). */
function cycles(tasks: PipelineTask[], path: string): FieldError[] {
  const names = new Set(tasks.map((t) => t.name));
  const nodes = tasks.map((t, i) => {
    const deps = new Set(t.runAfter ?? []);
    for (const [, text] of taskStrings(t, at(path, 'tasks', i))) {
      for (const expr of expressionsIn(text)) {
        const ref = parseTaskVarRef(expr);
        if (ref?.scope === 'tasks' && names.has(ref.task)) deps.add(ref.task);
      }
    }
    return { key: t.name, deps: [...deps].filter((d) => names.has(d)) };
  });
  const g = buildGraph(nodes);
  if (g.ok) return [];
  return g.errors
    .filter((e) => e.kind === 'cycle')
    .map((e) => invalidValue(joinPath(at(path, 'tasks', tasks.findIndex((t) => t.name === e.key)), 'runAfter'), `invalid graph: ${e.message}`));
}

function at(path: string, section: string, i: number): string {
  return joinPath(joinPath(path, section), i);
}

/** Names present, DNS labels, unique across tasks and finally. */
function taskNames(all: ReadonlyArray<readonly [PipelineTask, string]>): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [t, p] of all) {
    const np = joinPath(p, 'name');
    if (!t.name) { errs.push(missingField(np)); continue; }
    if (!isDNSLabel(t.name)) errs.push(invalidValue(np, t.name, 'Pipeline Task name must be a valid DNS Label'));
    if (seen.has(t.name)) errs.push(invalidValue(np, t.name, 'pipeline task names must be unique across tasks and finally'));
    seen.add(t.name);
  }
  return errs;
}

/** [path, text] of every PipelineTask string that may hold `$(params…)`/`$(tasks…)` (params, matrix, when, displayName). */
export function taskStrings(t: PipelineTask, p: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const addParams = (params: PipelineTask['params'], pp: string) => (params ?? []).forEach((x, i) => {
    for (const s of stringsOf(x.value)) out.push([joinPath(joinPath(pp, i), 'value'), s]);
  });
  addParams(t.params, joinPath(p, 'params'));
  addParams(t.matrix?.params, joinPath(p, 'matrix.params'));
  (t.matrix?.include ?? []).forEach((inc, i) => addParams(inc.params, joinPath(joinPath(joinPath(p, 'matrix.include'), i), 'params')));
  (t.when ?? []).forEach((w, i) => {
    const wp = joinPath(joinPath(p, 'when'), i);
    if (typeof w.input === 'string') out.push([joinPath(wp, 'input'), w.input]);
    (w.values ?? []).forEach((v, j) => out.push([joinPath(joinPath(wp, 'values'), j), v]));
    if (typeof w.cel === 'string') out.push([joinPath(wp, 'cel'), w.cel]);
  });
  if (typeof t.displayName === 'string') out.push([joinPath(p, 'displayName'), t.displayName]);
  return out;
}

/**
 * runAfter (not in finally; names of `tasks`) and `$(tasks.x.…)` references: x must be a task;
 * `$(tasks.x.status)`, `$(tasks.x.reason)` and `$(tasks.status)` only in finally; finally tasks
 * cannot consume other finally tasks' results.
 */
function taskReferences(tasks: PipelineTask[], fin: PipelineTask[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const dag = new Set(tasks.map((t) => t.name));
  const finals = new Set(fin.map((t) => t.name));
  tasks.forEach((t, i) => {
    const p = at(path, 'tasks', i);
    (t.runAfter ?? []).forEach((name, j) => {
      if (!dag.has(name)) errs.push(invalidValue(joinPath(joinPath(p, 'runAfter'), j), name, `task "${t.name}" runs after "${name}", which is not a task of the pipeline`));
    });
    for (const [sp, text] of taskStrings(t, p)) {
      for (const expr of expressionsIn(text)) {
        if (expr === 'tasks.status' || /^tasks\.[^.]+\.(status|reason)$/.test(expr)) {
          errs.push(invalidValue(sp, 'pipeline tasks can not refer to execution status of any other pipeline task or aggregate status of tasks'));
          continue;
        }
        const ref = parseTaskVarRef(expr);
        if (ref && (ref.scope === 'finally' || !dag.has(ref.task))) {
          errs.push(invalidValue(sp, `$(${expr})`, `referencing a nonexistent task "${ref.task}"`));
        }
      }
    }
  });
  fin.forEach((t, i) => {
    const p = at(path, 'finally', i);
    if (t.runAfter?.length) errs.push(invalidValue(joinPath(p, 'runAfter'), `no runAfter allowed under spec.finally, final task ${t.name} has runAfter specified`));
    for (const [sp, text] of taskStrings(t, p)) {
      for (const expr of expressionsIn(text)) {
        const ref = parseTaskVarRef(expr);
        if (!ref || dag.has(ref.task) && ref.scope === 'tasks') continue;
        if (ref.what === 'status' || ref.what === 'reason') {
          errs.push(invalidValue(sp, `pipeline task ${ref.task} is not defined in the pipeline`));
        } else if (finals.has(ref.task)) {
          errs.push(invalidValue(sp, `invalid task result reference, final task has task result reference from a final task ${ref.task}`));
        } else {
          errs.push(invalidValue(sp,
            `invalid task result reference, final task has task result reference from a task ${ref.task} which is not defined in the pipeline`));
        }
      }
    }
  });
  return errs;
}

/** Pipeline workspace declarations: names present and unique. */
function workspaceDeclarations(spec: PipelineSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (spec.workspaces ?? []).forEach((w, i) => {
    const wp = at(path, 'workspaces', i);
    if (!w.name) errs.push(invalidValue(joinPath(wp, 'name'), `workspace ${i} has empty name`));
    else if (seen.has(w.name)) errs.push(invalidValue(joinPath(wp, 'name'), `workspace with name "${w.name}" appears more than once`));
    seen.add(w.name);
  });
  return errs;
}

/** Pipeline results: name format, type, and a value made of `$(tasks|finally.<t>.results.<r>)` references to existing tasks. */
function pipelineResults(results: PipelineResult[] | undefined, tasks: PipelineTask[], fin: PipelineTask[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = { tasks: new Set(tasks.map((t) => t.name)), finally: new Set(fin.map((t) => t.name)) };
  (results ?? []).forEach((r, i) => {
    const rp = joinPath(path, i);
    if (!r.name) errs.push(missingField(joinPath(rp, 'name')));
    else if (!RESULT_NAME.test(r.name)) errs.push(fieldError(joinPath(rp, 'name'), `invalid key name "${r.name}"`));
    if (r.type !== undefined && !['string', 'array', 'object'].includes(r.type)) errs.push(invalidValue(joinPath(rp, 'type'), r.type, 'must be one of string, array, object'));
    const vp = joinPath(rp, 'value');
    if (r.value === undefined) { errs.push(missingField(vp)); return; }
    const exprs = stringsOf(r.value).flatMap(expressionsIn);
    const refs = exprs.map(parseTaskVarRef).filter((x) => x !== undefined && x.what === 'results');
    if (exprs.length === 0) errs.push(invalidValue(vp, 'expected pipeline results to be task result expressions but no expressions were found'));
    else if (refs.length === 0) errs.push(invalidValue(vp, 'expected pipeline results to be task result expressions but an invalid expressions was found'));
    for (const ref of refs) {
      if (!names[ref!.scope].has(ref!.task)) errs.push(invalidValue(vp, `referencing a nonexistent task "${ref!.task}"`));
    }
  });
  return errs;
}

/**
 * Standalone Pipelines: `$(params.x)` declared (by the Pipeline; inside an inline taskSpec, by the
 * taskSpec or the Pipeline); task workspace bindings name declared workspaces.
 */
function standaloneUsage(spec: PipelineSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const declared = new Set((spec.workspaces ?? []).map((w) => w.name));
  for (const section of ['tasks', 'finally'] as const) {
    (spec[section] ?? []).forEach((t, i) => {
      const p = at(path, section, i);
      errs.push(...undeclaredParams(taskStrings(t, p), spec.params));
      if (t.taskSpec?.steps) {
        const used = t.taskSpec.steps.flatMap((s, j) => stepStrings(s ?? {}, joinPath(joinPath(p, 'taskSpec.steps'), j)));
        errs.push(...undeclaredParams(used, [...(t.taskSpec.params ?? []), ...(spec.params ?? [])]));
      }
      (t.workspaces ?? []).forEach((w, j) => {
        const ws = w.workspace || w.name;
        if (ws && !declared.has(ws)) {
          errs.push(invalidValue(joinPath(joinPath(p, 'workspaces'), j), `pipeline task "${t.name}" expects workspace with name "${ws}" but none exists in pipeline spec`));
        }
      });
    });
  }
  return errs;
}
