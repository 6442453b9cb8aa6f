import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { compileListFilter, selectableFields } from './selector.ts';
import { runState } from './runfields.ts';

const run = (name: string, pipeline: string | undefined, status: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name, namespace: 'default' },
  spec: pipeline ? { pipelineRef: { name: pipeline } } : { pipelineSpec: { tasks: [] } }, status,
} as KObject);
const cond = (status: string, reason: string) => ({ startTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Succeeded', status, reason }] });

describe('run list fields', () => {
  const runs = [
    run('a', 'build', cond('True', 'Succeeded')),
    run('b', 'build', cond('False', 'Failed')),
    run('c', 'deploy', cond('False', 'PipelineRunCancelled')),
    run('d', 'deploy', cond('Unknown', 'Running')),
    run('e', undefined),
  ];
  const names = (sel: string, kind = 'PipelineRun') => runs.filter(compileListFilter({ fieldSelector: sel }, kind)).map((o) => o.metadata.name);

  it('derives one state from the Succeeded condition', () => {
    assert.deepEqual(runs.map(runState), ['Succeeded', 'Failed', 'Cancelled', 'Running', 'Pending']);
  });

  it('selects PipelineRuns by Pipeline and state, = and !=', () => {
    assert.deepEqual(names('spec.pipelineRef.name=build'), ['a', 'b']);
    assert.deepEqual(names('status.state=Failed'), ['b']);
    assert.deepEqual(names('spec.pipelineRef.name=deploy,status.state!=Running'), ['c']);
    assert.deepEqual(names('spec.pipelineRef.name='), ['e']);
  });

  it('gives TaskRuns spec.taskRef.name, and other kinds neither', () => {
    assert.ok(selectableFields('TaskRun').includes('spec.taskRef.name'));
    assert.ok(!selectableFields('TaskRun').includes('spec.pipelineRef.name'));
    assert.ok(!selectableFields('ConfigMap').includes('status.state'));
    assert.throws(() => compileListFilter({ fieldSelector: 'status.state=Failed' }, 'ConfigMap'), /field label not supported: status.state/);
  });
});
