// Built-in health of core, batch, networking, autoscaling and apiregistration kinds, after Argo CD's
// gitops-engine checks: Service, Ingress, PersistentVolumeClaim, Pod, Job, HorizontalPodAutoscaler, APIService.
import { arr, at, condition, num, objs, str, versionOf } from './get.ts';
import type { HealthStatus, Obj } from './types.ts';

/** Service: Healthy, except a LoadBalancer without an ingress address yet (Progressing). */
export function serviceHealth(o: Obj): HealthStatus {
  if (at(o, 'spec', 'type') !== 'LoadBalancer') return { status: 'Healthy' };
  return { status: arr(at(o, 'status', 'loadBalancer', 'ingress')).length > 0 ? 'Healthy' : 'Progressing' };
}

/** Ingress: Healthy once the load balancer reports an address. */
export function ingressHealth(o: Obj): HealthStatus {
  return { status: arr(at(o, 'status', 'loadBalancer', 'ingress')).length > 0 ? 'Healthy' : 'Progressing' };
}

/** PVC: Bound → Healthy, Lost → Degraded, Pending → Progressing while a provisioner works, else waiting for a consumer. */
export function pvcHealth(o: Obj): HealthStatus {
  switch (at(o, 'status', 'phase')) {
    case 'Bound': return { status: 'Healthy' };
    case 'Lost': return { status: 'Degraded' };
    case 'Pending': {
      const annotations = at(o, 'metadata', 'annotations');
      const provisioning = !!annotations && typeof annotations === 'object' && 'volume.beta.kubernetes.io/storage-provisioner' in annotations;
      return provisioning ? { status: 'Progressing', message: 'Provisioning volume' } : { status: 'Healthy', message: 'Waiting for consumer' };
    }
    default: return { status: 'Unknown' };
  }
}

const HOOK = 'argocd.argoproj.io/hook';
const IGNORE_RESTART_POLICY = 'argocd.argoproj.io/ignore-restart-policy';

/** Why a failed container failed: its message, OOMKilled, or its exit code. */
function failMessage(c: Obj): string {
  const t = at(c, 'state', 'terminated');
  if (!t || typeof t !== 'object') return '';
  if (str(at(t, 'message'))) return str(at(t, 'message'));
  if (at(t, 'reason') === 'OOMKilled') return 'OOMKilled';
  const code = num(at(t, 'exitCode'));
  return code !== 0 ? `container "${str(c.name)}" failed with exit code ${code}` : '';
}

/** Pod: by phase; a long-running pod (restartPolicy Always) is Degraded while a container waits on an error or back-off. */
export function podHealth(o: Obj): HealthStatus {
  const policy = str(at(o, 'spec', 'restartPolicy')) || 'Always';
  const hook = at(o, 'metadata', 'annotations', HOOK) !== undefined;
  const longRunning = policy === 'Always' || (at(o, 'metadata', 'annotations', IGNORE_RESTART_POLICY) === 'true' && !hook);
  const statuses = objs(at(o, 'status', 'containerStatuses'));
  const message = str(at(o, 'status', 'message'));
  if (longRunning) {
    const waiting = statuses.map((c) => at(c, 'state', 'waiting')).filter((w): w is Obj => !!w && typeof w === 'object')
      .filter((w) => { const r = str(w.reason); return r.startsWith('Err') || r.endsWith('Error') || r.endsWith('BackOff'); });
    if (waiting.length) return { status: 'Degraded', message: waiting.map((w) => str(w.message)).join(', ') };
  }
  switch (at(o, 'status', 'phase')) {
    case 'Pending': return { status: 'Progressing', message };
    case 'Succeeded': return { status: 'Healthy', message };
    case 'Failed': {
      if (message) return { status: 'Degraded', message };
      for (const c of [...objs(at(o, 'status', 'initContainerStatuses')), ...statuses]) {
        const m = failMessage(c);
        if (m) return { status: 'Degraded', message: m };
      }
      return { status: 'Degraded', message: '' };
    }
    case 'Running': {
      if (!longRunning) return { status: 'Progressing', message };
      if (condition(o, 'Ready')?.status === 'True') return { status: 'Healthy', message };
      const restarted = statuses.some((c) => { const t = at(c, 'lastState', 'terminated'); return !!t && typeof t === 'object'; });
      return { status: restarted ? 'Degraded' : 'Progressing', message };
    }
    default: return { status: 'Unknown', message };
  }
}

/** Job: Failed → Degraded, Suspended=True → Suspended (counted as Healthy by the app), Complete → Healthy, else Progressing. */
export function jobHealth(o: Obj): HealthStatus {
  let failed = false, complete = false, suspended = false, failMsg = '', message = '';
  for (const c of objs(at(o, 'status', 'conditions'))) {
    // as Argo CD: the condition's presence counts (Job controllers add them when true), Suspended only when True
    if (c.type === 'Failed') { failed = complete = true; failMsg = str(c.message); }
    else if (c.type === 'Complete') { complete = true; message = str(c.message); }
    else if (c.type === 'Suspended') { complete = true; message = str(c.message); suspended ||= c.status === 'True'; }
  }
  if (!complete) return { status: 'Progressing', message };
  if (failed) return { status: 'Degraded', message: failMsg };
  if (suspended) return { status: 'Suspended', message, aggregateAs: 'Healthy' };
  return { status: 'Healthy', message };
}

const HPA_DEGRADED: Record<string, readonly string[]> = {
  AbleToScale: ['FailedGetScale', 'FailedUpdateScale'],
  ScalingActive: ['FailedGetResourceMetric', 'FailedGetObjectMetric', 'FailedGetPodsMetric', 'FailedGetExternalMetric', 'FailedComputeMetricsReplicas', 'InvalidSelector'],
};
const WAITING_TO_AUTOSCALE: HealthStatus = { status: 'Progressing', message: 'Waiting to Autoscale' };

/** HPA: a failing scale or metric condition → Degraded; AbleToScale or ScalingLimited True → Healthy; else Progressing. */
export function hpaHealth(o: Obj): HealthStatus {
  let conditions: Obj[];
  if (versionOf(o) === 'v1') {
    const raw = at(o, 'metadata', 'annotations', 'autoscaling.alpha.kubernetes.io/conditions');
    if (typeof raw !== 'string') return WAITING_TO_AUTOSCALE;
    try {
      conditions = objs(JSON.parse(raw));
    } catch (e) {
      return { status: 'Unknown', message: `failed to convert conditions annotation to typed: ${(e as Error).message}` };
    }
  } else {
    conditions = objs(at(o, 'status', 'conditions'));
  }
  for (const c of conditions) {
    if (HPA_DEGRADED[str(c.type)]?.includes(str(c.reason))) return { status: 'Degraded', message: str(c.message) };
    if ((c.type === 'AbleToScale' || c.type === 'ScalingLimited') && c.status === 'True') return { status: 'Healthy', message: str(c.message) };
  }
  return WAITING_TO_AUTOSCALE;
}

/** APIService: condition Available True → Healthy, else Progressing. */
export function apiServiceHealth(o: Obj): HealthStatus {
  const c = condition(o, 'Available');
  if (!c) return { status: 'Progressing', message: 'Waiting to be processed' };
  return { status: c.status === 'True' ? 'Healthy' : 'Progressing', message: `${str(c.reason)}: ${str(c.message)}` };
}
