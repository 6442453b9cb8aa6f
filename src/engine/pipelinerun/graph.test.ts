import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineTask } from '../../api/pipeline.types.ts';
import { buildTaskGraph, parseResultRef, taskDeps } from './graph.ts';

test('result references in their written forms', () => {
  const rows = [
    { name: 'plain', expr: 'tasks.a.results.r', want: { task: 'a', result: 'r', index: undefined, key: undefined } },
    { name: 'index', expr: 'tasks.a.results.r[2]', want: { task: 'a', result: 'r', index: '2', key: undefined } },
    { name: 'star', expr: 'tasks.a.results.r[*]', want: { task: 'a', result: 'r', index: '*', key: undefined } },
    { name: 'object key', expr: 'tasks.a.results.obj.url', want: { task: 'a', result: 'obj', index: undefined, key: 'url' } },
    { name: 'bracket', expr: "tasks.a.results['r.dotted']", want: { task: 'a', result: 'r.dotted', index: undefined, key: undefined } },
    { name: 'bracket index', expr: 'tasks.a.results["r"][0]', want: { task: 'a', result: 'r', index: '0', key: undefined } },
  ];
  for (const r of rows) {
    const got = parseResultRef(r.expr);
    assert.deepEqual(got && { task: got.task, result: got.result, index: got.index, key: got.key }, r.want, r.name);
  }
  assert.equal(parseResultRef('tasks.a.status'), undefined);
  assert.equal(parseResultRef('finally.f.results.r')?.scope, 'finally');
});

test('deps: runAfter and results used in params, matrix, when and displayName', () => {
  const pt: PipelineTask = {
    name: 'c',
    runAfter: ['a'],
    params: [{ name: 'p', value: '$(tasks.b.results.r)' }],
    matrix: { params: [{ name: 'm', value: ['$(tasks.d.results.arr[0])'] }] },
    when: [{ input: '$(tasks.e.results.x)', operator: 'in', values: ['y'] }, { cel: "'$(tasks.f.results.z)' == 'q'" }],
    displayName: 'from $(tasks.g.results.n)',
    taskSpec: { steps: [{ name: 's', image: 'i', script: '$(tasks.h.results.not-a-dep)' }] },
  };
  assert.deepEqual(taskDeps(pt), ['a', 'b', 'd', 'e', 'f', 'g']);
});

test('graph errors', () => {
  const rows: Array<{ name: string; tasks: PipelineTask[]; want: string }> = [
    { name: 'cycle', tasks: [{ name: 'a', runAfter: ['b'] }, { name: 'b', runAfter: ['a'] }], want: 'cycle detected: a -> b -> a' },
    { name: 'self', tasks: [{ name: 'a', runAfter: ['a'] }], want: 'cycle detected; task "a" depends on itself' },
    { name: 'unknown runAfter', tasks: [{ name: 'a', runAfter: ['x'] }], want: "task a depends on x but x wasn't present in Pipeline" },
    { name: 'unknown producer', tasks: [{ name: 'a', params: [{ name: 'p', value: '$(tasks.x.results.r)' }] }], want: "task a depends on x but x wasn't present in Pipeline" },
  ];
  for (const r of rows) {
    const g = buildTaskGraph(r.tasks);
    assert.equal(g.ok ? '' : g.message, r.want, r.name);
  }
});
