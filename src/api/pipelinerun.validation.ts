// PipelineRun validation (pipelinerun_validation.go).
import { checkDuration, duplicateNames, exactlyOneOf, fieldError, invalidValue, missingField } from './checks.ts';
import { CONFIG_DEFAULTS } from './config.ts';
import { validateMetadata } from './core.validation.ts';
import { formatDuration, parseDuration } from './duration.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import { validateParams } from './paramspec.validation.ts';
import { validatePipelineSpec } from './pipeline.validation.ts';
import type { PipelineRun, PipelineRunSpec, TimeoutFields } from './pipelinerun.types.ts';
import { PIPELINERUN_SPEC_STATUSES } from './pipelinerun.types.ts';
import { validateRef } from './ref.validation.ts';
import { runStepSpecs } from './taskrun.validation.ts';
import { validateWorkspaceBindings } from './workspace.validation.ts';

/**
 * Validates a PipelineRun: metadata; exactly one of pipelineRef/pipelineSpec; the ref or inline
 * spec (params and workspaces propagate into it); params; status; timeouts (each a Go duration
 * ≥ 0; `tasks` and `finally` within `pipeline` unless `pipeline` is 0 = none); workspace bindings;
 * taskRunSpecs.
 */
export function validatePipelineRun(pr: PipelineRun, opts: { maxMatrixCombinations?: number } = {}): FieldError[] {
  const spec: PipelineRunSpec = pr.spec ?? {};
  const errs = validateMetadata(pr.metadata, 'PipelineRun');
  errs.push(...exactlyOneOf(spec as Record<string, unknown>, 'spec', ['pipelineRef', 'pipelineSpec']));
  if (spec.pipelineRef) errs.push(...validateRef(spec.pipelineRef, 'spec.pipelineRef'));
  if (spec.pipelineSpec) errs.push(...validatePipelineSpec(spec.pipelineSpec, 'spec.pipelineSpec', { ...opts, standalone: false }));
  errs.push(...validateParams(spec.params, 'spec.params'));
  if (spec.status !== undefined && spec.status !== '' && !(PIPELINERUN_SPEC_STATUSES as readonly string[]).includes(spec.status)) {
    errs.push(invalidValue('spec.status', spec.status, `should be ${PIPELINERUN_SPEC_STATUSES.join(', ')}`));
  }
  if (spec.timeouts) errs.push(...validateTimeouts(spec.timeouts, 'spec.timeouts'));
  errs.push(...validateWorkspaceBindings(spec.workspaces, 'spec.workspaces'));
  errs.push(...taskRunSpecs(spec));
  return errs;
}

/**
 * `timeouts`: each a Go duration ≥ 0; when `pipeline` is not 0 (none), `tasks` and `finally`
 * must be set within it (and not 0), and `tasks + finally ≤ pipeline`. An unset `pipeline`
 * counts as the default (60m).
 */
export function validateTimeouts(t: TimeoutFields, path: string, defaultTimeout = CONFIG_DEFAULTS.timeout): FieldError[] {
  const pipeline = checkDuration(t.pipeline, joinPath(path, 'pipeline'));
  const tasks = checkDuration(t.tasks, joinPath(path, 'tasks'));
  const fin = checkDuration(t.finally, joinPath(path, 'finally'));
  const errs = [...pipeline.errors, ...tasks.errors, ...fin.errors];
  const limit = t.pipeline === undefined ? parseDuration(defaultTimeout) : pipeline.ms;
  if (limit === undefined || limit === 0) return errs;
  for (const [field, r] of [['tasks', tasks], ['finally', fin]] as const) {
    if (r.ms === undefined) continue;
    if (r.ms === 0) errs.push(invalidValue(joinPath(path, field), '0s (no timeout) should be <= pipeline duration', 'set timeouts.pipeline to 0 too'));
    else if (r.ms > limit) errs.push(invalidValue(joinPath(path, field), `${formatDuration(r.ms)} should be <= pipeline duration`));
  }
  if (tasks.ms !== undefined && fin.ms !== undefined && tasks.ms > 0 && fin.ms > 0 && tasks.ms + fin.ms > limit) {
    errs.push(invalidValue(joinPath(path, 'finally'), `${formatDuration(tasks.ms)} + ${formatDuration(fin.ms)} should be <= pipeline duration`));
  }
  return errs;
}

/** taskRunSpecs: pipelineTaskName present, unique and (for an inline spec) a task of it; timeout; step/sidecar specs. */
function taskRunSpecs(spec: PipelineRunSpec): FieldError[] {
  const errs: FieldError[] = [];
  const inline = spec.pipelineSpec
    ? new Set([...(spec.pipelineSpec.tasks ?? []), ...(spec.pipelineSpec.finally ?? [])].map((t) => t.name))
    : undefined;
  (spec.taskRunSpecs ?? []).forEach((trs, i) => {
    const p = joinPath('spec.taskRunSpecs', i);
    if (!trs.pipelineTaskName) errs.push(missingField(joinPath(p, 'pipelineTaskName')));
    else if (inline && !inline.has(trs.pipelineTaskName)) {
      errs.push(invalidValue(joinPath(p, 'pipelineTaskName'), trs.pipelineTaskName, 'not a task of the pipeline'));
    }
    errs.push(...checkDuration(trs.timeout, joinPath(p, 'timeout')).errors);
    errs.push(...runStepSpecs(trs.stepSpecs, joinPath(p, 'stepSpecs')), ...runStepSpecs(trs.sidecarSpecs, joinPath(p, 'sidecarSpecs')));
  });
  const named = (spec.taskRunSpecs ?? []).map((t) => ({ name: t.pipelineTaskName }));
  for (const [i, name] of duplicateNames(named)) {
    errs.push(fieldError(joinPath(joinPath('spec.taskRunSpecs', i), 'pipelineTaskName'), `"${name}" appears more than once`));
  }
  return errs;
}
