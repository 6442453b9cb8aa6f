// Health of kinds Argo CD assesses with scripts or its own checks: Argo Rollout, CronJob, Argo Workflow,
// and kiln's (Tekton's) PipelineRun and TaskRun. Written in TypeScript to give the same statuses and messages.
import { arr, at, condition, objs, str } from './get.ts';
import { isHealthCode, type HealthStatus, type Obj } from './types.ts';

/** Lua's tonumber on a string or number: decimal or hex, else undefined. */
export function luaNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^[-+]?0[xX][0-9a-fA-F]+$/.test(t)) return Number.parseInt(t, 16);
  return undefined;
}

/** The controller saw the current spec (a non-numeric or larger observedGeneration is a pre-v0.10 hash: seen). */
function rolloutGenerationObserved(o: Obj): boolean {
  if (at(o, 'status') === undefined || at(o, 'status') === null) return false;
  const observed = luaNumber(at(o, 'status', 'observedGeneration'));
  const generation = luaNumber(at(o, 'metadata', 'generation'));
  if (observed === undefined || generation === undefined || observed > generation) return true;
  return observed === generation;
}

/** With a workloadRef, the controller saw the referenced workload's generation too. */
function rolloutWorkloadObserved(o: Obj): boolean {
  const annotations = at(o, 'metadata', 'annotations');
  if (at(o, 'spec', 'workloadRef') == null || annotations == null) return true;
  return luaNumber(at(annotations, 'rollout.argoproj.io/workload-generation')) === luaNumber(at(o, 'status', 'workloadObservedGeneration'));
}

const PROGRESSING = (message: string): HealthStatus => ({ status: 'Progressing', message: `Waiting for roll out to finish: ${message}` });

/** argoproj.io Rollout: the v1.0+ status.phase/message when present, else the older replica and strategy rules. */
export function rolloutHealth(o: Obj): HealthStatus {
  if (!rolloutGenerationObserved(o) || !rolloutWorkloadObserved(o)) {
    return { status: 'Progressing', message: 'Waiting for rollout spec update to be observed' };
  }
  const phase = at(o, 'status', 'phase');
  if (phase != null) {
    const status = phase === 'Paused' ? 'Suspended' : str(phase);
    const message = str(at(o, 'status', 'message'));
    return isHealthCode(status) ? { status, message } : { status: 'Unknown', message: `Rollout phase "${status}" is not a health status` };
  }
  for (const c of objs(at(o, 'status', 'conditions'))) {
    const aborted = c.type === 'Progressing' && (c.reason === 'RolloutAborted' || c.reason === 'ProgressDeadlineExceeded');
    if (c.type === 'InvalidSpec' || aborted) return { status: 'Degraded', message: str(c.message) };
  }
  if (arr(at(o, 'status', 'pauseConditions')).length > 0 || at(o, 'spec', 'paused') === true) {
    return { status: 'Suspended', message: 'Rollout is paused' };
  }
  const hash = at(o, 'status', 'currentPodHash');
  if (hash == null) return PROGRESSING('status has not been reconciled.');
  const n = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  const desired = n(at(o, 'spec', 'replicas'), 1);
  const replicas = n(at(o, 'status', 'replicas'), 0);
  const updated = n(at(o, 'status', 'updatedReplicas'), 0);
  const available = n(at(o, 'status', 'availableReplicas'), 0);
  if (updated < desired) return PROGRESSING('More replicas need to be updated');
  if (available < updated) return PROGRESSING('updated replicas are still becoming available');
  const stableRS = at(o, 'status', 'stableRS') ?? at(o, 'status', 'canary', 'stableRS') ?? '';
  if (at(o, 'spec', 'strategy', 'blueGreen') != null) {
    if (at(o, 'status', 'blueGreen', 'activeSelector') !== hash) return { status: 'Progressing', message: 'active service cutover pending' };
    if (stableRS !== '' && stableRS !== hash) return { status: 'Progressing', message: 'waiting for analysis to complete' };
  } else if (at(o, 'spec', 'strategy', 'canary') != null) {
    if (replicas > updated) return PROGRESSING('old replicas are pending termination');
    if (stableRS === '' || stableRS !== hash) return { status: 'Progressing', message: 'Waiting for rollout to finish steps' };
  }
  return { status: 'Healthy', message: '' };
}

/** batch CronJob: suspended is Healthy (as Argo CD, so a suspended CronJob does not hold an app back); a failed last run is Degraded. */
export function cronJobHealth(o: Obj): HealthStatus {
  if (at(o, 'spec', 'suspend') === true) return { status: 'Healthy', message: 'CronJob is Suspended' };
  const status = at(o, 'status');
  if (status == null) return { status: 'Progressing', message: 'Waiting for CronJob' };
  const scheduled = at(status, 'lastScheduleTime');
  if (scheduled == null) return { status: 'Healthy', message: 'CronJob has not been scheduled yet' };
  const succeeded = at(status, 'lastSuccessfulTime');
  if (succeeded == null) return { status: 'Healthy', message: 'The CronJob never completed successfully. It may not be healthy' };
  if (arr(at(status, 'active')).length > 0) return { status: 'Healthy', message: 'The job is running. Its last execution may not have been successful' };
  if (str(succeeded) < str(scheduled)) return { status: 'Degraded', message: 'CronJob has not completed its last execution successfully' };
  return { status: 'Healthy', message: 'CronJob has completed its last execution successfully' };
}

/** argoproj.io Workflow: by phase. */
export function workflowHealth(o: Obj): HealthStatus {
  const message = str(at(o, 'status', 'message'));
  switch (str(at(o, 'status', 'phase'))) {
    case '': case 'Pending': case 'Running': return { status: 'Progressing', message };
    case 'Succeeded': return { status: 'Healthy', message };
    case 'Failed': case 'Error': return { status: 'Degraded', message };
    default: return { status: 'Unknown', message };
  }
}

/** tekton.dev PipelineRun/TaskRun: the Succeeded condition — True Healthy, False Degraded, else Progressing; a pending run is Suspended. */
export function tektonRunHealth(o: Obj): HealthStatus {
  const c = condition(o, 'Succeeded');
  const message = str(c?.message);
  if (c?.status === 'True') return { status: 'Healthy', message };
  if (c?.status === 'False') return { status: 'Degraded', message };
  if (!c && at(o, 'spec', 'status') === 'PipelineRunPending') return { status: 'Suspended', message: 'PipelineRun is pending' };
  return { status: 'Progressing', message: message || 'Waiting for the run to finish' };
}
