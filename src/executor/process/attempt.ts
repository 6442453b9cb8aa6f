// One attempt's state machine: layout → sidecars ready → steps in order → sidecars stopped →
// results read → outcome. Every transition updates the snapshot and calls onChange.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerSnapshot, ExecutionHandle, ExecutionOutcome, ExecutionPlan, ExecutionSnapshot, PlanContainer, StepContext } from '../executor.ts';
import { StepReason } from '../../api/reasons.ts';
import { attemptLayout, cleanupLayout, createLayout } from './layout.ts';
import { launch, notify, waitWithTimeout } from './launch.ts';
import type { AttemptDeps, AttemptRuntime } from './launch.ts';
import { prepareContainer } from './prepare.ts';
import { startSidecars } from './sidecars.ts';

/** Go's time.Duration.String for whole milliseconds: 90000 → "1m30s", 1500 → "1.5s", 0 → "0s". */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = `${(ms % 60_000) / 1000}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}

// Between a step's exit and the next step (or the next TaskRun's first step) kiln looks at a few
// small directories and files of its own: those looks are synchronous (~10 µs each, against a
// round trip through the thread pool each, during which other work gets the event loop first).
// Contents of any size (results have no limit) are still read asynchronously.

/** The raw text of every regular file in `dir` (no size limit); {} when there is none. */
export async function readResults(dir: string): Promise<Record<string, string>> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return {};
  }
  const files = entries.filter((e) => e.isFile()).map((e) => e.name).sort();
  if (files.length === 0) return {};
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  return Object.fromEntries(files.map((f, i) => [f, texts[i]]));
}

/** The text of `path`, or undefined when there is no such file (looked up without a round trip). */
async function readIfPresent(path: string): Promise<string | undefined> {
  if (!existsSync(path)) return undefined;
  return readFile(path, 'utf8').catch(() => undefined);
}

function initial(c: PlanContainer, logDir: string, sidecar: boolean): ContainerSnapshot {
  const s: ContainerSnapshot = { name: c.name, containerName: c.containerName, phase: 'waiting', logFile: join(logDir, `${c.containerName}.log`) };
  if (sidecar) s.ready = false;
  return s;
}

function copy(s: ExecutionSnapshot): ExecutionSnapshot {
  const one = (c: ContainerSnapshot): ContainerSnapshot => (c.results ? { ...c, results: { ...c.results } } : { ...c });
  const out: ExecutionSnapshot = { ...s, steps: s.steps.map(one), sidecars: s.sidecars.map(one) };
  if (s.results) out.results = { ...s.results };
  if (s.outcome) out.outcome = { ...s.outcome };
  return out;
}

function stepFailed(c: PlanContainer, code: number): ExecutionOutcome {
  return { status: 'failed', reason: 'StepFailed', message: `"${c.containerName}" exited with code ${code}`, step: c.name };
}

/** Marks step `i` as never run: terminated, reason Skipped, exit code 0 (`message`: why, e.g. when expressions). */
function skip(rt: AttemptRuntime, i: number, message?: string): void {
  const now = rt.ts();
  Object.assign(rt.state.steps[i], { phase: 'terminated', exitCode: 0, reason: StepReason.Skipped, startedAt: now, finishedAt: now }, message ? { message } : {});
  rt.changed();
}

function stopOf(rt: AttemptRuntime): AttemptRuntime['stop'] {
  return rt.stop;
}

/** Runs step `i`; returns the failure that ends the attempt, if any. */
async function runStep(rt: AttemptRuntime, i: number, ctx: StepContext): Promise<ExecutionOutcome | undefined> {
  const { stepResults } = ctx;
  let c = rt.plan.steps[i];
  const s = rt.state.steps[i];
  if (rt.plan.beforeStep) {
    const r = rt.plan.beforeStep(i, c, ctx);
    if ('skip' in r) {
      skip(rt, i, r.skip);
      return undefined;
    }
    c = r.step;
  }
  const p = prepareContainer(rt.deps.tools, rt.actx!, c, { kind: 'step', index: i });
  if (p.error) {
    await appendFile(p.logFile, `kiln: ${p.error}\n`);
    Object.assign(s, { phase: 'terminated', exitCode: 127, reason: c.onError === 'continue' ? StepReason.Continued : StepReason.Error, message: p.error, startedAt: rt.ts(), finishedAt: rt.ts() });
    rt.changed();
    return c.onError === 'continue' ? undefined : stepFailed(c, 127);
  }
  if (rt.stop) {
    skip(rt, i);
    return undefined;
  }
  Object.assign(s, { phase: 'running', startedAt: rt.ts() });
  rt.changed();
  const proc = await launch(rt, p);
  const { exit, timedOut } = await waitWithTimeout(rt, proc, c.timeoutMs);
  const stepDir = join(rt.actx!.layout.steps, c.containerName);
  const stop = exit.code === 0 ? undefined : stopOf(rt); // cancel() came while the step ran and stopped it
  const code = timedOut && !stop ? 1 : exit.code;
  writeFileSync(join(stepDir, 'exitCode'), String(code));
  const [results, artifacts] = await Promise.all([
    readResults(join(stepDir, 'results')),
    readIfPresent(join(stepDir, 'artifacts', 'provenance.json')),
  ]);
  if (artifacts !== undefined) ctx.stepArtifacts![c.name] = artifacts;
  if (Object.keys(results).length > 0) {
    stepResults[c.name] = results;
    s.results = results;
  }
  const failed = code !== 0 || timedOut;
  const reason = stop ? (stop.kind === 'timeout' ? StepReason.TimeoutExceeded : StepReason.Cancelled)
    : timedOut ? StepReason.TimeoutExceeded
    : !failed ? StepReason.Completed
    : c.onError === 'continue' ? StepReason.Continued : StepReason.Error;
  Object.assign(s, { phase: 'terminated', exitCode: code, reason, finishedAt: rt.ts() });
  if (timedOut) s.message = `"${c.containerName}" exited because the step exceeded the specified timeout limit; step timeout ${goDuration(c.timeoutMs ?? 0)}`;
  // After the last step of an attempt without sidecars the outcome follows at once and carries
  // this too: one status write instead of two (Tekton too records a finished pod once).
  if (i < rt.plan.steps.length - 1 || rt.plan.sidecars.length > 0) rt.changed();
  return failed && !stop && c.onError !== 'continue' ? stepFailed(c, code) : undefined;
}

function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })));
}

/** Everything after setup: sidecars, steps, teardown; returns the outcome. */
async function runAll(rt: AttemptRuntime): Promise<ExecutionOutcome> {
  const { plan } = rt;
  const layout = attemptLayout(rt.deps.dataDir, plan);
  try {
    rt.actx = { plan, layout, volumes: await createLayout(rt.deps.dataDir, layout, plan) };
    rt.dirs.add(layout.workspace);
  } catch (e) {
    plan.steps.forEach((_, i) => skip(rt, i));
    return { status: 'failed', reason: 'PodCreationFailed', message: `cannot prepare the attempt's directories: ${(e as Error).message}` };
  }
  const sidecars = startSidecars(rt);
  let failure: ExecutionOutcome | undefined;
  try {
    failure = await Promise.race([sidecars.ready, aborted(rt.abort.signal)]);
    const ctx: StepContext = { stepResults: {}, stepArtifacts: {} };
    for (let i = 0; i < plan.steps.length; i++) {
      if (failure || rt.stop) skip(rt, i);
      else failure = await runStep(rt, i, ctx);
    }
  } catch (e) {
    failure = { status: 'failed', reason: 'PodCreationFailed', message: (e as Error).message };
    for (const [i, s] of rt.state.steps.entries()) if (s.phase !== 'terminated') skip(rt, i);
  } finally {
    await sidecars.stop();
  }
  [rt.state.results, rt.state.artifacts] = await Promise.all([readResults(layout.results), readIfPresent(join(layout.artifacts, 'provenance.json'))]);
  await cleanupLayout(layout, plan).catch(() => undefined);
  if (rt.stop) return { status: rt.stop.kind, message: rt.stop.message };
  return failure ?? { status: 'succeeded' };
}

/** A running attempt's handle; `listen` adds another onChange listener (a second start() of the id). */
export interface AttemptHandle extends ExecutionHandle {
  listen(onChange: () => void): void;
}

/** Starts running `plan`; the handle's snapshot follows it live. */
export function startAttempt(deps: AttemptDeps, plan: ExecutionPlan, onChange: () => void): AttemptHandle {
  const logDir = attemptLayout(deps.dataDir, plan).logs;
  const state: ExecutionSnapshot = {
    id: plan.id,
    steps: plan.steps.map((c) => initial(c, logDir, false)),
    sidecars: plan.sidecars.map((c) => initial(c, logDir, true)),
    logDir,
  };
  const listeners = [onChange];
  const rt: AttemptRuntime = {
    deps,
    plan,
    state,
    abort: new AbortController(),
    live: new Set(),
    dirs: new Set(),
    changed: () => listeners.forEach(notify),
    ts: () => deps.now().toISOString(),
  };
  function cancel(kind: 'cancelled' | 'timeout', message: string): void {
    if (state.outcome || rt.stop) return;
    rt.stop = { kind, message };
    rt.abort.abort();
    for (const p of rt.live) void p.stop(deps.graceMs);
  }
  const timer = plan.timeoutMs && plan.timeoutMs > 0
    ? setTimeout(() => cancel('timeout', `TaskRun "${plan.taskRunName}" failed to finish within "${goDuration(plan.timeoutMs!)}"`), plan.timeoutMs)
    : undefined;
  state.startedAt = rt.ts();
  const done = runAll(rt).catch((e: Error): ExecutionOutcome => ({ status: 'failed', reason: 'PodCreationFailed', message: e.message }))
    .then(function finish(outcome) {
      if (timer) clearTimeout(timer);
      state.finishedAt = rt.ts();
      state.outcome = outcome;
      rt.changed();
      return copy(state);
    });
  return {
    id: plan.id,
    snapshot: () => copy(state),
    cancel,
    done,
    listen: (fn) => void listeners.push(fn),
  };
}
