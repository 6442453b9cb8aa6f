// Turns a resolved (substituted) TaskSpec and its TaskRun into an ExecutionPlan. Pure: the
// ConfigMaps, Secrets and clock it needs are passed in.
import type { ConfigMap, Secret } from '../../api/core.types.ts';
import { admitHostPath, asksPrivileged, privilegedProblem, SERVE_POLICY, type HostPolicy } from '../../api/hostpolicy.ts';
import { TaskRunReason } from '../../api/reasons.ts';
import type { ContainerFields, EnvVar, Probe, Sidecar, Step } from '../../api/container.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import type { KeyToPath, ProjectedSource, Volume, WorkspaceBinding } from '../../api/workspace.types.ts';
import type { EnvPair, ExecutionPlan, PlanContainer, PlanMount, PlanProbe, PlanVolume, VolumeSource } from '../../executor/executor.ts';
import { parseDuration } from '../../api/duration.ts';
import { stepName } from '../../engine/taskrun.apply.ts';
import { claimName } from '../../engine/pipelinerun/naming.ts';
import { capabilitiesOf, runAsOf } from './runas.ts';
import { containerLimits } from './limits.ts';
import { stepTraceParent } from '../../triggers/tracecontext.ts';

/** imagePullPolicy values (Kubernetes'); container executors honour them. */
const PULL_POLICIES = new Set(['Always', 'IfNotPresent', 'Never']);

/** Objects the plan reads, keyed by name (same namespace as the TaskRun). */
export interface PlanInputs {
  configMaps: Map<string, ConfigMap>;
  secrets: Map<string, Secret>;
  /** the hostPaths and privileged containers admitted (default SERVE_POLICY: neither) */
  hostPolicy?: HostPolicy;
  /** kiln exports traces: every step gets a TRACEPARENT (default: only those of runs carrying a trace context) */
  tracing?: boolean;
}

/** `env` with TRACEPARENT (W3C trace context of the step's span) unless the step sets its own. */
function withTraceParent(env: EnvPair[], traceparent: string | undefined): EnvPair[] {
  if (!traceparent || env.some((e) => e.name === 'TRACEPARENT')) return env;
  return [...env, { name: 'TRACEPARENT', value: traceparent }];
}

/** A problem that makes the TaskRun fail before any step runs (Tekton: CreateContainerConfigError). */
export class PlanError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'PlanError';
    this.reason = reason;
  }
}

/** Names of the ConfigMaps and Secrets a spec (and its run's bindings) needs. */
export function referencedObjects(spec: TaskSpec, run: TaskRun): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const volumes: Array<Volume | WorkspaceBinding> = [...(spec.volumes ?? []), ...podTemplateVolumes(run), ...(run.spec.workspaces ?? [])];
  for (const v of volumes) {
    if (v.configMap?.name) configMaps.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) configMaps.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  for (const c of [...spec.steps, ...(spec.sidecars ?? [])]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
    }
  }
  return { configMaps, secrets };
}

/**
 * The claim a TaskRun's `volumeClaimTemplate` binding becomes (Tekton names it from the binding
 * and the TaskRun's uid); the TaskRun reconciler creates it before the first attempt.
 */
export function templateClaim(b: WorkspaceBinding, run: TaskRun): string {
  return claimName(b.volumeClaimTemplate?.metadata?.name, b.name, run.metadata.uid ?? run.metadata.name ?? '');
}

function podTemplateVolumes(run: TaskRun): Volume[] {
  const vols = run.spec.podTemplate?.['volumes'];
  return Array.isArray(vols) ? (vols as Volume[]) : [];
}

const utf8 = new TextDecoder();

/** A Secret's values: `data` decoded (base64 of UTF-8), `stringData` over it. */
export function decodeSecret(secret: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  // data is base64 of the bytes; atob gives one char per byte, so decode those bytes as UTF-8
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = utf8.decode(Uint8Array.from(atob(v.replace(/\s/g, '')), (c) => c.charCodeAt(0)));
  Object.assign(out, secret.stringData ?? {});
  return out;
}

/**
 * Every value of `secrets`, decoded (every key, used or not, and the base64 text of `data` as
 * stored, for values that are not UTF-8): what the executor masks in the attempt's logs and results.
 */
export function secretValues(secrets: ReadonlyMap<string, Secret>): string[] {
  return [...new Set([...secrets.values()].flatMap((s) => [...Object.values(decodeSecret(s)), ...Object.values(s.data ?? {})]))];
}

function project(data: Record<string, string>, items: KeyToPath[] | undefined): Record<string, string> {
  if (!items?.length) return { ...data };
  const out: Record<string, string> = {};
  for (const it of items) if (Object.hasOwn(data, it.key)) out[it.path] = data[it.key];
  return out;
}

/**
 * Builds the plan for one attempt. Throws PlanError for missing ConfigMaps/Secrets/keys, and
 * (TaskRunValidationFailed, every field named) for hostPaths and privileged containers the host
 * policy refuses; an admitted hostPath is bound where it resolves.
 */
export function buildPlan(spec: TaskSpec, run: TaskRun, attempt: number, inputs: PlanInputs, timeoutMs?: number): ExecutionPlan {
  const ns = run.metadata.namespace ?? 'default';
  const name = run.metadata.name ?? '';
  const policy = inputs.hostPolicy ?? SERVE_POLICY;
  /** what the policy refuses, `field: problem` */
  const refused: string[] = [];
  // the task's own fields, as the TaskRun spells them (inline) or in the Task it references
  const taskField = run.spec.taskSpec ? 'spec.taskSpec' : `task "${run.spec.taskRef?.name ?? ''}" spec`;

  function hostDir(path: unknown, field: string): VolumeSource {
    if (typeof path !== 'string' || !path) {
      refused.push(`${field}.hostPath.path: missing field(s)`);
      return { type: 'emptyDir' };
    }
    const a = admitHostPath(path, policy);
    if ('path' in a) return a.within ? { type: 'hostDir', path: a.path, within: a.within } : { type: 'hostDir', path: a.path };
    refused.push(`${field}.${a.field}: ${a.problem}`);
    return { type: 'emptyDir' };
  }

  function configMapData(cmName: string, optional: boolean | undefined, what: string): Record<string, string> | undefined {
    const cm = inputs.configMaps.get(cmName);
    if (!cm) {
      if (optional) return undefined;
      throw new PlanError('CreateContainerConfigError', `${what}: configmap "${cmName}" not found`);
    }
    return { ...(cm.data ?? {}) };
  }
  function secretData(sName: string, optional: boolean | undefined, what: string): Record<string, string> | undefined {
    const s = inputs.secrets.get(sName);
    if (!s) {
      if (optional) return undefined;
      throw new PlanError('CreateContainerConfigError', `${what}: secret "${sName}" not found`);
    }
    return decodeSecret(s);
  }
  function projected(p: ProjectedSource, what: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (const src of p.sources ?? []) {
      if (src.configMap) Object.assign(files, project(configMapData(src.configMap.name, src.configMap.optional, what) ?? {}, src.configMap.items));
      if (src.secret) Object.assign(files, project(secretData(src.secret.name, src.secret.optional, what) ?? {}, src.secret.items));
    }
    return files;
  }

  function sourceOf(v: Volume | WorkspaceBinding, what: string, claimFallback: string, field: string): VolumeSource {
    if (v.configMap) {
      const ref = { kind: 'ConfigMap' as const, name: v.configMap.name, ...(v.configMap.items ? { items: v.configMap.items } : {}), ...(v.configMap.optional !== undefined ? { optional: v.configMap.optional } : {}) };
      return { type: 'files', files: project(configMapData(v.configMap.name, v.configMap.optional, what) ?? {}, v.configMap.items), mode: v.configMap.defaultMode, ref };
    }
    if (v.secret) {
      const ref = { kind: 'Secret' as const, name: v.secret.secretName, ...(v.secret.items ? { items: v.secret.items } : {}), ...(v.secret.optional !== undefined ? { optional: v.secret.optional } : {}) };
      return { type: 'files', files: project(secretData(v.secret.secretName, v.secret.optional, what) ?? {}, v.secret.items), mode: v.secret.defaultMode ?? 0o400, ref };
    }
    if (v.projected) return { type: 'files', files: projected(v.projected, what), mode: v.projected.defaultMode, ref: { kind: 'Projected', sources: (v.projected.sources ?? []) as ReadonlyArray<Record<string, unknown>> } };
    if (v.persistentVolumeClaim) return { type: 'claim', claimName: v.persistentVolumeClaim.claimName, namespace: ns };
    if ('volumeClaimTemplate' in v && v.volumeClaimTemplate) return { type: 'claim', claimName: claimFallback, namespace: ns };
    if (v.hostPath) return hostDir(v.hostPath.path, field);
    return { type: 'emptyDir' };
  }

  const volumes: PlanVolume[] = [];
  const seen = new Set<string>();
  const taskVolumes = (spec.volumes ?? []).map((v, i) => ({ v, field: `${taskField}.volumes[${i}]` }));
  const podVolumes = podTemplateVolumes(run).map((v, i) => ({ v, field: `spec.podTemplate.volumes[${i}]` }));
  for (const { v, field } of [...taskVolumes, ...podVolumes]) {
    if (seen.has(v.name)) continue;
    seen.add(v.name);
    volumes.push({ name: v.name, source: sourceOf(v, `volume "${v.name}"`, `${name}-${v.name}`, field) });
  }

  // Workspaces: volume `ws-<name>` per bound workspace.
  const bindings = new Map((run.spec.workspaces ?? []).map((b, i) => [b.name, { ...b, field: `spec.workspaces[${i}]` }]));
  const wsMounts: Array<{ ws: string; mount: PlanMount }> = [];
  for (const decl of spec.workspaces ?? []) {
    const b = bindings.get(decl.name);
    if (!b) continue;
    const vol = `ws-${decl.name}`;
    volumes.push({ name: vol, source: sourceOf(b, `workspace "${decl.name}"`, templateClaim(b, run), b.field) });
    const readOnly = decl.readOnly || !!b.configMap || !!b.secret || !!b.projected;
    wsMounts.push({ ws: decl.name, mount: { volume: vol, mountPath: decl.mountPath ?? `/workspace/${decl.name}`, subPath: b.subPath || undefined, readOnly } });
  }
  // Tekton isolates per workspace: one that some step/sidecar lists is mounted only where listed;
  // the others stay shared by every step and sidecar (pkg/workspace/apply.go)
  const isolated = new Set([...spec.steps, ...(spec.sidecars ?? [])].flatMap((c) => (c.workspaces ?? []).map((u) => u.name)));

  function mountsFor(c: Step | Sidecar): PlanMount[] {
    const out: PlanMount[] = [];
    const usages = new Map((c.workspaces ?? []).map((u) => [u.name, u]));
    for (const { ws, mount } of wsMounts) {
      if (isolated.has(ws) && !usages.has(ws)) continue;
      const usage = usages.get(ws);
      out.push(usage?.mountPath ? { ...mount, mountPath: usage.mountPath } : mount);
    }
    for (const m of c.volumeMounts ?? []) {
      out.push({ volume: m.name, mountPath: m.mountPath, subPath: m.subPath || undefined, readOnly: m.readOnly });
    }
    return out;
  }

  function envOf(c: ContainerFields, what: string): EnvPair[] {
    const env = new Map<string, string>();
    for (const f of c.envFrom ?? []) {
      const data = f.configMapRef
        ? configMapData(f.configMapRef.name, f.configMapRef.optional, `${what} envFrom`)
        : f.secretRef
          ? secretData(f.secretRef.name, f.secretRef.optional, `${what} envFrom`)
          : undefined;
      for (const [k, v] of Object.entries(data ?? {})) env.set(`${f.prefix ?? ''}${k}`, v);
    }
    for (const e of c.env ?? []) {
      const v = envValue(e, what);
      if (v !== undefined) env.set(e.name, v);
    }
    return [...env].map(([n, value]) => ({ name: n, value }));
  }

  function envValue(e: EnvVar, what: string): string | undefined {
    if (!e.valueFrom) return e.value ?? '';
    const { configMapKeyRef: cmr, secretKeyRef: skr, fieldRef } = e.valueFrom;
    if (cmr) {
      const data = configMapData(cmr.name, cmr.optional, `${what} env ${e.name}`);
      if (data && !Object.hasOwn(data, cmr.key) && !cmr.optional) throw new PlanError('CreateContainerConfigError', `${what} env ${e.name}: key "${cmr.key}" not found in configmap "${cmr.name}"`);
      return data?.[cmr.key];
    }
    if (skr) {
      const data = secretData(skr.name, skr.optional, `${what} env ${e.name}`);
      if (data && !Object.hasOwn(data, skr.key) && !skr.optional) throw new PlanError('CreateContainerConfigError', `${what} env ${e.name}: key "${skr.key}" not found in secret "${skr.name}"`);
      return data?.[skr.key];
    }
    if (fieldRef) return fieldValue(fieldRef.fieldPath);
    return undefined;
  }

  function fieldValue(path: string): string {
    switch (path) {
      case 'metadata.name': return `${name}-pod${attempt ? `-retry${attempt}` : ''}`; // as the reconciler names the attempt's pod
      case 'metadata.namespace': return ns;
      case 'spec.serviceAccountName': return run.spec.serviceAccountName ?? 'default';
      case 'spec.nodeName': return 'localhost';
      case 'status.podIP': case 'status.hostIP': return '127.0.0.1';
      default: {
        const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
        if (m) return (m[1] === 'labels' ? run.metadata.labels : run.metadata.annotations)?.[m[2]] ?? '';
        return '';
      }
    }
  }

  function container(c: Step | Sidecar, index: number, kind: 'step' | 'sidecar'): PlanContainer {
    const n = kind === 'step' ? stepName(c as Step, index) : c.name || `unnamed-${index}`;
    const what = `${kind} "${n}"`;
    const step = kind === 'step' ? (c as Step) : undefined;
    const sidecar = kind === 'sidecar' ? (c as Sidecar) : undefined;
    const privileged = asksPrivileged(c.securityContext?.privileged);
    const problem = privileged ? privilegedProblem(policy, what) : undefined;
    if (problem) refused.push(`${taskField}.${kind}s[${index}].securityContext.privileged: ${problem}`);
    const identity = runAsOf(c.securityContext, run.spec.podTemplate?.['securityContext'], `${taskField}.${kind}s[${index}]`);
    refused.push(...identity.problems);
    const limits = containerLimits(kind, c.name, c.computeResources, run);
    const caps = capabilitiesOf(c.securityContext?.['capabilities'], `${taskField}.${kind}s[${index}].securityContext.capabilities`);
    if (caps.problem) refused.push(caps.problem);
    return {
      name: n,
      containerName: `${kind}-${n}`,
      image: c.image ?? '',
      command: c.command,
      args: c.args,
      script: c.script,
      workingDir: c.workingDir,
      env: step ? withTraceParent(envOf(c, what), stepTraceParent(run, attempt, n, !!inputs.tracing)) : envOf(c, what),
      mounts: mountsFor(c),
      timeoutMs: step?.timeout ? parseDuration(step.timeout) || undefined : undefined,
      onError: step?.onError === 'continue' ? 'continue' : step?.onError ? 'stopAndFail' : undefined,
      stdoutPath: step?.stdoutConfig?.path,
      stderrPath: step?.stderrConfig?.path,
      results: step?.results?.map((r) => r.name),
      readinessProbe: probe(sidecar?.readinessProbe),
      startupProbe: probe(sidecar?.startupProbe),
      ...(identity.runAs ? { runAs: identity.runAs } : {}),
      ...(limits ? { limits } : {}),
      ...(privileged ? { privileged: true } : {}),
      ...(caps.capabilities ? { capabilities: caps.capabilities } : {}),
      ...(PULL_POLICIES.has(c.imagePullPolicy ?? '') ? { imagePullPolicy: c.imagePullPolicy as PlanContainer['imagePullPolicy'] } : {}),
    };
  }

  const steps = spec.steps.map((s, i) => container(s, i, 'step'));
  const sidecars = (spec.sidecars ?? []).map((s, i) => container(s, i, 'sidecar'));
  if (refused.length) throw new PlanError(TaskRunReason.ValidationFailed, `[User error] ${refused.join('; ')}`);
  return {
    id: `${ns}/${name}/${attempt}`,
    namespace: ns,
    taskRunName: name,
    taskRunUid: run.metadata.uid,
    steps,
    sidecars,
    volumes,
    results: (spec.results ?? []).map((r) => r.name),
    timeoutMs,
  };
}

function probe(p: Probe | undefined): PlanProbe | undefined {
  if (!p?.exec?.command?.length) return undefined;
  return {
    command: p.exec.command,
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    // locally there is no kubelet cadence to honour: probe at least once a second
    periodMs: Math.min((p.periodSeconds ?? 10) * 1000, 1000),
    timeoutMs: (p.timeoutSeconds ?? 1) * 1000,
    failureThreshold: p.failureThreshold ?? 3,
  };
}

