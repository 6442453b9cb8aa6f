// Inlining StepActions into the steps that reference them
// (pkg/reconciler/taskrun/resources/taskspec.go GetStepActionsData, apply.go applyStepActionParameters).
import type { Param, ParamSpec, ParamValue } from '../api/param.types.ts';
import type { Step } from '../api/container.types.ts';
import type { StepAction, StepActionSpec, TaskSpec } from '../api/task.types.ts';
import { paramTypeOf } from '../api/param.validation.ts';
import type { EngineError } from './errors.ts';
import { resolveParams } from './params.ts';
import { stepPathReplacements } from './paths.ts';
import { stepName } from './steptemplate.ts';
import {
  addParam, layered, paramKeys, paramReplacements, replaceParamValue, replaceStep,
  type Lookup, type ReplacementMaps, type Replacements,
} from './substitute.ts';

/** Finds a StepAction by name (the caller's store, or the objects of a file). */
export type StepActionLookup = (name: string) => StepAction | undefined;

/**
 * Replaces every step that has `ref.name` by the StepAction's image, command, args, env, script,
 * workingDir, results, volumeMounts and securityContext, keeping the step's own name, onError,
 * timeout, when, workspaces, stdout/stderrConfig, computeResources… The StepAction's `$(params.x)`
 * are its own params: the step's `params` (with the Task's params substituted first when
 * `taskParams` is given), then its defaults (defaults may reference other params), object defaults
 * completing partial objects. A param whose value is exactly a step result reference
 * (`$(steps.s.results.r[*])`) forwards that reference, resolved when the step runs.
 * `$(step.results.<r>.path)` and `$(step.artifacts.path)` of the inlined step are substituted too.
 * `ref.resolver` is an error: remote resolution is not available locally.
 */
export function inlineStepActions(spec: TaskSpec, lookup: StepActionLookup, taskParams?: Replacements): { spec: TaskSpec; errors: EngineError[] } {
  const errors: EngineError[] = [];
  const steps = (spec.steps ?? []).map((step, i) => {
    if (!step.ref) return step;
    const r = inlineOne(step, i, lookup, taskParams);
    errors.push(...r.errors);
    return r.step;
  });
  return { spec: { ...spec, steps }, errors };
}

function inlineOne(step: Step, i: number, lookup: StepActionLookup, taskParams?: Replacements): { step: Step; errors: EngineError[] } {
  const who = `step "${stepName(step, i)}"`;
  const ref = step.ref!;
  if (ref.resolver) {
    return fail(step, 'TaskRunResolutionFailed', `${who}: StepAction from resolver "${ref.resolver}" cannot be resolved: remote resolution is not supported locally`);
  }
  if (!ref.name) return fail(step, 'TaskRunResolutionFailed', `${who}: ref has neither name nor resolver`);
  const action = lookup(ref.name);
  if (!action) return fail(step, 'TaskRunResolutionFailed', `${who}: StepAction "${ref.name}" not found`);
  const sa = action.spec ?? {};
  const given: Param[] = (step.params ?? []).map((p) => ({ ...p, value: taskParams ? replaceParamValue(p.value, taskParams) : p.value }));
  const resolved = resolveParams(sa.params ?? [], given);
  const errors: EngineError[] = resolved.errors.map((e) => ({ reason: e.reason, message: `${who}: StepAction "${ref.name}": ${e.message}` }));
  const reps = stepActionReplacements(sa.params ?? [], resolved.values);
  const forwards = forwardedStepResults(sa.params ?? [], given);
  for (const name of forwards.arrays) for (const k of paramKeys(name)) reps.arrays.delete(k);
  const fromAction = replaceStep(actionAsStep(sa), { ...reps, strings: layered(forwards.strings, reps.strings) });
  const out = mergeAction(step, fromAction);
  const paths = stepPathReplacements(out, i);
  return { step: replaceStep(out, { strings: paths }), errors };
}

function fail(step: Step, reason: string, message: string): { step: Step; errors: EngineError[] } {
  return { step, errors: [{ reason, message }] };
}

/** Defaults first, then the resolved values over them (so object keys missing from a value keep their default). */
function stepActionReplacements(specs: readonly ParamSpec[], values: Map<string, ParamValue>): ReplacementMaps {
  const reps = paramReplacements(specs.filter((s) => s.default !== undefined).map((s) => [s.name, s.default!] as const));
  for (const [name, value] of values) addParam(reps, name, value);
  return reps;
}

function actionAsStep(sa: StepActionSpec): Step {
  const s: Step = {};
  if (sa.image !== undefined) s.image = sa.image;
  if (sa.command !== undefined) s.command = sa.command;
  if (sa.args !== undefined) s.args = sa.args;
  if (sa.env !== undefined) s.env = sa.env;
  if (sa.script !== undefined) s.script = sa.script;
  if (sa.workingDir !== undefined) s.workingDir = sa.workingDir;
  if (sa.volumeMounts !== undefined) s.volumeMounts = sa.volumeMounts;
  if (sa.results !== undefined) s.results = sa.results;
  if (sa.securityContext !== undefined) s.securityContext = sa.securityContext as Step['securityContext'];
  return s;
}

/** The referencing step with the StepAction's fields (GetStepActionsData). */
function mergeAction(step: Step, a: Step): Step {
  const out: Step = { ...step };
  delete out.ref;
  delete out.params;
  if (a.image !== undefined) out.image = a.image;
  if (a.securityContext !== undefined) out.securityContext = a.securityContext;
  if (a.command?.length) out.command = a.command;
  if (a.args?.length) out.args = a.args;
  if (a.script) out.script = a.script;
  if (a.workingDir !== undefined) out.workingDir = a.workingDir;
  if (a.env !== undefined) out.env = a.env;
  if (a.volumeMounts?.length) out.volumeMounts = a.volumeMounts;
  if (a.results?.length) out.results = a.results;
  return out;
}

const STEP_RESULT_REF = /^\$\(steps\.([^.()[\]]+)\.results\.([^.()[\]]+)(?:\[(?:\d+|\*)\])?\)$/;

/**
 * Params whose value is exactly a step result reference (apply.go replacementsFromStepResults):
 * `$(params.p)` → `$(steps.s.results.r)`; arrays: `$(params.p[*])` → `$(steps.s.results.r[*])`
 * and `$(params.p[i])` → `$(steps.s.results.r[i])`; objects: `$(params.p.k)` → `$(steps.s.results.r.k)`.
 */
function forwardedStepResults(specs: readonly ParamSpec[], given: readonly Param[]): { strings: Lookup<string>; arrays: string[] } {
  const fixed = new Map<string, string>();
  const indexed: Array<{ prefixes: string[]; target: string }> = [];
  const arrays: string[] = [];
  for (const p of given) {
    const m = typeof p.value === 'string' ? STEP_RESULT_REF.exec(p.value) : null;
    const spec = specs.find((s) => s.name === p.name);
    if (!m || !spec) continue;
    const target = `steps.${m[1]}.results.${m[2]}`;
    const type = paramTypeOf(spec);
    if (type === 'object') {
      for (const k of Object.keys(spec.properties ?? {})) fixed.set(`params.${p.name}.${k}`, `$(${target}.${k})`);
    } else if (type === 'array') {
      arrays.push(p.name);
      for (const k of paramKeys(p.name)) fixed.set(`${k}[*]`, `$(${target}[*])`);
      indexed.push({ prefixes: paramKeys(p.name).map((k) => `${k}[`), target });
    } else {
      for (const k of paramKeys(p.name)) fixed.set(k, p.value as string);
    }
  }
  return { strings: { get: (key) => fixed.get(key) ?? indexedTarget(key, indexed) }, arrays };
}

function indexedTarget(key: string, indexed: Array<{ prefixes: string[]; target: string }>): string | undefined {
  if (!key.endsWith(']')) return undefined;
  for (const { prefixes, target } of indexed) {
    for (const p of prefixes) {
      if (key.startsWith(p) && /^\d+$/.test(key.slice(p.length, -1))) return `$(${target}[${key.slice(p.length, -1)}])`;
    }
  }
  return undefined;
}
