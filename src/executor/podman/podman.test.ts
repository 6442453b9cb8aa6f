import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EXECUTOR_SUITE_CASES, runExecutorSuite, runPlan, suitePlan, suiteStep } from '../suite.ts';
import type { ExecutionHandle, PlanContainer } from '../executor.ts';
import { createWhich } from '../process/host.ts';
import { LABEL_ATTEMPT, POD_USER_NAMESPACE } from './args.ts';
import { podmanRun, podmanWith } from './cli.ts';
import { createPodmanExecutor } from './executor.ts';
import type { PodmanExecutorOptions } from './executor.ts';
import { ensureBusyboxImage, podmanTestHost } from './testimage.ts';

const which = createWhich();
const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-podman-test-'));
after(() => rmSync(base, { recursive: true, force: true }));
const podman = podmanWith(base);
const HOST = podmanTestHost(base);
const SKIP = HOST.skip;
const BUSYBOX = HOST.busybox;
if (SKIP) console.log(`# podman executor tests skipped: ${SKIP}`);
else {
  ensureBusyboxImage(podman, BUSYBOX!, ['docker.io/library/busybox:latest', 'localhost/kiln-test/busybox:latest']);
  ensureBusyboxImage(podman, BUSYBOX!, ['localhost/kiln-test/echo:latest'], ['ENTRYPOINT ["echo","entry"]', 'CMD ["from-cmd"]']);
}

let n = 0;
function executor(opts: Partial<PodmanExecutorOptions> = {}) {
  const dataDir = join(base, `d${n++}`);
  mkdirSync(dataDir);
  return createPodmanExecutor({ dataDir, graceMs: 500, network: 'none', ...opts });
}

/** Names of the containers and pods podman still has for attempt `id`. */
async function leftovers(id: string): Promise<string> {
  const filter = `label=${LABEL_ATTEMPT}=${id}`;
  const [c, p] = await Promise.all([
    podmanRun(podman, ['ps', '-a', '--filter', filter, '--format', '{{.Names}}']),
    podmanRun(podman, ['pod', 'ps', '--filter', filter, '--format', '{{.Name}}']),
  ]);
  assert.equal(c.code + p.code, 0, c.stderr + p.stderr);
  return (c.stdout + p.stdout).trim();
}

function container(name: string, image: string, extra: Partial<PlanContainer> = {}): PlanContainer {
  return { name, containerName: `step-${name}`, image, env: [], mounts: [], ...extra };
}

runExecutorSuite('podman', () => executor(), { skip: SKIP ? [...EXECUTOR_SUITE_CASES] : [] });

describe('podman executor: containers', { skip: SKIP }, function containers() {
  test("a step runs in its image: a tool of the host's that the image lacks is not found", async function () {
    const tool = ['bwrap', 'git', 'curl', 'perl', 'python3', 'node'].find((t) => which(t, process.env.PATH));
    assert.ok(tool, 'the host has none of the tools tried');
    const { snap, logs } = await runPlan(executor(), suitePlan('in-image', [suiteStep('a', `command -v ${tool} || { echo "no ${tool}"; exit 42; }`)]));
    assert.equal(snap.steps[0].exitCode, 42, logs[0]);
    assert.equal(logs[0], `no ${tool}\n`);
  });

  test("a step without command runs the image's ENTRYPOINT and CMD; args replace CMD", async function () {
    const { snap, logs } = await runPlan(executor(), suitePlan('entrypoint', [
      container('a', 'localhost/kiln-test/echo'),
      container('b', 'localhost/kiln-test/echo', { args: ['x', 'y'] }),
      container('c', 'localhost/kiln-test/echo', { command: ['echo'], args: ['own'] }),
      container('d', 'busybox', { args: ['-c', 'echo from-sh'] }),
    ]));
    assert.deepEqual(snap.outcome, { status: 'succeeded' });
    assert.deepEqual(logs, ['entry from-cmd\n', 'entry x y\n', 'own\n', 'from-sh\n']);
  });

  test("a missing image fails the attempt before any step runs (TaskRunImagePullFailed), with podman's message", async function () {
    const { snap, logs } = await runPlan(executor(), suitePlan('missing', [
      suiteStep('a', 'true'),
      container('b', 'localhost/kiln-no-such-image:2', { command: ['true'], onError: 'continue' }),
      suiteStep('c', 'true'),
    ]));
    assert.equal(snap.outcome?.status, 'failed');
    const o = snap.outcome as { reason: string; message: string; step?: string };
    assert.equal(o.reason, 'ImagePullFailed');
    assert.equal(o.step, 'b');
    assert.match(o.message, /^the step "b" in TaskRun "missing" failed to pull the image "localhost\/kiln-no-such-image:2"\. The pod errored with the message: ".*kiln-no-such-image.*\."$/);
    assert.deepEqual(snap.steps.map((s) => s.reason), ['Skipped', 'ErrImagePull', 'Skipped'], 'onError: continue does not apply: the pod never ran');
    assert.match(logs[1], /kiln-no-such-image/);
  });

  for (const how of ['cancel', 'timeout'] as const) {
    test(`${how} removes every container and the pod (sidecar included)`, async function () {
      const ex = executor();
      const sidecar: PlanContainer = { name: 'idle', containerName: 'sidecar-idle', image: 'busybox', env: [], mounts: [], command: ['sleep', '600'] };
      const plan = suitePlan(`leftovers-${how}`, [suiteStep('a', 'sleep 600'), suiteStep('b', 'true')], { sidecars: [sidecar] });
      let seen = '';
      let asked = false;
      const h: ExecutionHandle = ex.start(plan, function onChange() {
        const s = h?.snapshot();
        if (asked || s?.steps[0].phase !== 'running') return;
        asked = true;
        void (async function whileRunning() {
          // the step's container exists a moment after its phase says running
          for (let i = 0; i < 50 && !seen.includes('step-a'); i++) {
            seen = await leftovers(plan.id);
            await new Promise((r) => setTimeout(r, 100));
          }
          if (how === 'cancel') h.cancel('cancelled', 'stop');
          else h.cancel('timeout', 'too slow');
        })();
      });
      const snap = await h.done;
      assert.match(seen, /sidecar-idle/, 'the sidecar ran in a container carrying the attempt label');
      assert.match(seen, /step-a/, "the step's container carried the attempt label");
      assert.equal(snap.outcome?.status, how === 'cancel' ? 'cancelled' : 'timeout');
      assert.equal(snap.steps[0].reason, how === 'cancel' ? 'Cancelled' : 'TimeoutExceeded');
      assert.equal(snap.steps[1].reason, 'Skipped');
      assert.equal(await leftovers(plan.id), '');
      await ex.close();
    });
  }

  test('a sidecar is reached on localhost (one network per pod, with outside access by slirp4netns)', async function () {
    const sidecar: PlanContainer = {
      name: 'web', containerName: 'sidecar-web', image: 'busybox', env: [], mounts: [],
      script: 'mkdir -p /tmp/www && echo hello > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www',
      readinessProbe: { command: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'], periodMs: 100 },
    };
    const { snap, logs } = await runPlan(executor({ network: 'outside' }), suitePlan('localhost', [suiteStep('a', 'wget -q -O- http://localhost:8080/')], { sidecars: [sidecar] }));
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.equal(logs[0], 'hello\n');
  });

  test('a sidecar that dies before it is ready, or fails its startup probe, fails the attempt', async function () {
    const ex = executor();
    const dies: PlanContainer = { name: 'dies', containerName: 'sidecar-dies', image: 'busybox', env: [], mounts: [], script: 'exit 3', readinessProbe: { command: ['false'], periodMs: 20 } };
    const never: PlanContainer = { name: 'never', containerName: 'sidecar-never', image: 'busybox', env: [], mounts: [], command: ['sleep', '60'], startupProbe: { command: ['false'], periodMs: 20, failureThreshold: 2 } };
    for (const [sidecar, message] of [[dies, 'sidecar "dies" exited with code 3 before it was ready'], [never, 'sidecar "never" failed its startup probe 2 times']] as const) {
      const plan = suitePlan('sidecar-fails', [suiteStep('a', 'true')], { sidecars: [sidecar] });
      const { snap } = await runPlan(ex, plan);
      assert.deepEqual(snap.outcome, { status: 'failed', reason: 'SidecarFailed', message });
      assert.equal(snap.steps[0].reason, 'Skipped');
      assert.equal(snap.sidecars[0].phase, 'terminated');
      assert.equal(await leftovers(plan.id), '');
    }
  });

  test('close() cancels what runs and leaves nothing behind', async function () {
    const ex = executor();
    const plan = suitePlan('close', [suiteStep('a', 'sleep 600')]);
    const h = ex.start(plan, () => {});
    assert.equal(ex.start(plan, () => {}), h);
    await ex.close();
    const snap = await h.done;
    assert.equal(snap.outcome?.status, 'cancelled');
    assert.equal(await leftovers(plan.id), '');
  });

  test('no capability, no new privileges; runAs and limits reach the container', async function () {
    const script = 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; id -u; id -g; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max\necho w > /tekton/results/r';
    const { snap, logs } = await runPlan(executor(), suitePlan('security', [
      suiteStep('a', script, { runAs: { uid: 1234, gid: 2345 }, limits: { memory: '64Mi', cpu: '500m' } }),
    ], { results: ['r'] }));
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.equal(logs[0], 'CapEff:\t0000000000000000\nNoNewPrivs:\t1\n1234\n2345\n67108864\n');
    assert.deepEqual(snap.results, { r: 'w\n' }, 'a non-root user writes the results directory');
  });

  test("as root, a pod is a user namespace: the step's root is an unprivileged host id, and so are its files", { skip: process.getuid?.() === 0 ? false : 'kiln maps ids only when it runs as root' }, async function () {
    const { snap, logs } = await runPlan(executor(), suitePlan('userns', [
      suiteStep('a', 'id -u; tr -s " " < /proc/self/uid_map; echo w > /tekton/results/r; mkdir /workspace/made'),
    ], { results: ['r'] }));
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.equal(logs[0], `0\n 0 ${POD_USER_NAMESPACE.base} ${POD_USER_NAMESPACE.size}\n`);
    const attempt = dirname(snap.logDir!);
    assert.equal(statSync(join(attempt, 'workspace', 'made')).uid, POD_USER_NAMESPACE.base, "a directory the step's root made belongs to the mapped id on the host");
  });

  test('privileged: refused unless the executor allows it', async function () {
    const plan = () => suitePlan('privileged', [suiteStep('a', 'grep ^CapEff /proc/self/status', { privileged: true })]);
    const refused = await runPlan(executor(), plan());
    assert.equal(refused.snap.outcome?.status, 'failed');
    assert.match(refused.snap.steps[0].message ?? '', /step-a: securityContext\.privileged is not allowed/);
    assert.deepEqual(executor().check(plan()), [{ what: 'step a securityContext.privileged', why: 'not allowed by this executor (--allow-privileged)' }]);
    const allowed = await runPlan(executor({ allowPrivileged: true }), plan());
    assert.deepEqual(allowed.snap.outcome, { status: 'succeeded' }, allowed.logs[0]);
    assert.doesNotMatch(allowed.logs[0], /CapEff:\t0000000000000000/);
  });

  test('--step-capabilities kubernetes: the runtime default set (no NET_RAW), add/drop on top, still no new privileges', async function () {
    const show = 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status';
    const { snap, logs } = await runPlan(executor({ capabilities: 'kubernetes' }), suitePlan('caps', [
      suiteStep('a', show),
      suiteStep('b', show, { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }),
      suiteStep('c', show, { runAs: { uid: 1234 } }),
    ]));
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs.join('\n'));
    assert.equal(logs[0], 'CapEff:\t00000000a80405fb\nNoNewPrivs:\t1\n', "Docker's default set (a80425fb) without NET_RAW");
    assert.equal(logs[1], 'CapEff:\t0000000000000400\nNoNewPrivs:\t1\n', 'drop ALL, add NET_BIND_SERVICE');
    assert.equal(logs[2], 'CapEff:\t0000000000000000\nNoNewPrivs:\t1\n', 'a user other than root holds none in effect');
    const beyond = suitePlan('caps-beyond', [suiteStep('a', show, { capabilities: { add: ['SYS_ADMIN'] } })]);
    assert.deepEqual(executor({ capabilities: 'kubernetes' }).check(beyond), [{ what: 'step a securityContext.capabilities.add', why: 'SYS_ADMIN is beyond the default set this executor grants (--step-capabilities kubernetes); adding it needs --allow-privileged' }]);
    assert.deepEqual(executor().check(beyond), [], 'without the option the container\'s capabilities are not looked at');
  });

  test('a step of another user gets a /tekton/creds of its own, its own to change (as Tekton\'s per-step creds)', { skip: process.getuid?.() === 0 ? false : 'kiln maps ids only when it runs as root' }, async function () {
    const credentials = { '.ssh/id_k': 'key\n', '.ssh/known_hosts': 'old\n' };
    const { snap, logs } = await runPlan(executor(), suitePlan('own-creds', [
      suiteStep('a', 'cat /tekton/creds/.ssh/id_k; echo new > /tekton/creds/.ssh/known_hosts; stat -c "%u %a" /tekton/creds/.ssh/known_hosts', { runAs: { uid: 1000 } }),
      suiteStep('b', 'cat /tekton/creds/.ssh/known_hosts; stat -c "%u %a" /tekton/creds/.ssh/id_k'),
    ], { credentials }));
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs.join('\n'));
    assert.deepEqual(logs, ['key\n1000 600\n', 'old\n0 600\n'], "uid 1000 changed its own copy; root's is untouched");
    const attempt = dirname(snap.logDir!);
    assert.equal(existsSync(join(attempt, 'creds-own')), false, 'the copies go when the attempt ends');
  });

  test('stdoutPath tees into a workspace; a secret is masked in the log', async function () {
    const { snap, logs } = await runPlan(executor(), suitePlan('tee', [
      suiteStep('a', 'echo "out s3cr3t"; echo err >&2', { stdoutPath: '/workspace/out.txt' }),
      suiteStep('b', 'cat /workspace/out.txt'),
    ], { secrets: ['s3cr3t'] }));
    assert.deepEqual(snap.outcome, { status: 'succeeded' });
    assert.match(logs[0], /out \*\*\*\n/);
    assert.match(logs[0], /err\n/);
    assert.equal(logs[1], 'out ***\n', 'the tee file got the stream as the log did');
  });
});
