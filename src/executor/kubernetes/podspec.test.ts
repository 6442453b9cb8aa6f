// The Pods generated for TaskRun attempts: reviewed as golden files (testdata/*.pod.yaml; rewrite
// them with KILN_UPDATE_GOLDEN=1 and review the diff), each a valid Pod by Kubernetes' own OpenAPI
// schemas (kubernetes-models), and what a Pod cannot express named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { stringify } from 'yaml';
import type { ExecutionPlan, PlanContainer } from '../executor.ts';
import { podFor } from './podspec.ts';
import { credsSecret } from './creds.ts';

const TESTDATA = join(import.meta.dirname, 'testdata');
const OPTS = { toolsImage: 'docker.io/library/busybox:1.36', name: 'build-pod' };

const step = (name: string, more: Partial<PlanContainer> = {}): PlanContainer => ({ name, containerName: `step-${name}`, image: 'docker.io/library/alpine:3.20', env: [], mounts: [], ...more });
const plan = (more: Partial<ExecutionPlan> = {}): ExecutionPlan => ({ id: 'ci/build/0', namespace: 'ci', taskRunName: 'build', steps: [step('a', { script: 'echo a' })], sidecars: [], volumes: [], results: [], ...more });

/** The Pod for `p`, checked against the schemas and compared with (or written to) its golden file. */
function golden(name: string, p: ExecutionPlan, opts: Parameters<typeof podFor>[1] = OPTS): Record<string, any> {
  const r = podFor(p, opts);
  assert.ok('pod' in r, JSON.stringify(r));
  new Pod(r.pod as any).validate();
  const text = stringify(r.pod, { lineWidth: 0 });
  const file = join(TESTDATA, `${name}.pod.yaml`);
  if (process.env.KILN_UPDATE_GOLDEN || !existsSync(file)) {
    mkdirSync(TESTDATA, { recursive: true });
    writeFileSync(file, text);
  }
  assert.equal(text, readFileSync(file, 'utf8'), `${file} differs (KILN_UPDATE_GOLDEN=1 rewrites it; review the diff)`);
  return r.pod as Record<string, any>;
}

test('a TaskRun of every kind of step and a sidecar: init containers in order, native sidecar, report last', () => {
  const pod = golden('everything', plan({
    timeoutMs: 90_500,
    volumes: [
      { name: 'ws-source', source: { type: 'claim', claimName: 'source-pvc', namespace: 'ci' } },
      { name: 'ws-cache', source: { type: 'emptyDir' } },
      { name: 'ws-config', source: { type: 'files', files: { a: 'x' }, mode: 0o400, ref: { kind: 'Secret', name: 'creds' } } },
      { name: 'ws-settings', source: { type: 'files', files: { a: 'x' }, ref: { kind: 'ConfigMap', name: 'settings', items: [{ key: 'app.yaml', path: 'config/app.yaml' }], optional: true } } },
      { name: 'ws-projected', source: { type: 'files', files: { a: 'x' }, mode: 0o440, ref: { kind: 'Projected', sources: [
        { configMap: { name: 'settings', items: [{ key: 'app.yaml', path: 'app.yaml' }] } },
        { secret: { name: 'creds', optional: true } },
        { serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } },
        { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      ] } } },
    ],
    sidecars: [{ name: 'db', containerName: 'sidecar-db', image: 'docker.io/library/postgres:16', env: [{ name: 'POSTGRES_PASSWORD', value: 'x' }], mounts: [], readinessProbe: { command: ['pg_isready'], periodMs: 500, failureThreshold: 30 } }],
    steps: [
      step('clone', { command: ['git', 'clone'], args: ['$(params.url)', '.'], workingDir: '/workspace/source', mounts: [{ volume: 'ws-source', mountPath: '/workspace/source', subPath: 'src' }], env: [{ name: 'HOME', value: '/root' }] }),
      step('test', { script: 'go test ./...', timeoutMs: 60_000, onError: 'continue', stdoutPath: '/workspace/source/test.out', limits: { cpu: '500m', memory: '256Mi' }, runAs: { uid: 1000, gid: 1000, nonRoot: true } }),
      step('report', { script: '#!/usr/bin/env python3\nprint(1)\n', mounts: [{ volume: 'ws-config', mountPath: '/etc/config', readOnly: true }, { volume: 'ws-settings', mountPath: '/etc/settings' }, { volume: 'ws-cache', mountPath: '/cache' }] }),
      step('push', { image: 'quay.io/buildah/stable', command: ['buildah', 'push'], privileged: true, imagePullPolicy: 'Always' }),
    ],
  }), { ...OPTS, serviceAccountName: 'builder', imagePullSecrets: ['regcred'] });
  // a projected volume goes to the Pod as written: the kubelet projects its sources
  assert.deepEqual(pod.spec.volumes.find((v: any) => v.name === 'ws-projected').projected.sources.map((x: any) => Object.keys(x)[0]), ['configMap', 'secret', 'serviceAccountToken', 'downwardAPI']);
  assert.equal(pod.spec.volumes.find((v: any) => v.name === 'ws-projected').projected.defaultMode, 0o440);
  const init = pod.spec.initContainers.map((c: any) => c.name);
  assert.deepEqual(init, ['prepare', 'sidecar-db', 'step-clone', 'step-test', 'step-report', 'step-push']);
  assert.equal(pod.spec.initContainers[1].restartPolicy, 'Always');
  assert.deepEqual(pod.spec.initContainers[1].startupProbe, { exec: { command: ['pg_isready'] }, periodSeconds: 1, failureThreshold: 30 });
  assert.deepEqual(pod.spec.containers.map((c: any) => c.name), ['report']);
  assert.equal(pod.spec.activeDeadlineSeconds, 91);
  assert.equal(pod.spec.restartPolicy, 'Never');
  // each step runs its own argv behind the wrapper
  const clone = pod.spec.initContainers[2];
  assert.deepEqual(clone.command.slice(0, 3), ['/tekton/bin/busybox', 'sh', '-c']);
  assert.deepEqual(clone.command.slice(4), ['kiln-step', 'git', 'clone', '$(params.url)', '.']);
  assert.deepEqual(pod.spec.initContainers[3].command.slice(4), ['kiln-step', '/tekton/scripts/step-test']);
  // scripts travel to prepare base64-encoded, with Tekton's preamble when they have no shebang
  const env = pod.spec.initContainers[0].env.map((e: any) => Buffer.from(e.value, 'base64').toString());
  assert.deepEqual(env, ['#!/bin/sh\nset -e\ngo test ./...', '#!/usr/bin/env python3\nprint(1)\n']);
  // no privilege unless asked for and admitted; HOME is Tekton's unless the step sets it
  assert.deepEqual(pod.spec.initContainers[3].securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
  assert.deepEqual(pod.spec.initContainers[5].securityContext, { privileged: true });
  assert.deepEqual(clone.env, [{ name: 'HOME', value: '/root' }]);
  assert.deepEqual(pod.spec.initContainers[4].env, [{ name: 'HOME', value: '/tekton/home' }]);
});

test('a step without command runs its image\'s entrypoint (args replace CMD); a long TaskRun name is cut for the label', () => {
  const name = `a-${'x'.repeat(80)}`;
  const pod = golden('entrypoint', plan({ taskRunName: name, steps: [step('ep', { image: 'example.com/tool:1' }), step('ep-args', { image: 'example.com/tool:1', args: ['--fast'] })] }), { ...OPTS, entrypoints: { 'example.com/tool:1': { entrypoint: ['/bin/tool'], cmd: ['run'] } } });
  assert.deepEqual(pod.spec.initContainers[1].command.slice(4), ['kiln-step', '/bin/tool', 'run']);
  assert.deepEqual(pod.spec.initContainers[2].command.slice(4), ['kiln-step', '/bin/tool', '--fast']);
  assert.equal(pod.metadata.labels['tekton.dev/taskRun'], name.slice(0, 63));
});

test('beforeStep in the Pod: a step skipped up front only says so; a waiting step mounts the downward API file of its answer', () => {
  const pod = golden('beforestep', plan({ steps: [step('a', { script: 'echo a' }), step('b', { command: ['echo'], args: ['$(steps.a.results.r)'] }), step('c', { script: 'echo c' })] }), { ...OPTS, skipped: [2], gated: [1] });
  const [b, c] = [pod.spec.initContainers[2], pod.spec.initContainers[3]];
  assert.deepEqual(b.volumeMounts.at(-1), { name: 'tekton-internal-downward', mountPath: '/tekton/downward', readOnly: true });
  assert.match(b.command[3], /until \[ -s \/tekton\/downward\/before-step-1 \]/);
  assert.deepEqual(pod.spec.volumes.at(-1), { name: 'tekton-internal-downward', downwardAPI: { items: [{ path: 'before-step-1', fieldRef: { fieldPath: "metadata.annotations['kiln.dev/before-step-1']" } }] } });
  assert.deepEqual(c.command.slice(3), [`printf '{"skipped":true}' > /dev/termination-log\n`, 'kiln-step', '/tekton/scripts/step-c']);
});

test('report files: the report container mounts each declared volume read-only at its subPath and lists it', () => {
  const pod = golden('reportfiles', plan({
    volumes: [{ name: 'ws-source', source: { type: 'claim', claimName: 'src', namespace: 'ci' } }],
    reportFiles: [{ volume: 'ws-source', subPath: 'app', pattern: 'reports/**/*.xml', mountPath: '/workspace/source' }, { volume: 'missing', pattern: '*.xml', mountPath: '/w' }],
  }));
  const report = pod.spec.containers[0];
  assert.deepEqual(report.volumeMounts.at(-1), { name: 'ws-source', mountPath: '/kiln/reports/0', subPath: 'app', readOnly: true });
  assert.match(report.command[3], /cd \/kiln\/reports\/0 && \{/);
  assert.doesNotMatch(report.command[3], /\/kiln\/reports\/1/, 'a volume the Pod lacks is not mounted (kiln reports it)');
});

test('what a Pod cannot express is named, and no Pod is made', () => {
  const r = podFor(plan({
    volumes: [{ name: 'host', source: { type: 'hostDir', path: '/srv' } }, { name: 'read', source: { type: 'files', files: {} } }],
    steps: [step('bare', { image: 'example.com/unknown:1' })],
  }), OPTS);
  assert.ok('unsupported' in r);
  assert.deepEqual(r.unsupported.map((u) => u.what), ['volume host', 'volume read', 'step bare']);
  assert.match(r.unsupported[2].why, /entrypoint of image example\.com\/unknown:1 is not known/);
});

test('credentials: a Secret of their own, mounted in prepare only, copied 0600 to /tekton/creds and HOME; never in the Pod spec in clear', () => {
  const credentials = { '.git-credentials': 'https://u:pw-xyz@h\n', '.docker/config.json': '{"auths":{}}' };
  const pod = golden('credentials', plan({ credentials }));
  assert.ok(!JSON.stringify(pod).includes('pw-xyz'));
  assert.deepEqual(pod.spec.volumes.at(-1), { name: 'tekton-internal-creds-secret', secret: { secretName: 'build-pod-creds', defaultMode: 0o400, items: [{ key: 'c0', path: '.git-credentials' }, { key: 'c1', path: '.docker/config.json' }] } });
  const mounting = [...pod.spec.initContainers, ...pod.spec.containers].filter((c: any) => c.volumeMounts.some((m: any) => m.name === 'tekton-internal-creds-secret')).map((c: any) => c.name);
  assert.deepEqual(mounting, ['prepare']);
  const secret = credsSecret(plan({ credentials }), 'build-pod', { a: 'b' }) as any;
  new Secret(secret).validate();
  assert.deepEqual([secret.metadata, Buffer.from(secret.data.c0, 'base64').toString()], [{ name: 'build-pod-creds', namespace: 'ci', labels: { a: 'b' } }, credentials['.git-credentials']]);
  const r = podFor(plan({ credentials: { '../x': '', '/etc/y': '' } }), OPTS);
  assert.ok('unsupported' in r);
  assert.deepEqual(r.unsupported.map((u) => u.why), ['a Pod cannot hold "../x", "/etc/y" (relative paths without ".." only)']);
});

test('credentials for a step running as another user: its own copy, handed to it by prepare (CHOWN its one capability)', () => {
  const credentials = { '.ssh/id_key': 'KEY-xyz\n' };
  const pod = golden('credentials-users', plan({ credentials, steps: [step('root', { script: 'true', runAs: { uid: 0 } }), step('user', { script: 'true', runAs: { uid: 1000, gid: 2000 } })] }));
  assert.ok(!JSON.stringify(pod).includes('KEY-xyz'));
  const [prepare, root, user] = pod.spec.initContainers;
  assert.deepEqual(prepare.securityContext.capabilities, { drop: ['ALL'], add: ['CHOWN'] });
  const script = prepare.command[3] as string;
  assert.match(script, /cp \/tekton\/creds-secret\/\.ssh\/id_key \/tekton\/creds-1\/\.ssh\/id_key/);
  assert.match(script, /chown -R 1000:2000 \/tekton\/creds-1\n/);
  assert.ok(mountsOf(prepare).includes('/tekton/creds-1 tekton-internal-creds-1'));
  assert.ok(mountsOf(root).includes('/tekton/creds tekton-internal-creds'));
  assert.ok(mountsOf(user).includes('/tekton/creds tekton-internal-creds-1'));
  assert.equal(mountsOf(user).filter((m) => m.startsWith('/tekton/creds ')).length, 1);
  assert.ok(pod.spec.volumes.some((v: any) => v.name === 'tekton-internal-creds-1' && v.emptyDir));
  // without credentials, or with root steps only, prepare keeps no capability at all
  for (const p of [plan({ steps: [step('user', { script: 'true', runAs: { uid: 1000 } })] }), plan({ credentials, steps: [step('root', { script: 'true', runAs: { uid: 0 } })] })]) {
    const r = podFor(p, OPTS) as { pod: any };
    assert.deepEqual(r.pod.spec.initContainers[0].securityContext.capabilities, { drop: ['ALL'] });
    assert.ok(!r.pod.spec.volumes.some((v: any) => v.name === 'tekton-internal-creds-0'));
  }
});

test('--step-capabilities kubernetes: steps and sidecars carry their own capabilities (no drop ALL); prepare and report still drop ALL', () => {
  const caps = plan({
    sidecars: [{ name: 'sshd', containerName: 'sidecar-sshd', image: 'docker.io/library/alpine:3.20', env: [], mounts: [], script: 'sshd', runAs: { uid: 0 } }],
    steps: [step('plain', { script: 'true' }), step('asks', { script: 'true', capabilities: { add: ['cap_net_bind_service'], drop: ['NET_RAW', 'MKNOD'] } })],
  });
  const pod = golden('capabilities', caps, { ...OPTS, capabilities: 'kubernetes' });
  const byName = Object.fromEntries([...pod.spec.initContainers, ...pod.spec.containers].map((c: any) => [c.name, c.securityContext]));
  for (const own of ['prepare', 'report']) assert.deepEqual(byName[own].capabilities, { drop: ['ALL'] });
  assert.deepEqual(byName['sidecar-sshd'], { allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' }, runAsUser: 0 });
  assert.deepEqual(byName['step-plain'], { allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } });
  assert.deepEqual(byName['step-asks'].capabilities, { add: ['cap_net_bind_service'], drop: ['NET_RAW', 'MKNOD'] });
  // the default is unchanged: every container drops ALL, its own capabilities not looked at
  const none = podFor(caps, OPTS) as { pod: any };
  for (const c of [...none.pod.spec.initContainers, ...none.pod.spec.containers]) assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] }, c.name);
});

test('--step-capabilities kubernetes: an add beyond the default set needs --allow-privileged; an unknown name is refused', () => {
  const p = (capabilities: PlanContainer['capabilities']) => plan({ steps: [step('a', { script: 'true', capabilities })] });
  const o = { ...OPTS, capabilities: 'kubernetes' as const };
  const r = podFor(p({ add: ['SYS_ADMIN'] }), o);
  assert.ok('unsupported' in r);
  assert.deepEqual(r.unsupported.map((u) => u.what), ['step a: securityContext.capabilities.add']);
  assert.match(r.unsupported[0].why, /SYS_ADMIN is beyond the default set .*needs --allow-privileged/);
  const granted = podFor(p({ add: ['SYS_ADMIN'] }), { ...o, allowPrivileged: true }) as { pod: any };
  assert.deepEqual(granted.pod.spec.initContainers[1].securityContext.capabilities, { add: ['SYS_ADMIN'] });
  const bad = podFor(p({ drop: ['NOT_A_CAP'] }), o);
  assert.ok('unsupported' in bad);
  assert.match(bad.unsupported[0].why, /unknown capability "NOT_A_CAP"/);
  // under the default the container's capabilities are not looked at (dropped with ALL)
  assert.ok('pod' in podFor(p({ add: ['SYS_ADMIN'] }), OPTS));
});

/** Mounts of `c` as `path name [ro]`. */
const mountsOf = (c: any): string[] => c.volumeMounts.map((m: any) => `${m.mountPath} ${m.name}${m.readOnly ? ' ro' : ''}`);

test('a step mounting its own volume at /workspace or /tekton/home replaces the Pod\'s mount there (one mount per path, as Tekton)', () => {
  const r = podFor(plan({
    volumes: [{ name: 'empty', source: { type: 'emptyDir' } }],
    steps: [step('plain', { script: 'true' }), step('ws', { script: 'true', mounts: [{ volume: 'empty', mountPath: '/workspace' }] }), step('home', { script: 'true', mounts: [{ volume: 'empty', mountPath: '/tekton/home/' }] })],
  }), OPTS);
  assert.ok('pod' in r);
  new Pod(r.pod as any).validate();
  const [, plain, ws, home] = (r.pod as any).spec.initContainers;
  for (const c of [plain, ws, home]) {
    const paths = c.volumeMounts.map((m: any) => m.mountPath.replace(/\/+$/, ''));
    assert.equal(new Set(paths).size, paths.length, `${c.name}: ${paths.join(', ')}`);
  }
  assert.ok(mountsOf(plain).includes('/workspace tekton-internal-workspace') && mountsOf(plain).includes('/tekton/home tekton-internal-home'));
  assert.ok(mountsOf(ws).includes('/workspace empty') && !mountsOf(ws).includes('/workspace tekton-internal-workspace'));
  assert.ok(mountsOf(ws).includes('/tekton/home tekton-internal-home'), 'the other mounts stay');
  assert.ok(mountsOf(home).includes('/tekton/home/ empty') && !mountsOf(home).includes('/tekton/home tekton-internal-home'));
  assert.ok(mountsOf(home).includes('/workspace tekton-internal-workspace'));
});

test('a step starts in /workspace unless it names its workingDir (a relative one is under /workspace); sidecars keep their image\'s', () => {
  const r = podFor(plan({
    sidecars: [{ name: 'db', containerName: 'sidecar-db', image: 'docker.io/library/postgres:16', env: [], mounts: [] }],
    steps: [step('none', { script: 'pwd' }), step('abs', { script: 'pwd', workingDir: '/src' }), step('rel', { script: 'pwd', workingDir: 'source/app' })],
  }), OPTS);
  assert.ok('pod' in r);
  const byName = Object.fromEntries((r.pod as any).spec.initContainers.map((c: any) => [c.name, c.workingDir]));
  assert.deepEqual(byName, { 'prepare': undefined, 'sidecar-db': undefined, 'step-none': '/workspace', 'step-abs': '/src', 'step-rel': '/workspace/source/app' });
});

test('each step writes only its own /tekton/run/<i> (where /tekton/steps/<name> and /tekton/steps/<i> lead); the others are read-only', () => {
  const r = podFor(plan({ steps: [step('a', { script: 'true' }), step('b', { script: 'true' }), step('c', { script: 'true' })] }), OPTS);
  assert.ok('pod' in r);
  const pod = r.pod as any;
  assert.deepEqual(pod.spec.volumes.filter((v: any) => v.name.startsWith('tekton-internal-run-')), [0, 1, 2].map((i) => ({ name: `tekton-internal-run-${i}`, emptyDir: {} })));
  const run = (c: any) => mountsOf(c).filter((m) => m.startsWith('/tekton/run/'));
  const [prepare, a, b, c] = pod.spec.initContainers;
  assert.deepEqual(run(prepare), ['/tekton/run/0 tekton-internal-run-0', '/tekton/run/1 tekton-internal-run-1', '/tekton/run/2 tekton-internal-run-2']);
  assert.deepEqual(run(a), ['/tekton/run/0 tekton-internal-run-0', '/tekton/run/1 tekton-internal-run-1 ro', '/tekton/run/2 tekton-internal-run-2 ro']);
  assert.deepEqual(run(b), ['/tekton/run/0 tekton-internal-run-0 ro', '/tekton/run/1 tekton-internal-run-1', '/tekton/run/2 tekton-internal-run-2 ro']);
  assert.deepEqual(run(c), ['/tekton/run/0 tekton-internal-run-0 ro', '/tekton/run/1 tekton-internal-run-1 ro', '/tekton/run/2 tekton-internal-run-2']);
  assert.ok(run(pod.spec.containers[0]).every((m) => m.endsWith(' ro')) && run(pod.spec.containers[0]).length === 3, 'report reads them all');
  const script = prepare.command[3];
  assert.match(script, /ln -s \/tekton\/run\/1\/status \/tekton\/steps\/step-b\n/);
  assert.match(script, /ln -s step-b \/tekton\/steps\/1\n/);
  assert.match(script, /mkdir -p \/tekton\/run\/1\/status \/tekton\/run\/1\/status\/results \/tekton\/run\/1\/status\/artifacts/);
});

test('the schemas catch a bad Pod (the check above can fail)', () => {
  const r = podFor(plan(), OPTS);
  assert.ok('pod' in r);
  const bad = structuredClone(r.pod) as any;
  bad.spec.initContainers[1].image = 7;
  assert.throws(() => new Pod(bad).validate(), /image must be string/);
});
