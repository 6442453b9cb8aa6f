// Workspace bindings of the TaskRuns a PipelineRun creates (pipelinerun.go getTaskrunWorkspaces,
// taskWorkspaceByWorkspaceVolumeSource, propagateWorkspaces).
import type { ContainerFields } from '../../api/container.types.ts';
import type { PipelineTask, WorkspacePipelineTaskBinding } from '../../api/pipeline.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { WorkspaceBinding } from '../../api/workspace.types.ts';
import { replace, type Lookup } from '../substitute.ts';
import { claimName } from './naming.ts';

const WORKSPACE_REF = /\$\(workspaces\.([^.)]+)\./g;

function containerTexts(c: ContainerFields & { script?: string }): string[] {
  return [c.script ?? '', ...(c.args ?? []), ...(c.command ?? []), c.workingDir ?? '', ...(c.env ?? []).map((e) => e.value ?? '')];
}

/** Workspaces an inline taskSpec's steps, sidecars and stepTemplate refer to (`$(workspaces.<w>.…)`). */
export function workspacesUsed(spec: TaskSpec): string[] {
  const texts = [...(spec.steps ?? []), ...(spec.sidecars ?? []), ...(spec.stepTemplate ? [spec.stepTemplate] : [])].flatMap(containerTexts);
  const out = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(WORKSPACE_REF)) out.add(m[1]);
  return [...out];
}

/**
 * The PipelineTask's bindings, plus (inline taskSpec) one `{name}` binding for every workspace
 * its steps use that it does not bind: PipelineRun workspaces propagate into embedded specs.
 */
export function taskBindings(pt: PipelineTask, inline: TaskSpec | undefined): WorkspacePipelineTaskBinding[] {
  const out = [...(pt.workspaces ?? [])];
  if (inline) for (const w of workspacesUsed(inline)) if (!out.some((b) => b.name === w)) out.push({ name: w });
  return out;
}

/** `filepath.Join(a, b)` for the two subPaths (run binding first), empty parts dropped. */
export function joinSubPath(runSubPath: string | undefined, taskSubPath: string | undefined): string | undefined {
  const parts = [runSubPath, taskSubPath].filter((p): p is string => !!p);
  if (!parts.length) return undefined;
  return parts.join('/').replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
}

/**
 * One TaskRun binding from the PipelineRun's binding: renamed to the task's workspace, subPaths
 * joined, and a `volumeClaimTemplate` turned into the claim shared by all the run's TaskRuns
 * (named from the PipelineRun's uid, `pipelineRunUid`: see claimName).
 */
export function toTaskBinding(run: WorkspaceBinding, taskWorkspace: string, taskSubPath: string | undefined, pipelineRunUid: string): WorkspaceBinding {
  const subPath = joinSubPath(run.subPath, taskSubPath);
  if (!run.volumeClaimTemplate) {
    const { subPath: _old, ...rest } = run;
    return { ...rest, name: taskWorkspace, ...(subPath ? { subPath } : {}) };
  }
  return {
    name: taskWorkspace,
    ...(subPath ? { subPath } : {}),
    persistentVolumeClaim: { claimName: claimName(run.volumeClaimTemplate.metadata?.name, run.name, pipelineRunUid) },
  };
}

/**
 * The TaskRun's workspace bindings. A binding whose Pipeline workspace the run does not bind is
 * left out when the Task declares that workspace optional, and is an error otherwise.
 * `context` substitutes `$(context.pipelineRun.*)` in the resulting subPaths; `pipelineRunUid`
 * names the claims of `volumeClaimTemplate` bindings.
 */
export function taskRunWorkspaces(
  pt: PipelineTask,
  spec: TaskSpec | undefined,
  inline: boolean,
  runBindings: readonly WorkspaceBinding[],
  pipelineRunUid: string,
  context: Lookup<string>,
): { workspaces: WorkspaceBinding[] } | { error: string } {
  const byName = new Map(runBindings.map((b) => [b.name, b]));
  const out: WorkspaceBinding[] = [];
  for (const w of taskBindings(pt, inline ? spec : undefined)) {
    const pipelineWs = w.workspace || w.name;
    const b = byName.get(pipelineWs);
    if (b) {
      const tb = toTaskBinding(b, w.name, w.subPath, pipelineRunUid);
      if (tb.subPath !== undefined) tb.subPath = replace(tb.subPath, context);
      out.push(tb);
      continue;
    }
    if (!spec?.workspaces?.some((d) => d.name === w.name && d.optional)) {
      return { error: `expected workspace "${pipelineWs}" to be provided by pipelinerun for pipeline task "${pt.name}"` };
    }
  }
  return { workspaces: out };
}

/**
 * The workspace bindings of a child PipelineRun (a PipelineTask running a Pipeline): each of the
 * PipelineTask's bindings mapped from the run's binding like a TaskRun's (renamed to the child
 * Pipeline's workspace, subPaths joined, a `volumeClaimTemplate` turned into the run's shared
 * claim). A binding whose Pipeline workspace the run does not bind is left out: the child
 * PipelineRun then judges whether its Pipeline needed it.
 */
export function pipelineRunWorkspaces(
  pt: PipelineTask,
  runBindings: readonly WorkspaceBinding[],
  pipelineRunUid: string,
  context: Lookup<string>,
): WorkspaceBinding[] {
  const byName = new Map(runBindings.map((b) => [b.name, b]));
  const out: WorkspaceBinding[] = [];
  for (const w of pt.workspaces ?? []) {
    const b = byName.get(w.workspace || w.name);
    if (!b) continue;
    const tb = toTaskBinding(b, w.name, w.subPath, pipelineRunUid);
    if (tb.subPath !== undefined) tb.subPath = replace(tb.subPath, context);
    out.push(tb);
  }
  return out;
}
