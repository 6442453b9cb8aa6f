import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.ts';
import type { Secret } from '../../api/core.types.ts';
import type { Task, TaskSpec } from '../../api/task.types.ts';
import type { TaskRun, TaskRunSpec, TaskRunStatus } from '../../api/taskrun.types.ts';
import { SECRET, SERVICEACCOUNT, TASK, TASKRUN } from '../../api/registry.ts';
import type {
  ContainerSnapshot, ExecutionHandle, ExecutionOutcome, ExecutionPlan, ExecutionSnapshot, Executor, Unsupported,
} from '../../executor/executor.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { createTaskRunReconciler } from './reconciler.ts';

// ---- a fake Executor: records plans; the test drives snapshots and outcomes ----

interface FakeHandle extends ExecutionHandle {
  readonly plan: ExecutionPlan;
  readonly cancels: Array<{ kind: 'cancelled' | 'timeout'; message: string }>;
  /** replaces parts of the snapshot, then tells the reconciler (onChange) */
  update(patch: Partial<ExecutionSnapshot>): void;
  /** sets the step of that name (patch merged), then onChange */
  step(name: string, patch: Partial<ContainerSnapshot>): void;
  finish(outcome: ExecutionOutcome, patch?: Partial<ExecutionSnapshot>): void;
}

interface FakeExecutor extends Executor {
  readonly started: ExecutionPlan[];
  readonly checked: ExecutionPlan[];
  /** attempts abandoned (id, TaskRun name) */
  readonly abandoned: string[][];
  handle(id: string): FakeHandle;
  unsupported: Unsupported[];
}

function waitingOf(c: { name: string; containerName: string }, logDir: string): ContainerSnapshot {
  return { name: c.name, containerName: c.containerName, phase: 'waiting', logFile: `${logDir}/${c.containerName}.log` };
}

function createFakeExecutor(): FakeExecutor {
  const handles = new Map<string, FakeHandle>();
  const started: ExecutionPlan[] = [];
  const checked: ExecutionPlan[] = [];
  const abandoned: string[][] = [];
  const fake: FakeExecutor = {
    name: 'fake',
    started,
    checked,
    abandoned,
    async abandon(id, taskRunName) {
      abandoned.push([id, taskRunName]);
    },
    unsupported: [],
    check(plan) {
      checked.push(plan);
      return fake.unsupported;
    },
    start(plan, onChange) {
      started.push(plan);
      const logDir = `/logs/${plan.id}`;
      let snap: ExecutionSnapshot = {
        id: plan.id,
        steps: plan.steps.map((s) => waitingOf(s, logDir)),
        sidecars: plan.sidecars.map((s) => waitingOf(s, logDir)),
        logDir,
      };
      let resolveDone!: (s: ExecutionSnapshot) => void;
      const cancels: FakeHandle['cancels'] = [];
      const handle: FakeHandle = {
        id: plan.id,
        plan,
        cancels,
        done: new Promise((r) => (resolveDone = r)),
        snapshot: () => structuredClone(snap),
        cancel(kind, message) {
          cancels.push({ kind, message });
        },
        update(patch) {
          snap = { ...snap, ...patch };
          if (snap.outcome) resolveDone(structuredClone(snap));
          onChange();
        },
        step(name, patch) {
          handle.update({ steps: snap.steps.map((s) => (s.name === name ? { ...s, ...patch } : s)) });
        },
        finish(outcome, patch = {}) {
          handle.update({ ...patch, outcome });
        },
      };
      handles.set(plan.id, handle);
      return handle;
    },
    get: (id) => handles.get(id),
    handle(id) {
      const h = handles.get(id);
      assert.ok(h, `no attempt ${id} was started`);
      return h;
    },
    notices: () => [],
    close: async () => {},
  };
  return fake;
}

// ---- fixtures ----

const T = (s: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, s)).toISOString();
const RUNNING = 'Not all Steps in the Task have finished executing';

interface Env {
  store: Store;
  executor: FakeExecutor;
  enqueued: Array<{ namespace: string; name: string }>;
  reconcile(name?: string): Promise<void>;
  get(name?: string): Promise<TaskRun>;
  /** sets the clock to T(s) */
  at(s: number): void;
}

function setup(opts: { offline?: boolean } = {}): Env {
  let now = T(0);
  const store = createMemoryStore({ now: () => new Date(now), uid: () => 'uid-1' });
  const executor = createFakeExecutor();
  const enqueued: Env['enqueued'] = [];
  const r = createTaskRunReconciler({ store, executor, enqueue: (req) => enqueued.push(req), offline: opts.offline, now: () => new Date(now) });
  return {
    store,
    executor,
    enqueued,
    reconcile: (name = 'build') => r.reconcile({ namespace: 'ns', name }),
    get: (name = 'build') => store.get<TaskRun>(TASKRUN, 'ns', name),
    at(s) {
      now = T(s);
    },
  };
}

const steps = [
  { name: 'one', image: 'busybox', script: 'echo one' },
  { name: 'two', image: 'busybox', script: 'echo two' },
];

function taskRun(spec: Partial<TaskRunSpec>, status?: TaskRunStatus, name = 'build'): TaskRun {
  return { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: 'ns' }, spec: { taskSpec: { steps }, ...spec }, ...(status ? { status } : {}) };
}

async function createRun(env: Env, spec: Partial<TaskRunSpec> = {}, status?: TaskRunStatus): Promise<TaskRun> {
  return env.store.create(TASKRUN, taskRun(spec, status));
}

function cond(status: 'True' | 'False' | 'Unknown', reason: string, message: string, at: string) {
  return [{ type: 'Succeeded', status, reason, message, lastTransitionTime: at }];
}

function terminated(name: string, exitCode: number, at: number, extra: Partial<ContainerSnapshot> = {}): ContainerSnapshot {
  return { name, containerName: `step-${name}`, phase: 'terminated', exitCode, startedAt: T(at), finishedAt: T(at), logFile: `/l/step-${name}.log`, ...extra };
}

// ---- tests ----

describe('TaskRun reconciler: a run from start to end', () => {
  test('Running with the attempt\'s pod, then Succeeded with typed results and step states', async () => {
    const env = setup();
    const taskSpec: TaskSpec = {
      results: [{ name: 'str' }, { name: 'arr', type: 'array' }, { name: 'obj', type: 'object', properties: { a: {}, b: {} } }],
      steps,
    };
    await createRun(env, { taskSpec });
    env.at(1);
    await env.reconcile();

    assert.equal(env.executor.started.length, 1);
    const plan = env.executor.started[0];
    assert.equal(plan.id, 'ns/build/0');
    assert.deepEqual(plan.steps.map((s) => s.containerName), ['step-one', 'step-two']);
    assert.deepEqual(plan.results, ['str', 'arr', 'obj']);
    assert.equal(plan.timeoutMs, 3_600_000, 'default timeout 60m');
    assert.equal(typeof plan.beforeStep, 'function');
    assert.deepEqual(env.executor.checked, [plan]);

    let run = await env.get();
    assert.deepEqual(run.status, {
      podName: 'build-pod',
      executor: 'fake',
      startTime: T(1),
      taskSpec,
      steps: [
        { name: 'one', container: 'step-one', waiting: { reason: 'PodInitializing' } },
        { name: 'two', container: 'step-two', waiting: { reason: 'PodInitializing' } },
      ],
      sidecars: [],
      logDir: '/logs/ns/build/0',
      conditions: cond('Unknown', 'Running', RUNNING, T(1)),
    });

    // a step starts: the executor's onChange asks for a reconcile
    const h = env.executor.handle('ns/build/0');
    env.at(2);
    h.step('one', { phase: 'running', startedAt: T(2) });
    assert.deepEqual(env.enqueued, [{ namespace: 'ns', name: 'build' }]);
    await env.reconcile();
    run = await env.get();
    assert.deepEqual(run.status?.steps?.[0], { name: 'one', container: 'step-one', running: { startedAt: T(2) } });
    assert.deepEqual(run.status?.conditions, cond('Unknown', 'Running', RUNNING, T(1)), 'lastTransitionTime kept');

    env.at(5);
    h.finish({ status: 'succeeded' }, {
      steps: [terminated('one', 0, 3, { results: { sr: 'x' } }), terminated('two', 0, 4)],
      results: { str: 'hello\n', arr: '["a","b"]', obj: '{"a":"1","b":"2"}', undeclared: 'ignored' },
      finishedAt: T(4),
    });
    await env.reconcile();
    run = await env.get();
    assert.deepEqual(run.status, {
      podName: 'build-pod',
      executor: 'fake',
      startTime: T(1),
      taskSpec,
      steps: [
        {
          name: 'one', container: 'step-one',
          terminated: { exitCode: 0, reason: 'Completed', message: undefined, startedAt: T(3), finishedAt: T(3) },
          terminationReason: 'Completed',
          results: [{ name: 'sr', type: 'string', value: 'x' }],
        },
        { name: 'two', container: 'step-two', terminated: { exitCode: 0, reason: 'Completed', message: undefined, startedAt: T(4), finishedAt: T(4) }, terminationReason: 'Completed' },
      ].map((s) => JSON.parse(JSON.stringify(s))),
      sidecars: [],
      logDir: '/logs/ns/build/0',
      conditions: cond('True', 'Succeeded', 'All Steps have completed executing', T(5)),
      results: [
        { name: 'str', type: 'string', value: 'hello\n' },
        { name: 'arr', type: 'array', value: ['a', 'b'] },
        { name: 'obj', type: 'object', value: { a: '1', b: '2' } },
      ],
      completionTime: T(4),
    });

    // done: reconciling again changes nothing and starts nothing
    const rv = run.metadata.resourceVersion;
    await env.reconcile();
    assert.equal((await env.get()).metadata.resourceVersion, rv);
    assert.equal(env.executor.started.length, 1);
  });

  test('a failed step → Failed with the executor\'s message', async () => {
    const env = setup();
    await createRun(env);
    await env.reconcile();
    env.at(3);
    env.executor.handle('ns/build/0').finish(
      { status: 'failed', reason: 'StepFailed', message: '"step-one" exited with code 1', step: 'one' },
      { steps: [terminated('one', 1, 2), { name: 'two', containerName: 'step-two', phase: 'terminated', reason: 'Skipped', logFile: '' }] },
    );
    await env.reconcile();
    const st = (await env.get()).status!;
    assert.deepEqual(st.conditions, cond('False', 'Failed', '"step-one" exited with code 1', T(3)));
    assert.equal(st.completionTime, T(3), 'no finishedAt in the snapshot: now');
    assert.deepEqual(st.steps?.map((s) => [s.terminated?.reason, s.terminationReason]), [['Error', 'Error'], ['Skipped', 'Skipped']]);
    assert.equal(st.results, undefined);
  });

  test('a timeout → TaskRunTimeout naming the run\'s timeout', async () => {
    const env = setup();
    await createRun(env, { timeout: '90s' });
    await env.reconcile();
    assert.equal(env.executor.started[0].timeoutMs, 90_000);
    env.executor.handle('ns/build/0').finish({ status: 'timeout', message: 'x' });
    await env.reconcile();
    assert.deepEqual((await env.get()).status?.conditions, cond('False', 'TaskRunTimeout', 'TaskRun "build" failed to finish within "1m30s"', T(0)));
  });

  test('results that do not match their declaration fail the run', async () => {
    const env = setup();
    await createRun(env, { taskSpec: { results: [{ name: 'arr', type: 'array' }], steps } });
    await env.reconcile();
    env.executor.handle('ns/build/0').finish({ status: 'succeeded' }, { results: { arr: 'not json' } });
    await env.reconcile();
    const st = (await env.get()).status!;
    assert.deepEqual(st.conditions, cond('False', 'Failed', 'Provided results don\'t match declared results; result "arr": expected a JSON array, got "not json"', T(0)));
  });

  test('reconcile is idempotent: twice in a row without changes writes nothing', async () => {
    const env = setup();
    await createRun(env);
    await env.reconcile();
    const rv = (await env.get()).metadata.resourceVersion;
    await env.reconcile();
    await env.reconcile();
    assert.equal((await env.get()).metadata.resourceVersion, rv);
    assert.equal(env.executor.started.length, 1);
  });

  test('a TaskRun that is gone, or managed by someone else, is left alone', async () => {
    const env = setup();
    await env.reconcile('nope');
    await env.store.create(TASKRUN, taskRun({ managedBy: 'example.com/other' }, undefined, 'other'));
    await env.reconcile('other');
    assert.equal(env.executor.started.length, 0);
    assert.equal((await env.get('other')).status, undefined);
  });
});

describe('TaskRun reconciler: retries', () => {
  test('retries: 2 — two failures archived, ToBeRetried between, success on the third attempt', async () => {
    const env = setup();
    await createRun(env, { retries: 2 });
    const taskSpec = { steps };
    const fail = (n: number) => ({ status: 'failed' as const, reason: 'StepFailed' as const, message: `attempt ${n} failed` });
    const archived: TaskRunStatus[] = [];

    for (const attempt of [0, 1]) {
      env.at(10 * attempt + 1);
      await env.reconcile();
      const id = `ns/build/${attempt}`;
      assert.deepEqual(env.executor.started.map((p) => p.id).at(-1), id);
      const podName = attempt ? `build-pod-retry${attempt}` : 'build-pod';
      const running = (await env.get()).status!;
      assert.equal(running.podName, podName);
      assert.equal(running.startTime, T(10 * attempt + 1));
      assert.deepEqual(running.conditions, cond('Unknown', 'Running', RUNNING, T(10 * attempt + 1)));
      assert.deepEqual(running.retriesStatus ?? [], archived);

      env.at(10 * attempt + 2);
      env.enqueued.length = 0;
      env.executor.handle(id).finish(fail(attempt), { steps: [terminated('one', 1, 10 * attempt + 2)], finishedAt: T(10 * attempt + 2) });
      await env.reconcile();
      const st = (await env.get()).status!;
      archived.push({
        podName,
        executor: 'fake',
        startTime: T(10 * attempt + 1),
        taskSpec,
        steps: [JSON.parse(JSON.stringify({ name: 'one', container: 'step-one', terminated: { exitCode: 1, reason: 'Error', startedAt: T(10 * attempt + 2), finishedAt: T(10 * attempt + 2) }, terminationReason: 'Error' }))],
        sidecars: [],
        logDir: `/logs/${id}`,
        conditions: cond('False', 'Failed', `attempt ${attempt} failed`, T(10 * attempt + 2)),
        completionTime: T(10 * attempt + 2),
      });
      // startTime, podName, steps and results are cleared for the next attempt
      assert.deepEqual(st, {
        conditions: cond('Unknown', 'ToBeRetried', `attempt ${attempt} failed`, T(10 * attempt + 2)),
        retriesStatus: archived,
        taskSpec,
      });
      assert.deepEqual(env.enqueued, [{ namespace: 'ns', name: 'build' }, { namespace: 'ns', name: 'build' }], 'onChange, then the reconciler asks for the next attempt');
    }

    env.at(21);
    await env.reconcile();
    assert.deepEqual(env.executor.started.map((p) => p.id), ['ns/build/0', 'ns/build/1', 'ns/build/2']);
    assert.equal((await env.get()).status?.podName, 'build-pod-retry2');
    env.at(22);
    env.executor.handle('ns/build/2').finish({ status: 'succeeded' }, { finishedAt: T(22) });
    await env.reconcile();
    const st = (await env.get()).status!;
    assert.deepEqual(st.conditions, cond('True', 'Succeeded', 'All Steps have completed executing', T(22)));
    assert.equal(st.podName, 'build-pod-retry2');
    assert.equal(st.startTime, T(21));
    assert.deepEqual(st.retriesStatus, archived);
  });

  test('the last allowed failure is final', async () => {
    const env = setup();
    await createRun(env, { retries: 1 });
    await env.reconcile();
    env.executor.handle('ns/build/0').finish({ status: 'failed', reason: 'StepFailed', message: 'first' });
    await env.reconcile();
    await env.reconcile();
    env.executor.handle('ns/build/1').finish({ status: 'failed', reason: 'StepFailed', message: 'second' });
    await env.reconcile();
    const st = (await env.get()).status!;
    assert.deepEqual(st.conditions, cond('False', 'Failed', 'second', T(0)));
    assert.equal(st.retriesStatus?.length, 1);
    assert.equal(env.executor.started.length, 2);
  });
});

describe('TaskRun reconciler: cancel and pending', () => {
  test('cancelled before it started: TaskRunCancelled, nothing runs', async () => {
    const env = setup();
    await createRun(env, { status: 'TaskRunCancelled', statusMessage: 'no longer needed' });
    env.at(4);
    await env.reconcile();
    assert.equal(env.executor.started.length, 0);
    assert.deepEqual((await env.get()).status, {
      conditions: cond('False', 'TaskRunCancelled', 'TaskRun "build" was cancelled. no longer needed', T(4)),
      startTime: T(4),
      completionTime: T(4),
    });
  });

  test('cancelled while running: the attempt is cancelled, and not retried', async () => {
    const env = setup();
    await createRun(env, { retries: 3 });
    await env.reconcile();
    const run = await env.get();
    await env.store.update(TASKRUN, { ...run, spec: { ...run.spec, status: 'TaskRunCancelled', statusMessage: 'by the user' } });
    await env.reconcile();
    const h = env.executor.handle('ns/build/0');
    assert.deepEqual(h.cancels, [{ kind: 'cancelled', message: 'by the user' }]);
    assert.equal(succeededReason(await env.get()), 'Running', 'still running until the executor says it stopped');

    env.at(6);
    h.finish({ status: 'cancelled', message: 'by the user' }, { finishedAt: T(6) });
    await env.reconcile();
    const st = (await env.get()).status!;
    assert.deepEqual(st.conditions, cond('False', 'TaskRunCancelled', 'TaskRun "build" was cancelled. by the user', T(6)));
    assert.equal(st.retriesStatus, undefined);
    assert.equal(env.executor.started.length, 1);
  });

  test('TaskRunPending does not start until the pending status is removed', async () => {
    const env = setup();
    await createRun(env, { status: 'TaskRunPending' });
    await env.reconcile();
    await env.reconcile();
    assert.equal(env.executor.started.length, 0);
    const pending = await env.get();
    assert.deepEqual(pending.status, { conditions: cond('Unknown', 'TaskRunPending', 'TaskRun "build" is pending', T(0)) });

    const { status: _, ...spec } = pending.spec;
    await env.store.update(TASKRUN, { ...pending, spec });
    env.at(3);
    await env.reconcile();
    assert.equal(env.executor.started.length, 1);
    assert.deepEqual((await env.get()).status?.conditions, cond('Unknown', 'Running', RUNNING, T(3)));
  });
});

function succeededReason(run: TaskRun): string | undefined {
  return run.status?.conditions?.find((c) => c.type === 'Succeeded')?.reason;
}

describe('TaskRun reconciler: runs that cannot start', () => {
  const task: Task = {
    apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'compile', namespace: 'ns' },
    spec: { params: [{ name: 'flags', type: 'array' }, { name: 'mode', default: 'fast' }], steps: [{ name: 'go', image: 'golang', args: ['$(params.flags[*])', '$(params.mode)'] }] },
  };
  const saObjects: KObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'ns' }, secrets: [{ name: 'plain' }, { name: 'git-creds' }] },
  ];
  const secrets: Secret[] = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: 'ns' }, stringData: { a: 'b' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'git-creds', namespace: 'ns', annotations: { 'tekton.dev/git-0': 'https://github.com' } }, type: 'kubernetes.io/basic-auth', stringData: { username: 'u' } },
  ];

  const cases: Array<{ name: string; spec: Partial<TaskRunSpec>; offline?: boolean; unsupported?: Unsupported[]; reason: string; message: string }> = [
    {
      name: 'unknown taskRef → TaskRunResolutionFailed',
      spec: { taskSpec: undefined, taskRef: { name: 'nope' } },
      reason: 'TaskRunResolutionFailed',
      message: 'tasks.tekton.dev "nope" not found in namespace "ns"',
    },
    {
      name: 'remote resolver without a resolution service → Unsupported',
      spec: { taskSpec: undefined, taskRef: { resolver: 'git', params: [{ name: 'url', value: 'https://example.com/x.git' }] } },
      reason: 'Unsupported',
      message: 'taskRef uses the remote resolver "git": remote resolution is not configured',
    },
    {
      name: 'param of the wrong type against a Task in the store → TaskRunValidationFailed',
      spec: { taskSpec: undefined, taskRef: { name: 'compile' }, params: [{ name: 'flags', value: '-v' }] },
      reason: 'TaskRunValidationFailed',
      message: '[User error] invalid input params for task compile: spec.params[0].value: expected type "array", got "string"',
    },
    {
      name: 'missing required workspace → TaskRunValidationFailed naming it',
      spec: { taskSpec: { workspaces: [{ name: 'src' }, { name: 'cache', optional: true }, { name: 'out' }], steps }, workspaces: [{ name: 'out', emptyDir: {} }] },
      reason: 'TaskRunValidationFailed',
      message: '[User error] bound workspaces did not match declared workspaces: didn\'t provide required values: [src]',
    },
    {
      name: 'executor check() problems → Unsupported with their messages',
      spec: {},
      unsupported: [{ what: 'step "one"', why: 'image busybox has no sh here' }, { what: 'volume "x"', why: 'fixed paths need bwrap' }],
      reason: 'Unsupported',
      message: 'step "one": image busybox has no sh here; volume "x": fixed paths need bwrap',
    },
    {
      name: 'offline and a step clones over https → Unsupported mentioning the network',
      spec: { taskSpec: { steps: [{ name: 'clone', image: 'alpine/git', script: 'git clone https://github.com/x/y\ncd y' }] } },
      offline: true,
      reason: 'Unsupported',
      message: 'needs the network, which this machine does not have: step "clone": runs "git clone https://github.com/x/y"',
    },
    {
      name: 'a ServiceAccount whose basic-auth secret for tekton.dev/git-0 has no password → CreateContainerConfigError',
      spec: { serviceAccountName: 'builder' },
      reason: 'CreateContainerConfigError',
      message: 'credentials of service account "builder": secret "git-creds" of type kubernetes.io/basic-auth has no "password" key',
    },
    {
      name: 'a missing ConfigMap for env → CreateContainerConfigError',
      spec: { taskSpec: { steps: [{ name: 'one', image: 'busybox', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }] } },
      reason: 'CreateContainerConfigError',
      message: 'step "one" env A: configmap "cfg" not found',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const env = setup({ offline: c.offline });
      await env.store.create(TASK, task);
      for (const o of saObjects) await env.store.create(SERVICEACCOUNT, o);
      for (const s of secrets) await env.store.create(SECRET, s);
      env.executor.unsupported = c.unsupported ?? [];
      await createRun(env, c.spec);
      env.at(7);
      await env.reconcile();
      assert.equal(env.executor.started.length, 0);
      assert.deepEqual((await env.get()).status, { conditions: cond('False', c.reason, c.message, T(7)), startTime: T(7), completionTime: T(7) });
    });
  }

  test('the same git clone runs when not offline', async () => {
    const env = setup();
    await createRun(env, { taskSpec: { steps: [{ name: 'clone', image: 'alpine/git', script: 'git clone https://github.com/x/y' }] } });
    await env.reconcile();
    assert.equal(env.executor.started.length, 1);
  });

  test('a Task from the store runs with its params substituted and its defaulted spec stored', async () => {
    const env = setup();
    await env.store.create(TASK, task);
    await createRun(env, { taskSpec: undefined, taskRef: { name: 'compile' }, params: [{ name: 'flags', value: ['-v', '-x'] }] });
    await env.reconcile();
    assert.deepEqual(env.executor.started[0].steps[0].args, ['-v', '-x', 'fast']);
    const stored = (await env.get()).status?.taskSpec;
    assert.deepEqual(stored?.steps[0].args, ['$(params.flags[*])', '$(params.mode)'], 'the Task\'s spec, before substitution');
    assert.deepEqual(stored?.params?.map((p) => [p.name, p.type]), [['flags', 'array'], ['mode', 'string']]);
  });

  test('Running with podName set but unknown to the executor (kiln restarted) → ExecutorLost', async () => {
    const env = setup();
    await createRun(env, {}, { podName: 'build-pod', startTime: T(1), conditions: cond('Unknown', 'Running', RUNNING, T(1)) });
    env.at(9);
    await env.reconcile();
    assert.equal(env.executor.started.length, 0);
    assert.deepEqual(env.executor.abandoned, [['ns/build/0', 'build']], 'what the lost attempt left running (a Pod) is removed first');
    assert.deepEqual((await env.get()).status, {
      podName: 'build-pod',
      startTime: T(1),
      conditions: cond('False', 'ExecutorLost', 'the executor running TaskRun "build" went away (kiln was restarted) before its steps finished', T(9)),
      completionTime: T(9),
    });
  });

  test('a lost attempt is retried when the run has retries left; its running step is marked lost', async () => {
    const env = setup();
    await createRun(env, { retries: 1 }, {
      podName: 'build-pod', startTime: T(1), conditions: cond('Unknown', 'Running', RUNNING, T(1)),
      steps: [{ name: 'compile', container: 'step-compile', running: { startedAt: T(1) } }],
    });
    env.at(9);
    await env.reconcile();
    const st = (await env.get()).status as { conditions: Array<{ reason: string }>; retriesStatus: Array<{ conditions: Array<{ reason: string }>; steps: Array<{ terminationReason: string; terminated: { exitCode: number } }> }> };
    assert.equal(st.conditions[0].reason, 'ToBeRetried');
    assert.equal(st.retriesStatus.length, 1);
    assert.equal(st.retriesStatus[0].conditions[0].reason, 'ExecutorLost');
    assert.equal(st.retriesStatus[0].steps[0].terminationReason, 'ExecutorLost');
    await env.reconcile();
    assert.equal(env.executor.started.length, 1, 'the retry starts a new attempt');
    assert.match(env.executor.started[0].id, /\/1$/);
  });
});
