// The pure pipeline from a TaskRun + TaskSpec to the spec that runs
// (pkg/reconciler/taskrun/taskrun.go applyParamsContextsResultsAndWorkspaces, resources/apply.go).
import type { Param, ParamValue, TaskResult } from '../api/param.types.ts';
import type { Sidecar, Step } from '../api/container.types.ts';
import type { TaskSpec } from '../api/task.types.ts';
import type { WorkspaceBinding, WorkspaceDeclaration } from '../api/workspace.types.ts';
import type { EngineError } from './errors.ts';
import { resolveParams } from './params.ts';
import { ARTIFACTS_DIR, CREDS_DIR, RESULTS_DIR, stepDir, stepPathReplacements } from './paths.ts';
import { inlineStepActions, type StepActionLookup } from './stepaction.ts';
import { mergeStepTemplate, stepContainerName } from './steptemplate.ts';
import { bracketKeys, paramReplacements, replace, replaceAll, type Lookup, type ReplacementMaps } from './substitute.ts';

export { resolveParams, type ParamError, type ResolvedParams } from './params.ts';
export { inlineStepActions, type StepActionLookup } from './stepaction.ts';
export { parseResults, stepResultReplacements, applyStepResults, type StepResultTarget } from './results.ts';
export { stepName, stepContainerName, mergeStepTemplate } from './steptemplate.ts';
export type { EngineError } from './errors.ts';

/** What the run being applied provides. */
export interface RunInput {
  params?: readonly Param[];
  workspaces?: readonly WorkspaceBinding[];
}

/** Where the run sits; `retryCount` (= retries so far) is substituted only for inline specs. */
export interface ApplyContext {
  taskRunName: string;
  namespace: string;
  uid: string;
  taskName: string;
  retryCount: number;
  /** the TaskRun carries `taskSpec` (params/workspaces propagate; `context.task.retry-count` substituted) */
  inline: boolean;
  /** when given, steps with `ref` are inlined here, after the Task's params are known (preferred) */
  stepActions?: StepActionLookup;
  /** `$(credentials.path)`; default `/tekton/creds` */
  credentialsPath?: string;
}

/** Everything {@link buildReplacements} needs. */
export interface ReplacementInput {
  params: ReadonlyMap<string, ParamValue>;
  results?: readonly TaskResult[];
  workspaces?: readonly WorkspaceDeclaration[];
  bindings?: readonly WorkspaceBinding[];
  context?: { taskRunName: string; namespace: string; uid: string; taskName: string; retryCount?: number };
  steps?: readonly Step[];
  sidecars?: readonly Sidecar[];
  credentialsPath?: string;
}

/**
 * Replacements in Tekton's two stages: `params` first (their values may hold other variables),
 * then `common` for everything else, with `steps[i]` / `sidecars[i]` layered over `common` for
 * that container only (its `step.results`/`step.artifacts` paths, workspace mountPath overrides).
 */
export interface TaskReplacements {
  params: ReplacementMaps;
  common: Map<string, string>;
  steps: Map<string, string>[];
  sidecars: Map<string, string>[];
}

/**
 * Builds every replacement a Task's fields see: params (all spellings, `[i]`, `.key`, legacy
 * `inputs.params`), `results.<r>.path` (+ bracket forms) → `/tekton/results/<r>`, workspaces
 * (`path` — mountPath or `/workspace/<name>`, "" if optional and unbound; `bound`; `claim` and
 * `volume` (`ws-<name>`) for bound ones; undeclared bindings are propagated), `context.*`,
 * `credentials.path`, `steps.step-<name>.exitCode.path`, `artifacts.path`, and per step
 * `step.results.<r>.path` and `step.artifacts.path`.
 */
export function buildReplacements(input: ReplacementInput): TaskReplacements {
  const common = new Map<string, string>();
  const steps = input.steps ?? [];
  const sidecars = input.sidecars ?? [];
  for (const r of input.results ?? []) {
    for (const k of bracketKeys('results', r.name, '.path')) common.set(k, `${RESULTS_DIR}/${r.name}`);
  }
  const ctx = input.context;
  if (ctx) {
    common.set('context.taskRun.name', ctx.taskRunName);
    common.set('context.taskRun.namespace', ctx.namespace);
    common.set('context.taskRun.uid', ctx.uid);
    common.set('context.task.name', ctx.taskName);
    if (ctx.retryCount !== undefined) common.set('context.task.retry-count', String(ctx.retryCount));
  }
  common.set('credentials.path', input.credentialsPath ?? CREDS_DIR);
  common.set('artifacts.path', `${ARTIFACTS_DIR}/provenance.json`);
  steps.forEach((s, i) => common.set(`steps.${stepContainerName(s, i)}.exitCode.path`, `${stepDir(s, i)}/exitCode`));
  const stepMaps = steps.map((s, i) => stepPathReplacements(s, i));
  const sidecarMaps = sidecars.map(() => new Map<string, string>());
  addWorkspaces(input, common, stepMaps, sidecarMaps);
  return { params: paramReplacements(input.params), common, steps: stepMaps, sidecars: sidecarMaps };
}

function addWorkspaces(input: ReplacementInput, common: Map<string, string>, stepMaps: Map<string, string>[], sidecarMaps: Map<string, string>[]): void {
  const bindings = input.bindings ?? [];
  const bound = new Set(bindings.map((b) => b.name));
  const declared = [...(input.workspaces ?? [])];
  for (const b of bindings) if (!declared.some((d) => d.name === b.name)) declared.push({ name: b.name });
  for (const d of declared) {
    const key = `workspaces.${d.name}`;
    if (d.optional && !bound.has(d.name)) {
      common.set(`${key}.bound`, 'false');
      common.set(`${key}.path`, '');
      continue;
    }
    common.set(`${key}.bound`, 'true');
    common.set(`${key}.path`, d.mountPath || `/workspace/${d.name}`);
    overridePath(input.steps ?? [], stepMaps, d.name, `${key}.path`);
    overridePath(input.sidecars ?? [], sidecarMaps, d.name, `${key}.path`);
  }
  for (const b of bindings) {
    common.set(`workspaces.${b.name}.claim`, b.persistentVolumeClaim?.claimName ?? '');
    common.set(`workspaces.${b.name}.volume`, `ws-${b.name}`);
  }
}

function overridePath(containers: ReadonlyArray<Step | Sidecar>, maps: Map<string, string>[], ws: string, key: string): void {
  containers.forEach((c, i) => {
    const usage = c.workspaces?.find((u) => u.name === ws && u.mountPath);
    if (usage) maps[i].set(key, usage.mountPath!);
  });
}

/** Param substitution in the run's workspace bindings (ApplyParametersToWorkspaceBindings). */
export function applyParamsToBindings(bindings: readonly WorkspaceBinding[], strings: Lookup<string>): WorkspaceBinding[] {
  return bindings.map((b) => {
    const out: WorkspaceBinding = { ...b };
    if (b.subPath !== undefined) out.subPath = replace(b.subPath, strings);
    if (b.persistentVolumeClaim) out.persistentVolumeClaim = { ...b.persistentVolumeClaim, claimName: replace(b.persistentVolumeClaim.claimName, strings) };
    if (b.configMap) out.configMap = { ...b.configMap, name: replace(b.configMap.name, strings) };
    if (b.secret) out.secret = { ...b.secret, secretName: replace(b.secret.secretName, strings) };
    if (b.projected?.sources) {
      out.projected = {
        ...b.projected,
        sources: b.projected.sources.map((s) => ({
          ...s,
          ...(s.configMap ? { configMap: { ...s.configMap, name: replace(s.configMap.name, strings) } } : {}),
          ...(s.secret ? { secret: { ...s.secret, name: replace(s.secret.name, strings) } } : {}),
        })),
      };
    }
    return out;
  });
}

/** The result of {@link applyTaskRun}. */
export interface AppliedTaskRun {
  /** the spec that runs: steps merged with stepTemplate, every known variable substituted */
  spec: TaskSpec;
  /** the run's workspace bindings with params substituted */
  workspaces: WorkspaceBinding[];
  errors: EngineError[];
}

/**
 * Turns a TaskSpec and its run into the spec that runs: resolves params (defaults, object
 * merges, propagation for inline specs), inlines StepActions when `ctx.stepActions` is given,
 * merges stepTemplate into steps (the step wins; env by name, volumeMounts by mountPath), then
 * substitutes params, and after them context, results, workspaces, exit-code, credentials and
 * artifact paths. Step names are not changed (see `stepName` for the status name).
 */
export function applyTaskRun(spec: TaskSpec, run: RunInput, ctx: ApplyContext): AppliedTaskRun {
  const resolved = resolveParams(spec.params ?? [], run.params ?? [], { propagate: ctx.inline });
  const errors: EngineError[] = [...resolved.errors];
  const params = paramReplacements(resolved.values);
  let s = spec;
  if (ctx.stepActions) {
    const inlined = inlineStepActions(s, ctx.stepActions, params);
    s = inlined.spec;
    errors.push(...inlined.errors);
  }
  s = replaceAll({ ...s, steps: mergeStepTemplate(s.stepTemplate, s.steps ?? []) }, params);
  const reps = buildReplacements({
    params: resolved.values,
    results: s.results,
    workspaces: s.workspaces,
    bindings: run.workspaces,
    context: { taskRunName: ctx.taskRunName, namespace: ctx.namespace, uid: ctx.uid, taskName: ctx.taskName, retryCount: ctx.inline ? ctx.retryCount : undefined },
    steps: s.steps,
    sidecars: s.sidecars,
    credentialsPath: ctx.credentialsPath,
  });
  s = replaceAll(s, { strings: reps.common, step: (i) => reps.steps[i], sidecar: (i) => reps.sidecars[i] });
  return { spec: s, workspaces: applyParamsToBindings(run.workspaces ?? [], params.strings), errors };
}
