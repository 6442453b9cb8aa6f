import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPipelineRun } from './pipelinerun.defaults.ts';
import type { PipelineRun } from './pipelinerun.types.ts';

const base = (spec: PipelineRun['spec']): PipelineRun => ({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'pr' }, spec });

test('defaultPipelineRun', async (t) => {
  const cases: Array<{ name: string; in: PipelineRun; timeouts: unknown; sa?: string }> = [
    { name: 'no timeouts ⇒ pipeline 60m', in: base({ pipelineRef: { name: 'p' } }), timeouts: { pipeline: '60m' } },
    { name: 'given timeouts kept', in: base({ pipelineRef: { name: 'p' }, timeouts: { pipeline: '2h', tasks: '1h' } }), timeouts: { pipeline: '2h', tasks: '1h' } },
    { name: 'tasks only ⇒ pipeline defaulted as Tekton does', in: base({ pipelineRef: { name: 'p' }, timeouts: { tasks: '30m' } }), timeouts: { tasks: '30m', pipeline: '60m' } },
    { name: 'service account kept', in: base({ pipelineRef: { name: 'p' }, taskRunTemplate: { serviceAccountName: 'ci' } }), timeouts: { pipeline: '60m' }, sa: 'ci' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const before = structuredClone(c.in);
      const out = defaultPipelineRun(c.in);
      assert.deepEqual(out.spec.timeouts, c.timeouts);
      assert.equal(out.spec.taskRunTemplate!.serviceAccountName, c.sa ?? 'default');
      assert.deepEqual(c.in, before, 'input not mutated');
      assert.equal(out.metadata.namespace, undefined);
    });
  }
});

test('defaultPipelineRun defaults an inline pipelineSpec', () => {
  const out = defaultPipelineRun(base({ pipelineSpec: { tasks: [{ name: 'a', taskRef: { name: 't' } }] } }));
  assert.equal(out.spec.pipelineSpec!.tasks![0].taskRef!.kind, 'Task');
});
