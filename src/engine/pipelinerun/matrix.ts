// Matrix fan-out (matrix_types.go FanOut): the cartesian product of `matrix.params`, then the
// `include` rules; include-only matrices give their explicit combinations.
import type { Matrix } from '../../api/pipeline.types.ts';
import { typeOfValue, type Param } from '../../api/param.types.ts';

/** One combination: param name → value, in the order the names were first added. */
export type Combination = Map<string, string>;

/** Is this PipelineTask fanned out? (`matrix` with params or include entries) */
export function isMatrixed(m: Matrix | undefined): m is Matrix {
  return !!m && ((m.params?.length ?? 0) > 0 || (m.include?.length ?? 0) > 0);
}

function includeCombinations(m: Matrix): Combination[] {
  return (m.include ?? []).map((inc) => new Map((inc.params ?? []).map((p) => [p.name, String(p.value)])));
}

/**
 * The combinations, in Tekton's order: for each matrix param in turn, every value of it times
 * every combination so far (the new param's values vary slowest). Then each include entry is
 * merged into every combination whose shared params have the same values, and an include entry
 * matching no combination on any of its params is appended as a combination of its own.
 * Matrix param values must already be arrays (see {@link matrixTypeProblems}).
 */
export function fanOut(m: Matrix): Combination[] {
  const includes = includeCombinations(m);
  const params = m.params ?? [];
  if (params.length === 0) return includes;
  let combos: Combination[] = [];
  for (const p of params) {
    const values = Array.isArray(p.value) ? p.value : [String(p.value)];
    if (combos.length === 0) {
      combos = values.map((v) => new Map([[p.name, v]]));
      continue;
    }
    const next: Combination[] = [];
    for (const v of values) for (const c of combos) next.push(new Map([...c, [p.name, v]]));
    combos = next;
  }
  for (const c of combos) for (const inc of includes) if (contains(c, inc)) for (const [k, v] of inc) c.set(k, v);
  for (const inc of includes) if (shouldAdd(combos, inc)) combos.push(new Map(inc));
  return combos;
}

/** Every param the include entry shares with the combination has the same value there. */
function contains(c: Combination, inc: Combination): boolean {
  for (const [k, v] of inc) if (c.has(k) && c.get(k) !== v) return false;
  return true;
}

/** No combination holds any of the include entry's params with the same value. */
function shouldAdd(combos: Combination[], inc: Combination): boolean {
  if (inc.size === 0) return false;
  for (const c of combos) for (const [k, v] of inc) if (c.get(k) === v) return false;
  return true;
}

/** A combination as TaskRun params. */
export function combinationParams(c: Combination): Param[] {
  return [...c].map(([name, value]) => ({ name, value }));
}

/** Some matrix param resolved to an empty array: the task is skipped. */
export function hasEmptyArray(m: Matrix | undefined): boolean {
  return (m?.params ?? []).some((p) => Array.isArray(p.value) && p.value.length === 0);
}

/**
 * After substitution, matrix params must be arrays and include params strings
 * (ValidateParameterTypesInMatrix); returns one message per offending param.
 */
export function matrixTypeProblems(taskName: string, m: Matrix | undefined): string[] {
  const out: string[] = [];
  for (const p of m?.params ?? []) {
    const t = typeOfValue(p.value);
    if (t !== 'array') out.push(`parameters of type array only are allowed, but param "${p.name}" of pipeline task "${taskName}" has type "${t}"`);
  }
  for (const inc of m?.include ?? []) {
    for (const p of inc.params ?? []) {
      const t = typeOfValue(p.value);
      if (t !== 'string') out.push(`parameters of type string only are allowed in matrix.include, but param "${p.name}" of pipeline task "${taskName}" has type "${t}"`);
    }
  }
  return out;
}
