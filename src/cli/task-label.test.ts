import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { byStartTime, matrixIndex, newest, taskLabel } from './task-label.ts';

const tr = (name: string, task: string | undefined, params: Array<{ name: string; value: unknown }> = [], startTime?: string): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'TaskRun',
  metadata: { name, labels: task ? { 'tekton.dev/pipelineRun': 'pr', 'tekton.dev/pipelineTask': task } : {} },
  spec: { params }, status: startTime ? { startTime } : {},
});
const pr: KObject = {
  apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'pr' },
  status: { pipelineSpec: { tasks: [{ name: 'build', matrix: { params: [{ name: 'os', value: ['linux'] }, { name: 'arch', value: ['amd64', 'arm64'] }] } }] } },
};

test('taskLabel: a matrix instance shows its matrix params (or its index), other TaskRuns their task', () => {
  const cases: Array<{ name: string; tr: KObject; pr?: KObject; want: string; index?: number }> = [
    { name: 'plain task', tr: tr('pr-build', 'build'), pr, want: 'build' },
    { name: 'matrix instance with the pipeline known', tr: tr('pr-build-1', 'build', [{ name: 'os', value: 'linux' }, { name: 'arch', value: 'arm64' }, { name: 'other', value: 'x' }]), pr, want: 'build(os=linux,arch=arm64)', index: 1 },
    { name: 'matrix instance, pipeline unknown', tr: tr('pr-build-12', 'build', [{ name: 'os', value: 'linux' }]), want: 'build(12)', index: 12 },
    { name: 'a task whose name ends in a number is no matrix instance', tr: tr('pr-build-0', 'build-0'), pr, want: 'build-0' },
    { name: 'no pipeline task label', tr: tr('lone', undefined), want: 'lone' },
  ];
  for (const c of cases) {
    assert.equal(taskLabel(c.tr, c.pr), c.want, c.name);
    assert.equal(matrixIndex(c.tr), c.index, c.name);
  }
});

test('byStartTime: the order runs ran, not started last; newest: by creation', () => {
  const runs = [tr('c', 'c'), tr('b', 'b', [], '2026-01-01T00:00:02Z'), tr('a', 'a', [], '2026-01-01T00:00:05Z')];
  assert.deepEqual(runs.sort(byStartTime).map((r) => r.metadata.name), ['b', 'a', 'c']);
  const made = (name: string, at: string): KObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name, creationTimestamp: at } });
  assert.equal(newest([made('old', '2026-01-01T00:00:00Z'), made('new', '2026-01-02T00:00:00Z'), made('mid', '2026-01-01T12:00:00Z')])?.metadata.name, 'new');
  assert.equal(newest([]), undefined);
});
