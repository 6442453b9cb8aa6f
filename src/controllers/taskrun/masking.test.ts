// Secret values a TaskRun reads never reach its logs or its recorded status in clear: a real
// TaskRun through the controller and the process executor (masking itself: executor/mask.ts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Secret } from '../../api/core.types.ts';
import type { TaskRun } from '../../api/taskrun.types.ts';
import { SECRET, TASKRUN } from '../../api/registry.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { createProcessExecutor } from '../../executor/process/executor.ts';
import { createWhich } from '../../executor/process/host.ts';
import type { ExecutionPlan, Executor } from '../../executor/executor.ts';
import { prepareAttempt } from './prepare.ts';
import { createTaskRunController } from './controller.ts';

const which = createWhich();
const NO_BWRAP = which('bwrap', process.env.PATH) ? false : 'bubblewrap (bwrap) is not installed';

const TOKEN = 'tok-3f9a8b7c6d';
const PEM = '-----BEGIN TEST KEY-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldY\nYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4\n-----END TEST KEY-----\n';
const PEM_LINE = 'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4';
const OTHER = 'other-value-77';
const IN_VOLUME = 'file-secret-42';
const IN_WORKSPACE = 'ws-secret-99';
const PROJECTED = 'projected-secret-5';
const SHORT = 'abc';
const CLEAR = [TOKEN, PEM_LINE, OTHER, IN_VOLUME, IN_WORKSPACE, PROJECTED, Buffer.from(TOKEN).toString('base64')];

const b64 = (s: string) => Buffer.from(s).toString('base64');
function secret(name: string, data: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) };
}

async function seed(store: Store): Promise<void> {
  await store.create(SECRET, secret('creds', { token: TOKEN, pem: PEM, short: SHORT }));
  await store.create(SECRET, secret('other', { OTHER_KEY: OTHER }));
  await store.create(SECRET, secret('vol', { key: IN_VOLUME }));
  await store.create(SECRET, secret('ws', { key: IN_WORKSPACE }));
  await store.create(SECRET, secret('proj', { key: PROJECTED }));
}

// the token printed in two writes (7 characters, a pause, the rest), whole, in base64, on stderr;
// a line of a multi-line value; values from envFrom, a volume, a workspace, a projected volume;
// the token written into a step result and step artifacts (which a later step reads), a task result and artifacts
const SCRIPT = `
printf 'split: %s' "\${S%???????}"; sleep 0.2; printf '%s\\n' "\${S#???????}"
echo "plain: $S"
echo "b64: $(printf %s "$S" | base64)"
echo "pem line: $(sed -n 3p /pem/pem)"
echo "short: $SHORT"
echo "envFrom: $OTHER_KEY"
echo "volume: $(cat /vol/key) workspace: $(cat /workspace/ws/key) projected: $(cat /proj/key)"
echo "stderr: $S" >&2
printf %s "$S" > $(results.leak.path)
printf 'token=%s' "$S" > $(step.results.sleak.path)
printf '{"outputs":[{"name":"img","values":["%s"]}]}' "$S" > $(step.artifacts.path)
printf '{"outputs":[{"name":"img","values":["%s"]}]}' "$S" > $(artifacts.path)
`;

function taskRun(name: string): TaskRun {
  return {
    apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, namespace: 'default' },
    spec: {
      workspaces: [{ name: 'ws', secret: { secretName: 'ws' } }],
      taskSpec: {
        workspaces: [{ name: 'ws' }],
        results: [{ name: 'leak' }],
        volumes: [
          { name: 'pem', secret: { secretName: 'creds', items: [{ key: 'pem', path: 'pem' }] } },
          { name: 'vol', secret: { secretName: 'vol' } },
          { name: 'proj', projected: { sources: [{ secret: { name: 'proj' } }] } },
        ],
        steps: [{
          name: 'print', image: 'busybox', script: SCRIPT,
          env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }, { name: 'SHORT', valueFrom: { secretKeyRef: { name: 'creds', key: 'short' } } }],
          envFrom: [{ secretRef: { name: 'other' } }],
          volumeMounts: [{ name: 'pem', mountPath: '/pem' }, { name: 'vol', mountPath: '/vol' }, { name: 'proj', mountPath: '/proj' }],
          results: [{ name: 'sleak' }],
        }, {
          // a step result in a later step's env, a step artifact in its script (written to disk before it runs)
          name: 'after', image: 'busybox', env: [{ name: 'R', value: '$(steps.print.results.sleak)' }],
          script: 'echo "from a step result: $R"\necho \'from an artifact: $(steps.print.outputs.img)\'',
        }],
      },
    },
  } as TaskRun;
}

async function finished(store: Store, name: string): Promise<TaskRun> {
  for (;;) {
    const run = await store.get<TaskRun>(TASKRUN, 'default', name);
    const c = run.status?.conditions?.find((x) => x.type === 'Succeeded');
    if (c && c.status !== 'Unknown') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-masking-test-'));
after(() => rmSync(base, { recursive: true, force: true }));

describe('the plan carries the values of every Secret the run reads', () => {
  const noExecutor: Executor = { name: 'none', check: () => [], start: () => { throw new Error('not started'); }, get: () => undefined, notices: () => [], close: async () => {} };
  async function planOf(run: TaskRun): Promise<ExecutionPlan> {
    const store = createMemoryStore();
    await seed(store);
    const p = await prepareAttempt(run, 0, { store, executor: noExecutor, offline: false });
    assert.ok(p.ok, JSON.stringify(p));
    return p.plan;
  }

  test('env secretKeyRef, envFrom secretRef, secret and projected volumes, secret workspaces', async () => {
    const plan = await planOf(taskRun('plan'));
    for (const v of [TOKEN, PEM, SHORT, OTHER, IN_VOLUME, IN_WORKSPACE, PROJECTED]) assert.ok(plan.secrets?.includes(v), v);
  });

  test('a run that reads no Secret has none (its output is not piped through a masker)', async () => {
    const plan = await planOf({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'none', namespace: 'default' }, spec: { taskSpec: { steps: [{ name: 's', image: 'busybox', script: 'true' }] } } } as TaskRun);
    assert.equal(plan.secrets, undefined);
  });
});

describe('a TaskRun reading Secrets: logs and status masked', { skip: NO_BWRAP }, () => {
  test('logs on disk, step and task results in the recorded status', async () => {
    const store = createMemoryStore();
    const executor = createProcessExecutor({ dataDir: mkdtempSync(join(base, 'd')), graceMs: 500 });
    const controller = createTaskRunController({ store, executor });
    await controller.start();
    try {
      await seed(store);
      await store.create(TASKRUN, taskRun('masked'));
      const run = await finished(store, 'masked');
      const log = readFileSync(join(run.status!.logDir!, 'step-print.log'), 'utf8');
      assert.equal(run.status?.conditions?.[0].status, 'True', `${JSON.stringify(run.status?.conditions)}\n${log}`);
      const lines = log.split('\n');
      for (const want of ['split: ***', 'plain: ***', 'b64: ***', 'pem line: ***', `short: ${SHORT}`, 'envFrom: ***', 'volume: *** workspace: *** projected: ***', 'stderr: ***']) {
        assert.ok(lines.includes(want), `${want} in\n${log}`);
      }
      for (const clear of CLEAR) assert.ok(!log.includes(clear), `${clear} in the log`);
      assert.equal(readFileSync(join(run.status!.logDir!, 'step-after.log'), 'utf8'), 'from a step result: token=***\nfrom an artifact: ["***"]\n');
      assert.deepEqual(run.status?.artifacts, { outputs: [{ name: 'img', values: ['***'] }] });
      assert.deepEqual(run.status?.results, [{ name: 'leak', type: 'string', value: '***' }]);
      assert.deepEqual(run.status?.steps?.[0].results, [{ name: 'sleak', type: 'string', value: 'token=***' }]);
      const recorded = JSON.stringify(run);
      for (const clear of CLEAR) assert.ok(!recorded.includes(clear), `${clear} in the recorded TaskRun`);
      // nothing left in the run's directory carries a value in clear: the result files that did are gone
      const attempt = dirname(run.status!.logDir!);
      assert.ok(!existsSync(join(attempt, 'results/leak')) && !existsSync(join(attempt, 'steps/step-print/results/sleak')));
      const files = readdirSync(attempt, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
      assert.ok(files.length >= 2, files.join(' '));
      for (const f of files) for (const clear of CLEAR) assert.ok(!readFileSync(f, 'utf8').includes(clear), `${clear} in ${f}`);
    } finally {
      await controller.stop();
      await executor.close();
    }
  });
});
