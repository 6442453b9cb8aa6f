// The kubernetes executor: each attempt one Pod (podspec.ts) created through a Kubernetes API,
// its status followed (status.ts), each container's log copied into kiln's log files as it runs
// (masked, kept after the Pod is gone), the results read from the `report` container's log, and
// the Pod deleted at the end — or at once on cancel and timeout. The API is behind PodApi, so the
// same code runs against a cluster (client-node) and against tests' stand-ins.
import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { StepReason } from '../../api/reasons.ts';
import type { ContainerSnapshot, ExecutionHandle, ExecutionOutcome, ExecutionPlan, ExecutionSnapshot, Executor, Unsupported } from '../executor.ts';
import { maskValues, planMasker } from '../mask.ts';
import { goDuration } from '../process/attempt.ts';
import { attemptLayout } from '../process/layout.ts';
import { podFor } from './podspec.ts';
import type { PodOptions } from './podspec.ts';
import { containersOf, outcomeOf, parseReport } from './status.ts';
import { recordLogTimes } from '../logtimes.ts';
import type { PodStatus } from './status.ts';

/** What the executor needs of a Kubernetes API. */
export interface PodApi {
  /** creates the Pod; rejects with the API's message */
  create(pod: Record<string, unknown>): Promise<void>;
  /** calls `on` with the Pod's status now and after each change (undefined: the Pod is gone) until stopped */
  watch(namespace: string, name: string, on: (status: PodStatus | undefined) => void): { stop(): void };
  /** deletes the Pod at once (grace 0); a Pod already gone is no error */
  delete(namespace: string, name: string): Promise<void>;
  /** follows a container's log from its start until the container ends (or `signal` aborts) */
  log(namespace: string, name: string, container: string, onChunk: (chunk: Uint8Array) => void, signal: AbortSignal): Promise<void>;
}

export interface KubernetesExecutorOptions {
  api: PodApi;
  /** kiln's data directory: logs are kept under `<dataDir>/runs/…` as with the other executors */
  dataDir: string;
  /** the busybox image of each Pod's `prepare` and `report` containers */
  toolsImage: string;
  now?: () => Date;
  /** extra Pod options (service account, pull secrets, entrypoints of images known to the caller) */
  podOptions?: (plan: ExecutionPlan) => Partial<PodOptions>;
}

/** The Pod's name: Tekton's `<taskrun>-pod`, `-retry<n>` for later attempts, within 63 characters. */
export function podName(plan: ExecutionPlan): string {
  const attempt = Number(plan.id.split('/')[2] ?? 0) || 0;
  const suffix = attempt > 0 ? `-pod-retry${attempt}` : '-pod';
  const base = plan.taskRunName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63 - suffix.length).replace(/-+$/, '');
  return `${base || 'kiln'}${suffix}`;
}

/**
 * What is decided as each step starts (beforeStep: `$(steps.…)` results, step `when`) or read after
 * the last (workspace report files): a Pod written up front does neither yet, so such plans are refused.
 */
function runtimeNeeds(plan: ExecutionPlan): Unsupported[] {
  const later = 'not yet on the kubernetes executor';
  return [
    ...plan.steps.filter((c) => /\$\(steps\./.test(JSON.stringify([c.command, c.args, c.script, c.env])))
      .map((c) => ({ what: `step ${c.name} refers to $(steps.…) results`, why: `${later} (substituted when the step starts)` })),
    ...(plan.stepWhen ?? []).map((name) => ({ what: `step ${name} when`, why: `${later} (evaluated when the step starts)` })),
    ...(plan.reportFiles?.length ? [{ what: 'workspace report files (cdevents.kiln.dev/junit-files)', why: `${later} (read after the last step)` }] : []),
  ];
}

export function createKubernetesExecutor(opts: KubernetesExecutorOptions): Executor {
  const { api, dataDir, toolsImage, now = () => new Date() } = opts;
  const attempts = new Map<string, ExecutionHandle>();
  const options = (plan: ExecutionPlan): PodOptions => ({ toolsImage, name: podName(plan), ...opts.podOptions?.(plan) });

  function start(plan: ExecutionPlan, onChange: () => void): ExecutionHandle {
    const existing = attempts.get(plan.id);
    if (existing) return existing;
    const ts = () => now().toISOString();
    const layout = attemptLayout(dataDir, plan);
    const name = podName(plan);
    const ns = plan.namespace;
    const logFile = (c: { containerName: string }) => join(layout.logs, `${c.containerName}.log`);
    const state: ExecutionSnapshot = {
      id: plan.id, startedAt: ts(), logDir: layout.logs,
      steps: plan.steps.map((c) => ({ name: c.name, containerName: c.containerName, phase: 'waiting', logFile: logFile(c) })),
      sidecars: plan.sidecars.map((c) => ({ name: c.name, containerName: c.containerName, phase: 'waiting', logFile: logFile(c), ready: false })),
    };
    const masker = planMasker(plan);
    const abort = new AbortController();
    const following = new Map<string, Promise<void>>();
    let finish!: (o: ExecutionOutcome) => void;
    const ended = new Promise<ExecutionOutcome>((r) => { finish = r; });
    let outcome: ExecutionOutcome | undefined;
    let watcher: { stop(): void } | undefined;

    /** Copies a container's log into its file (masked) from now until the container ends. */
    function follow(container: string): Promise<void> {
      let p = following.get(container);
      if (p) return p;
      const out: WriteStream = createWriteStream(logFile({ containerName: container }), { flags: 'a' });
      const filter = masker?.filter();
      p = api.log(ns, name, container, (chunk) => void out.write(filter ? filter.write(chunk) : chunk), abort.signal)
        .catch(() => undefined)
        .then(() => new Promise<void>((r) => out.end(filter?.end() ?? Buffer.alloc(0), () => r())));
      following.set(container, p);
      return p;
    }

    function end(o: ExecutionOutcome): void {
      if (outcome) return;
      outcome = o;
      finish(o);
    }

    function onStatus(status: PodStatus | undefined): void {
      if (outcome) return;
      if (!status) return end({ status: 'failed', reason: 'PodCreationFailed', message: `pod ${name} was deleted before the attempt ended` });
      const seen = containersOf(plan, status, logFile);
      state.steps = seen.steps;
      state.sidecars = seen.sidecars;
      for (const c of [...seen.steps, ...seen.sidecars]) if (c.phase !== 'waiting' && c.reason !== StepReason.Skipped) void follow(c.containerName);
      onChange();
      const o = outcomeOf(plan, name, status, seen.steps);
      if (o) end(o);
    }

    function cancel(kind: 'cancelled' | 'timeout', message: string): void {
      if (outcome) return;
      const stopped = (c: ContainerSnapshot): ContainerSnapshot => c.phase === 'running' ? { ...c, phase: 'terminated', exitCode: 1, reason: kind === 'timeout' ? StepReason.TimeoutExceeded : StepReason.Cancelled, finishedAt: ts() }
        : c.phase === 'waiting' ? { ...c, phase: 'terminated', exitCode: 0, reason: StepReason.Skipped } : c;
      state.steps = state.steps.map(stopped);
      end(kind === 'timeout' ? { status: 'timeout', message } : { status: 'cancelled', message });
      // the Pod goes at once (its containers killed); the logs copied so far stay
      abort.abort();
      void api.delete(ns, name).catch(() => undefined);
    }

    const timer = plan.timeoutMs && plan.timeoutMs > 0
      // the Pod's activeDeadlineSeconds ends it first; this is for a Pod the API never starts
      ? setTimeout(() => cancel('timeout', `TaskRun "${plan.taskRunName}" failed to finish within "${goDuration(plan.timeoutMs!)}"`), plan.timeoutMs + 5000)
      : undefined;

    async function run(): Promise<ExecutionSnapshot> {
      mkdirSync(layout.logs, { recursive: true, mode: 0o700 });
      // when each copied log line arrived, beside the logs (logtimes.ts)
      const times = recordLogTimes(layout.logs);
      const made = podFor(plan, options(plan));
      if ('unsupported' in made) end({ status: 'failed', reason: 'PodCreationFailed', message: made.unsupported.map((u) => `${u.what}: ${u.why}`).join('; ') });
      else {
        try {
          await api.create(made.pod);
          if (!outcome) watcher = api.watch(ns, name, onStatus);
        } catch (e) {
          end({ status: 'failed', reason: 'PodCreationFailed', message: `cannot create pod ${name}: ${(e as Error).message}` });
        }
      }
      const o = await ended;
      if (timer) clearTimeout(timer);
      watcher?.stop();
      if (o.status === 'succeeded' || (o.status === 'failed' && o.reason === 'StepFailed')) {
        // the report container ran last: its log holds the results
        const chunks: Buffer[] = [];
        await api.log(ns, name, 'report', (c) => void chunks.push(Buffer.from(c)), abort.signal).catch(() => undefined);
        const r = parseReport(Buffer.concat(chunks).toString('utf8'), plan);
        state.results = maskValues(masker, Object.fromEntries(plan.results.filter((n) => n in r.results).map((n) => [n, r.results[n]])));
        for (const s of state.steps) if (r.stepResults[s.name]) s.results = maskValues(masker, r.stepResults[s.name]);
        if (r.artifacts !== undefined) state.artifacts = r.artifacts;
      }
      await Promise.race([Promise.all(following.values()), new Promise((r) => setTimeout(r, 10_000))]);
      abort.abort();
      if (!('unsupported' in made)) await api.delete(ns, name).catch(() => undefined);
      await times.stop();
      Object.assign(state, { outcome: o, finishedAt: ts() });
      onChange();
      return { ...state, steps: [...state.steps], sidecars: [...state.sidecars] };
    }

    const handle: ExecutionHandle = { id: plan.id, snapshot: () => ({ ...state, steps: [...state.steps], sidecars: [...state.sidecars] }), cancel, done: run() };
    attempts.set(plan.id, handle);
    return handle;
  }

  return {
    name: 'kubernetes',
    check: (plan) => {
      const made = podFor(plan, options(plan));
      return [...('unsupported' in made ? made.unsupported : []), ...runtimeNeeds(plan)];
    },
    start,
    get: (id) => attempts.get(id),
    notices: () => [],
    forget: (id) => void attempts.delete(id),
    drain: async () => void (await Promise.all([...attempts.values()].map((h) => h.done))),
    close: async () => {
      for (const h of attempts.values()) h.cancel('cancelled', 'kiln is shutting down');
      await Promise.all([...attempts.values()].map((h) => h.done));
    },
  };
}
