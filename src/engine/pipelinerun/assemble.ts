// Writing the PipelineRun status object: managed fields in a fixed order (so an unchanged status
// serialises identically and the controller can skip the write), unmanaged ones kept.
import type { Condition } from '../../api/meta.ts';
import type { ChildStatusReference, PipelineRunStatus } from '../../api/pipelinerun.types.ts';
import type { FactsInput } from './facts.types.ts';

/** The fields decide() owns; absent or empty ones are left out. */
export interface StatusParts {
  condition: Condition;
  startTime?: string;
  completionTime?: string;
  finallyStartTime?: string;
  pipelineSpec?: PipelineRunStatus['pipelineSpec'];
  childReferences?: PipelineRunStatus['childReferences'];
  skippedTasks?: PipelineRunStatus['skippedTasks'];
  results?: PipelineRunStatus['results'];
}

/**
 * The next status: `conditions`, `startTime`, `completionTime`, `finallyStartTime`,
 * `pipelineSpec`, `childReferences`, `skippedTasks`, `results` from `parts` (in that order,
 * empty lists omitted), then every other field of `prior` unchanged.
 */
export function assembleStatus(prior: PipelineRunStatus, parts: StatusParts): PipelineRunStatus {
  const {
    conditions: _c, startTime: _s, completionTime: _ct, finallyStartTime: _f, pipelineSpec: _p,
    childReferences: _cr, skippedTasks: _st, results: _r, ...rest
  } = prior;
  const out: PipelineRunStatus = { conditions: [parts.condition] };
  if (parts.startTime) out.startTime = parts.startTime;
  if (parts.completionTime) out.completionTime = parts.completionTime;
  if (parts.finallyStartTime) out.finallyStartTime = parts.finallyStartTime;
  if (parts.pipelineSpec) out.pipelineSpec = parts.pipelineSpec;
  if (parts.childReferences?.length) out.childReferences = parts.childReferences;
  if (parts.skippedTasks?.length) out.skippedTasks = parts.skippedTasks;
  if (parts.results?.length) out.results = parts.results;
  return { ...out, ...rest };
}

/**
 * childReferences without judging the tasks (cancelled or invalid runs): the ones already in the
 * status, then any other child, named after its `tekton.dev/pipelineTask` label.
 */
export function plainChildReferences(input: FactsInput): ChildStatusReference[] {
  const out = [...(input.pipelineRun.status?.childReferences ?? [])];
  const known = new Set(out.map((r) => r.name));
  for (const c of input.children) {
    const name = c.metadata.name ?? '';
    if (known.has(name)) continue;
    out.push({ apiVersion: 'tekton.dev/v1', kind: c.kind ?? 'TaskRun', name, pipelineTaskName: c.metadata.labels?.['tekton.dev/pipelineTask'] ?? '' });
  }
  return out;
}
