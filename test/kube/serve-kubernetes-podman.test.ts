// `kiln serve --executor kubernetes --kubeconfig FILE`: a TaskRun created on one kiln becomes a Pod in
// "the cluster" — here a second kiln serve storing Pods, run by the test pod runner with podman.
// That API serves no pods/log (the runner does, for the suite's tests): the run's outcome is checked.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podmanWith } from '../../src/executor/podman/cli.ts';
import { ensureBusyboxImage, podmanTestHost } from '../../src/executor/podman/testimage.ts';
import { api, startServe, until } from '../e2e/serve-helpers.ts';
import type { Served } from '../e2e/serve-helpers.ts';
import { startPodRunner } from './podrunner.ts';
import type { PodRunner } from './podrunner.ts';

const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-serve-k8s-'));
const podman = podmanWith(base);
const HOST = podmanTestHost(base);
const SKIP = HOST.skip;
const BUSYBOX = HOST.busybox;
const IMAGE = 'localhost/kiln-test/busybox:latest';

const started: Array<Served | PodRunner> = [];
after(async () => {
  for (const s of started.reverse()) await s.stop();
  rmSync(base, { recursive: true, force: true });
});

test('kiln serve --executor kubernetes: the TaskRun runs as a Pod of the cluster, which is gone afterwards', { skip: SKIP, timeout: 240_000 }, async () => {
  ensureBusyboxImage(podman, BUSYBOX!, ['docker.io/library/busybox:latest', IMAGE]);
  const cluster = await startServe(join(base, 'cluster'));
  started.push(cluster);
  started.push(await startPodRunner({ apiUrl: cluster.url, workDir: join(base, 'runner'), podman }));
  const kubeconfig = join(base, 'cluster.kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${cluster.url}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n`);
  const kiln = await startServe(join(base, 'kiln'), ['--insecure-loopback-only', '--executor', 'kubernetes', '--kubeconfig', kubeconfig, '--tools-image', IMAGE]);
  started.push(kiln);

  const tr = { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'on-cluster' }, spec: { taskSpec: { steps: [{ name: 'a', image: IMAGE, command: ['sh', '-c', 'sleep 2; echo hi'] }] } } };
  assert.equal((await api(kiln, 'POST', '/apis/tekton.dev/v1/namespaces/default/taskruns', tr)).status, 201);
  // the Pod appears in the cluster while the step sleeps
  const pod = await until('the Pod in the cluster', async () => (await api(cluster, 'GET', '/api/v1/namespaces/default/pods/on-cluster-pod')).json?.spec, 60_000);
  assert.deepEqual(pod.initContainers.map((c: { name: string }) => c.name), ['prepare', 'step-a']);
  const done = await until('the TaskRun to finish', async () => {
    const r = (await api(kiln, 'GET', '/apis/tekton.dev/v1/namespaces/default/taskruns/on-cluster')).json;
    return r?.status?.conditions?.[0]?.status !== 'Unknown' && r?.status?.conditions ? r : undefined;
  }, 120_000);
  assert.equal(done.status.conditions[0].status, 'True', JSON.stringify(done.status.conditions));
  assert.equal(done.status.steps[0].terminated.exitCode, 0);
  await until('the Pod deleted', async () => (await api(cluster, 'GET', '/api/v1/namespaces/default/pods/on-cluster-pod')).status === 404, 30_000);
});

test('--kubeconfig without --executor kubernetes, or a kubeconfig that cannot be read, is refused', { skip: SKIP }, async () => {
  await assert.rejects(startServe(join(base, 'bad1'), ['--insecure-loopback-only', '--kubeconfig', '/nonexistent']), /--kubeconfig applies to --store kube or --executor kubernetes only/);
  await assert.rejects(startServe(join(base, 'bad2'), ['--insecure-loopback-only', '--executor', 'kubernetes', '--kubeconfig', '/nonexistent/kubeconfig']), /--executor kubernetes: --kubeconfig \/nonexistent\/kubeconfig: /);
});
