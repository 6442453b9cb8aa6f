import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedObject } from '../api/load.ts';
import { loadManifests } from '../api/load.ts';
import type { KObject } from '../api/meta.ts';
import { CliError } from './exit.ts';
import { checkRuns, exitCodeOf, exitCodeOfAll, runsOf, type Pick } from './run.ts';

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

  const picked: Array<{ name: string; yaml: string; pick?: Pick; want: [string, string] }> = [
    { name: 'several Tasks and one Pipeline start the Pipeline', yaml: docs(task('hello'), task('other'), pipeline), want: ['PipelineRun', 'pipe'] },
    { name: '--task picks a Task beside a Pipeline', yaml: docs(task('hello'), task('other'), pipeline), pick: { task: 'other' }, want: ['TaskRun', 'other'] },
    { name: '--pipeline picks one of several', yaml: docs(pipeline, pipeline.replace('name: pipe', 'name: pipe2')), pick: { pipeline: 'pipe2' }, want: ['PipelineRun', 'pipe2'] },
  ];
  for (const c of picked) {
    test(c.name, () => {
      const [run] = runsOf(mustLoad(c.yaml), c.pick).runs;
      const spec = run.spec as { taskRef?: { name: string }; pipelineRef?: { name: string } };
      assert.deepEqual([run.kind, (spec.taskRef ?? spec.pipelineRef)!.name], c.want);
    });
  }

  const errors: Array<{ name: string; yaml: string; pick?: Pick; message: string; details: string[] }> = [
    {
      name: 'two Tasks and no run', yaml: docs(task('a'), task('b')),
      message: 'the file has no TaskRun or PipelineRun, no Pipeline and several Tasks: pick one with --task NAME', details: ['candidates: Task/a, Task/b'],
    },
    {
      name: 'two Pipelines and no run', yaml: docs(task('hello'), pipeline, pipeline.replace('name: pipe', 'name: pipe2')),
      message: 'the file has no TaskRun or PipelineRun and several Pipelines: pick one with --pipeline NAME', details: ['candidates: Pipeline/pipe, Pipeline/pipe2'],
    },
    { name: 'nothing runnable', yaml: configMap, message: 'the file has no TaskRun or PipelineRun, and no Task or Pipeline to start', details: ['found: ConfigMap/cfg'] },
    { name: '--pipeline naming none', yaml: docs(task('hello'), pipeline), pick: { pipeline: 'nope' }, message: '--pipeline nope: the file has no Pipeline "nope"', details: ['Pipelines in the file: pipe'] },
    { name: '--task naming none', yaml: docs(pipeline), pick: { task: 'nope' }, message: '--task nope: the file has no Task "nope"', details: ['Tasks in the file: none'] },
    { name: 'both flags', yaml: docs(task('hello'), pipeline), pick: { task: 'hello', pipeline: 'pipe' }, message: '--pipeline and --task each pick what to start: give one', details: [] },
    {
      name: 'a flag with runs in the file', yaml: docs(task('hello'), taskRun), pick: { task: 'hello' },
      message: '--task hello: the file has runs of its own (TaskRun/hello-run-); --task picks what to start in a file without runs', details: [],
    },
  ];
  for (const c of errors) {
    test(`CliError (code 2): ${c.name}`, () => {
      assert.throws(() => runsOf(mustLoad(c.yaml), c.pick), (e: unknown) => {
        assert.ok(e instanceof CliError);
        assert.equal(e.code, 2);
        assert.equal(e.message, c.message);
        assert.deepEqual(e.details, c.details);
        return true;
      });
    });
  }
});

describe('exitCodeOfAll: any failed run fails the command', () => {
  const run = (status: string, reason: string): KObject => ({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name: 'x' }, status: { conditions: [{ type: 'Succeeded', status, reason }] } });
  const ok = run('True', 'Succeeded');
  const failed = run('False', 'Failed');
  const unsupported = run('False', 'Unsupported');
  const cases: Array<{ name: string; runs: KObject[]; want: number }> = [
    { name: 'no run', runs: [], want: 1 },
    { name: 'all succeeded', runs: [ok, ok], want: 0 },
    { name: 'the second failed', runs: [ok, failed], want: 1 },
    { name: 'the first failed', runs: [failed, ok], want: 1 },
    { name: 'one unsupported, none failed', runs: [ok, unsupported], want: 3 },
    { name: 'failed beats unsupported', runs: [unsupported, failed], want: 1 },
  ];
  for (const c of cases) test(`${c.name} → ${c.want}`, () => assert.equal(exitCodeOfAll(c.runs), c.want));
});

describe('checkRuns: runs against the file, after -p/-w', () => {
  const needsParam = `
apiVersion: tekton.dev/v1
kind: Task
metadata: { name: hello, namespace: ns }
spec:
  params: [{ name: who }]
  steps: [{ name: s, image: busybox, script: 'true' }]
`;
  test('a generated run missing a required param: CliError (2) with a -p hint', () => {
    const objects = mustLoad(needsParam);
    const { runs } = runsOf(objects);
    assert.throws(() => checkRuns(runs, objects), (e: unknown) => {
      assert.ok(e instanceof CliError);
      assert.equal(e.code, 2);
      assert.deepEqual(e.details, ['taskrun hello-run-: spec.params: task "hello" requires param(s) not given: who', 'give params with -p NAME=VALUE']);
      return true;
    });
  });

  test('a run of the file: file:line, and extra params come back as warnings', () => {
    const objects = mustLoad(docs(needsParam, taskRun.replace('spec: { taskRef: { name: hello } }', 'spec: { taskRef: { name: hello }, params: [{ name: who, value: me }, { name: what, value: x }] }')));
    const { runs } = runsOf(objects);
    assert.deepEqual(checkRuns(runs, objects), ['test.yaml:14:72: spec.params[1].name: param "what" is not declared by task "hello": it is passed on, and nothing uses it']);
  });
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
