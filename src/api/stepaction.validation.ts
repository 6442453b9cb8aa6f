// StepAction validation (stepaction_validation.go).
import { fieldError, missingField } from './checks.ts';
import { validateMetadata } from './core.validation.ts';
import type { FieldError } from './errors.ts';
import { validateParamSpecs } from './paramspec.validation.ts';
import { stepStrings, undeclaredParams } from './paramusage.validation.ts';
import { validateResults } from './result.validation.ts';
import type { StepAction, StepActionSpec } from './task.types.ts';
import { validateStep } from './task.validation.ts';
import { expressionsIn, parseParamRef } from './vars.ts';

/**
 * Validates a StepAction: metadata; `spec.image` required; script and command exclusive;
 * params (declared, and used only where declared — never inside `script`); results; volumeMounts.
 */
export function validateStepAction(sa: StepAction): FieldError[] {
  const spec: StepActionSpec = sa.spec ?? {};
  const errs = validateMetadata(sa.metadata, 'StepAction');
  if (!spec.image) errs.push(missingField('spec.image'));
  // The step rules cover script+command, volumeMounts under /tekton/ and reserved names.
  const { command, args, env, script, workingDir, volumeMounts } = spec;
  const asStep = { image: spec.image ?? 'x', command, args, env, script, workingDir, volumeMounts };
  errs.push(...validateStep(asStep, 'spec'));
  errs.push(...validateParamSpecs(spec.params, 'spec.params'));
  errs.push(...validateResults(spec.results, 'spec.results'));
  if (typeof spec.script === 'string' && expressionsIn(spec.script).some((e) => parseParamRef(e))) {
    errs.push(fieldError('spec.script', 'param substitution in scripts is not allowed (pass params through env)'));
  }
  const used = stepStrings({ ...asStep, script: undefined, image: spec.image }, 'spec');
  errs.push(...undeclaredParams(used, spec.params));
  return errs;
}
