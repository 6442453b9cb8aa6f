import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedObject } from '../api/load.ts';
import { loadManifests } from '../api/load.ts';
import type { KObject } from '../api/meta.ts';
import { CliError } from './exit.ts';
import { exitCodeOf, runsOf } from './run.ts';

function mustLoad(yaml: string): LoadedObject[] {
  const res = loadManifests(yaml, 'test.yaml');
  assert.deepEqual(res.errors, []);
  return res.objects;
}

const task = (name: string) => `
apiVersion: tekton.dev/v1
kind: Task
metadata: { name: ${name}, namespace: ns }
spec:
  steps: [{ name: s, image: busybox, script: 'true' }]
`;
const pipeline = `
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: { name: pipe, namespace: ns }
spec:
  tasks: [{ name: t, taskRef: { name: hello } }]
`;
const taskRun = `
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: { generateName: hello-run-, namespace: ns }
spec: { taskRef: { name: hello } }
`;
const pipelineRun = `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: { name: pr, namespace: ns }
spec: { pipelineRef: { name: pipe } }
`;
const configMap = `
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg, namespace: ns }
data: { a: b }
`;

const docs = (...d: string[]) => d.join('\n---\n');

describe('runsOf', () => {
  test('runs in the file are kept, in order; everything else is "others"', () => {
    const { runs, others } = runsOf(mustLoad(docs(task('hello'), taskRun, configMap, pipeline, pipelineRun)));
    assert.deepEqual(runs.map((r) => [r.kind, r.metadata.name ?? r.metadata.generateName]), [['TaskRun', 'hello-run-'], ['PipelineRun', 'pr']]);
    assert.deepEqual(others.map((o) => [o.kind, o.metadata.name]), [['Task', 'hello'], ['ConfigMap', 'cfg'], ['Pipeline', 'pipe']]);
  });

  const generated: Array<{ name: string; yaml: string; want: KObject }> = [
    {
      name: 'a lone Task gets a TaskRun',
      yaml: docs(task('hello'), configMap),
      want: { apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { generateName: 'hello-run-', namespace: 'ns' }, spec: { taskRef: { name: 'hello' } } },
    },
    {
      name: 'a lone Pipeline gets a PipelineRun',
      yaml: pipeline,
      want: { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { generateName: 'pipe-run-', namespace: 'ns' }, spec: { pipelineRef: { name: 'pipe' } } },
    },
  ];
  for (const c of generated) {
    test(c.name, () => {
      const objects = mustLoad(c.yaml);
      const { runs, others } = runsOf(objects);
      assert.deepEqual(runs, [c.want]);
      assert.deepEqual(others, objects.map((o) => o.object));
    });
  }

  const errors: Array<{ name: string; yaml: string; found: string }> = [
    { name: 'two Tasks and no run', yaml: docs(task('a'), task('b')), found: 'found: Task/a, Task/b' },
    { name: 'a Task and a Pipeline and no run', yaml: docs(task('hello'), pipeline), found: 'found: Task/hello, Pipeline/pipe' },
    { name: 'nothing runnable', yaml: configMap, found: 'found: ConfigMap/cfg' },
  ];
  for (const c of errors) {
    test(`CliError (code 2): ${c.name}`, () => {
      assert.throws(() => runsOf(mustLoad(c.yaml)), (e: unknown) => {
        assert.ok(e instanceof CliError);
        assert.equal(e.code, 2);
        assert.equal(e.message, 'the file has no TaskRun or PipelineRun, and not exactly one Task or Pipeline to start');
        assert.deepEqual(e.details, [c.found]);
        return true;
      });
    });
  }
});

describe('exitCodeOf', () => {
  const run = (conditions?: unknown[]): KObject => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'x' }, status: conditions ? { conditions } : undefined });
  const cases: Array<{ name: string; run: KObject | undefined; want: number }> = [
    { name: 'no run', run: undefined, want: 1 },
    { name: 'no status', run: run(), want: 1 },
    { name: 'Succeeded True', run: run([{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }]), want: 0 },
    { name: 'Unsupported', run: run([{ type: 'Succeeded', status: 'False', reason: 'Unsupported' }]), want: 3 },
    { name: 'Failed', run: run([{ type: 'Succeeded', status: 'False', reason: 'Failed' }]), want: 1 },
    { name: 'Cancelled', run: run([{ type: 'Succeeded', status: 'False', reason: 'TaskRunCancelled' }]), want: 1 },
    { name: 'still Unknown', run: run([{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }]), want: 1 },
    { name: 'another condition type is ignored', run: run([{ type: 'Ready', status: 'True' }]), want: 1 },
  ];
  for (const c of cases) test(`${c.name} → ${c.want}`, () => assert.equal(exitCodeOf(c.run), c.want));
});
