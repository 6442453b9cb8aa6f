// The host policy at plan time: hostPaths and privileged containers a TaskRun reaches however it
// was created (a Task from the store, a PipelineRun's child, a trigger) are refused unless allowed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../../api/container.types.ts';
import { RUN_POLICY, SERVE_POLICY, type HostPolicy } from '../../api/hostpolicy.ts';
import type { Task, TaskSpec } from '../../api/task.types.ts';
import type { TaskRun, TaskRunSpec } from '../../api/taskrun.types.ts';
import { TASK, TASKRUN } from '../../api/registry.ts';
import type { ExecutionPlan, Executor } from '../../executor/executor.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { buildPlan, PlanError, type PlanInputs } from './plan.ts';
import { createTaskRunReconciler } from './reconciler.ts';

const step: Step = { name: 'build', image: 'busybox', script: 'true' };

function taskRun(spec: Partial<TaskRunSpec>): TaskRun {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'tr', namespace: 'ns' }, spec };
}

function inputs(hostPolicy?: HostPolicy): PlanInputs {
  return { configMaps: new Map(), secrets: new Map(), hostPolicy };
}

/** The PlanError message of building `spec` for `run` under `policy`, or the plan. */
function attempt(spec: Partial<TaskSpec>, run: TaskRun, policy?: HostPolicy): string | ExecutionPlan {
  try {
    return buildPlan({ steps: [step], ...spec }, run, 0, inputs(policy));
  } catch (e) {
    assert.ok(e instanceof PlanError, String(e));
    assert.equal(e.reason, 'TaskRunValidationFailed');
    return e.message;
  }
}

const NOT_ALLOWED = 'Forbidden: hostPath is not allowed on this server (kiln serve --allow-host-path)';
const PRIVILEGED = 'Forbidden: step "build" asks for privileged, which is not allowed here (kiln serve --allow-privileged; steps never get capabilities)';

describe('buildPlan: the host policy', () => {
  const wsRun = taskRun({ taskSpec: { steps: [step] }, workspaces: [{ name: 'e', emptyDir: {} }, { name: 'src', hostPath: { path: '/srv/ci/src' } }] });
  const refRun = taskRun({ taskRef: { name: 'cached' }, podTemplate: { volumes: [{ name: 'sock', hostPath: { path: '/var/run' } }] } });
  const cases: Array<{ name: string; spec: Partial<TaskSpec>; run: TaskRun; policy?: HostPolicy; want: string }> = [
    {
      name: 'no policy given: a workspace bound to a host directory is refused',
      spec: { workspaces: [{ name: 'src' }, { name: 'e' }] }, run: wsRun,
      want: `[User error] spec.workspaces[1].hostPath: ${NOT_ALLOWED}`,
    },
    {
      name: 'a referenced Task\'s volume and a pod template volume, both named',
      spec: { volumes: [{ name: 'v', hostPath: { path: '/etc' } }] }, run: refRun, policy: SERVE_POLICY,
      want: `[User error] task "cached" spec.volumes[0].hostPath: ${NOT_ALLOWED}; spec.podTemplate.volumes[0].hostPath: ${NOT_ALLOWED}`,
    },
    {
      name: 'an inline Task volume outside the allowed directories',
      spec: { volumes: [{ name: 'v', hostPath: { path: '/srv/ci/../../etc' } }] }, run: taskRun({ taskSpec: { steps: [step] } }),
      policy: { allowHostPath: ['/srv/ci'], allowPrivileged: false },
      want: '[User error] spec.taskSpec.volumes[0].hostPath.path: Forbidden: "/srv/ci/../../etc" (it resolves to "/etc") is not beneath a directory this server allows (kiln serve --allow-host-path: /srv/ci)',
    },
    {
      name: 'a privileged step and sidecar',
      spec: { steps: [{ ...step, securityContext: { privileged: true } }], sidecars: [{ name: 'db', image: 'pg', securityContext: { privileged: true } }] },
      run: taskRun({ taskSpec: { steps: [step] } }), policy: SERVE_POLICY,
      want: `[User error] spec.taskSpec.steps[0].securityContext.privileged: ${PRIVILEGED}; spec.taskSpec.sidecars[0].securityContext.privileged: ${PRIVILEGED.replace('step "build"', 'sidecar "db"')}`,
    },
    {
      name: 'kiln run refuses privileged too',
      spec: { steps: [{ ...step, securityContext: { privileged: true } }] }, run: taskRun({ taskSpec: { steps: [step] } }), policy: RUN_POLICY,
      want: `[User error] spec.taskSpec.steps[0].securityContext.privileged: ${PRIVILEGED.replace('kiln serve', 'kiln run')}`,
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(attempt(c.spec, c.run, c.policy), c.want));

  test('an admitted hostPath is bound where it resolves', () => {
    // /srv/ci/src is a link to /srv/ci/real/src
    const policy: HostPolicy = { allowHostPath: ['/srv/ci'], allowPrivileged: false, resolvePath: (p) => (p === '/srv/ci/src' ? '/srv/ci/real/src' : p) };
    const plan = attempt({ workspaces: [{ name: 'src' }, { name: 'e' }] }, wsRun, policy);
    assert.ok(typeof plan !== 'string', plan as string);
    assert.deepEqual(plan.volumes.find((v) => v.name === 'ws-src')?.source, { type: 'hostDir', path: '/srv/ci/real/src', within: '/srv/ci' });
  });
  test('kiln run binds any hostPath as given; privileged allowed builds the plan', () => {
    const plan = attempt({ workspaces: [{ name: 'src' }, { name: 'e' }], steps: [{ ...step, securityContext: { privileged: true } }] }, wsRun, { ...RUN_POLICY, allowPrivileged: true });
    assert.ok(typeof plan !== 'string', plan as string);
    assert.deepEqual(plan.volumes.find((v) => v.name === 'ws-src')?.source, { type: 'hostDir', path: '/srv/ci/src' });
  });
});

/** An executor that records the plans it is asked to start (the attempts never end). */
function recordingExecutor(): Executor & { started: ExecutionPlan[] } {
  const started: ExecutionPlan[] = [];
  return {
    name: 'recording',
    started,
    check: () => [],
    start(plan) {
      started.push(plan);
      const snap = { id: plan.id, steps: [], sidecars: [], logDir: '/logs' };
      return { id: plan.id, snapshot: () => snap, cancel() {}, done: new Promise(() => {}) };
    },
    get: () => undefined,
    notices: () => [],
    close: async () => {},
  };
}

describe('TaskRun reconciler: the host policy', () => {
  async function reconcileRunOf(task: TaskSpec, hostPolicy?: HostPolicy) {
    const store = createMemoryStore();
    const executor = recordingExecutor();
    const r = createTaskRunReconciler({ store, executor, enqueue: () => {}, hostPolicy });
    // a Task stored directly (as a store written before the policy, or by another path than the API)
    await store.create(TASK, { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'cached', namespace: 'ns' }, spec: task } as Task);
    await store.create(TASKRUN, taskRun({ taskRef: { name: 'cached' } }));
    await r.reconcile({ namespace: 'ns', name: 'tr' });
    return { run: await store.get<TaskRun>(TASKRUN, 'ns', 'tr'), executor };
  }
  const task: TaskSpec = { volumes: [{ name: 'etc', hostPath: { path: '/etc' } }], steps: [{ ...step, volumeMounts: [{ name: 'etc', mountPath: '/host-etc' }] }] };

  test('without a policy a referenced Task\'s hostPath fails the run before anything starts', async () => {
    const { run, executor } = await reconcileRunOf(task);
    assert.equal(executor.started.length, 0);
    const c = run.status?.conditions?.[0];
    assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'TaskRunValidationFailed', `[User error] task "cached" spec.volumes[0].hostPath: ${NOT_ALLOWED}`]);
  });
  test('allowed beneath /etc the same run starts with /etc bound', async () => {
    const { run, executor } = await reconcileRunOf(task, { allowHostPath: ['/etc'], allowPrivileged: false });
    assert.equal(run.status?.conditions?.[0]?.status, 'Unknown');
    assert.deepEqual(executor.started[0]?.volumes, [{ name: 'etc', source: { type: 'hostDir', path: '/etc', within: '/etc' } }]);
  });
  test('a privileged step of a referenced Task fails the run', async () => {
    const { run, executor } = await reconcileRunOf({ steps: [{ ...step, securityContext: { privileged: true } }] }, RUN_POLICY);
    assert.equal(executor.started.length, 0);
    assert.equal(run.status?.conditions?.[0]?.message, `[User error] task "cached" spec.steps[0].securityContext.privileged: ${PRIVILEGED.replace('kiln serve', 'kiln run')}`);
  });
});
