// The test pod runner's `podman run` arguments for a Pod's container (pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindsOf, runArgs } from './podargs.ts';
import type { KubeContainer } from './podargs.ts';

const volumes = new Map([['ws', '/w/ws'], ['bin', '/w/bin']]);
const ctx = { pod: 'p', name: 'p-step-a', volumes, terminationLog: '/w/logs/step-a.termination' };

test('a step as podman run: security, mounts with subPath and readOnly, termination log, workdir, env, command and args', () => {
  const c: KubeContainer = {
    name: 'step-a', image: 'busybox', command: ['/tekton/bin/busybox', 'sh', '-c', 'x'], args: ['a b'], workingDir: '/workspace/sub',
    env: [{ name: 'HOME', value: '/tekton/home' }, { name: 'EMPTY' }],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 1000, runAsGroup: 2000 },
    resources: { limits: { memory: '64Mi', cpu: '500m' } },
    volumeMounts: [{ name: 'bin', mountPath: '/tekton/bin', readOnly: true }, { name: 'ws', mountPath: '/workspace/src', subPath: 'src/x' }],
  };
  assert.deepEqual(runArgs(c, ctx), [
    'run', '--rm', '--pod', 'p', '--name', 'p-step-a', '--log-driver', 'passthrough', '--pull', 'never',
    '--cap-drop=all', '--security-opt', 'no-new-privileges', '--user', '1000:2000', '--cpus', '0.5', '--memory', '67108864',
    '--mount', 'type=bind,src=/w/bin,dst=/tekton/bin,ro', '--mount', 'type=bind,src=/w/ws/src/x,dst=/workspace/src',
    '--mount', 'type=bind,src=/w/logs/step-a.termination,dst=/dev/termination-log',
    '--workdir', '/workspace/sub', '--env', 'HOME=/tekton/home', '--env', 'EMPTY=',
    '--entrypoint', '["/tekton/bin/busybox","sh","-c","x"]', '--', 'busybox', 'a b',
  ]);
});

test('privileged drops nothing; no command keeps the image entrypoint, args replace CMD', () => {
  const args = runArgs({ name: 'c', image: 'img', args: ['x'], securityContext: { privileged: true, capabilities: { drop: ['ALL'] } } }, ctx) as string[];
  assert.ok(args.includes('--privileged'));
  assert.ok(!args.includes('--cap-drop=all'));
  assert.ok(!args.includes('--entrypoint'));
  assert.deepEqual(args.slice(-3), ['--', 'img', 'x']);
});

test('what cannot be run is named: an unknown volume, a subPath leaving its volume, a bad limit', () => {
  assert.deepEqual(bindsOf({ name: 'c', image: 'i', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, volumes), { error: 'spec.containers[c].volumeMounts[0]: volume "nope" not found' });
  assert.deepEqual(bindsOf({ name: 'c', image: 'i', volumeMounts: [{ name: 'ws', mountPath: '/x', subPath: '../etc' }] }, volumes), { error: 'spec.containers[c].volumeMounts[0].subPath: must be a relative path without ".."' });
  assert.match((runArgs({ name: 'c', image: 'i', resources: { limits: { memory: 'lots' } } }, ctx) as { error: string }).error, /^c: resources\.limits: memory limit "lots"/);
});

test('every mount of a configMap or secret volume is read-only, whatever the mount says', () => {
  const c: KubeContainer = { name: 'c', image: 'i', volumeMounts: [{ name: 'ws', mountPath: '/cfg' }, { name: 'bin', mountPath: '/b', subPath: 'x' }] };
  assert.deepEqual(bindsOf(c, volumes, new Set(['ws'])), [{ src: '/w/ws', dest: '/cfg', readOnly: true }, { src: '/w/bin/x', dest: '/b', readOnly: false }]);
  const args = runArgs(c, { ...ctx, readOnlyVolumes: new Set(['ws']) }) as string[];
  assert.ok(args.includes('type=bind,src=/w/ws,dst=/cfg,ro'));
  assert.ok(args.includes('type=bind,src=/w/bin/x,dst=/b'));
});

test('capabilities as a kubelet leaves them: none named keeps the runtime\'s default set; named drops and adds go through', () => {
  const plain = runArgs({ name: 'c', image: 'img', securityContext: { allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } } }, ctx) as string[];
  assert.deepEqual(plain.filter((a) => a.startsWith('--cap-')), []);
  assert.ok(plain.includes('no-new-privileges'));
  const asked = runArgs({ name: 'c', image: 'img', securityContext: { capabilities: { add: ['SYS_ADMIN'], drop: ['NET_RAW'] } } }, ctx) as string[];
  assert.deepEqual(asked.filter((a) => a.startsWith('--cap-')), ['--cap-drop=net_raw', '--cap-add=sys_admin']);
});
