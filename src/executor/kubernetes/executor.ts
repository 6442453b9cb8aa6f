// The kubernetes executor: each attempt one Pod (podspec.ts) created through a Kubernetes API,
// its status followed (status.ts), each container's log copied into kiln's log files as it runs
// (masked, kept after the Pod is gone), the results read from the `report` container's log, and
// the Pod deleted at the end — or at once on cancel and timeout. The API is behind PodApi, so the
// same code runs against a cluster (client-node) and against tests' stand-ins.
import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { StepReason } from '../../api/reasons.ts';
import type { ExecutionHandle, ExecutionOutcome, ExecutionPlan, ExecutionSnapshot, Executor } from '../executor.ts';
import { maskValues, planMasker } from '../mask.ts';
import { goDuration } from '../process/attempt.ts';
import { attemptLayout } from '../process/layout.ts';
import { answerText, beforeStepAnnotation, failText, contextSplitter, decideUpFront, parseContext } from './beforestep.ts';
import { credsSecret, credsSecretName } from './creds.ts';
import { imagesToLookUp, registryEntrypointLookup, type EntrypointLookup } from './imageconfig.ts';
import { argvOf, podFor, podLabels } from './podspec.ts';
import { parseReportFiles } from './reports.ts';
import { maskReportFiles } from '../process/reports.ts';
import type { PodOptions } from './podspec.ts';
import { containersOf, outcomeOf, parseReport, stopSteps } from './status.ts';
import { recordLogTimes } from '../logtimes.ts';
import type { PodStatus } from './status.ts';

/** What the executor needs of a Kubernetes API. */
export interface PodApi {
  /** creates the Pod and resolves with its uid; rejects with the API's message */
  create(pod: Record<string, unknown>): Promise<string | undefined>;
  /** calls `on` with the Pod's status now and after each change (undefined: the Pod is gone) until stopped */
  watch(namespace: string, name: string, on: (status: PodStatus | undefined) => void): { stop(): void };
  /** deletes the Pod at once (grace 0); a Pod already gone is no error */
  delete(namespace: string, name: string): Promise<void>;
  /** creates a Secret (an attempt's credentials); rejects with the API's message */
  createSecret(secret: Record<string, unknown>): Promise<void>;
  /** deletes a Secret; one already gone is no error */
  deleteSecret(namespace: string, name: string): Promise<void>;
  /** merges `annotations` into the Pod's (kiln's answers to waiting steps) */
  annotate(namespace: string, name: string, annotations: Record<string, string>): Promise<void>;
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
  /**
   * reads the ENTRYPOINT and CMD of the images whose steps name no command (default:
   * from their registries with the run's imagePullSecrets, kept by digest: imageconfig.ts)
   */
  entrypointLookup?: EntrypointLookup;
}

/** The Pod's name: Tekton's `<taskrun>-pod`, `-retry<n>` for later attempts, within 63 characters. */
export function podName(plan: Pick<ExecutionPlan, 'id' | 'taskRunName'>): string {
  const attempt = Number(plan.id.split('/')[2] ?? 0) || 0;
  const suffix = attempt > 0 ? `-pod-retry${attempt}` : '-pod';
  const base = plan.taskRunName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63 - suffix.length).replace(/-+$/, '');
  return `${base || 'kiln'}${suffix}`;
}


export function createKubernetesExecutor(opts: KubernetesExecutorOptions): Executor {
  const { api, dataDir, toolsImage, now = () => new Date() } = opts;
  const attempts = new Map<string, ExecutionHandle>();
  const options = (plan: ExecutionPlan): PodOptions => ({ toolsImage, name: podName(plan), ...opts.podOptions?.(plan) });
  const lookup = opts.entrypointLookup ?? registryEntrypointLookup();
  /** step images → their entrypoints, read before each attempt's Pod is made */
  const looked = new Map<string, NonNullable<PodOptions['entrypoints']>>();

  /** The entrypoints an attempt's Pod knows: the caller's, and those read from the registries. */
  function entrypointsOf(plan: ExecutionPlan): PodOptions['entrypoints'] {
    return { ...options(plan).entrypoints, ...looked.get(plan.id) };
  }

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
    /** the Secret of the attempt's credentials, once made */
    let secret: Record<string, unknown> | undefined;
    /** step index → why beforeStep skipped it */
    const skipped = new Map<number, string>();
    /** container → index of the steps that wait for kiln's answer */
    const gates = new Map<string, number>();
    /** step results known while the attempt runs (from a waiting step's context), masked */
    const known = new Map<string, Record<string, string>>();

    /** Calls beforeStep for waiting step `i` with the context it printed, and answers through the Pod. */
    async function answer(i: number, context: string): Promise<void> {
      const step = plan.steps[i];
      let text: string;
      try {
        const ctx = parseContext(context, plan);
        for (const [s, results] of Object.entries(ctx.stepResults)) known.set(s, maskValues(masker, results));
        const r = plan.beforeStep!(i, step, ctx);
        if ('skip' in r) skipped.set(i, r.skip);
        text = answerText(step, r, (c, scriptPath) => argvOf(c, entrypointsOf(plan), scriptPath));
      } catch (e) {
        text = failText(`beforeStep failed: ${(e as Error).message}`);
      }
      for (let tries = 0; ; tries++) {
        try {
          return await api.annotate(ns, name, { [beforeStepAnnotation(i)]: text });
        } catch (e) {
          if (outcome) return;
          if (tries >= 4) return cancel('failed', `cannot answer step "${step.name}" (beforeStep) through pod ${name}: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 250 * (tries + 1)));
        }
      }
    }

    /** Copies a container's log into its file (masked) from now until the container ends. */
    function follow(container: string): Promise<void> {
      let p = following.get(container);
      if (p) return p;
      const out: WriteStream = createWriteStream(logFile({ containerName: container }), { flags: 'a' });
      const filter = masker?.filter();
      const gate = gates.get(container);
      // a waiting step's log starts with the context it printed for kiln: not the step's output
      const split = gate === undefined ? undefined : contextSplitter((text) => void answer(gate, text));
      const write = (chunk: Uint8Array) => void out.write(filter ? filter.write(chunk) : chunk);
      p = api.log(ns, name, container, (chunk) => {
        const own = split ? split(chunk) : chunk;
        if (own) write(own);
      }, abort.signal)
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
      seen.steps.forEach((c, i) => {
        if (c.reason === StepReason.Skipped && skipped.has(i)) c.message = skipped.get(i);
        if (c.phase === 'terminated' && known.has(c.name)) c.results = known.get(c.name);
      });
      state.steps = seen.steps;
      state.sidecars = seen.sidecars;
      for (const c of [...seen.steps, ...seen.sidecars]) if (c.phase !== 'waiting' && c.reason !== StepReason.Skipped) void follow(c.containerName);
      onChange();
      const o = outcomeOf(plan, name, status, seen.steps);
      if (o) end(o);
    }

    /** Ends the attempt from kiln's side: cancelled, timed out, or (`failed`) a step kiln could not answer. */
    function cancel(kind: 'cancelled' | 'timeout' | 'failed', message: string): void {
      if (outcome) return;
      state.steps = stopSteps(state.steps, kind === 'timeout' ? 'timeout' : 'cancelled', ts());
      end(kind === 'failed' ? { status: 'failed', reason: 'PodCreationFailed', message } : kind === 'timeout' ? { status: 'timeout', message } : { status: 'cancelled', message });
      // the Pod goes at once (its containers killed); the logs copied so far stay
      abort.abort();
      void api.delete(ns, name).catch(() => undefined);
      if (secret) void api.deleteSecret(ns, credsSecretName(name)).catch(() => undefined);
    }

    // the attempt's timeout, to the millisecond, from its start (Pod creation included, as Tekton
    // counts it); the Pod's activeDeadlineSeconds (whole seconds, from the Pod's start) is the
    // cluster's own backstop for when kiln is gone
    const timer = plan.timeoutMs && plan.timeoutMs > 0
      ? setTimeout(() => cancel('timeout', `TaskRun "${plan.taskRunName}" failed to finish within "${goDuration(plan.timeoutMs!)}"`), plan.timeoutMs)
      : undefined;

    /** Reads the entrypoints of the images whose containers name no command (Tekton's lookup); false when one cannot be read. */
    async function lookUpEntrypoints(): Promise<boolean> {
      const images = imagesToLookUp(plan, options(plan).entrypoints);
      const found: Record<string, { entrypoint: readonly string[]; cmd: readonly string[] }> = {};
      // each image's failure, in the plan's order
      const failures = (await Promise.all(images.map(async (image) => {
        try {
          const ep = await lookup(image, plan.registryAuth, abort.signal);
          if (!ep.entrypoint.length && !ep.cmd.length) return `image ${image} has neither ENTRYPOINT nor CMD: give the step a command or script`;
          // Tekton's rule: with no ENTRYPOINT the CMD is the command, and the step's args follow it
          found[image] = ep.entrypoint.length ? ep : { entrypoint: ep.cmd, cmd: [] };
        } catch (e) {
          return (e as Error).message;
        }
        return undefined;
      }))).filter((f) => f !== undefined);
      if (outcome) return false;
      if (failures.length) {
        // the image's config could not be read: a pull failure, as the other executors report it
        // (offline, an unreachable registry then makes the run Unsupported: taskrun/status.ts)
        end({ status: 'failed', reason: 'ImagePullFailed', message: failures.join('; ') });
        return false;
      }
      looked.set(plan.id, found);
      return true;
    }

    /** Builds the Pod (beforeStep decided up front where it can be), makes its Secret and the Pod; false when no Pod was made. */
    async function launch(): Promise<boolean> {
      if (!(await lookUpEntrypoints())) return false;
      let made: ReturnType<typeof podFor>;
      try {
        const up = decideUpFront(plan);
        for (const [i, why] of up.skipped) skipped.set(i, why);
        for (const i of up.gated) gates.set(plan.steps[i].containerName, i);
        made = podFor({ ...plan, steps: up.steps }, { ...options(plan), entrypoints: entrypointsOf(plan), skipped: [...up.skipped.keys()], gated: up.gated });
      } catch (e) {
        made = { unsupported: [{ what: 'beforeStep', why: (e as Error).message }] };
      }
      if ('unsupported' in made) {
        end({ status: 'failed', reason: 'PodCreationFailed', message: made.unsupported.map((u) => `${u.what}: ${u.why}`).join('; ') });
        return false;
      }
      let uid: string | undefined;
      try {
        uid = await api.create(made.pod);
      } catch (e) {
        end({ status: 'failed', reason: 'PodCreationFailed', message: `cannot create pod ${name}: ${(e as Error).message}` });
        return false;
      }
      // the credentials' Secret comes right after its Pod, owned by it (gone with it even if kiln
      // is): the kubelet mounts it once it exists
      const creds = credsSecret(plan, name, podLabels(plan, options(plan)), uid);
      try {
        if (creds) await api.createSecret(creds);
        secret = creds;
      } catch (e) {
        end({ status: 'failed', reason: 'PodCreationFailed', message: `cannot create secret ${credsSecretName(name)} (the credentials): ${(e as Error).message}` });
        return true;
      }
      if (!outcome) watcher = api.watch(ns, name, onStatus);
      return true;
    }

    async function run(): Promise<ExecutionSnapshot> {
      mkdirSync(layout.logs, { recursive: true, mode: 0o700 });
      // when each copied log line arrived, beside the logs (logtimes.ts)
      const times = recordLogTimes(layout.logs);
      const podMade = await launch();
      const o = await ended;
      if (timer) clearTimeout(timer);
      watcher?.stop();
      if (o.status === 'succeeded' || (o.status === 'failed' && o.reason === 'StepFailed')) {
        // the report container ran last: its log holds the results
        const chunks: Buffer[] = [];
        await api.log(ns, name, 'report', (c) => void chunks.push(Buffer.from(c)), abort.signal).catch(() => undefined);
        const log = Buffer.concat(chunks).toString('utf8');
        const r = parseReport(log, plan);
        if (plan.reportFiles?.length) state.reportFiles = maskReportFiles(parseReportFiles(log, plan), masker);
        state.results = maskValues(masker, Object.fromEntries(plan.results.filter((n) => n in r.results).map((n) => [n, r.results[n]])));
        for (const s of state.steps) if (r.stepResults[s.name]) s.results = maskValues(masker, r.stepResults[s.name]);
        if (r.artifacts !== undefined) state.artifacts = r.artifacts;
      }
      await Promise.race([Promise.all(following.values()), new Promise((r) => setTimeout(r, 10_000))]);
      abort.abort();
      if (podMade) await api.delete(ns, name).catch(() => undefined);
      if (secret) await api.deleteSecret(ns, credsSecretName(name)).catch(() => undefined);
      await times.stop();
      looked.delete(plan.id);
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
      // the entrypoints not known yet are read from the registries when the attempt starts
      const later = Object.fromEntries(imagesToLookUp(plan, options(plan).entrypoints).map((i) => [i, { entrypoint: ['entrypoint'], cmd: [] }]));
      const made = podFor(plan, { ...options(plan), entrypoints: { ...options(plan).entrypoints, ...later } });
      return 'unsupported' in made ? made.unsupported : [];
    },
    start,
    get: (id) => attempts.get(id),
    notices: () => [],
    forget: (id) => { attempts.delete(id); looked.delete(id); },
    // a lost attempt's Pod (its replica died): deleted before the attempt is retried, so it never
    // runs beside its retry; its credentials' Secret goes with it (owned by the Pod) and now too
    abandon: async (id, taskRunName) => {
      const ns = id.split('/')[0];
      const name = podName({ id, taskRunName });
      await api.delete(ns, name).catch(() => undefined);
      await api.deleteSecret(ns, credsSecretName(name)).catch(() => undefined);
    },
    drain: async () => void (await Promise.all([...attempts.values()].map((h) => h.done))),
    close: async () => {
      for (const h of attempts.values()) h.cancel('cancelled', 'kiln is shutting down');
      await Promise.all([...attempts.values()].map((h) => h.done));
    },
  };
}
