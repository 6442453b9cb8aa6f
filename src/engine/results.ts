// Task and step results: reading the raw files a step wrote into typed values, and the run-time
// substitution of `$(steps.<s>.results.<r>…)` into a later step's env/command/args
// (pkg/pod/status.go, pkg/entrypoint/entrypointer.go applyStepResultSubstitutions).
import type { ParamType, ParamValue, ResultValue, TaskResult } from '../api/param.types.ts';
import type { EnvVar } from '../api/container.types.ts';
import type { EngineError } from './errors.ts';
import { replace, replaceArray, type ReplacementMaps, type Replacements } from './substitute.ts';

/** The declared type of a result: explicit, else `properties` ⇒ object, else string. */
export function resultTypeOf(r: { type?: ParamType; properties?: unknown }): ParamType {
  return r.type ?? (r.properties ? 'object' : 'string');
}

/** Raw text → typed value: strings verbatim; arrays/objects must be JSON of strings. */
export function parseResultValue(raw: string, type: ParamType): { value: ParamValue } | { error: string } {
  if (type === 'string') return { value: raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { error: `expected a JSON ${type}, got ${JSON.stringify(shorten(raw))}` };
  }
  if (type === 'array') {
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return { value: parsed };
    return { error: `expected a JSON array of strings, got ${JSON.stringify(shorten(raw))}` };
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((x) => typeof x === 'string')) {
    return { value: parsed as Record<string, string> };
  }
  return { error: `expected a JSON object of strings, got ${JSON.stringify(shorten(raw))}` };
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

const STEP_RESULT_VALUE = /^\$\(steps\.([^.()[\]]+)\.results\.([^.()[\]]+)\)$/;

/**
 * The TaskRun's results from the files its steps wrote (`raw`: result name → file content).
 * Strings are taken verbatim (no trimming); arrays/objects are parsed and type-checked, an object
 * must hold every declared key. A result declared with `value: $(steps.s.results.r)` is taken from
 * `stepResults[s][r]`. Undeclared files are ignored; declared but unwritten results are skipped.
 */
export function parseResults(
  declared: readonly TaskResult[],
  raw: Readonly<Record<string, string>>,
  stepResults: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): { results: ResultValue[]; errors: EngineError[] } {
  const results: ResultValue[] = [];
  const errors: EngineError[] = [];
  for (const r of declared) {
    const text = rawFor(r, raw, stepResults);
    if (text === undefined) continue;
    const type = resultTypeOf(r);
    const parsed = parseResultValue(text, type);
    if ('error' in parsed) {
      errors.push(invalid(`result "${r.name}": ${parsed.error}`));
      continue;
    }
    if (type === 'object') {
      const missing = Object.keys(r.properties ?? {}).filter((k) => !(k in (parsed.value as Record<string, string>)));
      if (missing.length) {
        errors.push(invalid(`result "${r.name}": missing key(s) declared in properties: ${missing.join(', ')}`));
        continue;
      }
    }
    results.push({ name: r.name, type, value: parsed.value });
  }
  return { results, errors };
}

function rawFor(r: TaskResult, raw: Readonly<Record<string, string>>, steps: Readonly<Record<string, Readonly<Record<string, string>>>>): string | undefined {
  const m = typeof r.value === 'string' ? STEP_RESULT_VALUE.exec(r.value) : null;
  if (m) return steps[m[1]]?.[m[2]];
  return Object.hasOwn(raw, r.name) ? raw[r.name] : undefined;
}

function invalid(message: string): EngineError {
  return { reason: 'TaskRunValidationFailed', message: `Provided results don't match declared results; ${message}` };
}

/** Declared step results, by step name: `{ build: [{ name: 'digest', type: 'string' }] }`. */
export type DeclaredStepResults = Readonly<Record<string, ReadonlyArray<{ name: string; type?: ParamType; properties?: unknown }> | undefined>>;

/**
 * Replacements for the results earlier steps wrote (`stepResults[step][result]` = raw text):
 * `steps.<s>.results.<r>` (string), `…<r>[i]` and the whole array (expanding where a list element
 * is exactly `$(steps.s.results.r[*])`), `…<r>.<key>` for objects. The declared type decides how
 * the text is read; an undeclared result is an array/object when its text is such JSON.
 */
export function stepResultReplacements(
  stepResults: Readonly<Record<string, Readonly<Record<string, string>>>>,
  declared: DeclaredStepResults = {},
): { replacements: ReplacementMaps; errors: EngineError[] } {
  const reps: ReplacementMaps = { strings: new Map(), arrays: new Map(), objects: new Map() };
  const errors: EngineError[] = [];
  for (const [step, results] of Object.entries(stepResults)) {
    for (const [name, text] of Object.entries(results)) {
      const decl = declared[step]?.find((d) => d.name === name);
      const type = decl ? resultTypeOf(decl) : sniffType(text);
      const parsed = parseResultValue(text, type);
      if ('error' in parsed) {
        errors.push({ reason: 'InvalidParamValue', message: `step "${step}" result "${name}": ${parsed.error}` });
        continue;
      }
      addStepResult(reps, `steps.${step}.results.${name}`, parsed.value);
    }
  }
  return { replacements: reps, errors };
}

function sniffType(text: string): ParamType {
  const t = text.trimStart();
  if (t.startsWith('[') && 'value' in parseResultValue(text, 'array')) return 'array';
  if (t.startsWith('{') && 'value' in parseResultValue(text, 'object')) return 'object';
  return 'string';
}

function addStepResult(reps: ReplacementMaps, key: string, value: ParamValue): void {
  if (Array.isArray(value)) {
    reps.arrays.set(key, value);
    value.forEach((v, i) => reps.strings.set(`${key}[${i}]`, v));
  } else if (typeof value === 'object') {
    reps.objects.set(key, value);
    for (const [k, v] of Object.entries(value)) reps.strings.set(`${key}.${k}`, v);
  } else {
    reps.strings.set(key, value);
  }
}

/** What run-time step result substitution touches: env values, command and args. */
export interface StepResultTarget {
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }> | EnvVar[];
}

/**
 * Applies step result replacements to a step about to run: env values (strings only), and
 * command/args where `$(steps.s.results.r[*])` (or `$(steps.s.results.r)` of an array) that is a
 * whole element expands. Scripts are not touched (Tekton substitutes step results only here).
 */
export function applyStepResults<T extends StepResultTarget>(c: T, reps: Replacements): T {
  const out: T = { ...c };
  if (c.command) out.command = replaceArray(c.command, reps.strings, reps.arrays);
  if (c.args) out.args = replaceArray(c.args, reps.strings, reps.arrays);
  if (c.env) out.env = c.env.map((e) => (e.value === undefined ? { ...e } : { ...e, value: replace(e.value, reps.strings) })) as T['env'];
  return out;
}
