import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appHealth, healthOf, type AppResource } from './health.ts';
import type { HealthStatus, Obj } from './types.ts';

const meta = (extra: Obj = {}) => ({ name: 'x', namespace: 'ns', generation: 2, ...extra });

const cases: { name: string; obj: Obj; want: Partial<HealthStatus> | undefined }[] = [
  { name: 'deployment paused', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec: { paused: true } }, want: { status: 'Suspended', message: 'Deployment is paused' } },
  { name: 'deployment generation not observed', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), status: { observedGeneration: 1 } }, want: { status: 'Progressing' } },
  { name: 'deployment deadline exceeded', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec: { replicas: 1 }, status: { observedGeneration: 2, conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] } }, want: { status: 'Degraded', message: 'Deployment "x" exceeded its progress deadline' } },
  { name: 'deployment rolled out', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec: { replicas: 2 }, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 } }, want: { status: 'Healthy' } },
  { name: 'deployment old replicas terminating', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(), spec: { replicas: 2 }, status: { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 } }, want: { status: 'Progressing', message: 'Waiting for rollout to finish: 1 old replicas are pending termination...' } },
  { name: 'statefulset never observed', obj: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(), status: {} }, want: { status: 'Progressing' } },
  { name: 'statefulset partition done', obj: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(), spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, status: { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1 } }, want: { status: 'Healthy' } },
  { name: 'statefulset revisions differ', obj: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(), spec: { replicas: 1 }, status: { observedGeneration: 2, readyReplicas: 1, updateRevision: 'b', currentRevision: 'a' } }, want: { status: 'Progressing' } },
  { name: 'daemonset not available', obj: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(), status: { observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 } }, want: { status: 'Progressing' } },
  { name: 'daemonset OnDelete', obj: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(), spec: { updateStrategy: { type: 'OnDelete' } }, status: { observedGeneration: 2 } }, want: { status: 'Healthy' } },
  { name: 'replicaset failure', obj: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta(), status: { observedGeneration: 2, conditions: [{ type: 'ReplicaFailure', status: 'True', message: 'quota' }] } }, want: { status: 'Degraded', message: 'quota' } },
  { name: 'service LoadBalancer pending', obj: { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } }, want: { status: 'Progressing' } },
  { name: 'service ClusterIP', obj: { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { type: 'ClusterIP' } }, want: { status: 'Healthy' } },
  { name: 'pvc lost', obj: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(), status: { phase: 'Lost' } }, want: { status: 'Degraded' } },
  { name: 'pod OOMKilled', obj: { apiVersion: 'v1', kind: 'Pod', metadata: meta(), spec: { restartPolicy: 'Never' }, status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] } }, want: { status: 'Degraded', message: 'OOMKilled' } },
  { name: 'pod exit code', obj: { apiVersion: 'v1', kind: 'Pod', metadata: meta(), spec: { restartPolicy: 'Never' }, status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 3 } } }] } }, want: { status: 'Degraded', message: 'container "c" failed with exit code 3' } },
  { name: 'pod restarted not ready', obj: { apiVersion: 'v1', kind: 'Pod', metadata: meta(), spec: {}, status: { phase: 'Running', containerStatuses: [{ name: 'c', lastState: { terminated: { exitCode: 1 } } }] } }, want: { status: 'Degraded' } },
  { name: 'job suspended counts as Healthy', obj: { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(), status: { conditions: [{ type: 'Suspended', status: 'True', message: 'Job suspended' }] } }, want: { status: 'Suspended', message: 'Job suspended', aggregateAs: 'Healthy' } },
  { name: 'hpa v2 failed metric', obj: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta(), status: { conditions: [{ type: 'ScalingActive', reason: 'FailedGetExternalMetric', status: 'False', message: 'no metric' }] } }, want: { status: 'Degraded', message: 'no metric' } },
  { name: 'hpa v1 annotation', obj: { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: meta({ annotations: { 'autoscaling.alpha.kubernetes.io/conditions': '[{"type":"AbleToScale","status":"True","message":"ok"}]' } }) }, want: { status: 'Healthy', message: 'ok' } },
  { name: 'hpa v1 bad annotation', obj: { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: meta({ annotations: { 'autoscaling.alpha.kubernetes.io/conditions': '[' } }) }, want: { status: 'Unknown' } },
  { name: 'hpa without conditions', obj: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta() }, want: { status: 'Progressing', message: 'Waiting to Autoscale' } },
  { name: 'apiservice available', obj: { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: meta(), status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' }] } }, want: { status: 'Healthy', message: 'Passed: all checks passed' } },
  { name: 'cronjob suspended is Healthy', obj: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(), spec: { suspend: true } }, want: { status: 'Healthy', message: 'CronJob is Suspended' } },
  { name: 'rollout paused phase', obj: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: meta(), status: { observedGeneration: '2', phase: 'Paused', message: 'CanaryPauseStep' } }, want: { status: 'Suspended', message: 'CanaryPauseStep' } },
  { name: 'workflow failed', obj: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: meta(), status: { phase: 'Failed', message: 'boom' } }, want: { status: 'Degraded', message: 'boom' } },
  { name: 'pipelinerun succeeded', obj: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: meta(), status: { conditions: [{ type: 'Succeeded', status: 'True', message: 'Tasks Completed: 1' }] } }, want: { status: 'Healthy', message: 'Tasks Completed: 1' } },
  { name: 'taskrun failed', obj: { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: meta(), status: { conditions: [{ type: 'Succeeded', status: 'False', reason: 'Failed', message: 'step exited 1' }] } }, want: { status: 'Degraded', message: 'step exited 1' } },
  { name: 'taskrun running', obj: { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: meta(), status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running', message: 'running' }] } }, want: { status: 'Progressing', message: 'running' } },
  { name: 'pending deletion', obj: { apiVersion: 'v1', kind: 'Service', metadata: meta({ deletionTimestamp: '2026-01-01T00:00:00Z' }) }, want: { status: 'Progressing', message: 'Pending deletion' } },
  { name: 'unknown CRD has no health', obj: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta() }, want: undefined },
  { name: 'Application has no health', obj: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: meta() }, want: undefined },
  { name: 'garbage fields do not throw', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: 'nope', spec: 7, status: [] } as Obj, want: { status: 'Healthy' } },
];

for (const c of cases) {
  test(`healthOf: ${c.name}`, () => {
    const got = healthOf(c.obj);
    if (c.want === undefined) return assert.equal(got, undefined);
    assert.ok(got);
    for (const [k, v] of Object.entries(c.want)) assert.equal((got as unknown as Record<string, unknown>)[k], v, `${k} of ${JSON.stringify(got)}`);
  });
}

const dep = (name: string, healthy: boolean): AppResource => ({
  group: 'apps', kind: 'Deployment', namespace: 'ns', name,
  live: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: healthy ? 1 : 0, availableReplicas: healthy ? 1 : 0 } },
});
const res = (name: string, health: HealthStatus, annotations?: Record<string, string>): AppResource => ({
  group: 'example.com', kind: 'Thing', name, health, live: { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name, annotations } },
});

const appCases: { name: string; resources: AppResource[]; want: HealthStatus }[] = [
  { name: 'no resources is Healthy', resources: [], want: { status: 'Healthy' } },
  { name: 'worst wins', resources: [dep('a', true), dep('b', false), res('c', { status: 'Suspended' })], want: { status: 'Progressing', message: 'Caused by apps/Deployment:ns/b' } },
  { name: 'Degraded beats Missing and Progressing', resources: [res('a', { status: 'Missing' }), res('b', { status: 'Degraded' }), res('c', { status: 'Progressing' })], want: { status: 'Degraded', message: 'Caused by example.com/Thing:b' } },
  { name: 'Unknown is worst', resources: [res('a', { status: 'Degraded' }), res('b', { status: 'Unknown' })], want: { status: 'Unknown', message: 'Caused by example.com/Thing:b' } },
  { name: 'a missing resource alone does not worsen', resources: [dep('a', true), { group: 'apps', kind: 'Deployment', name: 'gone' }], want: { status: 'Healthy' } },
  { name: 'none live is Missing', resources: [{ group: 'apps', kind: 'Deployment', name: 'a' }, { group: '', kind: 'Service', name: 'b' }], want: { status: 'Missing', message: 'No resource is live' } },
  { name: 'hooks and ignore-healthcheck do not count', resources: [dep('a', true), res('h', { status: 'Degraded' }, { 'argocd.argoproj.io/hook': 'PreSync' }), res('i', { status: 'Degraded' }, { 'argocd.argoproj.io/ignore-healthcheck': 'true' })], want: { status: 'Healthy' } },
  { name: 'suspended Job aggregates as Healthy', resources: [res('j', { status: 'Suspended', aggregateAs: 'Healthy' })], want: { status: 'Healthy' } },
  { name: 'child Application Missing does not count', resources: [dep('a', true), { group: 'argoproj.io', kind: 'Application', name: 'child', health: { status: 'Missing' }, live: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'child' } } }], want: { status: 'Healthy' } },
  { name: 'at most three causes named', resources: ['a', 'b', 'c', 'd', 'e'].map((n) => res(n, { status: 'Degraded' })), want: { status: 'Degraded', message: 'Caused by example.com/Thing:a, example.com/Thing:b, example.com/Thing:c and 2 more' } },
];

for (const c of appCases) {
  test(`appHealth: ${c.name}`, () => assert.deepEqual(appHealth(c.resources), c.want));
}
