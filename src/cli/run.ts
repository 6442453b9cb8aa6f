// `kiln run -f FILE`: load every object in the file, run its TaskRuns/PipelineRuns (or start its
// Pipeline or Task), follow them; exit 1 when any run failed.
import { resolve } from 'node:path';
import type { KObject } from '../api/meta.ts';
import type { LoadedObject } from '../api/load.ts';
import type { FieldValidation } from '../api/prepare.ts';
import type { ParamSpec } from '../api/param.types.ts';
import type { TaskRun } from '../api/taskrun.types.ts';
import type { WorkspaceDeclaration } from '../api/workspace.types.ts';
import { formatFieldError, type FieldError } from '../api/errors.ts';
import { specsIn, wiringOf } from '../api/references.ts';
import { validateWiring } from '../api/wiring.validation.ts';
import { IGNORED_MESSAGE, ignoredFields } from '../api/ignored.ts';
import type { IgnoredBy } from '../api/ignored.ts';
import { hostImagesNote, imagesIn } from './images.ts';
import { loadedHostPolicyErrors, privilegedPaths, PRIVILEGED_NOTICE, RUN_POLICY } from '../api/hostpolicy.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import { loadFile, notAppliedNote } from './files.ts';
import { follow, succeeded } from './follow.ts';
import { mergeParams, parseParams, parseWorkspaces } from './params.ts';
import type { Reporter, RunFailure } from './reporter.ts';

export interface RunOptions {
  file: string;
  namespace?: string;
  params: string[];
  workspaces: string[];
  /** with no run in the file: the Pipeline (or Task) to start */
  pipeline?: string;
  task?: string;
  reporter: Reporter;
  client: (opts: { namespace: string }) => Promise<KilnClient>;
  signal?: AbortSignal;
  /** unknown fields in the file (default `Strict`: errors) */
  fieldValidation?: FieldValidation;
  /** steps may ask for securityContext.privileged (`--allow-privileged`; refused otherwise) */
  allowPrivileged?: boolean;
  /** `--executor` as given (default process): which fields the notes call not honoured */
  executor?: 'auto' | 'podman' | 'process';
  /** `--step-capabilities` as given: containers honour securityContext.capabilities under kubernetes */
  stepCapabilities?: 'none' | 'kubernetes';
}

const RUN_KINDS = new Set(['TaskRun', 'PipelineRun']);

/** What to start when the file has no run: `--pipeline NAME` or `--task NAME`. */
export interface Pick { pipeline?: string; task?: string }

const label = (o: KObject) => `${o.kind}/${o.metadata.name ?? o.metadata.generateName}`;

/**
 * The runs a file asks for. Without runs, one is made for the Pipeline or Task to start: the one
 * `pick` names, else the file's only Pipeline, else its only Task. Ambiguity is a CliError (2)
 * listing the candidates.
 */
export function runsOf(objects: LoadedObject[], pick: Pick = {}): { runs: KObject[]; others: KObject[] } {
  const runs = objects.filter((o) => RUN_KINDS.has(o.object.kind)).map((o) => o.object);
  const others = objects.filter((o) => !RUN_KINDS.has(o.object.kind)).map((o) => o.object);
  if (pick.pipeline !== undefined && pick.task !== undefined) throw new CliError(EXIT.invalid, '--pipeline and --task each pick what to start: give one');
  const flag = pick.pipeline !== undefined ? `--pipeline ${pick.pipeline}` : pick.task !== undefined ? `--task ${pick.task}` : undefined;
  if (runs.length) {
    if (flag) throw new CliError(EXIT.invalid, `${flag}: the file has runs of its own (${runs.map(label).join(', ')}); ${flag.split(' ')[0]} picks what to start in a file without runs`);
    return { runs, others };
  }
  return { runs: [runFor(startTarget(others, pick))], others };
}

/** The Task or Pipeline to start in a file without runs. */
function startTarget(others: KObject[], pick: Pick): KObject {
  const tasks = others.filter((o) => o.kind === 'Task');
  const pipelines = others.filter((o) => o.kind === 'Pipeline');
  const named = (kind: string, list: KObject[], name: string) => {
    const found = list.find((o) => o.metadata.name === name);
    if (found) return found;
    throw new CliError(EXIT.invalid, `--${kind.toLowerCase()} ${name}: the file has no ${kind} "${name}"`, [
      `${kind}s in the file: ${list.map((o) => o.metadata.name).join(', ') || 'none'}`,
    ]);
  };
  if (pick.pipeline !== undefined) return named('Pipeline', pipelines, pick.pipeline);
  if (pick.task !== undefined) return named('Task', tasks, pick.task);
  if (pipelines.length === 1) return pipelines[0];
  if (pipelines.length > 1) {
    throw new CliError(EXIT.invalid, 'the file has no TaskRun or PipelineRun and several Pipelines: pick one with --pipeline NAME', [
      `candidates: ${pipelines.map(label).join(', ')}`,
    ]);
  }
  if (tasks.length === 1) return tasks[0];
  if (tasks.length > 1) {
    throw new CliError(EXIT.invalid, 'the file has no TaskRun or PipelineRun, no Pipeline and several Tasks: pick one with --task NAME', [
      `candidates: ${tasks.map(label).join(', ')}`,
    ]);
  }
  throw new CliError(EXIT.invalid, 'the file has no TaskRun or PipelineRun, and no Task or Pipeline to start', [
    `found: ${others.map(label).join(', ') || 'nothing runnable'}`,
  ]);
}

/** A run of `target` (a Task or a Pipeline). */
function runFor(target: KObject): KObject {
  const isTask = target.kind === 'Task';
  return {
    apiVersion: 'tekton.dev/v1',
    kind: isTask ? 'TaskRun' : 'PipelineRun',
    metadata: { generateName: `${target.metadata.name}-run-`, namespace: target.metadata.namespace },
    spec: isTask ? { taskRef: { name: target.metadata.name } } : { pipelineRef: { name: target.metadata.name } },
  };
}

/** Declarations (params, workspaces) of what a run runs, looked up among the file's objects. */
function declarationsOf(run: KObject, others: KObject[]): { params: ParamSpec[]; workspaces: WorkspaceDeclaration[] } {
  const spec = run.spec as { taskSpec?: KObject['spec']; taskRef?: { name?: string }; pipelineSpec?: unknown; pipelineRef?: { name?: string } };
  const refName = spec.taskRef?.name ?? spec.pipelineRef?.name;
  const inline = (spec.taskSpec ?? spec.pipelineSpec) as { params?: ParamSpec[]; workspaces?: WorkspaceDeclaration[] } | undefined;
  const target = inline ?? (others.find((o) => (o.kind === 'Task' || o.kind === 'Pipeline') && o.metadata.name === refName)?.spec as typeof inline);
  return { params: target?.params ?? [], workspaces: target?.workspaces ?? [] };
}

/** Attaches -p/-w to the run and checks every required workspace is bound. */
function attach(run: KObject, others: KObject[], opts: RunOptions): void {
  const decl = declarationsOf(run, others);
  const spec = run.spec as TaskRun['spec'];
  if (opts.params.length) spec.params = mergeParams(spec.params, parseParams(opts.params, decl.params));
  if (opts.workspaces.length) {
    const bound = parseWorkspaces(opts.workspaces, (p) => resolve(p));
    // a missing directory is created by the executor (which hands it to the step user when kiln is root)
    spec.workspaces = [...(spec.workspaces ?? []).filter((w) => !bound.some((b) => b.name === w.name)), ...bound];
  }
  const missing = decl.workspaces.filter((w) => !w.optional && !(spec.workspaces ?? []).some((b) => b.name === w.name));
  if (missing.length) {
    throw new CliError(EXIT.invalid, `${run.kind.toLowerCase()} ${run.metadata.name ?? run.metadata.generateName}: workspace(s) not bound: ${missing.map((w) => w.name).join(', ')}`, [
      `bind each with -w NAME=DIR, e.g. ${missing.map((w) => `-w ${w.name}=./${w.name}`).join(' ')}`,
    ]);
  }
}

/** The failed step of a TaskRun, its exit code and the tail of its log. */
async function taskRunFailure(client: KilnClient, run: KObject, tr: KObject): Promise<RunFailure | undefined> {
  const steps = (tr.status as TaskRun['status'])?.steps ?? [];
  const failed = steps.find((s) => s.terminated && s.terminated.exitCode !== 0 && s.terminationReason !== 'Continued')
    ?? steps.find((s) => s.terminationReason === 'TimeoutExceeded' || s.terminationReason === 'Cancelled');
  if (!failed) return undefined;
  const lines: string[] = [];
  for await (const l of client.logs(tr.metadata.namespace!, tr.metadata.name!, { follow: false })) {
    if (l.step === failed.name) lines.push(l.line);
  }
  return { run, taskRun: tr.metadata.name, step: failed.name, exitCode: failed.terminated?.exitCode, tail: lines.slice(-10) };
}

/** Why a run failed: its TaskRun's failed step, or each failed child TaskRun's. */
async function failuresOf(client: KilnClient, run: KObject): Promise<RunFailure[]> {
  const ns = run.metadata.namespace!;
  const trs = run.kind === 'TaskRun' ? [run] : await client.list('TaskRun', ns, `tekton.dev/pipelineRun=${run.metadata.name}`);
  const failedRuns = trs.filter((tr) => { const c = succeeded(tr); return c?.status === 'False' && c.reason !== 'FailureIgnored'; });
  const out: RunFailure[] = [];
  for (const tr of failedRuns) {
    const f = await taskRunFailure(client, run, tr);
    if (f) out.push(f);
  }
  return out;
}

/** The executors that ran a run's TaskRuns (`status.executor`), each once. */
export async function executorsOf(client: KilnClient, run: KObject): Promise<string[]> {
  const trs = run.kind === 'TaskRun' ? [run] : await client.list('TaskRun', run.metadata.namespace!, `tekton.dev/pipelineRun=${run.metadata.name}`);
  const names = trs.map((tr) => (tr.status as TaskRun['status'])?.executor).filter((e): e is string => !!e);
  return [...new Set(names)].sort();
}

/** Exit code of one run by its Succeeded condition: 0, 3 when unsupported here, else 1. */
export function exitCodeOf(run: KObject | undefined): number {
  const c = run && succeeded(run);
  if (c?.status === 'True') return EXIT.ok;
  if (c?.reason === 'Unsupported') return EXIT.unsupported;
  return EXIT.failed;
}

/** Exit code of every run started: 1 if any failed, else 3 if any was unsupported here, else 0 (no run: 1). */
export function exitCodeOfAll(runs: ReadonlyArray<KObject | undefined>): number {
  const codes = runs.length ? runs.map(exitCodeOf) : [EXIT.failed];
  if (codes.includes(EXIT.failed)) return EXIT.failed;
  if (codes.includes(EXIT.unsupported)) return EXIT.unsupported;
  return EXIT.ok;
}

/**
 * The runs (with -p/-w attached) against the Tasks/Pipelines of the file: params, workspaces and
 * result references (wiring.validation.ts). Errors throw CliError(2) before anything runs;
 * warnings are returned, formatted.
 */
export function checkRuns(runs: readonly KObject[], objects: readonly LoadedObject[]): string[] {
  const problems: FieldError[] = [];
  for (const run of runs) {
    const lo = objects.find((o) => o.object === run);
    if (lo) { problems.push(...wiringOf(lo, objects)); continue; }
    const who = `${run.kind.toLowerCase()} ${run.metadata.name ?? run.metadata.generateName}`;
    problems.push(...validateWiring(run, specsIn(objects, run.metadata.namespace)).map((e) => ({ ...e, path: `${who}: ${e.path}` })));
  }
  const errors = problems.filter((e) => e.severity !== 'warning').map(formatFieldError);
  const warnings = problems.filter((e) => e.severity === 'warning').map(formatFieldError);
  if (errors.length) {
    const hint = errors.some((e) => e.includes('requires param(s) not given')) ? ['give params with -p NAME=VALUE'] : [];
    throw new CliError(EXIT.invalid, `${errors.length} error(s) before anything runs`, [...errors, ...warnings.map((w) => `warning: ${w}`), ...hint]);
  }
  return warnings;
}

/** Which executor runs the steps: `--executor auto` took the process executor when it said so among the notices. */
export function ignoredBy(executor: RunOptions['executor'], notices: readonly string[]): IgnoredBy {
  if (executor === 'podman') return 'container';
  if (executor === 'auto') return notices.some((n) => n.startsWith('--executor auto:')) ? 'process' : 'container';
  return 'process';
}

/** What containers honour besides under `--step-capabilities kubernetes`. */
const HONOURED_WITH_CAPABILITIES = /\.securityContext\.capabilities$/;

/** One note per field the executor accepts without honouring it (but those `honoured` matches), at its place in the file. */
function noteIgnored(objects: readonly LoadedObject[], by: IgnoredBy, reporter: Reporter, honoured?: RegExp): void {
  const reported = new Set<string>();
  for (const o of objects) {
    for (const path of ignoredFields(o.object, by)) {
      if (honoured?.test(path)) continue;
      const pos = o.locate(path);
      const msg = formatFieldError({ file: o.file, line: pos.line, col: pos.col, path: o.sourcePath(path), message: IGNORED_MESSAGE[by] });
      if (!reported.has(msg)) reporter.onNotice(msg);
      reported.add(msg);
    }
  }
}

export async function runCommand(opts: RunOptions): Promise<number> {
  const { objects, warnings, notApplied } = loadFile(opts.file, { namespace: opts.namespace, setAside: true, runs: false, fieldValidation: opts.fieldValidation });
  const { runs, others } = runsOf(objects, { pipeline: opts.pipeline, task: opts.task });
  if ((opts.params.length || opts.workspaces.length) && runs.length > 1) {
    throw new CliError(EXIT.invalid, `-p/-w attach to one run, and ${opts.file} has ${runs.length}`);
  }
  attach(runs[0], others, opts);
  const runWarnings = checkRuns(runs, objects);
  const refused = loadedHostPolicyErrors(objects, { ...RUN_POLICY, allowPrivileged: !!opts.allowPrivileged });
  if (refused.length) throw new CliError(EXIT.invalid, `${refused.length} error(s) before anything runs`, refused.map(formatFieldError));
  // podman grants a privileged container what it asks for
  if (opts.executor !== 'podman' && objects.some((o) => privilegedPaths(o.object).length)) opts.reporter.onNotice(PRIVILEGED_NOTICE);
  for (const w of warnings) opts.reporter.onNotice(formatFieldError(w));
  for (const w of runWarnings) opts.reporter.onNotice(w);
  if (notApplied.length) opts.reporter.onNotice(notAppliedNote(notApplied));
  const namespace = runs[0].metadata.namespace ?? 'default';
  const client = await opts.client({ namespace });
  try {
    const notices = await client.notices();
    for (const n of notices) opts.reporter.onNotice(n);
    const by = ignoredBy(opts.executor, notices);
    noteIgnored(objects, by, opts.reporter, by === 'container' && opts.stepCapabilities === 'kubernetes' ? HONOURED_WITH_CAPABILITIES : undefined);
    const hostImages = client.executor === 'process' ? hostImagesNote(imagesIn(objects.map((o) => o.object))) : undefined;
    if (hostImages) opts.reporter.onNotice(hostImages);
    for (const o of others) await client.apply(o);
    const created: KObject[] = [];
    for (const r of runs) created.push(await client.create(r));
    return await followToEnd(client, created, { namespace, reporter: opts.reporter, signal: opts.signal });
  } finally {
    await client.close();
  }
}

/**
 * Follows created runs to their end through the reporter (live logs, states, the failure summary);
 * an abort cancels them first. Returns 0 when every run succeeded, 1 when any failed (3 when one
 * could not run here and none failed), 130 when interrupted.
 */
export async function followToEnd(client: KilnClient, created: KObject[], opts: { namespace: string; reporter: Reporter; signal?: AbortSignal }): Promise<number> {
  const { namespace, reporter, signal } = opts;
  const follower = follow(client, {
    namespace,
    runs: created.map((r) => ({ kind: r.kind, name: r.metadata.name! })),
    reporter,
    signal,
  });
  for (const r of created) reporter.onRunStart(r);
  const onAbort = () => {
    for (const r of created) void client.cancel(r.kind, namespace, r.metadata.name!, 'cancelled by the user (Ctrl-C)').catch(() => {});
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const final = await follower.wait();
  signal?.removeEventListener('abort', onAbort);
  for (const r of final) {
    reporter.onRunEnd(r, succeeded(r)?.status === 'True' ? [] : await failuresOf(client, r), await executorsOf(client, r));
  }
  reporter.onAllEnd(final);
  if (signal?.aborted) return EXIT.interrupted;
  return exitCodeOfAll(final);
}
