// The one conformance suite every Executor passes (process, podman, kubernetes), with declared
// skips: `runExecutorSuite('process', () => createProcessExecutor({ dataDir }), { skip: [...] })`.
// Plans use the `busybox` image and POSIX sh only, so a real container runtime can run them too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { ExecutionHandle, ExecutionPlan, ExecutionSnapshot, Executor, PlanContainer } from './executor.ts';

/** Options of `runExecutorSuite`. */
export interface ExecutorSuiteOptions {
  /** case keys to skip (each case's name starts with its key), with the reason given by the caller */
  skip?: string[];
}

/** The keys of the suite's cases, for `skip`. */
export const EXECUTOR_SUITE_CASES = [
  'succeeds', 'exit-codes', 'on-error-continue', 'task-results', 'step-results', 'before-step-skip',
  'step-timeout', 'attempt-timeout', 'cancel', 'env', 'home', 'working-dir', 'workspace-shared',
  'readonly-mount', 'sidecar-readiness', 'sidecar-stop', 'logs', 'script-set-e', 'script-shebang',
  'script-args', 'command-args', 'exit-code-file', 'credentials', 'report-files',
] as const;

let seq = 0;

/** A busybox step running `script` (or `command` when given as an array). */
export function suiteStep(name: string, script: string | string[], extra: Partial<PlanContainer> = {}): PlanContainer {
  const body = typeof script === 'string' ? { script } : { command: script };
  return { name, containerName: `step-${name}`, image: 'busybox', env: [], mounts: [], ...body, ...extra };
}

/** A plan with a fresh id `suite/<key>/<n>`. */
export function suitePlan(key: string, steps: PlanContainer[], extra: Partial<ExecutionPlan> = {}): ExecutionPlan {
  const attempt = `${Date.now().toString(36)}${(seq++).toString(36)}`;
  return { id: `suite/${key}/${attempt}`, namespace: 'suite', taskRunName: key, steps, sidecars: [], volumes: [], results: [], ...extra };
}

/** Runs `plan` to the end on `ex`; returns the final snapshot and each step's log text. */
export async function runPlan(ex: Executor, plan: ExecutionPlan, onChange: (h: ExecutionHandle) => void = () => {}): Promise<{ snap: ExecutionSnapshot; logs: string[]; changes: number }> {
  let changes = 0;
  let handle: ExecutionHandle | undefined;
  handle = ex.start(plan, () => {
    changes++;
    if (handle) onChange(handle);
  });
  const snap = await handle.done;
  const logs = await Promise.all(snap.steps.map((s) => readFile(s.logFile, 'utf8').catch(() => '')));
  return { snap, logs, changes };
}

/** Registers the suite's cases with node:test under `executor conformance: <name>`. */
export function runExecutorSuite(name: string, newExecutor: () => Executor, opts: ExecutorSuiteOptions = {}): void {
  const skip = new Set(opts.skip ?? []);
  function it(key: (typeof EXECUTOR_SUITE_CASES)[number], title: string, fn: (ex: Executor) => Promise<void>): void {
    test(`${key}: ${title}`, { skip: skip.has(key) ? `skipped for ${name}` : false }, async function run() {
      const ex = newExecutor();
      try {
        await fn(ex);
      } finally {
        await ex.close();
      }
    });
  }

  describe(`executor conformance: ${name}`, function suite() {
    it('succeeds', 'a step exiting 0 completes the attempt', async function (ex) {
      const plan = suitePlan('succeeds', [suiteStep('a', 'true')]);
      const { snap, changes } = await runPlan(ex, plan);
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.equal(snap.id, plan.id);
      assert.equal(snap.steps[0].phase, 'terminated');
      assert.equal(snap.steps[0].exitCode, 0);
      assert.equal(snap.steps[0].reason, 'Completed');
      assert.equal(typeof snap.startedAt, 'string');
      assert.equal(typeof snap.finishedAt, 'string');
      assert.equal(typeof snap.steps[0].startedAt, 'string');
      assert.ok(changes >= 2, 'onChange is called on step start and end');
      assert.deepEqual(ex.get(plan.id)?.snapshot(), snap);
    });

    it('exit-codes', 'a failing step fails the attempt and skips the rest', async function (ex) {
      const { snap, logs } = await runPlan(ex, suitePlan('exit-codes', [suiteStep('a', 'exit 3'), suiteStep('b', 'echo never')]));
      assert.deepEqual(snap.outcome, { status: 'failed', reason: 'StepFailed', message: '"step-a" exited with code 3', step: 'a' });
      assert.equal(snap.steps[0].exitCode, 3);
      assert.equal(snap.steps[0].reason, 'Error');
      assert.equal(snap.steps[1].phase, 'terminated');
      assert.equal(snap.steps[1].reason, 'Skipped');
      assert.equal(snap.steps[1].exitCode, 0);
      assert.equal(logs[1], '');
    });

    it('on-error-continue', 'onError: continue keeps the exit code and goes on', async function (ex) {
      const { snap, logs } = await runPlan(ex, suitePlan('on-error-continue', [suiteStep('a', 'exit 2', { onError: 'continue' }), suiteStep('b', 'echo after')]));
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.equal(snap.steps[0].exitCode, 2);
      assert.equal(snap.steps[0].reason, 'Continued');
      assert.equal(snap.steps[1].reason, 'Completed');
      assert.equal(logs[1], 'after\n');
    });

    it('task-results', 'files in /tekton/results are the task results, verbatim', async function (ex) {
      const plan = suitePlan('task-results', [suiteStep('a', "printf 'a\\nb' > /tekton/results/first\nprintf '  x ' > /tekton/results/second")], { results: ['first', 'second'] });
      const { snap } = await runPlan(ex, plan);
      assert.deepEqual(snap.results, { first: 'a\nb', second: '  x ' });
    });

    it('step-results', 'step results reach beforeStep, which rewrites the next step', async function (ex) {
      const seen: Record<string, Record<string, string>>[] = [];
      const plan = suitePlan('step-results', [
        suiteStep('one', 'printf v1 > /tekton/steps/step-one/results/out', { results: ['out'] }),
        suiteStep('two', 'echo "got RESULT"'),
      ], {
        beforeStep(_i, step, ctx) {
          seen.push(structuredClone(ctx.stepResults));
          return { step: { ...step, script: step.script?.replace('RESULT', ctx.stepResults.one?.out ?? 'missing') } };
        },
      });
      const { snap, logs } = await runPlan(ex, plan);
      assert.deepEqual(seen, [{}, { one: { out: 'v1' } }]);
      assert.deepEqual(snap.steps[0].results, { out: 'v1' });
      assert.equal(logs[1], 'got v1\n');
    });

    it('before-step-skip', 'beforeStep may skip a step (when expressions)', async function (ex) {
      const plan = suitePlan('before-step-skip', [suiteStep('a', 'exit 1'), suiteStep('b', 'echo ran')], {
        beforeStep: (i, step) => (i === 0 ? { skip: 'when expressions were evaluated to false' } : { step }),
      });
      const { snap, logs } = await runPlan(ex, plan);
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.equal(snap.steps[0].reason, 'Skipped');
      assert.equal(snap.steps[0].exitCode, 0);
      assert.equal(logs[1], 'ran\n');
    });

    it('step-timeout', 'a step over its timeout is killed and fails the attempt', async function (ex) {
      const { snap } = await runPlan(ex, suitePlan('step-timeout', [suiteStep('a', 'sleep 30', { timeoutMs: 200 }), suiteStep('b', 'true')]));
      assert.equal(snap.steps[0].reason, 'TimeoutExceeded');
      assert.equal(snap.outcome?.status, 'failed');
      assert.equal(snap.outcome?.status === 'failed' && snap.outcome.reason, 'StepFailed');
      assert.equal(snap.steps[1].reason, 'Skipped');
    });

    it('attempt-timeout', 'the attempt timeout kills the running step and skips the rest', async function (ex) {
      const { snap } = await runPlan(ex, suitePlan('attempt-timeout', [suiteStep('a', 'sleep 30'), suiteStep('b', 'true')], { timeoutMs: 300 }));
      assert.equal(snap.outcome?.status, 'timeout');
      assert.equal(snap.steps[0].reason, 'TimeoutExceeded');
      assert.equal(snap.steps[1].reason, 'Skipped');
    });

    it('cancel', 'cancel() stops the running step; idempotent', async function (ex) {
      const { snap } = await runPlan(ex, suitePlan('cancel', [suiteStep('a', 'sleep 30'), suiteStep('b', 'true')]), function cancelWhenRunning(h) {
        if (h.snapshot().steps[0].phase === 'running') {
          h.cancel('cancelled', 'TaskRun "cancel" was cancelled');
          h.cancel('timeout', 'ignored');
        }
      });
      assert.deepEqual(snap.outcome, { status: 'cancelled', message: 'TaskRun "cancel" was cancelled' });
      assert.equal(snap.steps[0].reason, 'Cancelled');
      assert.equal(snap.steps[1].reason, 'Skipped');
    });

    it('env', 'the plan env reaches the step', async function (ex) {
      const { logs } = await runPlan(ex, suitePlan('env', [suiteStep('a', 'echo "$FOO|$EMPTY|${PATH:+path}"', { env: [{ name: 'FOO', value: 'bar baz' }, { name: 'EMPTY', value: '' }] })]));
      assert.equal(logs[0], 'bar baz||path\n');
    });

    it('home', 'HOME is /tekton/home, shared between steps', async function (ex) {
      const { snap, logs } = await runPlan(ex, suitePlan('home', [suiteStep('a', 'echo hi > "$HOME/f"'), suiteStep('b', 'cat /tekton/home/f')]));
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.equal(logs[1], 'hi\n');
    });

    it('credentials', "the plan's credentials are in /tekton/creds and HOME of every step, 0600, masked in logs", async function (ex) {
      const credentials = { '.git-credentials': 'https://u:pw-suite-77@h\n', '.docker/config.json': '{"auths":{}}' };
      const steps = [suiteStep('a', 'cat "$HOME/.git-credentials" && stat -c %a /tekton/creds/.git-credentials'), suiteStep('b', 'cat /tekton/creds/.docker/config.json "$HOME/.docker/config.json"')];
      const { snap, logs } = await runPlan(ex, suitePlan('credentials', steps, { credentials, secrets: ['pw-suite-77'] }));
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.deepEqual(logs, ['https://u:***@h\n600\n', '{"auths":{}}{"auths":{}}']);
    });

    it('working-dir', 'workingDir is created and used', async function (ex) {
      const { snap, logs } = await runPlan(ex, suitePlan('working-dir', [
        suiteStep('a', 'echo hi > here', { workingDir: '/workspace/sub/dir' }),
        suiteStep('b', 'cat /workspace/sub/dir/here && cat here', { workingDir: '/workspace/sub/dir' }),
      ]));
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.equal(logs[1], 'hi\nhi\n');
    });

    it('workspace-shared', 'a volume mounted in two steps is shared', async function (ex) {
      const mounts = [{ volume: 'ws', mountPath: '/workspace/ws' }];
      const { snap, logs } = await runPlan(ex, suitePlan('workspace-shared', [
        suiteStep('a', 'echo data > /workspace/ws/file', { mounts }),
        suiteStep('b', 'cat /workspace/ws/file', { mounts }),
      ], { volumes: [{ name: 'ws', source: { type: 'emptyDir' } }] }));
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.equal(logs[1], 'data\n');
    });

    it('readonly-mount', 'writing to a readOnly mount fails', async function (ex) {
      const { snap, logs } = await runPlan(ex, suitePlan('readonly-mount', [
        suiteStep('a', 'echo data > /workspace/d/f', { mounts: [{ volume: 'd', mountPath: '/workspace/d' }] }),
        suiteStep('b', 'if (echo x > /workspace/d/g) 2>/dev/null; then echo writable; exit 1; fi\ncat /workspace/d/f', { mounts: [{ volume: 'd', mountPath: '/workspace/d', readOnly: true }] }),
      ], { volumes: [{ name: 'd', source: { type: 'emptyDir' } }] }));
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.equal(logs[1], 'data\n');
    });

    it('sidecar-readiness', 'steps wait for the sidecar readiness probe', async function (ex) {
      const mounts = [{ volume: 'shared', mountPath: '/workspace/shared' }];
      const sidecar: PlanContainer = {
        name: 'server', containerName: 'sidecar-server', image: 'busybox', env: [], mounts,
        script: 'sleep 0.3\ntouch /workspace/shared/ready\nexec sleep 60',
        readinessProbe: { command: ['cat', '/workspace/shared/ready'], periodMs: 50 },
      };
      let sawReady = false;
      let early = false;
      const plan = suitePlan('sidecar-readiness', [suiteStep('a', 'test -f /workspace/shared/ready', { mounts })], {
        sidecars: [sidecar], volumes: [{ name: 'shared', source: { type: 'emptyDir' } }],
      });
      const { snap } = await runPlan(ex, plan, function watch(h) {
        const s = h.snapshot();
        if (s.sidecars[0].ready) sawReady = true;
        if (s.steps[0].phase !== 'waiting' && !sawReady) early = true;
      });
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.ok(sawReady, 'the sidecar was reported ready');
      assert.ok(!early, 'no step started before the sidecar was ready');
      assert.equal(snap.sidecars[0].phase, 'terminated');
    });

    it('sidecar-stop', 'a sidecar without probes is ready once started and stopped after the last step', async function (ex) {
      const sidecar: PlanContainer = { name: 'idle', containerName: 'sidecar-idle', image: 'busybox', env: [], mounts: [], command: ['sleep', '60'] };
      const { snap } = await runPlan(ex, suitePlan('sidecar-stop', [suiteStep('a', 'true')], { sidecars: [sidecar] }));
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.equal(snap.sidecars[0].phase, 'terminated');
      assert.equal(typeof snap.sidecars[0].logFile, 'string');
    });

    it('logs', 'each step has its own log, stdout and stderr in order', async function (ex) {
      const { snap, logs } = await runPlan(ex, suitePlan('logs', [suiteStep('a', 'echo one\necho two >&2\necho three'), suiteStep('b', 'echo four')]));
      assert.deepEqual(logs, ['one\ntwo\nthree\n', 'four\n']);
      assert.notEqual(snap.steps[0].logFile, snap.steps[1].logFile);
    });

    it('script-set-e', 'a script without a shebang runs with set -e', async function (ex) {
      const { snap, logs } = await runPlan(ex, suitePlan('script-set-e', [suiteStep('a', 'false\necho not-reached')]));
      assert.equal(snap.steps[0].exitCode, 1);
      assert.equal(logs[0], '');
    });

    it('script-shebang', 'a script with a shebang runs as written (no set -e)', async function (ex) {
      const { snap, logs } = await runPlan(ex, suitePlan('script-shebang', [suiteStep('a', '#!/bin/sh\nfalse\necho reached')]));
      assert.equal(snap.steps[0].exitCode, 0);
      assert.equal(logs[0], 'reached\n');
    });

    it('script-args', 'args are passed to the script', async function (ex) {
      const { logs } = await runPlan(ex, suitePlan('script-args', [suiteStep('a', 'echo "$#:$1-$2"', { args: ['a b', 'c'] })]));
      assert.equal(logs[0], '2:a b-c\n');
    });

    it('command-args', 'command and args run without a shell in between', async function (ex) {
      const { logs } = await runPlan(ex, suitePlan('command-args', [suiteStep('a', ['sh', '-c', 'echo "$0|$1"'], { args: ['x y', '$HOME'] })]));
      assert.equal(logs[0], 'x y|$HOME\n');
    });

    it('exit-code-file', "a step's exit code is readable by the next one", async function (ex) {
      const { logs } = await runPlan(ex, suitePlan('exit-code-file', [
        suiteStep('a', 'exit 5', { onError: 'continue' }),
        suiteStep('b', 'cat /tekton/steps/step-a/exitCode; echo; cat /tekton/steps/0/exitCode; echo'),
      ]));
      assert.equal(logs[1], '5\n5\n');
    });

    it('report-files', 'declared workspace files are read after the last step (at the subPath); a planted link is refused', async function (ex) {
      const mounts = [{ volume: 'ws', mountPath: '/workspace/src', subPath: 'app' }];
      const { snap } = await runPlan(ex, suitePlan('report-files', [
        suiteStep('a', 'mkdir -p /workspace/src/r/deep && printf "<b/>" > /workspace/src/r/deep/b.xml && ln -s /etc/passwd /workspace/src/r/x.xml', { mounts }),
        suiteStep('b', 'printf "<a/>" > /workspace/src/r/a.xml', { mounts }),
      ], { volumes: [{ name: 'ws', source: { type: 'emptyDir' } }], reportFiles: [{ volume: 'ws', subPath: 'app', pattern: 'r/**/*.xml', mountPath: '/workspace/src' }] }));
      assert.deepEqual(snap.outcome, { status: 'succeeded' });
      assert.deepEqual(snap.reportFiles?.map((f) => [f.path, f.text ?? (/symbolic link/.test(f.error ?? '') ? 'link refused' : f.error)]), [
        ['/workspace/src/r/a.xml', '<a/>'], ['/workspace/src/r/x.xml', 'link refused'], ['/workspace/src/r/deep/b.xml', '<b/>'],
      ]);
    });
  });
}
