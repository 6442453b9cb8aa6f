import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackRegistry, pullArgs, pullOutcome, registryOf } from './pull.ts';

test('registryOf and loopback registries (plain HTTP, as Docker assumes for 127.0.0.0/8)', () => {
  const cases: Array<[string, string | undefined, boolean]> = [
    ['busybox', undefined, false],
    ['library/busybox:1', undefined, false],
    ['docker.io/library/busybox', 'docker.io', false],
    ['127.0.0.1:5000/a/b:1', '127.0.0.1:5000', true],
    ['127.1.2.3/a', '127.1.2.3', true],
    ['localhost:5000/a', 'localhost:5000', true],
    ['localhost/kiln-test/busybox', 'localhost', true],
    ['[::1]:5000/a', '[::1]:5000', true],
    ['registry.example:443/a', 'registry.example:443', false],
  ];
  for (const [image, registry, loopback] of cases) {
    assert.equal(registryOf(image), registry, image);
    assert.equal(isLoopbackRegistry(registryOf(image)), loopback, image);
  }
});

test('pullArgs', () => {
  assert.deepEqual(pullArgs('127.0.0.1:5000/a:1', '/x/auth.json'), ['pull', '--quiet', '--tls-verify=false', '--authfile', '/x/auth.json', '--', '127.0.0.1:5000/a:1']);
  assert.deepEqual(pullArgs('quay.io/a:1', undefined), ['pull', '--quiet', '--', 'quay.io/a:1']);
});

test("pullOutcome: Tekton's reason and message", () => {
  const c = { name: 'build', containerName: 'step-build', image: 'r.io/x:1', env: [], mounts: [] };
  assert.deepEqual(pullOutcome({ container: c, kind: 'step', reason: 'ErrImagePull', message: 'unauthorized' }, 'tr'), {
    status: 'failed', reason: 'ImagePullFailed', step: 'build',
    message: 'the step "build" in TaskRun "tr" failed to pull the image "r.io/x:1". The pod errored with the message: "unauthorized."',
  });
  assert.equal('step' in pullOutcome({ container: c, kind: 'sidecar', reason: 'ErrImagePull', message: 'm' }, 'tr'), false);
});

test('ensureImages: by policy, each image once; the auth file is 0600 while podman pulls and gone after', async () => {
  const { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { ensureImages } = await import('./pull.ts');
  const dir = mkdtempSync(join(tmpdir(), 'kiln-pull-'));
  try {
    // a stand-in podman: `image exists` knows only "here", `pull` records its auth file's mode and content
    const fake = join(dir, 'podman');
    writeFileSync(fake, `#!/bin/sh\necho "$*" >> ${dir}/calls\nif [ "$1 $2" = "image exists" ]; then [ "$4" = here ]; exit; fi\nfor a; do [ -n "$next" ] && { stat -c %a "$a" >> ${dir}/calls; cat "$a" >> ${dir}/calls; echo >> ${dir}/calls; next=; }; [ "$a" = --authfile ] && next=1; done\n[ "$(eval echo \\$$#)" = fails ] && { echo "Error: denied: no" >&2; exit 125; }\nexit 0\n`);
    chmodSync(fake, 0o755);
    const work = join(dir, 'work');
    (await import('node:fs')).mkdirSync(work);
    const c = (name: string, image: string, imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never') => ({ container: { name, containerName: `step-${name}`, image, env: [], mounts: [], imagePullPolicy }, kind: 'step' as const });
    const ctx = { podman: { bin: fake, env: {} }, dir: work, registryAuth: '{"auths":{}}' };
    const ok = await ensureImages(ctx, [c('a', 'here'), c('b', 'gone'), c('c', 'gone'), c('d', 'here', 'Always')]);
    assert.equal(ok, undefined);
    assert.deepEqual(readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean), [
      'image exists -- here',
      'image exists -- gone',
      `pull --quiet --authfile ${work}/auth.json -- gone`, '600', '{"auths":{}}',
      `pull --quiet --authfile ${work}/auth.json -- here`, '600', '{"auths":{}}',
    ]);
    assert.deepEqual(readdirSync(work), [], 'the auth file is removed');
    const never = await ensureImages({ ...ctx, registryAuth: undefined }, [c('a', 'here', 'Never'), c('b', 'gone', 'Never'), c('c', 'fails')]);
    assert.deepEqual(never && { reason: never.reason, message: never.message, step: never.container.name }, { reason: 'ErrImageNeverPull', message: 'Container image "gone" is not present with pull policy of Never', step: 'b' });
    const failed = await ensureImages(ctx, [c('c', 'fails', 'Always')]);
    assert.deepEqual(failed && { reason: failed.reason, message: failed.message }, { reason: 'ErrImagePull', message: 'denied: no' });
    assert.deepEqual(readdirSync(work), [], 'removed after a failure too');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ensureImages: an image found present is not checked again for PRESENT_FOR_MS; Always still pulls', async () => {
  const { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { ensureImages, PRESENT_FOR_MS } = await import('./pull.ts');
  const dir = mkdtempSync(join(tmpdir(), 'kiln-present-'));
  try {
    const fake = join(dir, 'podman');
    writeFileSync(fake, `#!/bin/sh\necho "$*" >> ${dir}/calls\nif [ "$1 $2" = "image exists" ]; then [ "$4" = here ]; exit; fi\nexit 0\n`);
    chmodSync(fake, 0o755);
    mkdirSync(join(dir, 'work'));
    let t = 1_000_000;
    const present = new Map<string, number>();
    const ctx = { podman: { bin: fake, env: {} }, dir: join(dir, 'work'), present, now: () => t };
    const c = (image: string, imagePullPolicy?: 'Always' | 'Never') => ({ container: { name: 'a', containerName: 'step-a', image, env: [], mounts: [], imagePullPolicy }, kind: 'step' as const });
    const calls = () => readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean);
    assert.equal(await ensureImages(ctx, [c('here'), c('gone')]), undefined);
    assert.deepEqual(calls(), ['image exists -- here', 'image exists -- gone', 'pull --quiet -- gone']);
    t += PRESENT_FOR_MS - 1;
    assert.equal(await ensureImages(ctx, [c('here'), c('gone', 'Never'), c('here', 'Always')]), undefined);
    assert.deepEqual(calls().slice(3), ['pull --quiet -- here'], 'only the Always pull: both others were seen present lately');
    t += PRESENT_FOR_MS;
    // once the time is up it is checked again (and this podman no longer has it)
    assert.equal((await ensureImages(ctx, [c('gone', 'Never')]))?.reason, 'ErrImageNeverPull');
    assert.deepEqual(calls().slice(4), ['image exists -- gone']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
