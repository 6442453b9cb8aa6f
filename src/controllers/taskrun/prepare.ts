// Resolves what a TaskRun attempt will run: the Task (ref or inline), StepActions, params,
// substitutions, and the execution plan. Reads the store; everything else is pure engine code.
import type { ConfigMap, Secret } from '../../api/core.types.ts';
import type { HostPolicy } from '../../api/hostpolicy.ts';
import type { StepAction, Task, TaskSpec } from '../../api/task.types.ts';
import type { TaskRun, TestReport } from '../../api/taskrun.types.ts';
import { CONFIGMAP, SECRET, SERVICEACCOUNT, STEPACTION, TASK } from '../../api/registry.ts';
import type { KObject } from '../../api/meta.ts';
import { TaskRunReason } from '../../api/reasons.ts';
import { parseDuration } from '../../api/duration.ts';
import { applyTaskDefaults } from '../../api/task.defaults.ts';
import { validateParamValues } from '../../api/param.validation.ts';
import { formatFieldError } from '../../api/errors.ts';
import { applyTaskRun } from '../../engine/taskrun.apply.ts';
import { networkNeeds } from '../../engine/needs.ts';
import type { Store } from '../../store/store.ts';
import { orUndefined } from '../../store/store.ts';
import type { Executor, ExecutionPlan } from '../../executor/executor.ts';
import { buildPlan, PlanError, referencedObjects, secretValues } from './plan.ts';
import { registryAuthOf } from './pullsecrets.ts';
import { credentialsOf } from './creds.ts';
import { makeBeforeStep } from './stepresults.ts';
import { planReportFiles } from './reports.ts';
import { resolveRemoteStepActions, resolveRemoteTask } from './remote.ts';
import type { RefSource, RemoteResolution } from '../../resolution/resolver.ts';

/** Default TaskRun timeout (config-defaults default-timeout-minutes: 60). */
export const DEFAULT_TIMEOUT = '60m';

export type Prepared =
  /** `reportErrors`: declared report files that cannot be read (status.testReports from the start) */
  | { ok: true; plan: ExecutionPlan; taskSpec: TaskSpec; timeoutMs: number | undefined; provenance?: { refSource: RefSource }; reportErrors: TestReport[] }
  | { ok: false; reason: string; message: string };

export interface PrepareOptions {
  store: Store;
  executor: Executor;
  /** treat network needs as unsupported (no network on this machine) */
  offline: boolean;
  /** hostPaths and privileged containers admitted (default: neither) */
  hostPolicy?: HostPolicy;
  /** resolves `taskRef`s and step `ref`s with a resolver (absent: such refs are Unsupported) */
  resolution?: RemoteResolution;
  /** kiln exports traces: every step gets a TRACEPARENT */
  tracing?: boolean;
}

function fail(reason: string, message: string): Prepared {
  return { ok: false, reason, message };
}

/** The TaskSpec a run names, or why it cannot be had. */
async function resolveTask(run: TaskRun, store: Store, resolution?: RemoteResolution): Promise<{ spec: TaskSpec; taskName: string; inline: boolean; refSource?: RefSource; annotations?: Record<string, string> } | { reason: string; message: string }> {
  const ns = run.metadata.namespace ?? 'default';
  if (run.spec.taskSpec) return { spec: run.spec.taskSpec, taskName: run.metadata.name ?? '', inline: true };
  const ref = run.spec.taskRef;
  if (ref?.resolver) return resolveRemoteTask(run, resolution);
  if (ref?.kind === 'ClusterTask') return { reason: TaskRunReason.Unsupported, message: 'ClusterTask is removed in Tekton v1 and not supported by kiln' };
  if (ref?.apiVersion && !ref.apiVersion.startsWith('tekton.dev/')) return { reason: TaskRunReason.Unsupported, message: `custom task ${ref.apiVersion}/${ref.kind} is not supported by kiln yet` };
  if (!ref?.name) return { reason: TaskRunReason.ValidationFailed, message: 'spec.taskRef.name: missing field(s)' };
  const task = await orUndefined(store.get<Task>(TASK, ns, ref.name));
  if (!task) return { reason: TaskRunReason.ResolutionFailed, message: `tasks.tekton.dev "${ref.name}" not found in namespace "${ns}"` };
  return { spec: applyTaskDefaults(task.spec), taskName: ref.name, inline: false, annotations: task.metadata.annotations };
}

async function fetchStepActions(spec: TaskSpec, ns: string, store: Store): Promise<Map<string, StepAction>> {
  const out = new Map<string, StepAction>();
  for (const s of spec.steps) {
    const n = s.ref?.name;
    if (!n || out.has(n)) continue;
    const sa = await orUndefined(store.get<StepAction>(STEPACTION, ns, n));
    if (sa) out.set(n, sa);
  }
  return out;
}

async function fetchObjects(spec: TaskSpec, run: TaskRun, store: Store) {
  const ns = run.metadata.namespace ?? 'default';
  const refs = referencedObjects(spec, run);
  const configMaps = new Map<string, ConfigMap>();
  const secrets = new Map<string, Secret>();
  for (const n of refs.configMaps) {
    const cm = await orUndefined(store.get<ConfigMap>(CONFIGMAP, ns, n));
    if (cm) configMaps.set(n, cm);
  }
  for (const n of refs.secrets) {
    const s = await orUndefined(store.get<Secret>(SECRET, ns, n));
    if (s) secrets.set(n, s);
  }
  return { configMaps, secrets };
}

/** Everything needed to start attempt `attempt` of `run`, or the condition to fail it with. */
export async function prepareAttempt(run: TaskRun, attempt: number, opts: PrepareOptions): Promise<Prepared> {
  const ns = run.metadata.namespace ?? 'default';
  const resolved = await resolveTask(run, opts.store, opts.resolution);
  if ('reason' in resolved) return fail(resolved.reason, resolved.message);

  const paramErrors = validateParamValues(resolved.spec.params ?? [], run.spec.params ?? [], { path: 'spec.params', allowExtra: true });
  if (paramErrors.length) return fail(TaskRunReason.ValidationFailed, `[User error] invalid input params for task ${resolved.taskName}: ${paramErrors.map(formatFieldError).join('; ')}`);

  const remote = await resolveRemoteStepActions(resolved.spec, run, opts.resolution);
  if ('reason' in remote) return fail(remote.reason, remote.message);
  const actions = new Map([...await fetchStepActions(resolved.spec, ns, opts.store), ...remote.actions]);
  const applied = applyTaskRun(remote.spec, { params: run.spec.params ?? [], workspaces: run.spec.workspaces ?? [] }, {
    taskRunName: run.metadata.name ?? '',
    namespace: ns,
    uid: run.metadata.uid ?? '',
    taskName: resolved.taskName,
    retryCount: attempt,
    inline: resolved.inline,
    stepActions: (n) => actions.get(n),
  });
  if (applied.errors.length) {
    const reason = applied.errors.find((e) => e.reason)?.reason ?? TaskRunReason.ValidationFailed;
    return fail(reason, `[User error] ${applied.errors.map(errText).join('; ')}`);
  }

  const missing = (resolved.spec.workspaces ?? []).filter((w) => !w.optional && !(run.spec.workspaces ?? []).some((b) => b.name === w.name));
  if (missing.length) return fail(TaskRunReason.ValidationFailed, `[User error] bound workspaces did not match declared workspaces: didn't provide required values: [${missing.map((w) => w.name).join(' ')}]`);

  const creds = await credentialsOf(run, opts.store);
  if (creds.errors.length) return fail(TaskRunReason.CreateContainerConfigError, `credentials of service account "${run.spec.serviceAccountName || 'default'}": ${creds.errors.join('; ')}`);

  if (opts.offline) {
    const needs = networkNeeds(applied.spec);
    if (needs.length) return fail(TaskRunReason.Unsupported, `needs the network, which this machine does not have: ${needs.join('; ')}`);
  }

  const timeoutMs = timeoutOf(run);
  let plan: ExecutionPlan;
  try {
    const objects = await fetchObjects(applied.spec, run, opts.store);
    plan = buildPlan(applied.spec, { ...run, spec: { ...run.spec, workspaces: applied.workspaces } }, attempt, { ...objects, hostPolicy: opts.hostPolicy, tracing: opts.tracing }, timeoutMs);
    const masked = [...(objects.secrets.size ? secretValues(objects.secrets) : []), ...creds.masked];
    if (masked.length) plan.secrets = [...new Set(masked)]; // masked in logs and results
    if (Object.keys(creds.files).length) plan.credentials = creds.files;
    const registryAuth = await registryAuthOf(run, opts.store); // for container executors' pulls
    if (registryAuth) plan.registryAuth = registryAuth;
  } catch (e) {
    if (e instanceof PlanError) return fail(e.reason, e.message);
    throw e;
  }
  plan.beforeStep = makeBeforeStep(applied.spec);
  const stepWhen = plan.steps.filter((_, i) => applied.spec.steps[i]?.when?.length).map((c) => c.name);
  if (stepWhen.length) plan.stepWhen = stepWhen;
  // the steps whose beforeStep depends on earlier steps (results, artifacts); the others' can be
  // called before the attempt starts (the kubernetes executor bakes them into the Pod)
  plan.beforeStepReads = plan.steps.filter((c, i) => /\$\(steps\./.test(JSON.stringify([applied.spec.steps[i]?.when, c.command, c.args, c.script, c.env]))).map((c) => c.name);
  const reports = planReportFiles(applied.spec, plan, run.metadata.annotations, resolved.annotations);
  if (reports.files.length) plan.reportFiles = reports.files;
  const unsupported = opts.executor.check(plan);
  if (unsupported.length) return fail(TaskRunReason.Unsupported, unsupported.map((u) => `${u.what}: ${u.why}`).join('; '));
  return { ok: true, plan, taskSpec: resolved.spec, timeoutMs, reportErrors: reports.errors, ...(resolved.refSource ? { provenance: { refSource: resolved.refSource } } : {}) };
}

/** The attempt timeout in ms; undefined = none (`0`). */
export function timeoutOf(run: TaskRun): number | undefined {
  const ms = parseDuration(run.spec.timeout ?? DEFAULT_TIMEOUT);
  return ms ? ms : undefined;
}

function errText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'message' in e) {
    const fe = e as { path?: string; message: string };
    return fe.path ? `${fe.path}: ${fe.message}` : fe.message;
  }
  return String(e);
}
