// Variables used in a spec must exist: `$(params.x)` declared (standalone Tasks and Pipelines
// cannot rely on propagated params), `$(results.x.path)` declared, object keys declared.
import { fieldError } from './checks.ts';
import type { Step } from './container.types.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { ParamSpec } from './param.types.ts';
import { inferParamType } from './task.defaults.ts';
import { expressionsIn, parseParamRef } from './vars.ts';

/** [path, text] of every step field Tekton substitutes params into (task_validation.go validateStepVariables). */
export function stepStrings(step: Step, path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (p: string, v: unknown) => { if (typeof v === 'string' && v.includes('$(')) out.push([p, v]); };
  add(joinPath(path, 'name'), step.name);
  add(joinPath(path, 'image'), step.image);
  add(joinPath(path, 'workingDir'), step.workingDir);
  add(joinPath(path, 'script'), step.script);
  add(joinPath(path, 'onError'), step.onError);
  step.command?.forEach((c, i) => add(joinPath(joinPath(path, 'command'), i), c));
  step.args?.forEach((a, i) => add(joinPath(joinPath(path, 'args'), i), a));
  step.env?.forEach((e, i) => add(joinPath(joinPath(joinPath(path, 'env'), i), 'value'), e?.value));
  step.volumeMounts?.forEach((m, i) => {
    const mp = joinPath(joinPath(path, 'volumeMounts'), i);
    add(joinPath(mp, 'name'), m?.name);
    add(joinPath(mp, 'mountPath'), m?.mountPath);
    add(joinPath(mp, 'subPath'), m?.subPath);
  });
  return out;
}

/**
 * Errors for `$(params…)` references in `items` ([path, text]) that `specs` do not declare, and
 * for `$(params.obj.key)` keys an object param does not declare.
 */
export function undeclaredParams(items: Array<[string, string]>, specs: ParamSpec[] | undefined): FieldError[] {
  const byName = new Map((specs ?? []).map((s) => [s.name, s] as const));
  const errs: FieldError[] = [];
  for (const [path, text] of items) {
    for (const expr of expressionsIn(text)) {
      const ref = parseParamRef(expr);
      if (!ref) continue;
      const spec = byName.get(ref.name);
      if (!spec) {
        if (ref.key !== undefined && byName.has(`${ref.name}.${ref.key}`)) continue; // dotted name without brackets
        errs.push(fieldError(path, `non-existent variable in "$(${expr})": param "${ref.name}" is not declared`));
      } else if (ref.key !== undefined && inferParamType(spec) === 'object' && !Object.hasOwn(spec.properties ?? {}, ref.key)) {
        errs.push(fieldError(path, `non-existent variable in "$(${expr})": object param "${ref.name}" has no key "${ref.key}"`));
      }
    }
  }
  return errs;
}

const RESULT_PATH = /^results(?:\.([^.[\]]+)|\[(['"])(.+?)\2\])\.path$/;

/** Errors for `$(results.<name>.path)` in step scripts naming undeclared results. */
export function undeclaredResults(steps: Step[] | undefined, results: Array<{ name?: string }> | undefined, path: string): FieldError[] {
  const names = new Set((results ?? []).map((r) => r.name));
  const errs: FieldError[] = [];
  (steps ?? []).forEach((s, i) => {
    if (typeof s?.script !== 'string') return;
    for (const expr of expressionsIn(s.script)) {
      const m = RESULT_PATH.exec(expr);
      const name = m && (m[1] ?? m[3]);
      if (name && !names.has(name)) {
        errs.push(fieldError(joinPath(joinPath(joinPath(path, 'steps'), i), 'script'), `non-existent variable in "$(${expr})": result "${name}" is not declared`));
      }
    }
  });
  return errs;
}
