// The TaskRuns to create for a PipelineTask that is ready (pipelinerun.go createTaskRuns /
// createTaskRun): names, labels, annotations, params (matrix combinations), workspaces,
// service account and pod template, retries and timeout; and the child PipelineRun of a
// PipelineTask that runs a Pipeline (pipelines in pipelines).
import type { Param } from '../../api/param.types.ts';
import type { PipelineRunSpec, PipelineTaskRunSpec } from '../../api/pipelinerun.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { TaskRunSpec } from '../../api/taskrun.types.ts';
import { CONFIG_DEFAULTS } from '../../api/config.ts';
import { embeddedTaskSpec, isInlineTaskSpec } from './apply.ts';
import { runStrings } from './context.ts';
import { CANCEL_MESSAGE_ANNOTATION, PIPELINE_CHAIN_ANNOTATION, type PipelineRunToCreate, type TaskRunToCreate } from './facts.types.ts';
import { combinationParams, fanOut, isMatrixed, matrixTypeProblems } from './matrix.ts';
import type { RunContext, TaskState } from './model.ts';
import { matrixTaskRunName, taskRunName } from './naming.ts';
import type { Resolved } from './resolve.ts';
import { taskRunTimeout } from './timeouts.ts';
import type { Failure } from './validate.ts';
import { USER_ERROR } from './validate.ts';
import { pipelineRunWorkspaces, taskRunWorkspaces } from './workspaces.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** `taskRunTemplate` overlaid with the task's `taskRunSpecs` entry (PipelineRun.GetTaskRunSpec). */
export function taskRunSpecFor(ctx: RunContext, pipelineTask: string): PipelineTaskRunSpec {
  const run = ctx.input.pipelineRun.spec;
  const out: PipelineTaskRunSpec = { pipelineTaskName: pipelineTask };
  if (run.taskRunTemplate?.serviceAccountName) out.serviceAccountName = run.taskRunTemplate.serviceAccountName;
  if (run.taskRunTemplate?.podTemplate) out.podTemplate = run.taskRunTemplate.podTemplate;
  const own = run.taskRunSpecs?.find((s) => s.pipelineTaskName === pipelineTask);
  if (!own) return out;
  if (own.serviceAccountName) out.serviceAccountName = own.serviceAccountName;
  if (own.podTemplate) out.podTemplate = { ...out.podTemplate, ...own.podTemplate };
  for (const k of ['stepSpecs', 'sidecarSpecs', 'metadata', 'computeResources', 'timeout'] as const) {
    if (own[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = own[k];
  }
  return out;
}

/** Adds the entries of `more` whose keys are not there yet (Tekton's addMetadataByPrecedence). */
function addAbsent(to: Record<string, string>, more: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(more ?? {})) if (!(k in to)) to[k] = v;
}

/**
 * Labels: the taskRunSpecs metadata first, then the PipelineRun's labels with Tekton's
 * (`tekton.dev/pipeline`, `…/pipelineRun`, `…/pipelineRunUID`, `…/pipelineTask`, `…/memberOf`,
 * `app.kubernetes.io/managed-by: kiln`), then the embedded taskSpec's; earlier wins, except that
 * the pipelineRun and pipelineTask labels (which find the children) are always kiln's.
 */
export function labelsFor(ctx: RunContext, t: TaskState, trs: PipelineTaskRunSpec): Record<string, string> {
  const pr = ctx.input.pipelineRun;
  const out: Record<string, string> = {};
  addAbsent(out, trs.metadata?.labels);
  addAbsent(out, {
    ...pr.metadata.labels,
    'tekton.dev/pipeline': ctx.id.pipelineName,
    'tekton.dev/pipelineRun': ctx.id.name,
    'tekton.dev/pipelineRunUID': pr.metadata.uid ?? '',
    'tekton.dev/pipelineTask': t.name,
    'tekton.dev/memberOf': t.final ? 'finally' : 'tasks',
    'app.kubernetes.io/managed-by': 'kiln',
  });
  addAbsent(out, t.pt.taskSpec?.metadata?.labels);
  out['tekton.dev/pipelineRun'] = ctx.id.name;
  out['tekton.dev/pipelineTask'] = t.name;
  return out;
}

/**
 * Annotations: taskRunSpecs metadata, the PipelineRun's (not kubectl's last-applied, nor kiln's
 * bookkeeping of a child PipelineRun), the embedded taskSpec's.
 */
export function annotationsFor(ctx: RunContext, t: TaskState, trs: PipelineTaskRunSpec): Record<string, string> {
  const out: Record<string, string> = {};
  addAbsent(out, trs.metadata?.annotations);
  const { [LAST_APPLIED]: _drop, [CANCEL_MESSAGE_ANNOTATION]: _cancel, [PIPELINE_CHAIN_ANNOTATION]: _chain, ...prAnnotations } = ctx.input.pipelineRun.metadata.annotations ?? {};
  addAbsent(out, prAnnotations);
  addAbsent(out, t.pt.taskSpec?.metadata?.annotations);
  return out;
}

/** The TaskSpec the task runs: inline, or the referenced Task's. */
export function taskSpecOf(ctx: RunContext, r: Resolved): TaskSpec | undefined {
  if (isInlineTaskSpec(r.pt.taskSpec)) return embeddedTaskSpec(r.pt.taskSpec);
  const name = r.pt.taskRef?.name;
  return name ? ctx.input.tasks.get(name) : undefined;
}

/**
 * An inline spec with a declaration for every bound workspace it does not declare (propagated
 * from the PipelineRun), as Tekton's TaskRun reconciler adds them before mounting.
 */
export function declarePropagated(spec: TaskSpec, bound: readonly string[]): TaskSpec {
  const missing = bound.filter((n) => !(spec.workspaces ?? []).some((d) => d.name === n));
  return missing.length ? { ...spec, workspaces: [...(spec.workspaces ?? []), ...missing.map((name) => ({ name }))] } : spec;
}

/** What a ready task turns into: TaskRuns (those not existing yet), or why the run fails. */
export type Creation = { create: TaskRunToCreate[] } | { failure: Failure };

/**
 * The TaskRuns of a ready task: one, or one per matrix combination (`<pr>-<task>-<i>`), each
 * with the combination's params before the task's. Existing children (by name) are skipped.
 * Matrix params that are not arrays fail the run (InvalidMatrixParameterTypes), too many
 * combinations too (PipelineValidationFailed); an unbound required workspace is CreateRunFailed.
 */
export function taskRunsFor(ctx: RunContext, t: TaskState, r: Resolved, existing: ReadonlySet<string>, maxCombinations = CONFIG_DEFAULTS.maxMatrixCombinations): Creation {
  const pt = r.pt;
  const trs = taskRunSpecFor(ctx, t.name);
  const inline = isInlineTaskSpec(pt.taskSpec);
  const spec = taskSpecOf(ctx, r);
  const ws = taskRunWorkspaces(pt, spec, inline, ctx.input.pipelineRun.spec.workspaces ?? [], ctx.input.pipelineRun.metadata.uid ?? '', runStrings(ctx.input, ctx.id));
  if ('error' in ws) return { failure: { reason: 'CreateRunFailed', message: USER_ERROR + ws.error } };
  const base: TaskRunSpec = {};
  if (inline) base.taskSpec = declarePropagated(embeddedTaskSpec(pt.taskSpec!), ws.workspaces.map((w) => w.name));
  else base.taskRef = { name: pt.taskRef?.name, kind: pt.taskRef?.kind || 'Task' };
  if (trs.serviceAccountName) base.serviceAccountName = trs.serviceAccountName;
  if (trs.podTemplate) base.podTemplate = trs.podTemplate;
  if (ws.workspaces.length) base.workspaces = ws.workspaces;
  if ((pt.retries ?? 0) > 0) base.retries = pt.retries;
  base.timeout = taskRunTimeout(ctx.deadlines, ctx.now, t.final, trs.timeout ?? pt.timeout);
  if (trs.stepSpecs) base.stepSpecs = trs.stepSpecs;
  if (trs.sidecarSpecs) base.sidecarSpecs = trs.sidecarSpecs;
  if (trs.computeResources !== undefined) base.computeResources = trs.computeResources;
  const labels = labelsFor(ctx, t, trs);
  const annotations = annotationsFor(ctx, t, trs);
  const make = (name: string, params: Param[], matrixIndex?: number): TaskRunToCreate => ({
    name,
    pipelineTask: t.name,
    ...(matrixIndex === undefined ? {} : { matrixIndex }),
    labels: { ...labels },
    annotations: { ...annotations },
    spec: { ...base, ...(params.length ? { params } : {}) },
  });
  if (!isMatrixed(pt.matrix)) {
    const name = taskRunName(ctx.id.name, t.name);
    return { create: existing.has(name) ? [] : [make(name, pt.params ?? [])] };
  }
  const problems = matrixTypeProblems(t.name, pt.matrix);
  if (problems.length) {
    return { failure: { reason: 'InvalidMatrixParameterTypes', message: `${USER_ERROR}PipelineRun ${ctx.id.namespace}/${ctx.id.name} parameters have invalid matrix parameter types: ${problems.join('; ')}` } };
  }
  const combos = fanOut(pt.matrix);
  if (combos.length > maxCombinations) {
    return { failure: { reason: 'PipelineValidationFailed', message: `${USER_ERROR}Pipeline ${ctx.id.namespace}/${ctx.id.pipelineName} can't be Run; it has an invalid spec: expected 0 <= ${combos.length} <= ${maxCombinations}: pipeline task "${t.name}" matrix combinations` } };
  }
  const create: TaskRunToCreate[] = [];
  combos.forEach((c, i) => {
    const name = matrixTaskRunName(ctx.id.name, t.name, i);
    if (!existing.has(name)) create.push(make(name, [...combinationParams(c), ...(pt.params ?? [])], i));
  });
  return { create };
}

/** The referenced Pipelines a run is nested in (its chain annotation), then its own, if referenced. */
function pipelineChain(ctx: RunContext): string[] {
  const pr = ctx.input.pipelineRun;
  const outer = (pr.metadata.annotations?.[PIPELINE_CHAIN_ANNOTATION] ?? '').split(',').filter(Boolean);
  const own = pr.spec.pipelineRef?.name;
  return own ? [...outer, own] : outer;
}

/**
 * The child PipelineRun of a ready PipelineTask with `pipelineRef`/`pipelineSpec` (Tekton §11):
 * named `<pr>-<task>` and labelled/annotated like a child TaskRun; its spec has the
 * `pipelineRef` (same namespace) or the `pipelineSpec`, the task's params (substituted), its
 * workspace bindings mapped from the run's, and the run's service account and pod template
 * (`taskRunTemplate` overlaid with the task's `taskRunSpecs` entry). The task's `timeout` and
 * `retries` are not applied and the run's timeouts are not propagated (Tekton's limitations).
 * Nothing when it exists already. A `pipelineRef` to a Pipeline the run is (nested in) a run of
 * would nest forever: that fails the run (PipelineValidationFailed).
 */
export function pipelineRunFor(ctx: RunContext, t: TaskState, r: Resolved, existing: ReadonlySet<string>): { create: PipelineRunToCreate[] } | { failure: Failure } {
  const name = taskRunName(ctx.id.name, t.name);
  if (existing.has(name)) return { create: [] };
  const pt = r.pt;
  const chain = pipelineChain(ctx);
  const ref = pt.pipelineSpec ? undefined : pt.pipelineRef?.name;
  if (ref && chain.includes(ref)) {
    return { failure: { reason: 'PipelineValidationFailed', message: `${USER_ERROR}Pipeline ${ctx.id.namespace}/${ctx.id.pipelineName} can't be Run; it has an invalid spec: pipeline task "${t.name}" runs Pipeline "${ref}", which it is already part of (pipelines in pipelines: ${[...chain, ref].join(' -> ')})` } };
  }
  const trs = taskRunSpecFor(ctx, t.name);
  const spec: PipelineRunSpec = {};
  if (pt.pipelineSpec) spec.pipelineSpec = pt.pipelineSpec;
  else spec.pipelineRef = { ...pt.pipelineRef };
  if (pt.params?.length) spec.params = pt.params;
  const workspaces = pipelineRunWorkspaces(pt, ctx.input.pipelineRun.spec.workspaces ?? [], ctx.input.pipelineRun.metadata.uid ?? '', runStrings(ctx.input, ctx.id));
  if (workspaces.length) spec.workspaces = workspaces;
  if (trs.serviceAccountName || trs.podTemplate) {
    spec.taskRunTemplate = {
      ...(trs.serviceAccountName ? { serviceAccountName: trs.serviceAccountName } : {}),
      ...(trs.podTemplate ? { podTemplate: trs.podTemplate } : {}),
    };
  }
  const annotations = annotationsFor(ctx, t, trs);
  if (chain.length) annotations[PIPELINE_CHAIN_ANNOTATION] = chain.join(',');
  return { create: [{ name, pipelineTask: t.name, labels: labelsFor(ctx, t, trs), annotations, spec }] };
}
