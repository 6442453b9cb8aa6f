// A PipelineRun's references through resolvers: its pipelineRef, and its PipelineTasks'
// taskRefs. Resolved once per run (the reconciler keeps the result by run uid); the facts
// engine sees each remote Task under a key no local Task can have, and the child TaskRuns get
// the resolved spec itself, so the children run exactly what the run resolved.
import type { Condition } from '../../api/meta.ts';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import type { PipelineRun, PipelineRunStatus } from '../../api/pipelinerun.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import { SUCCEEDED } from '../../api/reasons.ts';
import { defaultPipelineSpec } from '../../api/pipeline.defaults.ts';
import { defaultTaskSpec } from '../../api/task.defaults.ts';
import type { Decisions } from '../../engine/pipelinerun/facts.types.ts';
import { describeRef, ownerOf, paramValues, substituteParams, unresolvedParam, type RefSource, type RemoteResolution } from '../../resolution/resolver.ts';

/** What resolving a run's remote references gave: the spec for the engine and what to put back. */
export interface RemoteTasks {
  /** the spec as the run names it (resolver refs kept): what status.pipelineSpec shows */
  original: PipelineSpec;
  /** engine key (`<task> (<resolver> resolver)`) → the resolved Task's spec */
  tasks: Map<string, TaskSpec>;
}

function failed(reason: string, message: string, now: string): Condition {
  return { type: SUCCEEDED, status: 'False', reason, message, lastTransitionTime: now };
}

/** The Pipeline a `pipelineRef` with a resolver names (CouldntGetPipeline with the resolver's message when it cannot be had). */
export async function resolveRemotePipeline(pr: PipelineRun, resolution: RemoteResolution | undefined, nowIso: string): Promise<{ spec: PipelineSpec; name: string; refSource: RefSource } | { condition: Condition }> {
  const ref = pr.spec.pipelineRef!;
  const ns = pr.metadata.namespace ?? 'default';
  if (!resolution) return { condition: failed('Unsupported', `pipelineRef uses the remote resolver "${ref.resolver}": remote resolution is not configured`, nowIso) };
  const params = substituteParams(ref.params, paramValues([], pr.spec.params));
  const r = await resolution.resolve({ resolver: ref.resolver!, params, namespace: ns, kind: 'Pipeline', owner: ownerOf(pr) });
  if (!r.ok) return { condition: failed(r.unsupported ? 'Unsupported' : 'CouldntGetPipeline', `Error retrieving pipeline for pipelinerun ${ns}/${pr.metadata.name}: ${r.message}`, nowIso) };
  return { spec: defaultPipelineSpec(r.object.spec as PipelineSpec), name: r.object.metadata.name ?? '', refSource: r.refSource };
}

function usesResolver(pt: PipelineTask): boolean {
  return !!pt.taskRef?.resolver && !pt.pipelineRef && !pt.pipelineSpec;
}

/**
 * Resolves every PipelineTask's `taskRef` with a resolver (the run's params and the Pipeline's
 * defaults substituted into its params): the spec with those refs renamed to engine keys, or
 * the CouldntGetTask condition. Undefined when no task uses a resolver.
 */
export async function resolveRemoteTasks(spec: PipelineSpec, pr: PipelineRun, pipelineName: string, resolution: RemoteResolution | undefined, nowIso: string): Promise<{ spec: PipelineSpec; remote: RemoteTasks } | { condition: Condition } | undefined> {
  const all = [...(spec.tasks ?? []), ...(spec.finally ?? [])];
  if (!resolution || !all.some(usesResolver)) return undefined;
  const ns = pr.metadata.namespace ?? 'default';
  const values = paramValues(spec.params, pr.spec.params);
  const tasks = new Map<string, TaskSpec>();
  const couldnt = (what: string, why: string) => ({ condition: failed('CouldntGetTask', `Pipeline ${ns}/${pipelineName} can't be Run; it contains Tasks that don't exist: Couldn't retrieve Task "${what}": ${why}`, nowIso) });
  async function rename(pt: PipelineTask): Promise<PipelineTask | { condition: Condition }> {
    if (!usesResolver(pt)) return pt;
    const ref = pt.taskRef!;
    const params = substituteParams(ref.params, values);
    const what = describeRef(ref.resolver!, params);
    const left = unresolvedParam(params);
    if (left) return couldnt(what, `param "${left.name}" needs a value not known before the run starts (${String(left.value)})`);
    const r = await resolution!.resolve({ resolver: ref.resolver!, params, namespace: ns, kind: 'Task', owner: ownerOf(pr) });
    if (!r.ok) return r.unsupported ? { condition: failed('Unsupported', `pipeline task "${pt.name}": ${r.message}`, nowIso) } : couldnt(what, r.message);
    const key = `${pt.name} (${ref.resolver} resolver)`;
    tasks.set(key, defaultTaskSpec(r.object.spec as TaskSpec));
    return { ...pt, taskRef: { name: key, kind: 'Task' } };
  }
  const out: PipelineTask[][] = [];
  for (const list of [spec.tasks ?? [], spec.finally ?? []]) {
    const renamed: PipelineTask[] = [];
    for (const pt of list) {
      const r = await rename(pt);
      if ('condition' in r) return r;
      renamed.push(r);
    }
    out.push(renamed);
  }
  const next: PipelineSpec = { ...spec, tasks: out[0] };
  if (spec.finally) next.finally = out[1];
  return { spec: next, remote: { original: spec, tasks } };
}

/**
 * Puts back what the engine saw under keys: each child TaskRun to create runs the resolved
 * spec (embedded, as Tekton's child gets it resolved), status.pipelineSpec shows the run's own
 * refs, and status.provenance.refSource where the Pipeline came from.
 */
export function restoreRemote(d: Decisions, remote: RemoteTasks | undefined, refSource: RefSource | undefined): void {
  if (remote) {
    for (const c of d.create) {
      const spec = c.spec.taskRef?.name !== undefined ? remote.tasks.get(c.spec.taskRef.name) : undefined;
      if (!spec) continue;
      const { taskRef: _key, ...rest } = c.spec;
      c.spec = { ...rest, taskSpec: spec };
    }
    if (d.status.pipelineSpec) d.status = { ...d.status, pipelineSpec: remote.original };
  }
  if (refSource && !d.status.provenance) d.status = { ...d.status, provenance: { refSource } } as PipelineRunStatus;
}
