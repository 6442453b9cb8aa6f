// TaskRun validation (taskrun_validation.go).
import { checkDuration, duplicateNames, exactlyOneOf, fieldError, invalidValue, missingField } from './checks.ts';
import { validateMetadata } from './core.validation.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import { validateParams } from './paramspec.validation.ts';
import { validateRef } from './ref.validation.ts';
import { validateTaskSpec } from './task.validation.ts';
import type { TaskRun, TaskRunSpec } from './taskrun.types.ts';
import { validateWorkspaceBindings } from './workspace.validation.ts';

/** The values TaskRun `spec.status` accepts. */
export const TASKRUN_SPEC_STATUSES = ['TaskRunCancelled', 'TaskRunPending'] as const;

/**
 * Validates a TaskRun: metadata; exactly one of taskRef/taskSpec; the ref or inline spec (params
 * propagate into an inline spec, so they need not be declared there); params; workspace bindings;
 * timeout (Go duration ≥ 0); retries ≥ 0; status; debug; stepSpecs/sidecarSpecs.
 */
export function validateTaskRun(tr: TaskRun): FieldError[] {
  const spec: TaskRunSpec = tr.spec ?? {};
  const errs = validateMetadata(tr.metadata, 'TaskRun');
  errs.push(...exactlyOneOf(spec as Record<string, unknown>, 'spec', ['taskRef', 'taskSpec']));
  if (spec.taskRef) errs.push(...validateRef(spec.taskRef, 'spec.taskRef'));
  if (spec.taskSpec) errs.push(...validateTaskSpec(spec.taskSpec, 'spec.taskSpec'));
  errs.push(...validateParams(spec.params, 'spec.params'));
  errs.push(...validateWorkspaceBindings(spec.workspaces, 'spec.workspaces'));
  errs.push(...checkDuration(spec.timeout, 'spec.timeout').errors);
  if (spec.retries !== undefined && spec.retries < 0) errs.push(invalidValue('spec.retries', `${spec.retries} should be >= 0`));
  if (spec.status !== undefined && spec.status !== '' && !(TASKRUN_SPEC_STATUSES as readonly string[]).includes(spec.status)) {
    errs.push(invalidValue('spec.status', spec.status, `should be ${TASKRUN_SPEC_STATUSES.join(' or ')}`));
  }
  const onFailure = (spec.debug as { breakpoints?: { onFailure?: string } } | undefined)?.breakpoints?.onFailure;
  if (onFailure !== undefined && onFailure !== '' && onFailure !== 'enabled') {
    errs.push(invalidValue('spec.debug.breakpoints.onFailure', onFailure, 'onFailure breakpoint is empty or "enabled"'));
  }
  errs.push(...runStepSpecs(spec.stepSpecs, 'spec.stepSpecs'), ...runStepSpecs(spec.sidecarSpecs, 'spec.sidecarSpecs'));
  return errs;
}

/** stepSpecs / sidecarSpecs (also under PipelineRun taskRunSpecs): names present and unique. */
export function runStepSpecs(items: Array<{ name?: string }> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((s, i) => { if (!s.name) errs.push(missingField(joinPath(joinPath(path, i), 'name'))); });
  for (const [i, name] of duplicateNames(items)) {
    errs.push(fieldError(joinPath(joinPath(path, i), 'name'), `"${name}" appears more than once`));
  }
  return errs;
}
