import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlanContainer } from '../executor.ts';
import { attemptLabels, envFileOf, containerEnvPairs, POD_USER_NAMESPACE, podCreateArgs, podHostname, podmanName, runArgs, userNamespaceArgs } from './args.ts';
import type { RunSpec } from './args.ts';
import { parseConfig } from './image.ts';
import { KUBERNETES_DEFAULT_CAPABILITIES } from './capabilities.ts';

const c = (extra: Partial<PlanContainer> = {}): PlanContainer => ({ name: 'a', containerName: 'step-a', image: 'busybox', env: [], mounts: [], ...extra });
const spec = (extra: Partial<PlanContainer> = {}, more: Partial<RunSpec> = {}): RunSpec => ({
  pod: 'p', name: 'p-step-a', labels: { l: 'v' }, container: c(extra), mounts: [], workingDir: '/workspace', allowPrivileged: false, ...more,
});
const HEAD = ['run', '--rm', '--pod', 'p', '--name', 'p-step-a', '--label', 'l=v', '--log-driver', 'passthrough'];
const SAFE = ['--cap-drop=all', '--security-opt', 'no-new-privileges'];

test('runArgs: entrypoint, security, user, limits, mounts, env', function () {
  const rows: { name: string; spec: RunSpec; want: string[] | { error: string } }[] = [
    { name: 'script replaces the entrypoint; args follow', spec: spec({ script: 'x', args: ['1'] }, { script: '/tekton/scripts/s' }),
      want: [...HEAD, ...SAFE, '--workdir', '/workspace', '--entrypoint', '["/tekton/scripts/s"]', '--', 'busybox', '1'] },
    { name: 'command replaces the entrypoint', spec: spec({ command: ['sh', '-c', 'echo "$0"'], args: ['a b'] }),
      want: [...HEAD, ...SAFE, '--workdir', '/workspace', '--entrypoint', '["sh","-c","echo \\"$0\\""]', '--', 'busybox', 'a b'] },
    { name: 'runAs, limits, mounts, env file and passed names', spec: spec({ runAs: { uid: 1, gid: 2 }, limits: { cpu: '250m', memory: '1Ki' } }, {
      mounts: [{ src: '/h/w', dest: '/workspace' }, { src: '/h/s', dest: '/tekton/steps', readOnly: true }], envFile: '/h/e', passEnv: ['KEY'] }),
      want: [...HEAD, ...SAFE, '--user', '1:2', '--cpus', '0.25', '--memory', '1024',
        '--mount', 'type=bind,src=/h/w,dst=/workspace', '--mount', 'type=bind,src=/h/s,dst=/tekton/steps,ro',
        '--workdir', '/workspace', '--env-file', '/h/e', '--env', 'KEY', '--', 'busybox'] },
    { name: 'runAsGroup alone adds the group', spec: spec({ runAs: { gid: 7 } }), want: [...HEAD, ...SAFE, '--group-add', '7', '--workdir', '/workspace', '--', 'busybox'] },
    { name: 'Never: the run does not pull either', spec: spec({ imagePullPolicy: 'Never' }), want: [...HEAD, ...SAFE, '--pull', 'never', '--workdir', '/workspace', '--', 'busybox'] },
    { name: 'privileged when allowed', spec: spec({ privileged: true }, { allowPrivileged: true }), want: [...HEAD, '--privileged', '--workdir', '/workspace', '--', 'busybox'] },
    { name: 'privileged refused', spec: spec({ privileged: true }), want: { error: 'step-a: securityContext.privileged is not allowed by this executor (kiln serve --allow-privileged)' } },
    { name: 'bad limit', spec: spec({ limits: { memory: 'lots' } }), want: { error: 'step-a: computeResources.limits: memory limit "lots" is not a positive quantity of bytes (e.g. "64Mi", "1G")' } },
    { name: 'comma in a path', spec: spec({}, { mounts: [{ src: '/h/a,b', dest: '/d' }] }), want: { error: 'mount /d: podman cannot bind a path containing a comma (/h/a,b)' } },
  ];
  for (const r of rows) assert.deepEqual(runArgs(r.spec), r.want, r.name);
});

test('env: HOME defaults to /tekton/home; multi-line values go through podman\'s environment', function () {
  const env = containerEnvPairs([{ name: 'A', value: ' x ' }, { name: 'KEY', value: 'l1\nl2' }]);
  assert.deepEqual(envFileOf(env), { text: 'A= x \nHOME=/tekton/home\n', passed: { KEY: 'l1\nl2' } });
  assert.equal(containerEnvPairs([{ name: 'HOME', value: '/h' }]).get('HOME'), '/h');
  assert.equal(containerEnvPairs([]).has('PATH'), false, "the image's PATH stays");
});

test('names and labels', function () {
  assert.equal(podmanName('kiln', 'ns', 'a/b c', '0'), 'kiln-ns-a_b_c-0');
  assert.equal(podmanName('-x'), 'x');
  assert.deepEqual(attemptLabels({ id: 'ns/tr/0', taskRunUid: 'u' }, 'k'), { 'kiln.dev/managed-by': 'kiln', 'kiln.dev/data-dir': 'k', 'kiln.dev/attempt': 'ns/tr/0', 'kiln.dev/taskrun-uid': 'u' });
  assert.deepEqual(podCreateArgs('p', { l: 'v' }, 'none'), ['pod', 'create', '--name', 'p', '--label', 'l=v', '--network', 'none']);
  assert.deepEqual(podCreateArgs('p', {}, 'outside'), ['pod', 'create', '--name', 'p', '--network', 'slirp4netns']);
  assert.deepEqual(podCreateArgs('p', {}, 'none', 'h'), ['pod', 'create', '--name', 'p', '--hostname', 'h', '--network', 'none']);
});

test('parseConfig reads ENTRYPOINT and CMD (null or empty: absent)', function () {
  assert.deepEqual(parseConfig('["echo","entry"]\n["x"]\n'), { entrypoint: ['echo', 'entry'], cmd: ['x'] });
  assert.deepEqual(parseConfig('null\n["sh"]'), { entrypoint: undefined, cmd: ['sh'] });
  assert.deepEqual(parseConfig('[]\nnull'), { entrypoint: undefined, cmd: undefined });
  assert.equal(parseConfig('garbage'), undefined);
});

test('the hostname is the TaskRun pod name, cut to the 63 characters sethostname takes', () => {
  assert.equal(podHostname('build-x7k2p'), 'build-x7k2p-pod');
  const long = podHostname(`default-task-params-run-${'a'.repeat(60)}`);
  assert.equal(long.length, 63);
  assert.ok(long.startsWith('default-task-params-run-aaa'));
  assert.equal(podHostname(`${'b'.repeat(62)}-x`), 'b'.repeat(62));
  assert.equal(podHostname('Odd_Name'), 'odd-name-pod');
});

test("the pods' user namespace: one range far above the host's ids", () => {
  assert.ok(POD_USER_NAMESPACE.base > 1 << 30);
  assert.deepEqual(userNamespaceArgs({ base: 1000, size: 10 }), ['--uidmap', '0:1000:10', '--gidmap', '0:1000:10']);
  assert.deepEqual(podCreateArgs('p', {}, 'none', 'h', { base: 1000, size: 10 }).slice(0, 7), ['pod', 'create', '--name', 'p', '--hostname', 'h', '--uidmap']);
});

test('runArgs: capabilities only with --step-capabilities kubernetes; no-new-privileges stays', function () {
  const K8S = `--cap-add=${[...KUBERNETES_DEFAULT_CAPABILITIES].sort().join(',')}`;
  const TAIL = ['--workdir', '/workspace', '--', 'busybox'];
  const rows: { name: string; spec: RunSpec; want: string[] | { error: string } }[] = [
    { name: 'default: none, even when asked', spec: spec({ capabilities: { add: ['CHOWN'] } }), want: [...HEAD, ...SAFE, ...TAIL] },
    { name: 'none said', spec: spec({}, { capabilities: 'none' }), want: [...HEAD, ...SAFE, ...TAIL] },
    { name: 'kubernetes', spec: spec({}, { capabilities: 'kubernetes' }), want: [...HEAD, '--cap-drop=all', K8S, '--security-opt', 'no-new-privileges', ...TAIL] },
    { name: 'kubernetes with drop ALL, add one', spec: spec({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }, { capabilities: 'kubernetes' }),
      want: [...HEAD, '--cap-drop=all', '--cap-add=NET_BIND_SERVICE', '--security-opt', 'no-new-privileges', ...TAIL] },
    { name: 'kubernetes with drop ALL only', spec: spec({ capabilities: { drop: ['ALL'] } }, { capabilities: 'kubernetes' }), want: [...HEAD, ...SAFE, ...TAIL] },
    { name: 'kubernetes, add beyond the set refused', spec: spec({ capabilities: { add: ['SYS_ADMIN'] } }, { capabilities: 'kubernetes' }),
      want: { error: 'step-a: securityContext.capabilities.add: SYS_ADMIN is beyond the default set this executor grants (--step-capabilities kubernetes); adding it needs --allow-privileged' } },
    { name: 'kubernetes, add beyond the set with --allow-privileged', spec: spec({ capabilities: { add: ['SYS_PTRACE'] } }, { capabilities: 'kubernetes', allowPrivileged: true }),
      want: [...HEAD, '--cap-drop=all', `--cap-add=${[...KUBERNETES_DEFAULT_CAPABILITIES, 'SYS_PTRACE'].sort().join(',')}`, '--security-opt', 'no-new-privileges', ...TAIL] },
    { name: 'kubernetes, unknown name', spec: spec({ capabilities: { drop: ['FLY'] } }, { capabilities: 'kubernetes' }), want: { error: 'step-a: securityContext.capabilities.drop: unknown capability "FLY"' } },
    { name: 'kubernetes, runAsUser other than root: none (as on Kubernetes)', spec: spec({ runAs: { uid: 1234 } }, { capabilities: 'kubernetes' }), want: [...HEAD, ...SAFE, '--user', '1234', ...TAIL] },
    { name: 'kubernetes, runAsUser 0 over an image user', spec: spec({ runAs: { uid: 0 } }, { capabilities: 'kubernetes', imageUser: 'nonroot' }), want: [...HEAD, '--cap-drop=all', K8S, '--security-opt', 'no-new-privileges', '--user', '0', ...TAIL] },
    { name: 'kubernetes, image USER other than root: none', spec: spec({}, { capabilities: 'kubernetes', imageUser: '1000:1000' }), want: [...HEAD, ...SAFE, ...TAIL] },
    { name: 'kubernetes, image USER root', spec: spec({}, { capabilities: 'kubernetes', imageUser: 'root' }), want: [...HEAD, '--cap-drop=all', K8S, '--security-opt', 'no-new-privileges', ...TAIL] },
    { name: 'privileged stays privileged', spec: spec({ privileged: true, capabilities: { drop: ['ALL'] } }, { capabilities: 'kubernetes', allowPrivileged: true }), want: [...HEAD, '--privileged', ...TAIL] },
  ];
  for (const r of rows) assert.deepEqual(runArgs(r.spec), r.want, r.name);
});
