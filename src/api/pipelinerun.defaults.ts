// Defaults for PipelineRuns (pipelinerun_defaults.go): timeouts, service account, inline spec.
import type { RunDefaults } from './config.ts';
import { CONFIG_DEFAULTS } from './config.ts';
import { defaultPipelineSpec } from './pipeline.defaults.ts';
import type { PipelineRun, PipelineRunSpec } from './pipelinerun.types.ts';

/**
 * A PipelineRunSpec with `timeouts.pipeline` (default `60m`, as Tekton: whenever it is not set),
 * `taskRunTemplate.serviceAccountName` (default `default`) and an inline `pipelineSpec` defaulted.
 */
export function defaultPipelineRunSpec(spec: PipelineRunSpec, config: Partial<RunDefaults> = {}): PipelineRunSpec {
  const { timeout, serviceAccountName } = { ...CONFIG_DEFAULTS, ...config };
  const out: PipelineRunSpec = { ...spec };
  out.timeouts = { ...spec.timeouts };
  if (out.timeouts.pipeline === undefined) out.timeouts.pipeline = timeout;
  out.taskRunTemplate = { ...spec.taskRunTemplate };
  if (!out.taskRunTemplate.serviceAccountName) out.taskRunTemplate.serviceAccountName = serviceAccountName;
  if (spec.pipelineSpec) out.pipelineSpec = defaultPipelineSpec(spec.pipelineSpec);
  return out;
}

/** A PipelineRun with its spec defaulted; metadata (namespace included) is left to the caller. */
export function defaultPipelineRun(pr: PipelineRun, config: Partial<RunDefaults> = {}): PipelineRun {
  return { ...pr, spec: defaultPipelineRunSpec(pr.spec ?? {}, config) };
}
