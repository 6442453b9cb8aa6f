// End-to-end: PipelineRuns through the real CLI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kiln, tempDir, tempFile } from './helpers.ts';

const data = tempDir('kiln-data-');
const run = (args: string[]) => kiln(['run', '--data-dir', data, ...args]);

describe('kiln run: pipelines', () => {
  it('runs the example pipeline: results between tasks, when, finally, [task/step] logs', async () => {
    const r = await run(['-f', 'examples/pipeline.yaml', '-p', 'branch=main']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^\[package\/unnamed-0\] app-c0ffee1\.tar$/m);
    assert.match(r.stdout, /^\[deploy\/unnamed-0\] deploying from main$/m);
    assert.match(r.stdout, /^\[report\/unnamed-0\] pipeline finished: Succeeded$/m);
    assert.match(r.stdout, /result artifact = app-c0ffee1\.tar/);
    assert.match(r.stdout, /pipelinerun ci-\w+ succeeded/);
  });

  it('skips a task whose when is false and reports Completed', async () => {
    const r = await run(['-f', 'examples/pipeline.yaml', '-p', 'branch=feature']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /- deploy .*When Expressions evaluated to false/);
    assert.match(r.stdout, /\(Completed: Tasks Completed: 5 \(Failed: 0, Cancelled 0\), Skipped: 1\)/);
    assert.match(r.stdout, /pipeline finished: Completed/);
  });

  it('fails with the failed task, its step and the log tail; dependents do not run; finally does', async () => {
    const f = tempFile('p.yaml', `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: breaks}
spec:
  pipelineSpec:
    tasks:
      - name: build
        taskSpec:
          steps:
            - name: compile
              image: alpine
              script: |
                echo "error: missing semicolon"
                exit 2
      - name: test
        runAfter: [build]
        taskSpec:
          steps: [{image: alpine, script: echo never}]
    finally:
      - name: cleanup
        taskSpec:
          steps: [{image: alpine, script: echo cleaning up}]
`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /failed step: breaks-build \/ compile \(exit code 2\)/);
    assert.match(r.stdout, /^ {4}error: missing semicolon$/m);
    assert.match(r.stdout, /\[cleanup\/unnamed-0\] cleaning up/);
    assert.doesNotMatch(r.stdout, /\[test\//);
    assert.match(r.stdout, /Failed: Tasks Completed: 2 \(Failed: 1, Cancelled 0\), Skipped: 1/);
  });

  it('-o json prints the final PipelineRun only', async () => {
    const r = await run(['-f', 'examples/pipeline.yaml', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const pr = JSON.parse(r.stdout);
    assert.equal(pr.kind, 'PipelineRun');
    assert.deepEqual(pr.status.results, [{ name: 'artifact', value: 'app-c0ffee1.tar' }]);
    assert.equal(pr.status.childReferences.length, 5);
  });

  it('a pipeline with a cycle is invalid input (exit 2), naming the tasks', async () => {
    const f = tempFile('cycle.yaml', `apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: loop}
spec:
  tasks:
    - {name: a, runAfter: [b], taskSpec: {steps: [{image: alpine, script: "true"}]}}
    - {name: b, runAfter: [a], taskSpec: {steps: [{image: alpine, script: "true"}]}}
`);
    const r = await run(['-f', f]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /cycle\.yaml:\d+:\d+: .*cycle.*a.*b/);
  });
});
