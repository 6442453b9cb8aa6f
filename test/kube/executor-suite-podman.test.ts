// The shared executor suite on the kubernetes executor: Pods created through client-node on a
// real `kiln serve` (which stores them, status included), run by the test pod runner over podman
// (podrunner.ts plays the kubelet), logs read from the runner's pods/log endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { clientPodApi } from '../../src/executor/kubernetes/clientapi.ts';
import { createKubernetesExecutor } from '../../src/executor/kubernetes/executor.ts';
import type { PodApi } from '../../src/executor/kubernetes/executor.ts';
import { podmanRun, podmanWith } from '../../src/executor/podman/cli.ts';
import { ensureBusyboxImage, podmanTestHost } from '../../src/executor/podman/testimage.ts';
import { EXECUTOR_SUITE_CASES, runExecutorSuite, runPlan, suitePlan, suiteStep } from '../../src/executor/suite.ts';
import type { ExecutionHandle } from '../../src/executor/executor.ts';
import { startServe } from '../e2e/serve-helpers.ts';
import { makeBeforeStep } from '../../src/controllers/taskrun/stepresults.ts';
import type { TaskSpec } from '../../src/api/task.types.ts';
import type { Served } from '../e2e/serve-helpers.ts';
import { startPodRunner } from './podrunner.ts';
import type { PodRunner } from './podrunner.ts';

const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-kube-suite-'));
const podman = podmanWith(base);
const HOST = podmanTestHost(base);
const SKIP = HOST.skip;
const BUSYBOX = HOST.busybox;
if (SKIP) console.log(`# kubernetes executor suite skipped: ${SKIP}`);

const kubeConfig = (server: string) => {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
  return kc;
};

let served: Served | undefined;
let runner: PodRunner | undefined;
let api: PodApi;
before(async () => {
  if (SKIP) return;
  ensureBusyboxImage(podman, BUSYBOX!, ['docker.io/library/busybox:latest', 'localhost/kiln-test/busybox:latest']);
  served = await startServe(join(base, 'serve'));
  runner = await startPodRunner({ apiUrl: served.url, workDir: join(base, 'runner'), podman });
  // create, watch and delete through kiln's API; logs from the node that runs the Pod
  const onApi = clientPodApi(kubeConfig(served.url));
  const onNode = clientPodApi(kubeConfig(runner.url), { logRetryMs: 100, logTries: 50 });
  api = { ...onApi, log: onNode.log };
});
after(async () => {
  await runner?.stop();
  await served?.stop();
  rmSync(base, { recursive: true, force: true });
});

let n = 0;
function executor() {
  const dataDir = join(base, `kiln${n++}`);
  mkdirSync(dataDir, { recursive: true });
  return createKubernetesExecutor({ api, dataDir, toolsImage: 'busybox' });
}

/** Names of the runner's podman containers and pods still there for Pod `name` of namespace suite. */
async function leftovers(name: string): Promise<string> {
  const filter = `name=^kube-suite-${name}-`;
  const [c, p] = await Promise.all([podmanRun(podman, ['ps', '-a', '--filter', filter, '--format', '{{.Names}}']), podmanRun(podman, ['pod', 'ps', '--filter', filter, '--format', '{{.Name}}'])]);
  assert.equal(c.code + p.code, 0, c.stderr + p.stderr);
  return (c.stdout + p.stdout).trim();
}

/** What is left for Pod `name` once the runner had 10 s to remove it (it does so when the Pod is deleted). */
async function leftoversAfterDeletion(name: string): Promise<string> {
  const t0 = Date.now();
  while ((await leftovers(name)) !== '' && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 200));
  return leftovers(name);
}

// every case of the suite runs here (none skipped unless podman is missing)
runExecutorSuite('kubernetes (test pod runner)', executor, { skip: SKIP ? [...EXECUTOR_SUITE_CASES] : [] });

describe('kubernetes executor on the test pod runner', { skip: SKIP }, function pods() {
  test('the attempt timeout (6 s, the running step) deletes the Pod: the step timed out, the rest skipped, no container left', async function () {
    const { snap } = await runPlan(executor(), suitePlan('deadline', [suiteStep('a', 'sleep 60'), suiteStep('b', 'true')], { timeoutMs: 6000 }));
    assert.deepEqual(snap.outcome, { status: 'timeout', message: 'TaskRun "deadline" failed to finish within "6s"' });
    assert.deepEqual(snap.steps.map((s) => s.reason), ['TimeoutExceeded', 'Skipped']);
    assert.equal(await leftoversAfterDeletion('deadline-pod'), '');
  });

  test("a TaskRun's step results and step when, as the controller plans them: substituted and evaluated as each step starts", async function () {
    const spec = {
      steps: [
        { name: 'a', image: 'busybox', script: 'printf "v 1" > /tekton/steps/step-a/results/r', results: [{ name: 'r' }] },
        { name: 'b', image: 'busybox', command: ['echo'], args: ['got', '$(steps.a.results.r)'] },
        { name: 'c', image: 'busybox', script: 'echo never', when: [{ input: '$(steps.a.results.r)', operator: 'notin', values: ['v 1'] }] },
        { name: 'd', image: 'busybox', script: 'echo last' },
      ],
    } as TaskSpec;
    const steps = spec.steps.map((s) => suiteStep(s.name!, s.script ?? [...s.command!, ...s.args!], s.name === 'a' ? { results: ['r'] } : {}));
    const plan = suitePlan('taskrun-when', steps, { beforeStep: makeBeforeStep(spec), beforeStepReads: ['b', 'c'] });
    const { snap, logs } = await runPlan(executor(), plan);
    assert.deepEqual(snap.outcome, { status: 'succeeded' });
    assert.deepEqual(snap.steps.map((s) => [s.reason, s.message]), [['Completed', undefined], ['Completed', undefined], ['Skipped', 'when expressions evaluated to false'], ['Completed', undefined]]);
    assert.deepEqual(logs, ['', 'got v 1\n', '', 'last\n']);
  });

  test('a cancelled attempt deletes its Pod, whose containers the runner removes at once', async function () {
    const ex = executor();
    let seen = '';
    let asked = false;
    const plan = suitePlan('removed', [suiteStep('a', 'sleep 600')]);
    const h: ExecutionHandle = ex.start(plan, function onChange() {
      if (asked || h?.snapshot().steps[0].phase !== 'running') return;
      asked = true;
      void (async function whileRunning() {
        for (let i = 0; i < 50 && !seen.includes('step-a'); i++) {
          seen = await leftovers('removed-pod');
          await new Promise((r) => setTimeout(r, 100));
        }
        h.cancel('cancelled', 'stop');
      })();
    });
    const snap = await h.done;
    assert.match(seen, /removed-pod-.*-step-a/, 'the step ran in a podman container of the runner');
    assert.equal(snap.outcome?.status, 'cancelled');
    assert.equal(await leftoversAfterDeletion('removed-pod'), '');
  });

  test('an image the node lacks fails the attempt (ImagePullFailed) naming the step', async function () {
    const { snap } = await runPlan(executor(), suitePlan('nopull', [suiteStep('a', 'true'), suiteStep('b', 'true', { image: 'localhost/kiln-no-such-image:1' })]));
    assert.equal(snap.outcome?.status, 'failed');
    const o = snap.outcome as { reason: string; message: string; step?: string };
    assert.equal(o.reason, 'ImagePullFailed');
    assert.equal(o.step, 'b');
    assert.match(o.message, /^the step "b" in TaskRun "nopull" failed to pull the image "localhost\/kiln-no-such-image:1"\. The pod errored with the message: "image "localhost\/kiln-no-such-image:1" is not present/);
    assert.equal(await leftoversAfterDeletion('nopull-pod'), '');
  });
});
