// The Events of runs as the controllers record them: the PipelineRun and TaskRun controllers over
// the memory store, with an executor whose attempts end on their own (succeeding, or failing for
// TaskRuns named `*-bad`). Each run gets Started, Running and Succeeded/Failed exactly once, also
// when every run is reconciled again afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.ts';
import type { PipelineRun } from '../../api/pipelinerun.types.ts';
import { EVENT, PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import type { ExecutionHandle, ExecutionSnapshot, Executor } from '../../executor/executor.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Store } from '../../store/store.ts';
import { createPipelineRunController } from '../pipelinerun/controller.ts';
import { createTaskRunController } from '../taskrun/controller.ts';

const NS = 'default';

/** Attempts end one turn after they start: every step exits 0, or 1 for a TaskRun named `*-bad`. */
function endingExecutor(): Executor {
  const handles = new Map<string, ExecutionHandle>();
  return {
    name: 'ending',
    check: () => [],
    start(plan, onChange) {
      const fails = plan.taskRunName.endsWith('-bad');
      const at = new Date().toISOString();
      let snap: ExecutionSnapshot = {
        id: plan.id, logDir: `/logs/${plan.id}`, sidecars: [], startedAt: at,
        steps: plan.steps.map((s) => ({ name: s.name, containerName: s.containerName, phase: 'running', startedAt: at, logFile: `/logs/${plan.id}/${s.containerName}.log` })),
      };
      let ended!: (s: ExecutionSnapshot) => void;
      const handle: ExecutionHandle = { id: plan.id, snapshot: () => structuredClone(snap), cancel() {}, done: new Promise((r) => (ended = r)) };
      setImmediate(function end() {
        const code = fails ? 1 : 0;
        snap = {
          ...snap,
          finishedAt: new Date().toISOString(),
          steps: snap.steps.map((s) => ({ ...s, phase: 'terminated', exitCode: code, reason: fails ? 'Error' : 'Completed', finishedAt: new Date().toISOString() })),
          outcome: fails ? { status: 'failed', reason: 'StepFailed', message: `"${snap.steps[0].containerName}" exited with code 1`, step: snap.steps[0].name } : { status: 'succeeded' },
        };
        ended(snap);
        onChange();
      });
      handles.set(plan.id, handle);
      return handle;
    },
    get: (id) => handles.get(id),
    notices: () => [],
    close: async () => {},
  };
}

const step = { name: 's', image: 'busybox', script: 'true' };

function pipelineRun(name: string, tasks: string[]): PipelineRun {
  return { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: NS }, spec: { pipelineSpec: { tasks: tasks.map((t) => ({ name: t, taskSpec: { steps: [step] } })) } } };
}

/** `Kind/name type reason: message` of every Event, by object then in the order recorded. */
async function eventLines(store: Store): Promise<string[]> {
  const { items } = await store.list(EVENT, { namespace: NS });
  const rv = (e: KObject) => Number(e.metadata.resourceVersion);
  const about = (e: KObject) => e.involvedObject as { kind: string; name: string };
  items.sort((a, b) => `${about(a).kind}/${about(a).name}`.localeCompare(`${about(b).kind}/${about(b).name}`) || rv(a) - rv(b));
  return items.map((e) => `${about(e).kind}/${about(e).name} ${e.type} ${e.reason}${e.count === 1 ? '' : ` x${e.count}`}: ${e.message}`);
}

async function runToEnd(pr: PipelineRun) {
  const store = createMemoryStore();
  const executor = endingExecutor();
  const prs = createPipelineRunController({ store, pace: 0 });
  const trs = createTaskRunController({ store, executor });
  await prs.start();
  await trs.start();
  await store.create(PIPELINERUN, pr);
  for (;;) {
    await prs.idle();
    await trs.idle();
    const run = await store.get<PipelineRun>(PIPELINERUN, NS, pr.metadata.name!);
    if (run.status?.completionTime) break;
    await new Promise((r) => setImmediate(r));
  }
  return { store, prs, trs };
}

const rows = [
  {
    name: 'a PipelineRun that succeeds',
    run: pipelineRun('ok', ['build']),
    want: [
      'PipelineRun/ok Normal Started: ',
      'PipelineRun/ok Normal Running: Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1',
      'PipelineRun/ok Normal Succeeded: Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0',
      'TaskRun/ok-build Normal Started: ',
      'TaskRun/ok-build Normal Running: Not all Steps in the Task have finished executing',
      'TaskRun/ok-build Normal Succeeded: All Steps have completed executing',
    ],
  },
  {
    name: 'a PipelineRun that fails',
    run: pipelineRun('no', ['bad']),
    want: [
      'PipelineRun/no Normal Started: ',
      'PipelineRun/no Normal Running: Tasks Completed: 0 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1',
      'PipelineRun/no Warning Failed: Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0',
      'TaskRun/no-bad Normal Started: ',
      'TaskRun/no-bad Normal Running: Not all Steps in the Task have finished executing',
      'TaskRun/no-bad Warning Failed: "step-s" exited with code 1',
    ],
  },
];

for (const r of rows) {
  test(`${r.name}: Started, Running and its end, once each, also after reconciling every run again`, async () => {
    const { store, prs, trs } = await runToEnd(r.run);
    try {
      assert.deepEqual(await eventLines(store), r.want);
      for (const tr of (await store.list(TASKRUN, { namespace: NS })).items) trs.enqueue({ namespace: NS, name: tr.metadata.name! });
      prs.enqueue({ namespace: NS, name: r.run.metadata.name! });
      await prs.idle();
      await trs.idle();
      assert.deepEqual(await eventLines(store), r.want, 'nothing added or bumped by reconciling again');
    } finally {
      await prs.stop();
      await trs.stop();
    }
  });
}

test('a two-task PipelineRun: one Running Event, bumped as tasks complete', async () => {
  const { store, prs, trs } = await runToEnd({ ...pipelineRun('two', ['a', 'b']), spec: { pipelineSpec: { tasks: [{ name: 'a', taskSpec: { steps: [step] } }, { name: 'b', runAfter: ['a'], taskSpec: { steps: [step] } }] } } });
  try {
    const lines = (await eventLines(store)).filter((l) => l.startsWith('PipelineRun/'));
    assert.deepEqual(lines, [
      'PipelineRun/two Normal Started: ',
      'PipelineRun/two Normal Running x2: Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0, Incomplete: 1',
      'PipelineRun/two Normal Succeeded: Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
    ]);
  } finally {
    await prs.stop();
    await trs.stop();
  }
});
