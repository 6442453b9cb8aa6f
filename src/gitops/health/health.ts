// healthOf: the health of one live object as Argo CD assesses it (deletion, then a Lua customization, then
// the built-in check; kinds with neither have no health), and appHealth: the application's aggregate.
import { apiServiceHealth, hpaHealth, ingressHealth, jobHealth, podHealth, pvcHealth, serviceHealth } from './core.ts';
import { daemonSetHealth, deploymentHealth, replicaSetHealth, statefulSetHealth } from './apps.ts';
import { cronJobHealth, rolloutHealth, tektonRunHealth, workflowHealth } from './argo.ts';
import { findCustomization, type HealthCustomization } from './customizations.ts';
import { at, arr, groupOf, str } from './get.ts';
import { runLuaHealth, type LuaLimits } from './lua.ts';
import { isWorse, type HealthStatus, type HealthStatusCode, type Obj } from './types.ts';

type Check = (o: Obj) => HealthStatus;

/** Built-in checks by `group/kind` (core group: `/kind`). */
const BUILTIN: Record<string, Check> = {
  'apps/Deployment': deploymentHealth,
  'apps/StatefulSet': statefulSetHealth,
  'apps/ReplicaSet': replicaSetHealth,
  'apps/DaemonSet': daemonSetHealth,
  'extensions/Ingress': ingressHealth,
  'networking.k8s.io/Ingress': ingressHealth,
  'argoproj.io/Workflow': workflowHealth,
  'argoproj.io/Rollout': rolloutHealth,
  'apiregistration.k8s.io/APIService': apiServiceHealth,
  '/Service': serviceHealth,
  '/PersistentVolumeClaim': pvcHealth,
  '/Pod': podHealth,
  'batch/Job': jobHealth,
  'batch/CronJob': cronJobHealth,
  'autoscaling/HorizontalPodAutoscaler': hpaHealth,
  'tekton.dev/PipelineRun': tektonRunHealth,
  'tekton.dev/TaskRun': tektonRunHealth,
};

export interface HealthOptions {
  /** Lua checks from argocd-cm (parseHealthCustomizations); they win over the built-in checks */
  customizations?: readonly HealthCustomization[];
  lua?: LuaLimits;
}

const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';

/** Whether the object has a built-in check or a customization (otherwise it has no health). */
export function hasHealthCheck(obj: Obj, opts: HealthOptions = {}): boolean {
  const group = groupOf(obj), kind = str(obj.kind);
  return !!BUILTIN[`${group}/${kind}`] || !!(opts.customizations && findCustomization(opts.customizations, group, kind));
}

/**
 * The health of a live object, or undefined when its kind has no health check (as Argo CD: unknown CRDs
 * and Applications). Never throws: a failing Lua check reports Unknown with the error.
 */
export function healthOf(obj: Obj, opts: HealthOptions = {}): HealthStatus | undefined {
  const finalizers = arr(at(obj, 'metadata', 'finalizers'));
  if (at(obj, 'metadata', 'deletionTimestamp') && !finalizers.includes(HOOK_FINALIZER)) {
    return { status: 'Progressing', message: 'Pending deletion' };
  }
  const group = groupOf(obj), kind = str(obj.kind);
  const custom = opts.customizations && findCustomization(opts.customizations, group, kind);
  if (custom) {
    try {
      return runLuaHealth(custom.script, obj, custom.source, opts.lua);
    } catch (e) {
      return { status: 'Unknown', message: `health check ${custom.source} failed: ${(e as Error).message}` };
    }
  }
  const check = BUILTIN[`${group}/${kind}`];
  if (!check) return undefined;
  try {
    return check(obj);
  } catch (e) {
    return { status: 'Unknown', message: `health check for ${group ? `${group}/` : ''}${kind} failed: ${(e as Error).message}` };
  }
}

/** One resource of an application: its identity, its live object (undefined when missing), its health if already known. */
export interface AppResource {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  live?: Obj;
  /** when given, used instead of computing healthOf(live) */
  health?: HealthStatus;
}

const HOOK = 'argocd.argoproj.io/hook';
const HELM_HOOK = 'helm.sh/hook';
const IGNORE_HEALTHCHECK = 'argocd.argoproj.io/ignore-healthcheck';
const MAX_CAUSES = 3;

function skipped(r: AppResource): boolean {
  const annotations = at(r.live, 'metadata', 'annotations');
  return at(annotations, HOOK) !== undefined || at(annotations, HELM_HOOK) !== undefined || at(annotations, IGNORE_HEALTHCHECK) === 'true';
}

function label(r: AppResource): string {
  return `${r.group ? `${r.group}/` : ''}${r.kind}:${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/**
 * An application's health: the worst of its resources' (Healthy < Suspended < Progressing < Missing <
 * Degraded < Unknown). Hooks and resources annotated ignore-healthcheck do not count; a missing resource
 * does not worsen it (OutOfSync covers that) unless none of the resources is live (Missing); a child
 * Application that is Missing or Unknown does not count. The message names up to three causes.
 */
export function appHealth(resources: readonly AppResource[], opts: HealthOptions = {}): HealthStatus {
  let status: HealthStatusCode = 'Healthy';
  const causes: { r: AppResource; status: HealthStatusCode }[] = [];
  const counted = resources.filter((r) => !skipped(r));
  for (const r of counted) {
    if (!r.live) continue;
    const h = r.health ?? healthOf(r.live, opts);
    if (!h) continue;
    const s = h.aggregateAs ?? h.status;
    if (r.group === 'argoproj.io' && r.kind === 'Application' && (s === 'Missing' || s === 'Unknown')) continue;
    if (s !== 'Healthy') causes.push({ r, status: s });
    if (isWorse(status, s)) status = s;
  }
  if (counted.length > 0 && counted.every((r) => !r.live)) return { status: 'Missing', message: 'No resource is live' };
  const worst = causes.filter((c) => c.status === status).map((c) => label(c.r));
  if (!worst.length) return { status };
  const more = worst.length > MAX_CAUSES ? ` and ${worst.length - MAX_CAUSES} more` : '';
  return { status, message: `Caused by ${worst.slice(0, MAX_CAUSES).join(', ')}${more}` };
}
