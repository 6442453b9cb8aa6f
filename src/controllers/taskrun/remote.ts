// A TaskRun's references through resolvers: its taskRef, and its steps' StepAction refs. The
// resolver params get the run's `$(params.x)` first; failures are Tekton's
// TaskRunResolutionFailed with the resolver's message (Unsupported where it cannot be served).
import type { StepAction, TaskSpec } from '../../api/task.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { TaskRunReason } from '../../api/reasons.ts';
import { applyTaskDefaults } from '../../api/task.defaults.ts';
import { describeRef, ownerOf, paramValues, substituteParams, unresolvedParam, type RefSource, type RemoteResolution, type ResolutionResult } from '../../resolution/resolver.ts';

export type Failure = { reason: string; message: string };

function failure(r: Extract<ResolutionResult, { ok: false }>, what: string): Failure {
  return { reason: r.unsupported ? TaskRunReason.Unsupported : TaskRunReason.ResolutionFailed, message: `${what}: ${r.message}` };
}

/** The Task a run's `taskRef` with a resolver names, with where it came from. */
export async function resolveRemoteTask(run: TaskRun, resolution: RemoteResolution | undefined): Promise<{ spec: TaskSpec; taskName: string; inline: false; refSource: RefSource } | Failure> {
  const ref = run.spec.taskRef!;
  if (!resolution) return { reason: TaskRunReason.Unsupported, message: `taskRef uses the remote resolver "${ref.resolver}": remote resolution is not configured` };
  const params = substituteParams(ref.params, paramValues([], run.spec.params));
  const left = unresolvedParam(params);
  if (left) return { reason: TaskRunReason.ResolutionFailed, message: `[User error] spec.taskRef.params: "${left.name}" references a value that is not known: ${String(left.value)}` };
  const r = await resolution.resolve({ resolver: ref.resolver!, params, namespace: run.metadata.namespace ?? 'default', kind: 'Task', owner: ownerOf(run) });
  if (!r.ok) return { reason: r.unsupported ? TaskRunReason.Unsupported : TaskRunReason.ResolutionFailed, message: r.message };
  const spec = applyTaskDefaults((r.object.spec ?? {}) as TaskSpec);
  return { spec, taskName: r.object.metadata.name ?? '', inline: false, refSource: r.refSource };
}

/**
 * Resolves every step `ref` with a resolver (the Task's params substituted into its params):
 * the spec with those refs renamed to keys of the returned StepActions (names no local
 * StepAction can have), for the engine to inline like local ones.
 */
export async function resolveRemoteStepActions(spec: TaskSpec, run: TaskRun, resolution: RemoteResolution | undefined): Promise<{ spec: TaskSpec; actions: Map<string, StepAction> } | Failure> {
  const actions = new Map<string, StepAction>();
  if (!spec.steps.some((s) => s.ref?.resolver)) return { spec, actions };
  const values = paramValues(spec.params, run.spec.params);
  const steps = [];
  for (const [i, step] of spec.steps.entries()) {
    const ref = step.ref;
    if (!ref?.resolver) {
      steps.push(step);
      continue;
    }
    const where = `spec.steps[${i}].ref`;
    if (!resolution) return { reason: TaskRunReason.Unsupported, message: `${where} uses the remote resolver "${ref.resolver}": remote resolution is not configured` };
    const params = substituteParams(ref.params, values);
    const r = await resolution.resolve({ resolver: ref.resolver, params, namespace: run.metadata.namespace ?? 'default', kind: 'StepAction', owner: ownerOf(run) });
    if (!r.ok) return failure(r, `${where}: Couldn't retrieve StepAction "${describeRef(ref.resolver, params)}"`);
    const key = `${r.object.metadata.name ?? 'stepaction'} (${ref.resolver} resolver, step ${i})`;
    actions.set(key, r.object as StepAction);
    steps.push({ ...step, ref: { name: key } });
  }
  return { spec: { ...spec, steps }, actions };
}
