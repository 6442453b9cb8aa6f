// Defaults for Tasks, inline TaskSpecs and StepActions (param_types.go / result_defaults.go SetDefaults).
import type { ParamSpec, ParamType, PropertySpec, StepResult, TaskResult } from './param.types.ts';
import { typeOfValue } from './param.types.ts';
import type { StepAction, StepActionSpec, Task, TaskSpec } from './task.types.ts';

/** A param's type: explicit `type` > `properties` present ⇒ object > type of `default` > string. */
export function inferParamType(p: Pick<ParamSpec, 'type' | 'properties' | 'default'>): ParamType {
  if (p.type) return p.type;
  if (p.properties !== undefined) return 'object';
  if (p.default !== undefined) return typeOfValue(p.default);
  return 'string';
}

/** A ParamSpec with its `type` inferred and its properties' types defaulted to string. */
export function defaultParamSpec(p: ParamSpec): ParamSpec {
  const out: ParamSpec = { ...p, type: inferParamType(p) };
  if (p.properties) out.properties = defaultProperties(p.properties);
  return out;
}

/** `defaultParamSpec` over a list (undefined stays undefined). */
export function defaultParamSpecs(ps: ParamSpec[] | undefined): ParamSpec[] | undefined {
  return ps?.map(defaultParamSpec);
}

/** A Task or step result with `type` defaulted: object when it has `properties`, else string. */
export function defaultResult<R extends TaskResult | StepResult>(r: R): R {
  const out: R = { ...r, type: r.type || (r.properties !== undefined ? 'object' : 'string') };
  if (r.properties) out.properties = defaultProperties(r.properties);
  return out;
}

/** A TaskSpec with param, result and step-result types defaulted. Steps' `onError` is left as given. */
export function defaultTaskSpec<S extends Partial<TaskSpec>>(spec: S): S {
  const out: S = { ...spec };
  if (spec.params) out.params = spec.params.map(defaultParamSpec);
  if (spec.results) out.results = spec.results.map(defaultResult);
  if (spec.steps) {
    out.steps = spec.steps.map((s) => (s.results ? { ...s, results: s.results.map(defaultResult) } : s));
  }
  return out;
}

/** A Task with its spec defaulted; returns a new object. */
export function defaultTask(task: Task): Task {
  return { ...task, spec: defaultTaskSpec(task.spec ?? ({} as TaskSpec)) };
}

/** A StepAction with param and result types defaulted; returns a new object. */
export function defaultStepAction(sa: StepAction): StepAction {
  const spec: StepActionSpec = { ...(sa.spec ?? {}) };
  if (spec.params) spec.params = spec.params.map(defaultParamSpec);
  if (spec.results) spec.results = spec.results.map(defaultResult);
  return { ...sa, spec };
}

function defaultProperties(props: Record<string, PropertySpec>): Record<string, PropertySpec> {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, { ...v, type: v?.type || 'string' }]));
}

/** Alias of `defaultTaskSpec` for a resolved Task's spec (as the TaskRun controller calls it). */
export function applyTaskDefaults(spec: TaskSpec): TaskSpec {
  return defaultTaskSpec(spec);
}
