// The kubernetes executor's entrypoint lookup end to end: steps naming no command, their images in
// a registry on loopback (Debian's docker-registry; pushed with podman) and in the node's local
// storage under the same names, run as Pods of the stand-in cluster (kiln serve + the test pod
// runner). The executor reads each image's config from the registry, the Pod runs its ENTRYPOINT.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientPodApi } from '../../src/executor/kubernetes/clientapi.ts';
import { createKubernetesExecutor } from '../../src/executor/kubernetes/executor.ts';
import { kubeConfigOf } from '../../src/executor/kubernetes/kubeconfig.ts';
import { podmanRun, podmanWith } from '../../src/executor/podman/cli.ts';
import { registryUnusable, startRegistry, type LoopbackRegistry } from '../../src/executor/podman/registry.ts';
import { ensureBusyboxImage, podmanTestHost } from '../../src/executor/podman/testimage.ts';
import { runPlan, suitePlan } from '../../src/executor/suite.ts';
import type { PlanContainer } from '../../src/executor/executor.ts';
import { startStandInCluster, type StandInCluster } from './cluster.ts';

const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-kube-entrypoint-'));
const podman = podmanWith(base);
const HOST = podmanTestHost(base);
const SKIP = HOST.skip || registryUnusable() || false;
if (SKIP) console.log(`# entrypoint lookup on the stand-in cluster skipped: ${SKIP}`);

let registry: LoopbackRegistry | undefined;
let cluster: StandInCluster | undefined;
let image = '';
before(async () => {
  if (SKIP) return;
  ensureBusyboxImage(podman, HOST.busybox!, ['docker.io/library/busybox:latest']);
  registry = await startRegistry();
  image = `${registry.host}/kiln-test/echo:1`;
  ensureBusyboxImage(podman, HOST.busybox!, [image], ['ENTRYPOINT ["/bin/busybox", "echo", "entrypoint:"]', 'CMD ["from-cmd"]']);
  const push = await podmanRun(podman, ['push', '--quiet', '--tls-verify=false', image], 120_000);
  assert.equal(push.code, 0, push.stderr);
  cluster = await startStandInCluster({ dir: join(base, 'cluster'), podman });
});
after(async () => {
  await cluster?.stop();
  await registry?.stop();
  if (image) await podmanRun(podman, ['rmi', '--force', image]);
  rmSync(base, { recursive: true, force: true });
});

let n = 0;
function executor() {
  const dataDir = join(base, `kiln${n++}`);
  mkdirSync(dataDir, { recursive: true });
  return createKubernetesExecutor({ api: clientPodApi(kubeConfigOf(cluster!.kubeconfig)), dataDir, toolsImage: 'docker.io/library/busybox:latest' });
}
const step = (name: string, more: Partial<PlanContainer>): PlanContainer => ({ name, containerName: `step-${name}`, image, env: [], mounts: [], ...more });

describe('entrypoint lookup: a registry on loopback, Pods on the stand-in cluster', { skip: SKIP }, () => {
  test('a step naming no command runs its image\'s ENTRYPOINT + CMD; with args, ENTRYPOINT + args', async () => {
    const { snap, logs } = await runPlan(executor(), suitePlan('entrypoint', [step('plain', {}), step('args', { args: ['given', 'words'] })]));
    assert.deepEqual(snap.outcome, { status: 'succeeded' });
    assert.deepEqual(logs, ['entrypoint: from-cmd\n', 'entrypoint: given words\n']);
  });

  test('an image the registry does not have fails the attempt, naming the image and the registry\'s answer; no Pod is made', async () => {
    const missing = `${registry!.host}/kiln-test/missing:1`;
    const { snap } = await runPlan(executor(), suitePlan('entrypoint-missing', [step('a', { image: missing })]));
    assert.equal(snap.outcome?.status, 'failed');
    assert.match((snap.outcome as { message: string }).message, new RegExp(`^cannot read the entrypoint of image ${missing.replace(/\./g, '\\.')}: not found in its registry \\(manifest .*: 404 (MANIFEST_UNKNOWN|NAME_UNKNOWN)`));
    assert.equal(snap.steps[0].phase, 'waiting');
  });
});
