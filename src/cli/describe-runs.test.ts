import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { taskRunsSection } from './describe-runs.ts';

const pr: KObject = { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'pr' } };
const tr = (name: string, task: string, status: object, spec: object = {}): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'TaskRun', metadata: { name, labels: { 'tekton.dev/pipelineRun': 'pr', 'tekton.dev/pipelineTask': task } }, spec, status,
});

test('taskRunsSection: every TaskRun in run order with status, reason, duration, params, results, workspaces', () => {
  const lines = taskRunsSection(pr, [
    tr('pr-test', 'test', { startTime: '2026-01-01T00:00:05Z', completionTime: '2026-01-01T00:00:07Z', conditions: [{ type: 'Succeeded', status: 'False', reason: 'Failed', message: 'step boom exited 2' }] }),
    tr('pr-build', 'build', { startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:04Z', conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }], results: [{ name: 'digest', value: 'sha256:1' }] },
      { params: [{ name: 'ref', value: 'main' }, { name: 'flags', value: ['-v', '-x'] }], workspaces: [{ name: 'src', persistentVolumeClaim: { claimName: 'cache' } }, { name: 'tmp', emptyDir: {}, subPath: 'x' }] }),
    tr('pr-later', 'later', {}),
  ], '2026-01-01T00:01:00Z');
  assert.deepEqual(lines, [
    'TaskRuns:',
    '  build: pr-build',
    '    Status:      Succeeded (Succeeded)   Duration: 4.0s',
    '    Params:      ref=main, flags=["-v","-x"]',
    '    Results:     digest=sha256:1',
    '    Workspaces:  src (pvc: cache), tmp (emptyDir, subPath: x)',
    '  test: pr-test',
    '    Status:      Failed (Failed)   Duration: 2.0s',
    '    Message:     step boom exited 2',
    '  later: pr-later',
    '    Status:      Pending   Duration: ---',
  ]);
  assert.deepEqual(taskRunsSection(pr, []), []);
});
