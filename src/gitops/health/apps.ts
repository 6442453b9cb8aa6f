// Built-in health of apps/v1 workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet), after the
// rollout-status rules kubectl and Argo CD's gitops-engine use.
import { at, condition, num, optNum, str } from './get.ts';
import type { HealthStatus, Obj } from './types.ts';

function generationObserved(o: Obj): boolean {
  return num(at(o, 'metadata', 'generation')) <= num(at(o, 'status', 'observedGeneration'));
}

/** Deployment: paused → Suspended; deadline exceeded → Degraded; replicas still rolling → Progressing. */
export function deploymentHealth(o: Obj): HealthStatus {
  if (at(o, 'spec', 'paused') === true) return { status: 'Suspended', message: 'Deployment is paused' };
  if (!generationObserved(o)) {
    return { status: 'Progressing', message: 'Waiting for rollout to finish: observed deployment generation less than desired generation' };
  }
  const s = (f: string) => num(at(o, 'status', f));
  const want = optNum(at(o, 'spec', 'replicas'));
  if (str(condition(o, 'Progressing')?.reason) === 'ProgressDeadlineExceeded') {
    return { status: 'Degraded', message: `Deployment "${str(at(o, 'metadata', 'name'))}" exceeded its progress deadline` };
  }
  if (want !== undefined && s('updatedReplicas') < want) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${s('updatedReplicas')} out of ${want} new replicas have been updated...` };
  }
  if (s('replicas') > s('updatedReplicas')) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${s('replicas') - s('updatedReplicas')} old replicas are pending termination...` };
  }
  if (s('availableReplicas') < s('updatedReplicas')) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${s('availableReplicas')} of ${s('updatedReplicas')} updated replicas are available...` };
  }
  return { status: 'Healthy' };
}

/** StatefulSet: spec observed, pods ready, partitioned or rolling update done. */
export function statefulSetHealth(o: Obj): HealthStatus {
  const observed = num(at(o, 'status', 'observedGeneration'));
  if (observed === 0 || num(at(o, 'metadata', 'generation')) > observed) {
    return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
  }
  const s = (f: string) => num(at(o, 'status', f));
  const want = optNum(at(o, 'spec', 'replicas'));
  if (want !== undefined && s('readyReplicas') < want) {
    return { status: 'Progressing', message: `Waiting for ${want - s('readyReplicas')} pods to be ready...` };
  }
  const type = str(at(o, 'spec', 'updateStrategy', 'type'));
  const rolling = at(o, 'spec', 'updateStrategy', 'rollingUpdate');
  if (type === 'RollingUpdate' && rolling && typeof rolling === 'object') {
    const partition = optNum(at(rolling, 'partition'));
    if (want !== undefined && partition !== undefined && s('updatedReplicas') < want - partition) {
      return { status: 'Progressing', message: `Waiting for partitioned roll out to finish: ${s('updatedReplicas')} out of ${want - partition} new pods have been updated...` };
    }
    return { status: 'Healthy', message: `partitioned roll out complete: ${s('updatedReplicas')} new pods have been updated...` };
  }
  if (type === 'OnDelete') return { status: 'Healthy', message: `statefulset has ${s('readyReplicas')} ready pods` };
  const update = str(at(o, 'status', 'updateRevision'));
  const current = str(at(o, 'status', 'currentRevision'));
  if (update !== current) {
    return { status: 'Progressing', message: `waiting for statefulset rolling update to complete ${s('updatedReplicas')} pods at revision ${update}...` };
  }
  return { status: 'Healthy', message: `statefulset rolling update complete ${s('currentReplicas')} pods at revision ${current}...` };
}

/** DaemonSet: generation observed, every scheduled pod updated and available (OnDelete: Healthy). */
export function daemonSetHealth(o: Obj): HealthStatus {
  if (num(at(o, 'metadata', 'generation')) > num(at(o, 'status', 'observedGeneration'))) {
    return { status: 'Progressing', message: 'Waiting for rollout to finish: observed daemon set generation less than desired generation' };
  }
  const s = (f: string) => num(at(o, 'status', f));
  const name = str(at(o, 'metadata', 'name'));
  if (str(at(o, 'spec', 'updateStrategy', 'type')) === 'OnDelete') {
    return { status: 'Healthy', message: `daemon set ${s('updatedNumberScheduled')} out of ${s('desiredNumberScheduled')} new pods have been updated` };
  }
  if (s('updatedNumberScheduled') < s('desiredNumberScheduled')) {
    return { status: 'Progressing', message: `Waiting for daemon set "${name}" rollout to finish: ${s('updatedNumberScheduled')} out of ${s('desiredNumberScheduled')} new pods have been updated...` };
  }
  if (s('numberAvailable') < s('desiredNumberScheduled')) {
    return { status: 'Progressing', message: `Waiting for daemon set "${name}" rollout to finish: ${s('numberAvailable')} of ${s('desiredNumberScheduled')} updated pods are available...` };
  }
  return { status: 'Healthy' };
}

/** ReplicaSet: ReplicaFailure=True → Degraded; fewer available than wanted → Progressing. */
export function replicaSetHealth(o: Obj): HealthStatus {
  if (!generationObserved(o)) {
    return { status: 'Progressing', message: 'Waiting for rollout to finish: observed replica set generation less than desired generation' };
  }
  const failure = condition(o, 'ReplicaFailure');
  if (failure && failure.status === 'True') return { status: 'Degraded', message: str(failure.message) };
  const want = optNum(at(o, 'spec', 'replicas'));
  const available = num(at(o, 'status', 'availableReplicas'));
  if (want !== undefined && available < want) {
    return { status: 'Progressing', message: `Waiting for rollout to finish: ${available} out of ${want} new replicas are available...` };
  }
  return { status: 'Healthy' };
}
