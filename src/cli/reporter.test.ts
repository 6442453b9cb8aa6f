import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/meta.ts';
import { createPlainReporter } from './reporter.ts';

const run = (reason: string): KObject => ({
  apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { name: 'p' },
  status: { conditions: [{ type: 'Succeeded', status: 'False', reason, message: 'm' }], startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:03Z' },
});

test('plain reporter: a cancelled run says so and calls its steps stopped, a failed one failed', () => {
  const cases = [
    { name: 'cancelled', reason: 'Cancelled', want: ['✘ pipelinerun p was cancelled after 3.0s (Cancelled: m)', '  stopped step: p-first / work (stopped, exit code 143)'] },
    { name: 'failed', reason: 'Failed', want: ['✘ pipelinerun p failed in 3.0s (Failed: m)', '  failed step: p-first / work (exit code 143)'] },
  ];
  for (const c of cases) {
    const out: string[] = [];
    const r = createPlainReporter({ out: (s) => out.push(s), err: (s) => out.push(s) });
    r.onRunEnd(run(c.reason), [{ run: run(c.reason), taskRun: 'p-first', step: 'work', exitCode: 143, tail: [] }]);
    assert.deepEqual(out, c.want, c.name);
  }
});

test('plain reporter: the summary names the executors that ran the steps', () => {
  const cases: Array<{ executors?: string[]; want: string[] }> = [
    { executors: undefined, want: [] },
    { executors: ['podman'], want: ['  executor: podman (each step in a container of its image)'] },
    { executors: ['podman', 'process'], want: ['  executor: podman (each step in a container of its image), process (steps as local processes)'] },
  ];
  for (const c of cases) {
    const out: string[] = [];
    const r = createPlainReporter({ out: (s) => out.push(s), err: (s) => out.push(s) });
    r.onRunEnd(run('Failed'), [], c.executors);
    assert.deepEqual(out.filter((l) => l.includes('executor')), c.want);
    assert.match(out.at(-1) ?? '', /^✘ pipelinerun p failed/, 'before the verdict line');
  }
});
