// The kubernetes executor through client-node against a real `kiln serve` (it stores Pods as a
// cluster's API does, status subresource included); the test plays the kubelet by writing the
// Pod's status over HTTP. kiln's server serves no pods/log: logs are covered in executor.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { api, startServe, until } from '../../../test/e2e/serve-helpers.ts';
import type { Served } from '../../../test/e2e/serve-helpers.ts';
import type { ExecutionPlan, PlanContainer } from '../executor.ts';
import { clientPodApi } from './clientapi.ts';
import { createKubernetesExecutor, podName } from './executor.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiln-k8s-client-'));
let s: Served;
let kc: KubeConfig;
before(async () => {
  s = await startServe(join(dir, 'server'));
  kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'kiln', server: s.url, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'kiln', user: 'u' }], currentContext: 'c' });
});
after(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const step = (name: string): PlanContainer => ({ name, containerName: `step-${name}`, image: 'alpine', env: [], mounts: [], command: ['true'] });
const plan = (name: string, namespace = 'default'): ExecutionPlan => ({ id: `${namespace}/${name}/0`, namespace, taskRunName: name, steps: [step('a'), step('b')], sidecars: [], volumes: [], results: [] });
const executor = () => createKubernetesExecutor({ api: clientPodApi(kc, { logRetryMs: 20, logTries: 2 }), dataDir: join(dir, 'kiln'), toolsImage: 'busybox' });
const podPath = (p: ExecutionPlan) => `/api/v1/namespaces/${p.namespace}/pods/${podName(p)}`;

/** Writes the Pod's status as a kubelet would. */
async function kubelet(p: ExecutionPlan, status: Record<string, unknown>): Promise<void> {
  const pod = (await api(s, 'GET', podPath(p))).json;
  const r = await api(s, 'PUT', `${podPath(p)}/status`, { ...pod, status });
  assert.equal(r.status, 200, JSON.stringify(r.json));
}
const term = (name: string, message: string) => ({ name, state: { terminated: { exitCode: 0, reason: 'Completed', message } } });

describe('kubernetes executor through client-node against kiln serve', () => {
  test('the Pod is created as podspec makes it, its status followed to the outcome, then deleted', async () => {
    const p = plan('build');
    const h = executor().start(p, () => {});
    const pod = await until('the Pod', async () => (await api(s, 'GET', podPath(p))).json?.spec);
    assert.deepEqual(pod.initContainers.map((c: { name: string }) => c.name), ['prepare', 'step-a', 'step-b']);
    await kubelet(p, { phase: 'Pending', initContainerStatuses: [term('prepare', ''), { name: 'step-a', state: { running: { startedAt: '2026-12-05T00:00:00Z' } } }] });
    await until('step a running', async () => h.snapshot().steps[0].phase === 'running');
    await kubelet(p, { phase: 'Succeeded', initContainerStatuses: [term('prepare', ''), term('step-a', '{"exitCode":0,"timedOut":false}'), term('step-b', '{"exitCode":4,"timedOut":false}')] });
    const snap = await h.done;
    assert.deepEqual(snap.outcome, { status: 'failed', reason: 'StepFailed', message: '"step-b" exited with code 4', step: 'b' });
    assert.deepEqual(snap.steps.map((x) => x.reason), ['Completed', 'Error']);
    assert.equal((await api(s, 'GET', podPath(p))).status, 404, 'the Pod is deleted at the end');
  });

  test('cancel deletes the Pod', async () => {
    const p = plan('stopped');
    const h = executor().start(p, () => {});
    await until('the Pod', async () => (await api(s, 'GET', podPath(p))).status === 200);
    h.cancel('cancelled', 'cancelled by the user');
    assert.deepEqual((await h.done).outcome, { status: 'cancelled', message: 'cancelled by the user' });
    await until('the Pod deleted', async () => (await api(s, 'GET', podPath(p))).status === 404, 10_000);
  });

  test('a Pod the API refuses fails the attempt with the API\'s message', async () => {
    const snap = await executor().start(plan('refused', 'Not_A_Namespace'), () => {}).done;
    assert.equal(snap.outcome?.status, 'failed');
    assert.match((snap.outcome as { message: string }).message, /^cannot create pod refused-pod: .+/);
  });
});
