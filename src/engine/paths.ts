// Where Tekton puts things inside a step, and the per-step path variables that point there
// (pkg/apis/pipeline/paths.go, apply.go getStepResultReplacements / getArtifactReplacements).
import type { Step } from '../api/container.types.ts';
import { bracketKeys } from './substitute.ts';
import { stepContainerName } from './steptemplate.ts';

/** `$(results.<r>.path)` directory. */
export const RESULTS_DIR = '/tekton/results';
/** Per-step directories: exitCode, results/, artifacts/. */
export const STEPS_DIR = '/tekton/steps';
/** `$(credentials.path)`. */
export const CREDS_DIR = '/tekton/creds';
/** Task-level artifacts directory (`$(artifacts.path)` is the provenance file in it). */
export const ARTIFACTS_DIR = '/tekton/artifacts';

/** `/tekton/steps/step-<name>` (or `step-unnamed-<i>`). */
export function stepDir(step: Step, i: number): string {
  return `${STEPS_DIR}/${stepContainerName(step, i)}`;
}

/**
 * The variables whose value depends on the step they appear in: `$(step.results.<r>.path)` (and
 * bracket forms) for each result the step declares → `/tekton/steps/step-<name>/results/<r>`, and
 * `$(step.artifacts.path)` → `/tekton/steps/step-<name>/artifacts/provenance.json` (as Tekton).
 */
export function stepPathReplacements(step: Step, i: number): Map<string, string> {
  const dir = stepDir(step, i);
  const m = new Map<string, string>();
  for (const r of step.results ?? []) {
    for (const key of bracketKeys('step.results', r.name, '.path')) m.set(key, `${dir}/results/${r.name}`);
  }
  m.set('step.artifacts.path', `${dir}/artifacts/provenance.json`);
  return m;
}
