// Checks that fail a PipelineRun before anything runs, in the order Tekton's reconciler makes them
// (pipelinerun.go reconcile): spec, DAG, params, workspaces, taskRunSpecs, then the tasks
// themselves. Each returns the first failure with Tekton's reason; user-caused messages start
// with `[User error] `.
import { formatFieldError } from '../../api/errors.ts';
import { typeOfValue, type Param, type ParamSpec, type ParamValue } from '../../api/param.types.ts';
import { paramTypeOf } from '../../api/param.validation.ts';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import { countCombinations } from '../../api/pipelinetask.validation.ts';
import type { PipelineRunSpec } from '../../api/pipelinerun.types.ts';
import { validateTimeouts } from '../../api/pipelinerun.validation.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import { expressionsIn, parseParamRef, stringsOf } from '../../api/vars.ts';
import type { Graph } from '../../dag/dag.ts';
import { runsPipeline } from './apply.ts';
import { buildTaskGraph, pipelineTaskStrings, resultRefsIn } from './graph.ts';
import { isMatrixed } from './matrix.ts';
import { celProblem } from './when-cel.ts';

/** Why the run fails: a Condition reason and message. */
export interface Failure { reason: string; message: string }

/** Who is being validated, for messages. */
export interface RunIdentity { namespace: string; name: string; pipelineName: string }

export const USER_ERROR = '[User error] ';

function userFailure(reason: string, message: string): Failure {
  return { reason, message: USER_ERROR + message };
}

/** kiln's reason for a run that cannot be run on this machine (the CLI says "unsupported here"). */
export const UNSUPPORTED = 'Unsupported';

/**
 * Spec rules Tekton's webhook enforces (PipelineValidationFailed): finally without runAfter, finally
 * result references to existing DAG tasks, onError values, onError continue without retries, when
 * operators and CEL syntax, matrix size, and the run's timeouts.
 */
export function validateSpec(spec: PipelineSpec, run: PipelineRunSpec, id: RunIdentity, maxCombinations: number): Failure | undefined {
  const problems: string[] = [];
  const tasks = spec.tasks ?? [];
  const fin = spec.finally ?? [];
  const seen = new Set<string>();
  for (const t of [...tasks, ...fin]) {
    if (!t.name) problems.push('missing field(s): tasks[].name');
    else if (seen.has(t.name)) problems.push(`pipeline task names must be unique across tasks and finally: "${t.name}"`);
    seen.add(t.name);
  }
  const dag = new Set(tasks.map((t) => t.name));
  for (const t of fin) {
    if (t.runAfter?.length) problems.push(`no runAfter allowed under spec.finally, final task ${t.name} has runAfter specified`);
    for (const r of resultRefsIn(pipelineTaskStrings(t))) {
      if (r.scope === 'tasks' && dag.has(r.task)) continue;
      problems.push(r.scope === 'finally' || !dag.has(r.task) && seen.has(r.task)
        ? `invalid task result reference, final task has task result reference from a final task ${r.task}`
        : `invalid task result reference, final task has task result reference from a task ${r.task} which is not defined in the pipeline`);
    }
  }
  for (const t of [...tasks, ...fin]) problems.push(...taskRules(t, maxCombinations));
  problems.push(...childPipelineResultRefs(spec));
  const timeoutErrors = validateTimeouts(run.timeouts ?? {}, 'spec.timeouts');
  if (timeoutErrors.length) {
    return userFailure('PipelineValidationFailed', `PipelineRun ${id.namespace}/${id.name} has invalid timeouts: ${timeoutErrors.map(formatFieldError).join('; ')}`);
  }
  if (!problems.length) return undefined;
  return userFailure('PipelineValidationFailed', `Pipeline ${id.namespace}/${id.pipelineName} can't be Run; it has an invalid spec: ${problems.join('; ')}`);
}

function taskRules(t: PipelineTask, maxCombinations: number): string[] {
  const out: string[] = [];
  const onError = t.onError;
  if (onError !== undefined && onError !== 'continue' && onError !== 'stopAndFail' && !/^\$\(params[.[]/.test(onError)) {
    out.push(`invalid value: ${onError}: tasks ${t.name} onError: PipelineTask onError must be either "continue" or "stopAndFail"`);
  }
  if (onError === 'continue' && (t.retries ?? 0) > 0) {
    out.push(`PipelineTask onError cannot be set to "continue" when retries is greater than 0: tasks ${t.name}`);
  }
  (t.when ?? []).forEach((w) => {
    if (w.cel !== undefined && w.cel !== '') {
      const p = celProblem(w.cel);
      if (p) out.push(p);
    } else if (w.operator !== 'in' && w.operator !== 'notin') {
      out.push(`operator "${w.operator ?? ''}" is not recognized. valid operators: in,notin: tasks ${t.name} when`);
    }
  });
  if (runsPipeline(t) && isMatrixed(t.matrix)) {
    out.push(`matrix is not supported on pipeline task "${t.name}", which runs a Pipeline (pipelines in pipelines)`);
  } else if (isMatrixed(t.matrix)) {
    const n = countCombinations(t.matrix);
    if (n > maxCombinations) out.push(`expected 0 <= ${n} <= ${maxCombinations}: pipeline task "${t.name}" matrix combinations`);
  }
  return out;
}

/**
 * Results of a task that runs a Pipeline are not propagated (Tekton §11): a reference to them from
 * a PipelineTask (tasks or finally) or a Pipeline result is rejected.
 */
function childPipelineResultRefs(spec: PipelineSpec): string[] {
  const all = [...(spec.tasks ?? []), ...(spec.finally ?? [])];
  const pip = new Set(all.filter(runsPipeline).map((t) => t.name));
  if (!pip.size) return [];
  const out: string[] = [];
  const check = (who: string, texts: readonly string[]) => {
    for (const r of resultRefsIn(texts)) {
      if (pip.has(r.task)) out.push(`invalid task result reference: ${who} refers to a result of pipeline task "${r.task}", which runs a Pipeline: results of child PipelineRuns are not propagated`);
    }
  };
  for (const t of all) check(`pipeline task "${t.name}"`, pipelineTaskStrings(t));
  for (const r of spec.results ?? []) check(`pipeline result "${r.name}"`, stringsOf(r.value));
  return [...new Set(out)];
}

/** The DAG of `tasks` must build: no cycles, runAfter and result references to existing tasks. */
/** Graphs by spec object: a controller that hands the same resolved spec back gets it for free. */
const graphs = new WeakMap<PipelineSpec, ReturnType<typeof buildTaskGraph>>();

export function validateGraph(spec: PipelineSpec, id: RunIdentity): { graph: Graph } | { failure: Failure } {
  let g = graphs.get(spec);
  if (!g) {
    g = buildTaskGraph(spec.tasks ?? []);
    graphs.set(spec, g);
  }
  if (g.ok) return { graph: g.graph };
  return { failure: userFailure('PipelineInvalidGraph', `PipelineRun ${id.namespace}/${id.name}'s Pipeline DAG is invalid: ${g.message}`) };
}

/**
 * The run's params against the Pipeline's declarations: required ones present (ParameterMissing),
 * types match (ParameterTypeMismatch), object keys complete (ObjectParameterMissKeys), array
 * indexes in range (ParamArrayIndexingInvalid), enum membership (InvalidParamValue).
 */
export function validateParams(spec: PipelineSpec, runParams: readonly Param[], values: ReadonlyMap<string, ParamValue>, id: RunIdentity): Failure | undefined {
  const specs = spec.params ?? [];
  const given = new Map(runParams.map((p) => [p.name, p.value]));
  const who = `PipelineRun ${id.namespace}/${id.name}`;
  const pipeline = `Pipeline ${id.namespace}/${id.pipelineName}`;
  const missing = specs.filter((s) => s.default === undefined && !given.has(s.name)).map((s) => s.name);
  if (missing.length) return userFailure('ParameterMissing', `${who} parameters is missing some parameters required by ${pipeline}'s parameters: PipelineRun missing parameters: [${missing.join(' ')}]`);
  const mismatched = specs.filter((s) => given.has(s.name) && typeOfValue(given.get(s.name)!) !== paramTypeOf(s)).map((s) => s.name);
  if (mismatched.length) return userFailure('ParameterTypeMismatch', `${who} parameters have mismatching types with ${pipeline}'s parameters: parameters have inconsistent types : [${mismatched.join(' ')}]`);
  const missKeys = objectKeysMissing(specs, given);
  if (missKeys.length) return userFailure('ObjectParameterMissKeys', `${who} parameters is missing object keys required by ${pipeline}'s parameters: PipelineRun missing object keys for parameters: map[${missKeys.join(' ')}]`);
  const badIndexes = arrayIndexProblems(spec, values);
  if (badIndexes.length) {
    return userFailure('ParamArrayIndexingInvalid', `${who} failed validation: failed to validate ${pipeline}'s parameter which has an invalid index while referring to an array: non-existent param references:[${badIndexes.join(' ')}]`);
  }
  for (const s of specs) {
    const v = values.get(s.name);
    if (s.enum?.length && typeof v === 'string' && !s.enum.includes(v)) {
      return userFailure('InvalidParamValue', `${who} parameters have invalid value: param \`${s.name}\` value: ${v} is not in the enum list [${s.enum.join(' ')}]`);
    }
  }
  return undefined;
}

function objectKeysMissing(specs: readonly ParamSpec[], given: ReadonlyMap<string, ParamValue>): string[] {
  const out: string[] = [];
  for (const s of specs) {
    const v = given.get(s.name);
    if (paramTypeOf(s) !== 'object' || v === undefined || typeOfValue(v) !== 'object') continue;
    const def = typeof s.default === 'object' && !Array.isArray(s.default) ? s.default : {};
    const keys = Object.keys(s.properties ?? {}).filter((k) => !(k in (v as Record<string, string>)) && !(k in def));
    if (keys.length) out.push(`${s.name}:[${keys.join(' ')}]`);
  }
  return out;
}

/** `$(params.arr[i])` in the PipelineTasks where `arr` has at most `i` elements. */
function arrayIndexProblems(spec: PipelineSpec, values: ReadonlyMap<string, ParamValue>): string[] {
  const out = new Set<string>();
  for (const t of [...(spec.tasks ?? []), ...(spec.finally ?? [])]) {
    const texts = [...pipelineTaskStrings(t), ...(t.workspaces ?? []).map((w) => w.subPath ?? '')];
    for (const e of texts.flatMap(expressionsIn)) {
      const ref = parseParamRef(e);
      if (!ref || ref.index === undefined || ref.index === '*') continue;
      const v = values.get(ref.name);
      if (Array.isArray(v) && Number(ref.index) >= v.length) out.add(`$(${e})`);
    }
  }
  return [...out];
}

/** Every non-optional Pipeline workspace is bound by the run (InvalidWorkspaceBindings). */
export function validateBindings(spec: PipelineSpec, run: PipelineRunSpec, id: RunIdentity): Failure | undefined {
  const bound = new Set((run.workspaces ?? []).map((b) => b.name));
  const missing = (spec.workspaces ?? []).find((w) => !w.optional && !bound.has(w.name));
  if (!missing) return undefined;
  return userFailure('InvalidWorkspaceBindings', `PipelineRun ${id.namespace}/${id.name} doesn't bind Pipeline ${id.namespace}/${id.pipelineName}'s Workspaces correctly: pipeline requires workspace with name "${missing.name}" be provided by pipelinerun`);
}

/** Every taskRunSpecs entry names a task of the Pipeline (InvalidTaskRunSpecs). */
export function validateTaskRunSpecs(spec: PipelineSpec, run: PipelineRunSpec, id: RunIdentity): Failure | undefined {
  const names = new Set([...(spec.tasks ?? []), ...(spec.finally ?? [])].map((t) => t.name));
  const wrong = (run.taskRunSpecs ?? []).find((s) => !names.has(s.pipelineTaskName));
  if (!wrong) return undefined;
  return userFailure('InvalidTaskRunSpecs', `PipelineRun ${id.namespace}/${id.name} doesn't define taskRunSpecs correctly: pipelineRun's taskrunSpecs defined wrong taskName: "${wrong.pipelineTaskName}", does not exist in Pipeline`);
}

const TASK_KINDS = new Set(['', 'task', 'clustertask']);

/**
 * What each PipelineTask runs must be runnable here: remote resolvers (for Tasks and Pipelines)
 * and custom tasks are `Unsupported`; a referenced Task absent from `tasks` is CouldntGetTask; a
 * `pipelineRef` needs a name (a referenced Pipeline that does not exist fails the child
 * PipelineRun, which fails the task). `pts` have params substituted (a taskRef name may come
 * from a param).
 */
export function validateTaskRefs(pts: readonly PipelineTask[], tasks: ReadonlyMap<string, TaskSpec>, id: RunIdentity): Failure | undefined {
  for (const pt of pts) {
    if (pt.pipelineRef?.resolver) {
      return { reason: UNSUPPORTED, message: `pipeline task "${pt.name}" uses the remote resolver "${pt.pipelineRef.resolver}": remote resolution needs the network and is not supported by kiln yet` };
    }
    if (runsPipeline(pt)) continue;
    const ref = pt.taskRef;
    if (ref?.resolver) {
      return { reason: UNSUPPORTED, message: `pipeline task "${pt.name}" uses the remote resolver "${ref.resolver}": remote resolution needs the network and is not supported by kiln yet` };
    }
    if (ref && (ref.apiVersion || !TASK_KINDS.has((ref.kind ?? '').toLowerCase()))) {
      return { reason: UNSUPPORTED, message: `pipeline task "${pt.name}" references a custom task (${ref.apiVersion ?? ''}/${ref.kind ?? ''}): custom tasks (CustomRuns) are not supported by kiln` };
    }
    if (pt.taskSpec && (pt.taskSpec.apiVersion || pt.taskSpec.kind)) {
      return { reason: UNSUPPORTED, message: `pipeline task "${pt.name}" embeds a custom task (${pt.taskSpec.apiVersion ?? ''}/${pt.taskSpec.kind ?? ''}): custom tasks (CustomRuns) are not supported by kiln` };
    }
  }
  for (const pt of pts) {
    if (pt.pipelineRef && !pt.pipelineRef.name && !pt.pipelineSpec) {
      return userFailure('PipelineValidationFailed', `Pipeline ${id.namespace}/${id.pipelineName} can't be Run; it has an invalid spec: missing field(s): tasks[${pt.name}].pipelineRef.name`);
    }
    if (runsPipeline(pt)) continue;
    if (!pt.taskRef && !pt.taskSpec) {
      return userFailure('PipelineValidationFailed', `Pipeline ${id.namespace}/${id.pipelineName} can't be Run; it has an invalid spec: expected exactly one, got neither: tasks ${pt.name}: taskRef, taskSpec`);
    }
    const name = pt.taskRef?.name;
    if (pt.taskRef && (!name || !tasks.has(name))) {
      return userFailure('CouldntGetTask', `Pipeline ${id.namespace}/${id.pipelineName} can't be Run; it contains Tasks that don't exist: Couldn't retrieve Task "${name ?? ''}": tasks.tekton.dev "${name ?? ''}" not found`);
    }
  }
  return undefined;
}
