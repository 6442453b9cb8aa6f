import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPipeline, defaultPipelineResult } from './pipeline.defaults.ts';
import type { Pipeline } from './pipeline.types.ts';

test('defaultPipeline', () => {
  const p: Pipeline = {
    apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'p' },
    spec: {
      params: [{ name: 'list', default: ['a'] }],
      tasks: [{ name: 'a', taskRef: { name: 't' }, workspaces: [{ name: 'src' }, { name: 'out', workspace: 'shared' }] }],
      finally: [{ name: 'f', taskSpec: { steps: [{ image: 'x' }], params: [{ name: 'q' }] } }],
      results: [{ name: 'r', value: ['$(tasks.a.results.x[*])'] }],
    },
  };
  const out = defaultPipeline(p);
  assert.equal(out.spec.params![0].type, 'array');
  assert.equal(out.spec.tasks![0].taskRef!.kind, 'Task');
  assert.deepEqual(out.spec.tasks![0].workspaces, [{ name: 'src', workspace: 'src' }, { name: 'out', workspace: 'shared' }]);
  assert.equal(out.spec.finally![0].taskSpec!.params![0].type, 'string');
  assert.equal(out.spec.results![0].type, 'array');
  assert.equal(p.spec.tasks![0].workspaces![0].workspace, undefined, 'input not mutated');
});

test('defaultPipelineResult', async (t) => {
  const cases = [
    { name: 'string value', value: '$(tasks.a.results.b)', want: 'string' },
    { name: 'object value', value: { k: '$(tasks.a.results.b)' }, want: 'object' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(defaultPipelineResult({ name: 'r', value: c.value }).type, c.want));
});
