// Resolving a run's param values against a Task's declarations (defaults, object merges,
// defaults that reference other params, propagation into inline specs).
import type { Param, ParamSpec, ParamValue } from '../api/param.types.ts';
import { paramProblems, paramTypeOf } from '../api/param.validation.ts';
import { paramReplacements, replace } from './substitute.ts';

export type ParamErrorReason = 'ParameterMissing' | 'ParameterTypeMismatch' | 'InvalidParamValue' | 'ObjectParameterMissKeys';

/** A problem that fails the run, with the Tekton reason it is reported under. */
export interface ParamError {
  reason: ParamErrorReason;
  message: string;
}

export interface ResolvedParams {
  /** name → value, for every declared param that has one (and, with `propagate`, undeclared run params) */
  values: Map<string, ParamValue>;
  errors: ParamError[];
}

export interface ResolveOptions {
  /** inline taskSpec: run params the spec does not declare are visible too (Tekton propagation) */
  propagate?: boolean;
}

const PARAM_REF = /\$\(params\.([_a-zA-Z][_a-zA-Z0-9.-]*?)(?:\[[0-9*]+\])?\)|\$\(params\[["']([^"'\]]+)["']\]\)/g;

/**
 * The values a run sees: run values win, then defaults. Object defaults are merged under partial
 * run values (`object-param-result.yaml`). Defaults that reference other params
 * (`default: "$(params.a)-x"`) are substituted with the final values of those params, in
 * dependency order; a reference cycle is left as written. Errors carry Tekton's reasons.
 */
export function resolveParams(specs: readonly ParamSpec[] = [], runParams: readonly Param[] = [], opts: ResolveOptions = {}): ResolvedParams {
  const errors: ParamError[] = paramProblems(specs, runParams, true).map((p) => ({
    reason: p.reason === 'ExtraParameter' ? 'InvalidParamValue' : p.reason,
    message: p.index === undefined ? p.message : `parameter "${p.names[0]}": ${p.message}`,
  }));
  const given = new Map(runParams.map((p) => [p.name, p.value]));
  const values = new Map<string, ParamValue>();
  const referencing: ParamSpec[] = [];
  for (const spec of specs) {
    const run = given.get(spec.name);
    if (run !== undefined) values.set(spec.name, mergeObject(spec, run));
    else if (spec.default !== undefined && referencedParams(spec.default).length) referencing.push(spec);
    else if (spec.default !== undefined) values.set(spec.name, copy(spec.default));
  }
  if (opts.propagate) {
    for (const p of runParams) if (!values.has(p.name) && !specs.some((s) => s.name === p.name)) values.set(p.name, copy(p.value));
  }
  resolveReferencingDefaults(referencing, values);
  return { values, errors };
}

function copy(v: ParamValue): ParamValue {
  return Array.isArray(v) ? [...v] : typeof v === 'object' ? { ...v } : v;
}

/** A run's object value completed with the default's keys (run keys win). */
function mergeObject(spec: ParamSpec, run: ParamValue): ParamValue {
  const def = spec.default;
  if (paramTypeOf(spec) !== 'object' || typeof run !== 'object' || Array.isArray(run)) return copy(run);
  if (typeof def !== 'object' || Array.isArray(def)) return { ...run };
  return { ...def, ...run };
}

/** Params referenced by `$(params.x…)` / `$(params['x'])` in a value (`obj.key` for object keys). */
export function referencedParams(v: ParamValue): string[] {
  const texts = Array.isArray(v) ? v : typeof v === 'object' ? Object.values(v) : [v];
  const names = new Set<string>();
  for (const t of texts) {
    if (typeof t !== 'string') continue;
    for (const m of t.matchAll(PARAM_REF)) {
      names.add(m[1] ?? m[2]);
    }
  }
  return [...names];
}

function resolveReferencingDefaults(pending: ParamSpec[], values: Map<string, ParamValue>): void {
  const waiting = new Set(pending.map((s) => s.name));
  let left = [...pending];
  while (left.length) {
    const ready = left.filter((s) => !referencedParams(s.default!).some((n) => waiting.has(baseName(n, waiting))));
    const batch = ready.length ? ready : left; // a reference cycle: substitute what is known, leave the rest
    const reps = paramReplacements(values);
    for (const s of batch) {
      values.set(s.name, substituteDefault(s.default!, reps.strings));
      waiting.delete(s.name);
    }
    left = left.filter((s) => !batch.includes(s));
  }
}

function baseName(ref: string, names: Set<string>): string {
  if (names.has(ref)) return ref;
  const dot = ref.indexOf('.');
  return dot > 0 ? ref.slice(0, dot) : ref;
}

function substituteDefault(v: ParamValue, strings: Map<string, string>): ParamValue {
  if (Array.isArray(v)) return v.map((x) => replace(x, strings));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x, strings)]));
  return replace(v, strings);
}
