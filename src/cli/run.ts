// `kiln run -f FILE`: load every object in the file, run its TaskRuns/PipelineRuns, follow them.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KObject } from '../api/meta.ts';
import type { LoadedObject } from '../api/load.ts';
import type { ParamSpec } from '../api/param.types.ts';
import type { TaskRun } from '../api/taskrun.types.ts';
import type { WorkspaceDeclaration } from '../api/workspace.types.ts';
import { formatFieldError } from '../api/errors.ts';
import { ignoredFields } from '../api/ignored.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import { loadFile } from './files.ts';
import { follow, succeeded } from './follow.ts';
import { mergeParams, parseParams, parseWorkspaces } from './params.ts';
import type { Reporter, RunFailure } from './reporter.ts';

export interface RunOptions {
  file: string;
  namespace?: string;
  params: string[];
  workspaces: string[];
  reporter: Reporter;
  client: (opts: { namespace: string }) => Promise<KilnClient>;
  signal?: AbortSignal;
}

const RUN_KINDS = new Set(['TaskRun', 'PipelineRun']);

/** The runs a file asks for; a lone Task (or Pipeline) gets a run made for it. */
export function runsOf(objects: LoadedObject[]): { runs: KObject[]; others: KObject[] } {
  const runs = objects.filter((o) => RUN_KINDS.has(o.object.kind)).map((o) => o.object);
  const others = objects.filter((o) => !RUN_KINDS.has(o.object.kind)).map((o) => o.object);
  if (runs.length) return { runs, others };
  const tasks = others.filter((o) => o.kind === 'Task');
  const pipelines = others.filter((o) => o.kind === 'Pipeline');
  if (tasks.length + pipelines.length !== 1 || (pipelines.length && tasks.length)) {
    throw new CliError(EXIT.invalid, 'the file has no TaskRun or PipelineRun, and not exactly one Task or Pipeline to start', [
      `found: ${others.map((o) => `${o.kind}/${o.metadata.name ?? o.metadata.generateName}`).join(', ') || 'nothing runnable'}`,
    ]);
  }
  const target = (tasks[0] ?? pipelines[0])!;
  const isTask = target.kind === 'Task';
  const run: KObject = {
    apiVersion: 'tekton.dev/v1',
    kind: isTask ? 'TaskRun' : 'PipelineRun',
    metadata: { generateName: `${target.metadata.name}-run-`, namespace: target.metadata.namespace },
    spec: isTask ? { taskRef: { name: target.metadata.name } } : { pipelineRef: { name: target.metadata.name } },
  };
  return { runs: [run], others };
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
    for (const b of bound) mkdirSync(b.hostPath!.path, { recursive: true });
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

/** Exit code upstream would judge by: the first run's Succeeded condition. */
export function exitCodeOf(run: KObject | undefined): number {
  const c = run && succeeded(run);
  if (c?.status === 'True') return EXIT.ok;
  if (c?.reason === 'Unsupported') return EXIT.unsupported;
  return EXIT.failed;
}

export async function runCommand(opts: RunOptions): Promise<number> {
  const { objects, warnings } = loadFile(opts.file, { namespace: opts.namespace });
  for (const w of warnings) opts.reporter.onNotice(formatFieldError(w));
  const { runs, others } = runsOf(objects);
  if ((opts.params.length || opts.workspaces.length) && runs.length > 1) {
    throw new CliError(EXIT.invalid, `-p/-w attach to one run, and ${opts.file} has ${runs.length}`);
  }
  attach(runs[0], others, opts);
  const reported = new Set<string>();
  for (const o of objects) {
    for (const path of ignoredFields(o.object)) {
      const pos = o.locate(path);
      const msg = formatFieldError({ file: o.file, line: pos.line, col: pos.col, path, message: 'accepted but not honoured when steps run as local processes' });
      if (!reported.has(msg)) opts.reporter.onNotice(msg);
      reported.add(msg);
    }
  }
  const namespace = runs[0].metadata.namespace ?? 'default';
  const client = await opts.client({ namespace });
  try {
    for (const n of await client.notices()) opts.reporter.onNotice(n);
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
 * an abort cancels them first. Returns the exit code of the first run, as upstream judges.
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
    reporter.onRunEnd(r, succeeded(r)?.status === 'True' ? [] : await failuresOf(client, r));
  }
  reporter.onAllEnd(final);
  if (signal?.aborted) return EXIT.interrupted;
  return exitCodeOf(final[0]);
}
