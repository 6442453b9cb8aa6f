// Pulls through the podman executor from a registry on loopback: credentials from the plan's
// registry auth, Tekton's TaskRunImagePullFailed with the registry's message without them,
// imagePullPolicy Never with a missing image failing at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlan, suitePlan } from '../suite.ts';
import type { PlanContainer } from '../executor.ts';
import { createWhich } from '../process/host.ts';
import { podmanRun, podmanWith } from './cli.ts';
import { createPodmanExecutor, podmanUnusable } from './executor.ts';
import { htpasswdLine, registryUnusable, startRegistry } from './registry.ts';
import type { LoopbackRegistry } from './registry.ts';
import { ensureBusyboxImage, notStatic } from './testimage.ts';

const which = createWhich();
const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-podman-registry-test-'));
after(() => rmSync(base, { recursive: true, force: true }));
const podman = podmanWith(base);
const BUSYBOX = which('busybox', process.env.PATH);
const HTPASSWD = htpasswdLine('kiln', 'pushed-it');

function unusable(): string | false {
  if (!which('podman', process.env.PATH)) return 'podman is not installed';
  const why = podmanUnusable(base) ?? registryUnusable();
  if (why) return why;
  if (!BUSYBOX) return 'busybox is not installed: no local test image';
  if (!HTPASSWD) return 'no bcrypt (python3 crypt) for the registry htpasswd';
  return notStatic(BUSYBOX) ?? false;
}
const SKIP = unusable();
if (SKIP) console.log(`# podman registry tests skipped: ${SKIP}`);

describe('podman executor: pulls from a loopback registry', { skip: SKIP }, function pulls() {
  let registry: LoopbackRegistry;
  let image = '';
  let auth = '';
  before(async () => {
    ensureBusyboxImage(podman, BUSYBOX!, ['docker.io/library/busybox:latest', 'localhost/kiln-test/busybox:latest']);
    registry = await startRegistry({ htpasswd: [HTPASSWD!] });
    image = `${registry.host}/kiln-test/pulled:${process.pid}`;
    auth = JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('kiln:pushed-it').toString('base64') } } });
    const authFile = join(base, 'push-auth.json');
    (await import('node:fs')).writeFileSync(authFile, auth, { mode: 0o600 });
    const push = await podmanRun(podman, ['push', '--quiet', '--tls-verify=false', '--authfile', authFile, 'docker.io/library/busybox:latest', image]);
    assert.equal(push.code, 0, push.stderr);
  });
  after(async () => {
    await podmanRun(podman, ['rmi', '--force', image]);
    await registry?.stop();
  });

  let n = 0;
  function executor() {
    const dataDir = join(base, `d${n++}`);
    mkdirSync(dataDir);
    return createPodmanExecutor({ dataDir, graceMs: 500, network: 'none' });
  }
  const step = (extra: Partial<PlanContainer> = {}): PlanContainer => ({ name: 'a', containerName: 'step-a', image, env: [], mounts: [], script: 'echo pulled', ...extra });

  test('imagePullPolicy Always with the credentials pulls the image and runs the step in it', async () => {
    await podmanRun(podman, ['rmi', '--force', image]);
    const { snap, logs } = await runPlan(executor(), { ...suitePlan('pull-auth', [step({ imagePullPolicy: 'Always' })]), registryAuth: auth });
    assert.deepEqual(snap.outcome, { status: 'succeeded' }, logs[0]);
    assert.equal(logs[0], 'pulled\n');
  });

  test("without credentials: TaskRunImagePullFailed with the registry's refusal, no step runs", async () => {
    await podmanRun(podman, ['rmi', '--force', image]);
    const { snap } = await runPlan(executor(), suitePlan('pull-noauth', [step({ imagePullPolicy: 'IfNotPresent' }), { ...step(), name: 'b', containerName: 'step-b', image: 'docker.io/library/busybox:latest' }]));
    assert.equal(snap.outcome?.status, 'failed');
    const o = snap.outcome as { reason: string; message: string; step?: string };
    assert.equal(o.reason, 'ImagePullFailed');
    assert.equal(o.step, 'a');
    assert.match(o.message, new RegExp(`^the step "a" in TaskRun "pull-noauth" failed to pull the image "${image}"\\. The pod errored with the message: ".*(unauthorized|authentication required).*\\."$`));
    assert.equal(snap.steps[0].reason, 'ErrImagePull');
    assert.equal(snap.steps[1].reason, 'Skipped');
  });

  test('a tag the registry does not have fails with its message; Never with a missing image fails at once', async () => {
    const missing = await runPlan(executor(), { ...suitePlan('pull-missing', [step({ image: `${registry.host}/kiln-test/absent:1` })]), registryAuth: auth });
    assert.match((missing.snap.outcome as { message: string }).message, /failed to pull the image ".*absent:1".*(manifest unknown|not found)/i);
    const never = await runPlan(executor(), suitePlan('pull-never', [step({ image: 'localhost/kiln-test/never-here:1', imagePullPolicy: 'Never' })]));
    assert.deepEqual(never.snap.outcome, {
      status: 'failed', reason: 'ImagePullFailed', step: 'a',
      message: 'the step "a" in TaskRun "pull-never" failed to pull the image "localhost/kiln-test/never-here:1". The pod errored with the message: "Container image "localhost/kiln-test/never-here:1" is not present with pull policy of Never."',
    });
    assert.equal(never.snap.steps[0].reason, 'ErrImageNeverPull');
  });
});
