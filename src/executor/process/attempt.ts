// One attempt's state machine: layout → sidecars ready → steps in order → sidecars stopped →
// results read → outcome. Every transition updates the snapshot and calls onChange.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerSnapshot, ExecutionHandle, ExecutionOutcome, ExecutionPlan, ExecutionSnapshot, PlanContainer, StepContext } from '../executor.ts';
import { StepReason } from '../../api/reasons.ts';
import { TrustedDirs, readAllBeneath, readBeneath, writeBeneath } from './beneath.ts';
import { attemptLayout, cleanupLayout, createLayout } from './layout.ts';
import { startNetwork } from './network.ts';
import { attemptDir, launch, notify, waitWithTimeout } from './launch.ts';
import type { AttemptDeps, AttemptRuntime } from './launch.ts';
import { prepareContainer, releasePrepared } from './prepare.ts';
import { startSidecars } from './sidecars.ts';
import { maskValues, planMasker } from '../mask.ts';
import { scrubAttempt, scrubbedDirs } from './unmasked.ts';
import { maskReportFiles, readReportFiles } from './reports.ts';
import { recordLogTimes } from '../logtimes.ts';

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
// Contents of any size (results have no limit) are still read asynchronously. Steps can replace
// any of them with a link: all are opened beneath the attempt's directory (beneath.ts), and a
// link fails the step, naming it.

/** What kiln reads after a step or the attempt: results, artifacts, and the first refusal met reading them. */
interface Read { results: Record<string, string>; artifacts?: string; refused?: string }

/** Reads the results directory `results` and the artifacts file `artifacts` beneath the attempt's directory. */
async function readOutputs(rt: AttemptRuntime, results: string, artifacts: string): Promise<Read> {
  const own = attemptDir(rt);
  const read: Read = { results: {} };
  function refuse(e: unknown): undefined {
    read.refused ??= (e as Error).message;
    return undefined;
  }
  const [r, a] = await Promise.all([readAllBeneath(own, results).catch(refuse), readBeneath(own, artifacts).catch(refuse)]);
  if (read.refused) return read;
  return { results: r ?? {}, artifacts: a };
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
  if (s.reportFiles) out.reportFiles = s.reportFiles.map((f) => ({ ...f }));
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
    releasePrepared(p);
    skip(rt, i);
    return undefined;
  }
  Object.assign(s, { phase: 'running', startedAt: rt.ts() });
  rt.changed();
  const proc = await launch(rt, p);
  const { exit, timedOut } = await waitWithTimeout(rt, proc, c.timeoutMs);
  const stepDir = `steps/${c.containerName}`;
  const stop = exit.code === 0 ? undefined : stopOf(rt); // cancel() came while the step ran and stopped it
  const code = timedOut && !stop ? 1 : exit.code;
  let refused: string | undefined;
  try {
    writeBeneath(attemptDir(rt), `${stepDir}/exitCode`, String(code));
  } catch (e) {
    refused = (e as Error).message;
  }
  const { results, artifacts, refused: unread } = await readOutputs(rt, `${stepDir}/results`, `${stepDir}/artifacts/provenance.json`);
  refused ??= unread;
  if (artifacts !== undefined) ctx.stepArtifacts![c.name] = artifacts;
  if (Object.keys(results).length > 0) {
    stepResults[c.name] = results; // later steps of the attempt read them as written
    s.results = maskValues(planMasker(rt.plan), results); // what is reported (and recorded) is masked
  }
  const failed = code !== 0 || timedOut || refused !== undefined;
  const reason = stop ? (stop.kind === 'timeout' ? StepReason.TimeoutExceeded : StepReason.Cancelled)
    : timedOut ? StepReason.TimeoutExceeded
    : !failed ? StepReason.Completed
    : c.onError === 'continue' && !refused ? StepReason.Continued : StepReason.Error;
  Object.assign(s, { phase: 'terminated', exitCode: code, reason, finishedAt: rt.ts() });
  if (timedOut) s.message = `"${c.containerName}" exited because the step exceeded the specified timeout limit; step timeout ${goDuration(c.timeoutMs ?? 0)}`;
  else if (refused) s.message = refused;
  // After the last step of an attempt without sidecars the outcome follows at once and carries
  // this too: one status write instead of two (Tekton too records a finished pod once).
  if (i < rt.plan.steps.length - 1 || rt.plan.sidecars.length > 0) rt.changed();
  // a link where kiln writes or reads fails the attempt whatever onError says: the step broke the sandbox's rules
  if (refused && !stop) return { status: 'failed', reason: 'StepFailed', message: `"${c.containerName}": ${refused}`, step: c.name };
  return failed && !stop && c.onError !== 'continue' ? stepFailed(c, code) : undefined;
}

function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })));
}

/** Everything after setup: sidecars, steps, teardown; returns the outcome. */
async function runAll(rt: AttemptRuntime): Promise<ExecutionOutcome> {
  const { plan } = rt;
  const layout = attemptLayout(rt.deps.dataDir, plan);
  const trusted = new TrustedDirs();
  try {
    rt.actx = { plan, layout, volumes: await createLayout(rt.deps.dataDir, layout, plan, trusted, rt.deps.tools.bwrap ? undefined : layout.creds), trusted };
  } catch (e) {
    trusted.close();
    plan.steps.forEach((_, i) => skip(rt, i));
    return { status: 'failed', reason: 'PodCreationFailed', message: `cannot prepare the attempt's directories: ${(e as Error).message}` };
  }
  const net = rt.deps.tools.network;
  try {
    // one network for the attempt when its containers must share loopback or reach outside
    if (net && (plan.sidecars.length > 0 || net.slirp)) rt.actx.net = await startNetwork(net);
  } catch (e) {
    trusted.close();
    plan.steps.forEach((_, i) => skip(rt, i));
    return { status: 'failed', reason: 'PodCreationFailed', message: `cannot create the attempt's network: ${(e as Error).message}` };
  }
  try {
    return await runPrepared(rt);
  } finally {
    rt.actx.net?.stop();
    trusted.close();
  }
}

/** Sidecars, steps, task results and cleanup, once the attempt's directories exist. */
async function runPrepared(rt: AttemptRuntime): Promise<ExecutionOutcome> {
  const { plan, layout } = rt.actx!;
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
  const read = await readOutputs(rt, 'results', 'artifacts/provenance.json');
  const masker = planMasker(plan);
  [rt.state.results, rt.state.artifacts] = [maskValues(masker, read.results), read.artifacts === undefined || !masker ? read.artifacts : masker.mask(read.artifacts)];
  if (plan.reportFiles?.length) rt.state.reportFiles = maskReportFiles(await readReportFiles(plan.reportFiles, rt.actx!.volumes, rt.actx!.trusted), masker);
  // results, artifacts (and scripts they were substituted into) carrying a secret leave no copy in clear on disk
  if (masker) await scrubAttempt(attemptDir(rt), masker, scrubbedDirs(plan.steps.map((c) => c.containerName)));
  if (read.refused) failure ??= { status: 'failed', reason: 'StepFailed', message: read.refused };
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
  // when each log line arrived, beside the logs (logtimes.ts); complete before the outcome is told
  const times = recordLogTimes(logDir);
  const done = runAll(rt).catch((e: Error): ExecutionOutcome => ({ status: 'failed', reason: 'PodCreationFailed', message: e.message }))
    .then(async function finish(outcome) {
      await times.stop();
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
