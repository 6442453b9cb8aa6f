import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Secret } from '../../api/core.types.ts';
import type { EnvVar, EnvFromSource, Sidecar, Step } from '../../api/container.types.ts';
import type { TaskSpec } from '../../api/task.types.ts';
import type { TaskRun, TaskRunSpec } from '../../api/taskrun.types.ts';
import type { Volume, WorkspaceBinding, WorkspaceDeclaration } from '../../api/workspace.types.ts';
import { RUN_POLICY } from '../../api/hostpolicy.ts';
import type { PlanInputs } from './plan.ts';
import { buildPlan, PlanError, referencedObjects } from './plan.ts';

function taskRun(spec: Partial<TaskRunSpec> = {}, meta: Partial<TaskRun['metadata']> = {}): TaskRun {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'tr', namespace: 'ns', ...meta }, spec };
}

function configMap(name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data };
}

function secret(name: string, data: Record<string, string>, stringData?: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns' }, data, stringData };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

const inputs: PlanInputs = {
  configMaps: new Map([
    ['cfg', configMap('cfg', { 'a.txt': 'A', 'b.txt': 'B', LOG: 'debug' })],
    ['other', configMap('other', { 'c.txt': 'C' })],
  ]),
  secrets: new Map([
    ['creds', secret('creds', { user: b64('alice'), password: b64('s3cr3t\n'), note: b64('héllo ✓') }, { user: 'bob' })],
  ]),
  hostPolicy: RUN_POLICY, // hostPath as given (kiln run); refusals: hostpolicy.test.ts
};

const step: Step = { name: 's', image: 'busybox', script: 'true' };

function plan(spec: Partial<TaskSpec>, run: TaskRun = taskRun(), attempt = 0, timeoutMs?: number) {
  return buildPlan({ steps: [step], ...spec }, run, attempt, inputs, timeoutMs);
}

describe('buildPlan: volumes', () => {
  const cases: Array<{ name: string; volume: Volume; want: unknown }> = [
    {
      name: 'configMap → files, every key, mode from defaultMode',
      volume: { name: 'v', configMap: { name: 'cfg', defaultMode: 0o600 } },
      want: { type: 'files', files: { 'a.txt': 'A', 'b.txt': 'B', LOG: 'debug' }, mode: 0o600, ref: { kind: 'ConfigMap', name: 'cfg' } },
    },
    {
      name: 'configMap without defaultMode leaves the mode to the executor',
      volume: { name: 'v', configMap: { name: 'other' } },
      want: { type: 'files', files: { 'c.txt': 'C' }, mode: undefined, ref: { kind: 'ConfigMap', name: 'other' } },
    },
    {
      name: 'configMap items project chosen keys to paths',
      volume: { name: 'v', configMap: { name: 'cfg', items: [{ key: 'a.txt', path: 'sub/renamed' }, { key: 'absent', path: 'x' }] } },
      want: { type: 'files', files: { 'sub/renamed': 'A' }, mode: undefined, ref: { kind: 'ConfigMap', name: 'cfg', items: [{ key: 'a.txt', path: 'sub/renamed' }, { key: 'absent', path: 'x' }] } },
    },
    {
      name: 'optional missing configMap → no files',
      volume: { name: 'v', configMap: { name: 'nope', optional: true } },
      want: { type: 'files', files: {}, mode: undefined, ref: { kind: 'ConfigMap', name: 'nope', optional: true } },
    },
    {
      name: 'secret → files base64-decoded (UTF-8), stringData wins, default mode 0400',
      volume: { name: 'v', secret: { secretName: 'creds' } },
      want: { type: 'files', files: { user: 'bob', password: 's3cr3t\n', note: 'héllo ✓' }, mode: 0o400, ref: { kind: 'Secret', name: 'creds' } },
    },
    {
      name: 'secret items and defaultMode',
      volume: { name: 'v', secret: { secretName: 'creds', items: [{ key: 'password', path: 'pw' }], defaultMode: 0o440 } },
      want: { type: 'files', files: { pw: 's3cr3t\n' }, mode: 0o440, ref: { kind: 'Secret', name: 'creds', items: [{ key: 'password', path: 'pw' }] } },
    },
    {
      name: 'projected sources merge configMaps and secrets, in order',
      volume: {
        name: 'v',
        projected: {
          defaultMode: 0o444,
          sources: [
            { configMap: { name: 'cfg', items: [{ key: 'a.txt', path: 'a' }] } },
            { secret: { name: 'creds', items: [{ key: 'user', path: 'u' }] } },
            { configMap: { name: 'other' } },
            { secret: { name: 'gone', optional: true } },
          ],
        },
      },
      want: { type: 'files', files: { a: 'A', u: 'bob', 'c.txt': 'C' }, mode: 0o444, ref: { kind: 'Projected', sources: [
        { configMap: { name: 'cfg', items: [{ key: 'a.txt', path: 'a' }] } },
        { secret: { name: 'creds', items: [{ key: 'user', path: 'u' }] } },
        { configMap: { name: 'other' } },
        { secret: { name: 'gone', optional: true } },
      ] } },
    },
    { name: 'persistentVolumeClaim → claim in the run namespace', volume: { name: 'v', persistentVolumeClaim: { claimName: 'data' } }, want: { type: 'claim', claimName: 'data', namespace: 'ns' } },
    { name: 'emptyDir', volume: { name: 'v', emptyDir: {} }, want: { type: 'emptyDir' } },
    { name: 'hostPath → hostDir', volume: { name: 'v', hostPath: { path: '/srv/x' } }, want: { type: 'hostDir', path: '/srv/x' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = plan({ volumes: [c.volume] });
      assert.deepEqual(got.volumes, [{ name: 'v', source: c.want }]);
    });
  }

  test('podTemplate.volumes are added after the Task volumes; a Task volume of the same name wins', () => {
    const run = taskRun({ podTemplate: { volumes: [{ name: 'shared', emptyDir: {} }, { name: 'extra', configMap: { name: 'other' } }] } });
    const got = plan({ volumes: [{ name: 'shared', hostPath: { path: '/h' } }] }, run);
    assert.deepEqual(got.volumes, [
      { name: 'shared', source: { type: 'hostDir', path: '/h' } },
      { name: 'extra', source: { type: 'files', files: { 'c.txt': 'C' }, mode: undefined, ref: { kind: 'ConfigMap', name: 'other' } } },
    ]);
  });

  test('a missing configMap or secret volume is a CreateContainerConfigError', () => {
    assert.throws(() => plan({ volumes: [{ name: 'v', configMap: { name: 'nope' } }] }), (e: unknown) => {
      assert.ok(e instanceof PlanError);
      assert.equal(e.reason, 'CreateContainerConfigError');
      assert.equal(e.message, 'volume "v": configmap "nope" not found');
      return true;
    });
    assert.throws(() => plan({ volumes: [{ name: 'v', secret: { secretName: 'nope' } }] }), { name: 'PlanError', reason: 'CreateContainerConfigError', message: 'volume "v": secret "nope" not found' });
  });
});

describe('buildPlan: workspaces', () => {
  test('volumeClaimTemplate: the claim is named from the template name, the binding and the run\'s uid (sha256sum of "srcuid-tr")', () => {
    const got = plan({ workspaces: [{ name: 'src' }] }, taskRun({ workspaces: [{ name: 'src', volumeClaimTemplate: { metadata: { name: 'data' }, spec: {} } }] }, { uid: 'uid-tr' }));
    assert.deepEqual(got.volumes, [{ name: 'ws-src', source: { type: 'claim', claimName: 'data-715f4f6228', namespace: 'ns' } }]);
  });
  const bindingCases: Array<{ name: string; binding: Omit<WorkspaceBinding, 'name'>; want: unknown; readOnly: boolean }> = [
    { name: 'emptyDir', binding: { emptyDir: {} }, want: { type: 'emptyDir' }, readOnly: false },
    { name: 'persistentVolumeClaim', binding: { persistentVolumeClaim: { claimName: 'data' } }, want: { type: 'claim', claimName: 'data', namespace: 'ns' }, readOnly: false },
    // sha256("src" + "tr") by sha256sum: a run without uid is named by its name
    { name: 'volumeClaimTemplate → the claim Tekton names', binding: { volumeClaimTemplate: { spec: {} } }, want: { type: 'claim', claimName: 'pvc-527d744468', namespace: 'ns' }, readOnly: false },
    { name: 'hostPath (kiln run -w) → hostDir', binding: { hostPath: { path: '/home/me/src' } }, want: { type: 'hostDir', path: '/home/me/src' }, readOnly: false },
    { name: 'configMap is read-only', binding: { configMap: { name: 'other' } }, want: { type: 'files', files: { 'c.txt': 'C' }, mode: undefined, ref: { kind: 'ConfigMap', name: 'other' } }, readOnly: true },
    { name: 'secret is read-only', binding: { secret: { secretName: 'creds', items: [{ key: 'user', path: 'u' }] } }, want: { type: 'files', files: { u: 'bob' }, mode: 0o400, ref: { kind: 'Secret', name: 'creds', items: [{ key: 'user', path: 'u' }] } }, readOnly: true },
    { name: 'projected is read-only', binding: { projected: { sources: [{ configMap: { name: 'other' } }] } }, want: { type: 'files', files: { 'c.txt': 'C' }, mode: undefined, ref: { kind: 'Projected', sources: [{ configMap: { name: 'other' } }] } }, readOnly: true },
  ];
  for (const c of bindingCases) {
    test(`binding: ${c.name}`, () => {
      const got = plan({ workspaces: [{ name: 'src' }] }, taskRun({ workspaces: [{ name: 'src', ...c.binding }] }));
      assert.deepEqual(got.volumes, [{ name: 'ws-src', source: c.want }]);
      assert.deepEqual(got.steps[0].mounts, [{ volume: 'ws-src', mountPath: '/workspace/src', subPath: undefined, readOnly: c.readOnly }]);
    });
  }

  const mountCases: Array<{ name: string; decl: WorkspaceDeclaration; binding: WorkspaceBinding; want: unknown }> = [
    { name: 'default mountPath', decl: { name: 'w' }, binding: { name: 'w', emptyDir: {} }, want: { volume: 'ws-w', mountPath: '/workspace/w', subPath: undefined, readOnly: false } },
    { name: 'declared mountPath', decl: { name: 'w', mountPath: '/data' }, binding: { name: 'w', emptyDir: {} }, want: { volume: 'ws-w', mountPath: '/data', subPath: undefined, readOnly: false } },
    { name: 'subPath of the binding', decl: { name: 'w' }, binding: { name: 'w', subPath: 'dir/x', emptyDir: {} }, want: { volume: 'ws-w', mountPath: '/workspace/w', subPath: 'dir/x', readOnly: false } },
    { name: 'empty subPath means none', decl: { name: 'w' }, binding: { name: 'w', subPath: '', emptyDir: {} }, want: { volume: 'ws-w', mountPath: '/workspace/w', subPath: undefined, readOnly: false } },
    { name: 'readOnly declaration', decl: { name: 'w', readOnly: true }, binding: { name: 'w', persistentVolumeClaim: { claimName: 'c' } }, want: { volume: 'ws-w', mountPath: '/workspace/w', subPath: undefined, readOnly: true } },
  ];
  for (const c of mountCases) {
    test(`mount: ${c.name}`, () => {
      const got = plan({ workspaces: [c.decl] }, taskRun({ workspaces: [c.binding] }));
      assert.deepEqual(got.steps[0].mounts, [c.want]);
    });
  }

  test('an unbound (optional) workspace has neither volume nor mount', () => {
    const got = plan({ workspaces: [{ name: 'opt', optional: true }] });
    assert.deepEqual(got.volumes, []);
    assert.deepEqual(got.steps[0].mounts, []);
  });

  test('workspace mounts come before the step volumeMounts', () => {
    const got = plan(
      { workspaces: [{ name: 'w' }], volumes: [{ name: 'cache', emptyDir: {} }], steps: [{ ...step, volumeMounts: [{ name: 'cache', mountPath: '/cache', subPath: '', readOnly: true }] }] },
      taskRun({ workspaces: [{ name: 'w', emptyDir: {} }] }),
    );
    assert.deepEqual(got.steps[0].mounts, [
      { volume: 'ws-w', mountPath: '/workspace/w', subPath: undefined, readOnly: false },
      { volume: 'cache', mountPath: '/cache', subPath: undefined, readOnly: true },
    ]);
  });

  test('isolated workspaces: only the steps and sidecars that list one see it, at their mountPath', () => {
    const got = plan(
      {
        workspaces: [{ name: 'creds' }, { name: 'src' }],
        steps: [
          { name: 'a', image: 'i', workspaces: [{ name: 'creds', mountPath: '/my/creds' }] },
          { name: 'b', image: 'i' },
          { name: 'c', image: 'i', workspaces: [{ name: 'creds' }] },
        ],
        sidecars: [{ name: 'side', image: 'i' }, { name: 'side2', image: 'i', workspaces: [{ name: 'creds' }] }],
      },
      taskRun({ workspaces: [{ name: 'creds', emptyDir: {} }, { name: 'src', emptyDir: {} }] }),
    );
    const src = { volume: 'ws-src', mountPath: '/workspace/src', subPath: undefined, readOnly: false };
    const creds = { volume: 'ws-creds', mountPath: '/workspace/creds', subPath: undefined, readOnly: false };
    // `src` is listed by no step: it stays shared by every step and sidecar (Tekton isolates per workspace)
    assert.deepEqual(Object.fromEntries([...got.steps, ...got.sidecars].map((c) => [c.name, c.mounts])), {
      a: [{ ...creds, mountPath: '/my/creds' }, src],
      b: [src],
      c: [creds, src],
      side: [src],
      side2: [creds, src],
    });
  });

  test('a missing configMap bound to a workspace names the workspace', () => {
    assert.throws(
      () => plan({ workspaces: [{ name: 'w' }] }, taskRun({ workspaces: [{ name: 'w', configMap: { name: 'nope' } }] })),
      { name: 'PlanError', reason: 'CreateContainerConfigError', message: 'workspace "w": configmap "nope" not found' },
    );
  });
});

describe('buildPlan: env', () => {
  const cases: Array<{ name: string; env?: EnvVar[]; envFrom?: EnvFromSource[]; want: Record<string, string>; run?: TaskRun }> = [
    { name: 'plain values (missing value is empty)', env: [{ name: 'A', value: '1' }, { name: 'B' }], want: { A: '1', B: '' } },
    { name: 'configMapKeyRef', env: [{ name: 'L', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LOG' } } }], want: { L: 'debug' } },
    { name: 'secretKeyRef is decoded', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }], want: { P: 's3cr3t\n' } },
    {
      name: 'optional refs to a missing object or key are left out',
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } },
        { name: 'C', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'D', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey', optional: true } } },
      ],
      want: {},
    },
    {
      name: 'fieldRef: pod name, namespace, service account, labels and annotations',
      env: [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'LBL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'ANN', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'UNKNOWN', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      ],
      run: taskRun({ serviceAccountName: 'builder' }, { labels: { app: 'web' }, annotations: { note: 'hi' } }),
      want: { POD: 'tr-pod', NS: 'ns', SA: 'builder', LBL: 'web', ANN: 'hi', IP: '127.0.0.1', UNKNOWN: '' },
    },
    {
      name: 'envFrom with prefix, configMap and secret',
      envFrom: [{ configMapRef: { name: 'other' }, prefix: 'CM_' }, { secretRef: { name: 'creds' } }, { configMapRef: { name: 'nope', optional: true } }],
      want: { 'CM_c.txt': 'C', user: 'bob', password: 's3cr3t\n', note: 'héllo ✓' },
    },
    {
      name: 'env wins over envFrom; a later env of the same name wins',
      envFrom: [{ configMapRef: { name: 'cfg' } }],
      env: [{ name: 'LOG', value: 'info' }, { name: 'X', value: '1' }, { name: 'X', value: '2' }],
      want: { 'a.txt': 'A', 'b.txt': 'B', LOG: 'info', X: '2' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = plan({ steps: [{ ...step, env: c.env, envFrom: c.envFrom }] }, c.run);
      assert.deepEqual(Object.fromEntries(got.steps[0].env.map((e) => [e.name, e.value])), c.want);
    });
  }

  test('metadata.name names the attempt\'s pod', () => {
    const got = plan({ steps: [{ ...step, env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] }, taskRun(), 2);
    assert.deepEqual(got.steps[0].env, [{ name: 'POD', value: 'tr-pod-retry2' }]);
  });

  const errors: Array<{ name: string; env?: EnvVar[]; envFrom?: EnvFromSource[]; message: string }> = [
    { name: 'missing configMap', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }], message: 'step "s" env A: configmap "nope" not found' },
    { name: 'missing configMap key', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }], message: 'step "s" env A: key "k" not found in configmap "cfg"' },
    { name: 'missing secret', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }], message: 'step "s" env A: secret "nope" not found' },
    { name: 'missing secret key', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }], message: 'step "s" env A: key "k" not found in secret "creds"' },
    { name: 'missing envFrom configMap', envFrom: [{ configMapRef: { name: 'nope' } }], message: 'step "s" envFrom: configmap "nope" not found' },
    { name: 'missing envFrom secret', envFrom: [{ secretRef: { name: 'nope' } }], message: 'step "s" envFrom: secret "nope" not found' },
  ];
  for (const c of errors) {
    test(`CreateContainerConfigError: ${c.name}`, () => {
      assert.throws(() => plan({ steps: [{ ...step, env: c.env, envFrom: c.envFrom }] }), { name: 'PlanError', reason: 'CreateContainerConfigError', message: c.message });
    });
  }
});

describe('buildPlan: containers', () => {
  test('identity, command and fields of the plan', () => {
    const got = buildPlan(
      {
        steps: [{ name: 'build', image: 'golang', command: ['go'], args: ['build'], workingDir: '/src', stdoutConfig: { path: '/o' }, stderrConfig: { path: '/e' }, results: [{ name: 'digest' }] }],
        results: [{ name: 'url' }, { name: 'digest' }],
      },
      taskRun(), 1, inputs, 60_000,
    );
    assert.equal(got.id, 'ns/tr/1');
    assert.equal(got.namespace, 'ns');
    assert.equal(got.taskRunName, 'tr');
    assert.equal(got.timeoutMs, 60_000);
    assert.deepEqual(got.results, ['url', 'digest']);
    assert.deepEqual(got.sidecars, []);
    assert.deepEqual(got.steps, [{
      name: 'build', containerName: 'step-build', image: 'golang', command: ['go'], args: ['build'], script: undefined,
      workingDir: '/src', env: [], mounts: [], timeoutMs: undefined, onError: undefined, stdoutPath: '/o', stderrPath: '/e',
      results: ['digest'], readinessProbe: undefined, startupProbe: undefined,
    }]);
  });

  test('namespace defaults to "default"', () => {
    assert.equal(plan({}, taskRun({}, { namespace: undefined })).id, 'default/tr/0');
  });

  const stepCases: Array<{ name: string; step: Step; want: { timeoutMs?: number; onError?: string } }> = [
    { name: 'timeout 1m30s', step: { timeout: '1m30s' }, want: { timeoutMs: 90_000, onError: undefined } },
    { name: 'timeout 500ms', step: { timeout: '500ms' }, want: { timeoutMs: 500, onError: undefined } },
    { name: 'timeout 0 is none', step: { timeout: '0' }, want: { timeoutMs: undefined, onError: undefined } },
    { name: 'onError continue', step: { onError: 'continue' }, want: { timeoutMs: undefined, onError: 'continue' } },
    { name: 'onError stopAndFail', step: { onError: 'stopAndFail' }, want: { timeoutMs: undefined, onError: 'stopAndFail' } },
    { name: 'no onError', step: {}, want: { timeoutMs: undefined, onError: undefined } },
  ];
  for (const c of stepCases) {
    test(`step ${c.name}`, () => {
      const got = plan({ steps: [{ ...step, ...c.step }] }).steps[0];
      assert.deepEqual({ timeoutMs: got.timeoutMs, onError: got.onError }, c.want);
    });
  }

  test('unnamed steps and sidecars are named unnamed-<i>', () => {
    const got = plan({ steps: [{ name: 'first', image: 'i' }, { image: 'i' }, { name: '', image: 'i' }], sidecars: [{ image: 'i' }] });
    assert.deepEqual(got.steps.map((s) => [s.name, s.containerName]), [['first', 'step-first'], ['unnamed-1', 'step-unnamed-1'], ['unnamed-2', 'step-unnamed-2']]);
    assert.deepEqual(got.sidecars.map((s) => [s.name, s.containerName]), [['unnamed-0', 'sidecar-unnamed-0']]);
  });

  const probeCases: Array<{ name: string; sidecar: Sidecar; readiness: unknown; startup: unknown }> = [
    {
      name: 'exec probes with defaults',
      sidecar: { readinessProbe: { exec: { command: ['test', '-f', '/ready'] } } },
      readiness: { command: ['test', '-f', '/ready'], initialDelayMs: 0, periodMs: 1000, timeoutMs: 1000, failureThreshold: 3 },
      startup: undefined,
    },
    {
      name: 'explicit timings (period capped at 1s)',
      sidecar: {
        readinessProbe: { exec: { command: ['r'] }, initialDelaySeconds: 2, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 7 },
        startupProbe: { exec: { command: ['s'] }, periodSeconds: 0.5 },
      },
      readiness: { command: ['r'], initialDelayMs: 2000, periodMs: 1000, timeoutMs: 5000, failureThreshold: 7 },
      startup: { command: ['s'], initialDelayMs: 0, periodMs: 500, timeoutMs: 1000, failureThreshold: 3 },
    },
    { name: 'httpGet probes are not mapped', sidecar: { readinessProbe: { httpGet: { port: 8080 } } }, readiness: undefined, startup: undefined },
    { name: 'empty exec command is not a probe', sidecar: { readinessProbe: { exec: { command: [] } } }, readiness: undefined, startup: undefined },
  ];
  for (const c of probeCases) {
    test(`sidecar probes: ${c.name}`, () => {
      const got = plan({ sidecars: [{ name: 'db', image: 'postgres', ...c.sidecar }] }).sidecars[0];
      assert.equal(got.containerName, 'sidecar-db');
      assert.deepEqual({ readiness: got.readinessProbe, startup: got.startupProbe }, { readiness: c.readiness, startup: c.startup });
      assert.equal(got.timeoutMs, undefined);
      assert.equal(got.onError, undefined);
    });
  }
});

describe('buildPlan: limits and privileged (honoured by container executors)', () => {
  test("a step's and a sidecar's computeResources.limits, the TaskRun's stepSpecs and task-level limits", () => {
    const spec: Partial<TaskSpec> = {
      steps: [{ ...step, name: 'a', computeResources: { limits: { cpu: '500m', memory: '64Mi' } } }, { ...step, name: 'b', computeResources: { limits: { cpu: '1' } } }, { ...step, name: 'c' }],
      sidecars: [{ name: 'db', image: 'pg', computeResources: { limits: { memory: '1Gi' }, requests: { memory: '1Mi' } } }],
    };
    const own = plan(spec);
    assert.deepEqual(own.steps.map((s) => s.limits), [{ cpu: '500m', memory: '64Mi' }, { cpu: '1' }, undefined]);
    assert.equal('limits' in own.steps[2], false);
    assert.deepEqual(own.sidecars[0].limits, { memory: '1Gi' });
    const overridden = plan(spec, taskRun({ stepSpecs: [{ name: 'b', computeResources: { limits: { memory: '2Gi' } } }], sidecarSpecs: [{ name: 'db', computeResources: { limits: { cpu: '2' } } }] }));
    assert.deepEqual(overridden.steps.map((s) => s.limits), [{ cpu: '500m', memory: '64Mi' }, { memory: '2Gi' }, undefined]);
    assert.deepEqual(overridden.sidecars[0].limits, { cpu: '2' });
    const taskLevel = plan(spec, taskRun({ computeResources: { limits: { memory: '256Mi' } } }));
    assert.deepEqual(taskLevel.steps.map((s) => s.limits), [{ memory: '256Mi' }, { memory: '256Mi' }, { memory: '256Mi' }]);
    assert.deepEqual(taskLevel.sidecars[0].limits, { memory: '1Gi' });
  });

  test('securityContext.privileged admitted by the host policy reaches the plan; false does not', () => {
    const allowed: PlanInputs = { ...inputs, hostPolicy: { ...RUN_POLICY, allowPrivileged: true } };
    const got = buildPlan({ steps: [{ ...step, name: 'p', securityContext: { privileged: true } }, { ...step, name: 'q', securityContext: { privileged: false } }], sidecars: [{ name: 'dind', image: 'd', securityContext: { privileged: true } }] }, taskRun(), 0, allowed);
    assert.deepEqual(got.steps.map((s) => s.privileged), [true, undefined]);
    assert.equal('privileged' in got.steps[1], false);
    assert.equal(got.sidecars[0].privileged, true);
    assert.throws(() => buildPlan({ steps: [{ ...step, securityContext: { privileged: true } }] }, taskRun(), 0, inputs), PlanError);
  });

  test('imagePullPolicy of steps and sidecars', () => {
    const got = plan({ steps: [{ ...step, imagePullPolicy: 'Never' }, { ...step, imagePullPolicy: 'Always' }, { ...step }], sidecars: [{ name: 'db', image: 'pg', imagePullPolicy: 'IfNotPresent' }] });
    assert.deepEqual(got.steps.map((s) => s.imagePullPolicy), ['Never', 'Always', undefined]);
    assert.equal('imagePullPolicy' in got.steps[2], false);
    assert.equal(got.sidecars[0].imagePullPolicy, 'IfNotPresent');
  });
});

describe('referencedObjects', () => {
  const cases: Array<{ name: string; spec: Partial<TaskSpec>; run?: TaskRun; configMaps: string[]; secrets: string[] }> = [
    { name: 'nothing', spec: {}, configMaps: [], secrets: [] },
    {
      name: 'volumes, projected sources and podTemplate volumes',
      spec: { volumes: [{ name: 'a', configMap: { name: 'cm1' } }, { name: 'b', secret: { secretName: 's1' } }, { name: 'c', projected: { sources: [{ configMap: { name: 'cm2' } }, { secret: { name: 's2' } }] } }] },
      run: taskRun({ podTemplate: { volumes: [{ name: 'd', configMap: { name: 'cm3' } }] } }),
      configMaps: ['cm1', 'cm2', 'cm3'],
      secrets: ['s1', 's2'],
    },
    {
      name: 'workspace bindings',
      spec: {},
      run: taskRun({ workspaces: [{ name: 'w', configMap: { name: 'cmw' } }, { name: 'x', secret: { secretName: 'sw' } }, { name: 'y', emptyDir: {} }] }),
      configMaps: ['cmw'],
      secrets: ['sw'],
    },
    {
      name: 'env and envFrom of steps and sidecars',
      spec: {
        steps: [{ image: 'i', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm-env', key: 'k' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 's-env', key: 'k' } } }] }],
        sidecars: [{ image: 'i', envFrom: [{ configMapRef: { name: 'cm-from' } }, { secretRef: { name: 's-from' } }] }],
      },
      configMaps: ['cm-env', 'cm-from'],
      secrets: ['s-env', 's-from'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = referencedObjects({ steps: [step], ...c.spec }, c.run ?? taskRun());
      assert.deepEqual({ configMaps: [...got.configMaps].sort(), secrets: [...got.secrets].sort() }, { configMaps: c.configMaps, secrets: c.secrets });
    });
  }
});
