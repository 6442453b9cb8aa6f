// When expressions (`in` / `notin`), evaluated after substitution (when_types.go).
import type { WhenExpression } from '../api/when.types.ts';
import { replaceWhen, type Replacements } from './substitute.ts';

/** The outcome: `run` is the AND of every expression; `evaluated` are the substituted expressions. */
export interface WhenOutcome {
  run: boolean;
  evaluated: WhenExpression[];
  /** problems that stop evaluation (e.g. CEL); `run` is false when any is present */
  errors: string[];
}

/**
 * Substitutes `input` (string) and `values` (a value that is exactly an array reference expands)
 * and evaluates every expression: `in` ⇒ input is one of values, `notin` ⇒ it is none of them.
 * An empty list runs. `cel` expressions are not supported yet and are reported as errors.
 */
export function evaluateWhen(exprs: readonly WhenExpression[] | undefined, reps: Replacements = { strings: new Map() }): WhenOutcome {
  const evaluated = replaceWhen(exprs ?? [], reps.strings, reps.arrays);
  const errors: string[] = [];
  let run = true;
  evaluated.forEach((w, i) => {
    if (w.cel !== undefined) {
      errors.push('cel when expressions are not supported yet');
      return;
    }
    const op = w.operator;
    if (op !== 'in' && op !== 'notin') {
      errors.push(`when[${i}]: operator ${JSON.stringify(op ?? '')} is not supported (use "in" or "notin")`);
      return;
    }
    const found = (w.values ?? []).includes(w.input ?? '');
    if (found !== (op === 'in')) run = false;
  });
  return { run: run && errors.length === 0, evaluated, errors };
}
