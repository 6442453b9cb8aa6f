// What a run may reach on the host: hostPath volumes and workspace bindings, and privileged
// containers. `kiln serve` refuses both unless its operator allows them (`--allow-host-path=DIR`,
// `--allow-privileged`): anyone who may create a run would otherwise write wherever the server's
// user can. `kiln run` (the user's own machine) allows any hostPath. Pure: resolving symbolic
// links is IO, so the caller passes `resolvePath` in the policy.
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { LoadedObject } from './load.ts';
import type { KObject } from './meta.ts';
import { isPlainObject } from './normalize.ts';

export interface HostPolicy {
  /** directories a hostPath may lie beneath (the directory itself included); 'any': every path */
  allowHostPath: readonly string[] | 'any';
  /** containers may ask for securityContext.privileged (the process executor still grants no capability) */
  allowPrivileged: boolean;
  /**
   * An absolute path with its symbolic links and `..` resolved as the kernel would (the realpath
   * of its longest existing prefix). Default: `.` and `..` normalised only, no link followed.
   */
  resolvePath?: (path: string) => string;
  /** the command whose flags the refusals name (default `kiln serve`) */
  command?: string;
}

/** `kiln serve` without flags: no hostPath, no privileged. */
export const SERVE_POLICY: HostPolicy = { allowHostPath: [], allowPrivileged: false };
/** `kiln run` without flags: any hostPath (`-w name=DIR`), no privileged. */
export const RUN_POLICY: HostPolicy = { allowHostPath: 'any', allowPrivileged: false, command: 'kiln run' };

/** What the process executor does with a privileged container that is allowed. */
export const PRIVILEGED_NOTICE = 'securityContext.privileged is accepted (--allow-privileged), but steps and sidecars still run without any capability or device: the process executor grants none';

/** `/a/./b/../c` → `/a/c` (POSIX, lexical: no link followed); relative paths stay relative. */
export function normalizePath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  return (abs ? '/' : '') + out.join('/') || (abs ? '/' : '.');
}

/** Whether normalised absolute `p` is `dir` or lies beneath it. */
function beneath(p: string, dir: string): boolean {
  return dir === '/' || p === dir || p.startsWith(`${dir}/`);
}

function commandOf(policy: HostPolicy): string {
  return policy.command ?? 'kiln serve';
}

/** A hostPath admitted (`path`: what to bind, links resolved) or the reason it is refused (`field` is `hostPath` or `hostPath.path`). */
/** Admitted: the path to bind (links resolved) and the allowed directory it lies beneath (absent under 'any'). */
export type HostPathAdmission = { path: string; within?: string } | { problem: string; field: 'hostPath' | 'hostPath.path' };

/** Whether `path` may be bound under `policy`; the path to bind has its links resolved (as given under 'any'). */
export function admitHostPath(path: unknown, policy: HostPolicy): HostPathAdmission {
  const allowed = policy.allowHostPath;
  if (allowed === 'any') return { path: String(path ?? '') };
  const flag = `${commandOf(policy)} --allow-host-path`;
  if (!allowed.length) return { field: 'hostPath', problem: `Forbidden: hostPath is not allowed on this server (${flag})` };
  const list = allowed.join(', ');
  if (typeof path !== 'string' || !path.startsWith('/')) {
    return { field: 'hostPath.path', problem: `Forbidden: ${JSON.stringify(path ?? '')} is not an absolute path beneath a directory this server allows (${flag}: ${list})` };
  }
  const resolve = policy.resolvePath ?? normalizePath;
  let real: string;
  try {
    real = resolve(path);
  } catch (e) {
    return { field: 'hostPath.path', problem: `Forbidden: ${JSON.stringify(path)} cannot be resolved: ${(e as Error).message}` };
  }
  for (const dir of allowed) {
    let d: string;
    try {
      d = resolve(dir);
    } catch {
      continue; // an allowed directory that cannot be resolved admits nothing
    }
    if (beneath(real, d)) return { path: real, within: d };
  }
  const via = real !== path ? ` (it resolves to ${JSON.stringify(real)})` : '';
  return { field: 'hostPath.path', problem: `Forbidden: ${JSON.stringify(path)}${via} is not beneath a directory this server allows (${flag}: ${list})` };
}

/** Whether a securityContext.privileged value asks for privilege (anything but absent or false). */
export function asksPrivileged(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false;
}

/** Why a container (`who`, e.g. `step "build"`) may not be privileged, or undefined when it may. */
export function privilegedProblem(policy: HostPolicy, who: string): string | undefined {
  if (policy.allowPrivileged) return undefined;
  return `Forbidden: ${who} asks for privileged, which is not allowed here (${commandOf(policy)} --allow-privileged; steps never get capabilities)`;
}

/** One place an object reaches the host. */
type Reach =
  | { type: 'hostPath'; path: string; value: unknown }
  | { type: 'privileged'; path: string; who: string };

function named(c: Record<string, unknown>, kind: string, i: number | undefined): string {
  if (i === undefined) return kind;
  return typeof c.name === 'string' && c.name ? `${kind} "${c.name}"` : `${kind} ${i}`;
}

function container(c: unknown, path: string, who: string, out: Reach[]): void {
  if (!isPlainObject(c) || !isPlainObject(c.securityContext)) return;
  if (asksPrivileged(c.securityContext.privileged)) out.push({ type: 'privileged', path: joinPath(joinPath(path, 'securityContext'), 'privileged'), who });
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `hostPath` of each volume or binding in `items` (at `path`, e.g. `spec.workspaces`). */
function hostPaths(items: unknown, path: string, out: Reach[]): void {
  list(items).forEach((v, i) => {
    if (isPlainObject(v) && v.hostPath !== undefined && v.hostPath !== null) {
      const hp = v.hostPath;
      out.push({ type: 'hostPath', path: joinPath(joinPath(path, i), 'hostPath'), value: isPlainObject(hp) ? hp.path : undefined });
    }
  });
}

function podTemplate(pt: unknown, path: string, out: Reach[]): void {
  if (isPlainObject(pt)) hostPaths(pt.volumes, joinPath(path, 'volumes'), out);
}

function taskSpec(spec: unknown, path: string, out: Reach[]): void {
  if (!isPlainObject(spec)) return;
  hostPaths(spec.volumes, joinPath(path, 'volumes'), out);
  list(spec.steps).forEach((s, i) => container(s, joinPath(joinPath(path, 'steps'), i), named(s as Record<string, unknown>, 'step', i), out));
  container(spec.stepTemplate, joinPath(path, 'stepTemplate'), 'the stepTemplate', out);
  list(spec.sidecars).forEach((s, i) => container(s, joinPath(joinPath(path, 'sidecars'), i), named(s as Record<string, unknown>, 'sidecar', i), out));
}

function pipelineSpec(spec: unknown, path: string, out: Reach[]): void {
  if (!isPlainObject(spec)) return;
  for (const section of ['tasks', 'finally'] as const) {
    list(spec[section]).forEach((pt, i) => {
      if (!isPlainObject(pt)) return;
      const p = joinPath(joinPath(path, section), i);
      taskSpec(pt.taskSpec, joinPath(p, 'taskSpec'), out);
      pipelineSpec(pt.pipelineSpec, joinPath(p, 'pipelineSpec'), out);
    });
  }
}

/** Every hostPath and privileged container of a Task, TaskRun, Pipeline, PipelineRun or StepAction (a v1 object). */
function reaches(obj: KObject): Reach[] {
  const out: Reach[] = [];
  const spec = isPlainObject(obj.spec) ? obj.spec : undefined;
  if (!spec) return out;
  switch (obj.kind) {
    case 'Task':
      taskSpec(spec, 'spec', out);
      break;
    case 'TaskRun':
      hostPaths(spec.workspaces, 'spec.workspaces', out);
      podTemplate(spec.podTemplate, 'spec.podTemplate', out);
      taskSpec(spec.taskSpec, 'spec.taskSpec', out);
      break;
    case 'Pipeline':
      pipelineSpec(spec, 'spec', out);
      break;
    case 'PipelineRun':
      hostPaths(spec.workspaces, 'spec.workspaces', out);
      if (isPlainObject(spec.taskRunTemplate)) podTemplate(spec.taskRunTemplate.podTemplate, 'spec.taskRunTemplate.podTemplate', out);
      list(spec.taskRunSpecs).forEach((t, i) => {
        if (isPlainObject(t)) podTemplate(t.podTemplate, joinPath(joinPath('spec.taskRunSpecs', i), 'podTemplate'), out);
      });
      pipelineSpec(spec.pipelineSpec, 'spec.pipelineSpec', out);
      break;
    case 'StepAction':
      container(spec, 'spec', 'the StepAction', out);
      break;
  }
  return out;
}

/**
 * What `policy` refuses in `obj` (a converted v1 object): each hostPath not allowed (at
 * `….hostPath`, or `….hostPath.path` when the path is what is wrong) and each privileged step,
 * sidecar, stepTemplate or StepAction (at `….securityContext.privileged`).
 */
export function hostPolicyErrors(obj: KObject, policy: HostPolicy): FieldError[] {
  const errs: FieldError[] = [];
  for (const r of reaches(obj)) {
    if (r.type === 'privileged') {
      const problem = privilegedProblem(policy, r.who);
      if (problem) errs.push({ path: r.path, message: problem });
      continue;
    }
    const a = admitHostPath(r.value, policy);
    if ('problem' in a) errs.push({ path: a.field === 'hostPath' ? r.path : joinPath(r.path, 'path'), message: a.problem });
  }
  return errs;
}

/** Field paths in `obj` that ask for a privileged container. */
export function privilegedPaths(obj: KObject): string[] {
  return reaches(obj).filter((r) => r.type === 'privileged').map((r) => r.path);
}

/** hostPolicyErrors of loaded objects, each at its file:line:col and named as the file spells it. */
export function loadedHostPolicyErrors(objects: readonly LoadedObject[], policy: HostPolicy): FieldError[] {
  return objects.flatMap((o) => hostPolicyErrors(o.object, policy).map((e) => {
    const pos = o.locate(e.path);
    return { ...e, path: o.sourcePath(e.path), file: o.file, line: pos.line, col: pos.col };
  }));
}
