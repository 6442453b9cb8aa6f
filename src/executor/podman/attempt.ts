// One attempt on podman: the process executor's directories → a pod → sidecars ready → steps in
// order, each a container of its own image in the pod → sidecars stopped → results read → the
// pod and everything in it removed (also after a timeout or a cancel).
import { chmodSync } from 'node:fs';
import { appendFile, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerSnapshot, ExecutionHandle, ExecutionOutcome, ExecutionPlan, ExecutionSnapshot, PlanContainer, StepContext } from '../executor.ts';
import { StepReason } from '../../api/reasons.ts';
import { maskValues, planMasker } from '../mask.ts';
import { goDuration } from '../process/attempt.ts';
import { notify } from '../process/launch.ts';
import { maskReportFiles, readReportFiles } from '../process/reports.ts';
import { TrustedDirs, mkdirBeneath, readAllBeneath, readBeneath, writeBeneath } from '../process/beneath.ts';
import { attemptLayout, cleanupLayout, createLayout, volumeDir } from '../process/layout.ts';
import type { AttemptLayout } from '../process/layout.ts';
import { scrubAttempt, scrubbedDirs } from '../process/unmasked.ts';
import { attemptLabels, podCreateArgs, podHostname, podmanName } from './args.ts';
import { podmanMessage, podmanRun, removePods } from './cli.ts';
import { attemptDir, removeContainer, startContainer, waitContainer } from './container.ts';
import type { PodDeps, PodRuntime } from './container.ts';
import { startSidecars } from './sidecars.ts';
import { ensureImages, pullOutcome } from './pull.ts';
import type { PullFailure } from './pull.ts';
import { recordLogTimes } from '../logtimes.ts';

/** Task or step outputs read back, and the first refusal met reading them (a link where kiln reads). */
interface Read { results: Record<string, string>; artifacts?: string; refused?: string }

async function readOutputs(rt: PodRuntime, results: string, artifacts: string): Promise<Read> {
  const read: Read = { results: {} };
  function refuse(e: unknown): undefined {
    read.refused ??= (e as Error).message;
    return undefined;
  }
  const own = attemptDir(rt);
  const [r, a] = await Promise.all([readAllBeneath(own, results).catch(refuse), readBeneath(own, artifacts).catch(refuse)]);
  return read.refused ? read : { results: r ?? {}, artifacts: a };
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

function stepFailed(c: PlanContainer, code: number): Extract<ExecutionOutcome, { status: 'failed' }> {
  return { status: 'failed', reason: 'StepFailed', message: `"${c.containerName}" exited with code ${code}`, step: c.name };
}

function skip(rt: PodRuntime, i: number, message?: string): void {
  const now = rt.ts();
  Object.assign(rt.state.steps[i], { phase: 'terminated', exitCode: 0, reason: StepReason.Skipped, startedAt: now, finishedAt: now }, message ? { message } : {});
  rt.changed();
}

/**
 * A stop (timeout, cancel) that came while the pod was being prepared (created, its sidecars
 * started): the first step, whose container was on its way, ends with the stop's reason, as
 * Tekton ends a TaskRun's unfinished steps; the others are skipped.
 */
function stoppedInSetup(rt: PodRuntime, stop: NonNullable<PodRuntime['stop']>): void {
  const now = rt.ts();
  const reason = stop.kind === 'timeout' ? StepReason.TimeoutExceeded : StepReason.Cancelled;
  Object.assign(rt.state.steps[0], { phase: 'terminated', exitCode: 1, reason, message: stop.message, startedAt: now, finishedAt: now });
  rt.changed();
}

/** `rt.stop` read afresh (a cancel may have set it while this step ran). */
function stopOf(rt: PodRuntime): PodRuntime['stop'] {
  return rt.stop;
}

/** podman's own error (exit 125: it could not create or start the container, e.g. a missing image), read from the end of the log. */
async function podmanFailure(logFile: string): Promise<string | undefined> {
  const fh = await open(logFile, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, 8192);
    const { buffer } = await fh.read(Buffer.alloc(len), 0, len, size - len);
    const text = buffer.toString('utf8');
    return text.split('\n').some((l) => l.startsWith('Error: ')) ? podmanMessage(text) : undefined;
  } finally {
    await fh.close();
  }
}

/** Runs step `i` as a container; returns the failure that ends the attempt, if any. */
async function runStep(rt: PodRuntime, i: number, ctx: StepContext): Promise<ExecutionOutcome | undefined> {
  let c = rt.plan.steps[i];
  const s = rt.state.steps[i];
  if (rt.plan.beforeStep) {
    const r = rt.plan.beforeStep(i, c, ctx);
    if ('skip' in r) return void skip(rt, i, r.skip);
    c = r.step;
  }
  if (rt.stop) return void skip(rt, i);
  Object.assign(s, { phase: 'running', startedAt: rt.ts() });
  rt.changed();
  const started = await startContainer(rt, c, { kind: 'step', index: i });
  if ('error' in started) {
    const code = started.code ?? 127;
    await appendFile(s.logFile, `kiln: ${started.error}\n`).catch(() => undefined);
    Object.assign(s, { phase: 'terminated', exitCode: code, reason: c.onError === 'continue' ? StepReason.Continued : StepReason.Error, message: started.error, finishedAt: rt.ts() });
    rt.changed();
    if (c.onError === 'continue') return undefined;
    return code === 125 ? { ...stepFailed(c, code), message: `"${c.containerName}" could not run: ${started.error}` } : stepFailed(c, code);
  }
  rt.live.set(started.name, started.proc);
  if (rt.stop) void removeContainer(rt, started, rt.deps.graceMs);
  const { exit, timedOut } = await waitContainer(rt, started, c.timeoutMs);
  rt.live.delete(started.name);
  const stop = exit.code === 0 ? undefined : stopOf(rt); // cancel() came while the step ran and stopped it
  const code = timedOut && !stop ? 1 : exit.code;
  const stepDir = `steps/${c.containerName}`;
  let refused: string | undefined;
  try {
    writeBeneath(attemptDir(rt), `${stepDir}/exitCode`, String(code));
  } catch (e) {
    refused = (e as Error).message;
  }
  const read = await readOutputs(rt, `${stepDir}/results`, `${stepDir}/artifacts/provenance.json`);
  refused ??= read.refused;
  if (read.artifacts !== undefined) ctx.stepArtifacts![c.name] = read.artifacts;
  if (Object.keys(read.results).length > 0) {
    ctx.stepResults[c.name] = read.results;
    s.results = maskValues(planMasker(rt.plan), read.results);
  }
  const failed = code !== 0 || timedOut || refused !== undefined;
  const reason = stop ? (stop.kind === 'timeout' ? StepReason.TimeoutExceeded : StepReason.Cancelled)
    : timedOut ? StepReason.TimeoutExceeded
    : !failed ? StepReason.Completed
    : c.onError === 'continue' && !refused ? StepReason.Continued : StepReason.Error;
  Object.assign(s, { phase: 'terminated', exitCode: code, reason, finishedAt: rt.ts() });
  const why = exit.code === 125 && !stop && !timedOut ? await podmanFailure(s.logFile) : undefined;
  if (timedOut) s.message = `"${c.containerName}" exited because the step exceeded the specified timeout limit; step timeout ${goDuration(c.timeoutMs ?? 0)}`;
  else if (refused) s.message = refused;
  else if (why) s.message = why;
  rt.changed();
  if (refused && !stop) return { status: 'failed', reason: 'StepFailed', message: `"${c.containerName}": ${refused}`, step: c.name };
  if (!failed || stop || c.onError === 'continue') return undefined;
  return why ? { ...stepFailed(c, code), message: `"${c.containerName}" could not run: ${why}` } : stepFailed(c, code);
}

/**
 * Directories containers write are world-writable, as Kubernetes' emptyDirs are: an image's own
 * non-root user (or runAsUser) writes them too. Only kiln's fresh directories of this attempt
 * (no container has run yet); claims and host directories keep their modes.
 */
function openToContainers(layout: AttemptLayout, plan: ExecutionPlan, dataDir: string): void {
  const dirs = [layout.workspace, layout.home, layout.results, layout.artifacts];
  plan.steps.forEach((c, i) => dirs.push(...['', '/results', '/artifacts'].map((d) => join(layout.steps, c.containerName + d)), join(layout.run, String(i))));
  for (const v of plan.volumes) if (v.source.type === 'emptyDir') dirs.push(volumeDir(dataDir, layout, v));
  for (const d of dirs) chmodSync(d, 0o777);
}

function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', () => resolve(undefined), { once: true })));
}

/** Sidecars, steps, task results; the pod is removed by the caller. */
async function runInPod(rt: PodRuntime): Promise<ExecutionOutcome> {
  const { plan } = rt;
  const sidecars = startSidecars(rt);
  let failure: ExecutionOutcome | undefined;
  try {
    failure = await Promise.race([sidecars.ready, aborted(rt.abort.signal)]);
    const ctx: StepContext = { stepResults: {}, stepArtifacts: {} };
    for (let i = 0; i < plan.steps.length; i++) {
      if (i === 0 && rt.stop && !failure) stoppedInSetup(rt, rt.stop);
      else if (failure || rt.stop) skip(rt, i);
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
  if (plan.reportFiles?.length) rt.state.reportFiles = maskReportFiles(await readReportFiles(plan.reportFiles, rt.volumes, rt.trusted), masker);
  if (masker) await scrubAttempt(attemptDir(rt), masker, scrubbedDirs(plan.steps.map((c) => c.containerName)));
  if (read.refused) failure ??= { status: 'failed', reason: 'StepFailed', message: read.refused };
  if (rt.stop) return { status: rt.stop.kind, message: rt.stop.message };
  return failure ?? { status: 'succeeded' };
}

/** The container whose image could not be pulled ends (the kubelet's reason and podman's message), the steps are skipped. */
function pullFailed(rt: PodRuntime, f: PullFailure): ExecutionOutcome {
  const now = rt.ts();
  const list = f.kind === 'step' ? rt.state.steps : rt.state.sidecars;
  const s = list[(f.kind === 'step' ? rt.plan.steps : rt.plan.sidecars).indexOf(f.container)];
  Object.assign(s, { phase: 'terminated', exitCode: 125, reason: f.reason, message: f.message, startedAt: now, finishedAt: now });
  rt.plan.steps.forEach((_, i) => rt.state.steps[i].phase !== 'terminated' && skip(rt, i));
  void appendFile(s.logFile, `kiln: ${f.message}\n`).catch(() => undefined);
  return pullOutcome(f, rt.plan.taskRunName);
}

/** Layout, pod, everything in it, and the teardown that leaves no container or pod behind. */
async function runAll(rt: PodRuntime): Promise<ExecutionOutcome> {
  const { plan, layout, deps } = rt;
  const fail = (what: string, e: unknown): ExecutionOutcome => {
    plan.steps.forEach((_, i) => skip(rt, i));
    return { status: 'failed', reason: 'PodCreationFailed', message: `${what}: ${(e as Error).message}` };
  };
  try {
    rt.volumes = await createLayout(deps.dataDir, layout, plan, rt.trusted);
    openToContainers(layout, plan, deps.dataDir);
  } catch (e) {
    rt.trusted.close();
    return fail("cannot prepare the attempt's directories", e);
  }
  try {
    mkdirBeneath(rt.trusted.dir(layout.root, ''), 'podman');
    const images = [...plan.steps.map((container) => ({ container, kind: 'step' as const })), ...plan.sidecars.map((container) => ({ container, kind: 'sidecar' as const }))];
    // the pod is created while the images are checked (two podman calls of ~0.1 s each at once); it
    // is always waited for, so the removal below never runs before it exists
    const podCreated = deps.swept.then(() => podmanRun(deps.podman, podCreateArgs(rt.pod, rt.labels, deps.network, podHostname(plan.taskRunName), deps.userns)));
    let pulled: Awaited<ReturnType<typeof ensureImages>>;
    try {
      pulled = await ensureImages({ podman: deps.podman, dir: join(layout.root, 'podman'), registryAuth: plan.registryAuth, signal: rt.abort.signal, present: deps.present }, images);
    } finally {
      await podCreated;
    }
    // a stop (cancel, timeout) during the pulls ends the attempt as a stop, below
    if (pulled && !rt.stop) return pullFailed(rt, pulled);
    const pod = await podCreated;
    if (pod.code !== 0) return fail(`cannot create the attempt's pod ${rt.pod}`, new Error(podmanMessage(pod.stderr)));
    return await runInPod(rt);
  } finally {
    const removed = await removePods(deps.podman, [rt.pod]);
    // left for the next executor's sweep; said where the user looks
    const last = rt.state.steps.at(-1);
    if (removed.code !== 0 && last) await appendFile(last.logFile, `kiln: could not remove pod ${rt.pod}: ${podmanMessage(removed.stderr)}\n`).catch(() => undefined);
    await cleanupLayout(layout, plan).catch(() => undefined);
    await rm(join(layout.root, 'podman'), { recursive: true, force: true }).catch(() => undefined);
    rt.trusted.close();
  }
}

/** A running attempt's handle; `listen` adds another onChange listener (a second start() of the id). */
export interface PodAttempt extends ExecutionHandle {
  listen(onChange: () => void): void;
}

/** Starts running `plan` in a pod named after it plus `suffix`; the handle's snapshot follows it live. */
export function startPodAttempt(deps: PodDeps, plan: ExecutionPlan, suffix: string, onChange: () => void): PodAttempt {
  const layout = attemptLayout(deps.dataDir, plan);
  const state: ExecutionSnapshot = {
    id: plan.id,
    steps: plan.steps.map((c) => initial(c, layout.logs, false)),
    sidecars: plan.sidecars.map((c) => initial(c, layout.logs, true)),
    logDir: layout.logs,
  };
  const listeners = [onChange];
  const rt: PodRuntime = {
    deps, plan, state, layout, volumes: new Map(), trusted: new TrustedDirs(),
    pod: podmanName('kiln', plan.namespace, plan.taskRunName, plan.id.split('/').pop() ?? '', suffix),
    labels: attemptLabels(plan, deps.dataDirKey),
    abort: new AbortController(),
    live: new Map(),
    changed: () => listeners.forEach(notify),
    ts: () => deps.now().toISOString(),
  };
  function cancel(kind: 'cancelled' | 'timeout', message: string): void {
    if (state.outcome || rt.stop) return;
    rt.stop = { kind, message };
    rt.abort.abort();
    for (const [name, proc] of rt.live) void removeContainer(rt, { name, proc }, deps.graceMs);
  }
  const timer = plan.timeoutMs && plan.timeoutMs > 0
    ? setTimeout(() => cancel('timeout', `TaskRun "${plan.taskRunName}" failed to finish within "${goDuration(plan.timeoutMs!)}"`), plan.timeoutMs)
    : undefined;
  state.startedAt = rt.ts();
  // when each log line arrived, beside the logs (logtimes.ts); complete before the outcome is told
  const times = recordLogTimes(layout.logs);
  const done = runAll(rt).catch((e: Error): ExecutionOutcome => ({ status: 'failed', reason: 'PodCreationFailed', message: e.message }))
    .then(async function finish(outcome) {
      await times.stop();
      if (timer) clearTimeout(timer);
      state.finishedAt = rt.ts();
      state.outcome = outcome;
      rt.changed();
      return copy(state);
    });
  return { id: plan.id, snapshot: () => copy(state), cancel, done, listen: (fn) => void listeners.push(fn) };
}
