// When expressions (when_validation.go), for PipelineTasks and steps.
import { fieldError, invalidValue, missingField } from './checks.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { WhenExpression } from './when.types.ts';

const OPERATORS = ['in', 'notin'];

/**
 * Checks `when` expressions at `path`: either `cel` alone, or `input` + `operator` (in|notin)
 * + non-empty `values`.
 */
export function validateWhenExpressions(whens: WhenExpression[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (whens ?? []).forEach((w, i) => {
    const wp = joinPath(path, i);
    const hasClassic = w.input !== undefined || w.operator !== undefined || w.values !== undefined;
    if (w.cel !== undefined && w.cel !== '') {
      if (hasClassic) errs.push(fieldError(wp, 'cel and input+operator+values cannot be set in one WhenExpression'));
      return;
    }
    if (!hasClassic) {
      errs.push(missingField(wp));
      return;
    }
    if (!OPERATORS.includes(w.operator ?? '')) {
      errs.push(invalidValue(joinPath(wp, 'operator'), `operator "${w.operator ?? ''}" is not recognized. valid operators: ${OPERATORS.join(',')}`));
    }
    if (!w.values || w.values.length === 0) errs.push(invalidValue(joinPath(wp, 'values'), 'expecting non-empty values field'));
  });
  return errs;
}
