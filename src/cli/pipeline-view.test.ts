import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { PipelineView, type TaskState } from './pipeline-view.ts';

const labels = { 'tekton.dev/pipelineRun': 'run', 'tekton.dev/pipelineTask': 'child' };

test('a child PipelineRun shows as its task: running, succeeded, failed, cancelled', () => {
  const rows: Array<{ name: string; status?: object; spec?: object; want: TaskState }> = [
    { name: 'created (the task has started)', want: 'running' },
    { name: 'running', status: { startTime: 't0', conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] }, want: 'running' },
    { name: 'succeeded', status: { startTime: 't0', conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }] }, want: 'succeeded' },
    { name: 'failed', status: { startTime: 't0', conditions: [{ type: 'Succeeded', status: 'False', reason: 'Failed' }] }, want: 'failed' },
    { name: 'cancelled', spec: { status: 'Cancelled' }, status: { startTime: 't0', conditions: [{ type: 'Succeeded', status: 'False', reason: 'Cancelled' }] }, want: 'cancelled' },
  ];
  for (const r of rows) {
    const view = new PipelineView();
    const child: KObject = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'run-child', labels }, spec: r.spec ?? {}, status: r.status };
    view.updateTaskRun(child);
    assert.equal(view.tasks.get('child')?.state, r.want, r.name);
  }
});
