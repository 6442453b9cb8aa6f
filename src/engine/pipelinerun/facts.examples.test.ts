// Upstream examples (tektoncd/pipeline examples/v1/pipelineruns), inline, driven through decide()
// with simulated TaskRuns: what gets created, skipped, and the final condition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cond, inputFromYaml, ok, simulate } from './testkit.ts';

test('6139-regression.yaml: results of skipped tasks (and finally) are left out; Completed', () => {
  const yaml = `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: pipelinerun-test}
spec:
  pipelineSpec:
    params:
      - {name: say-hello, default: 'false'}
      - {name: do-shutdown, default: 'false'}
    tasks:
      - name: hello
        taskSpec:
          results: [{name: result-one}]
          steps: [{image: alpine, script: 'echo -n RES1 > $(results.result-one.path)'}]
      - name: goodbye
        runAfter: [hello]
        taskSpec:
          results: [{name: result-two}]
          steps: [{image: alpine, script: 'echo -n RES2 > $(results.result-two.path)'}]
        when: [{input: $(params.say-hello), operator: in, values: ["true"]}]
    finally:
      - name: shutdown
        taskSpec:
          results: [{name: result-three}]
          steps: [{image: alpine, script: 'echo -n RES3 > $(results.result-three.path)'}]
        when: [{input: $(params.do-shutdown), operator: in, values: ["true"]}]
    results:
      - {name: result-hello, value: '$(tasks.hello.results.result-one)'}
      - {name: result-goodbye, value: '$(tasks.goodbye.results.result-two)'}
      - {name: result-shutdown, value: '$(finally.shutdown.results.result-three)'}
`;
  const sim = simulate(inputFromYaml(yaml), () => ok({ 'result-one': 'RES1' }));
  assert.deepEqual(sim.created.map((c) => c.name), ['pipelinerun-test-hello']);
  assert.deepEqual(sim.final.status.results, [{ name: 'result-hello', value: 'RES1' }]);
  assert.deepEqual(sim.final.status.skippedTasks?.map((s) => [s.name, s.reason]), [['goodbye', 'When Expressions evaluated to false'], ['shutdown', 'When Expressions evaluated to false']]);
  assert.deepEqual(cond(sim.final), ['True', 'Completed', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 2']);
});

test('beta/ignore-task-error.yaml: onError continue (+ matrix) gives FailureIgnored to finally', () => {
  const yaml = `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {generateName: pipelinerun-with-failing-task-}
spec:
  pipelineSpec:
    tasks:
      - name: echo-continue
        onError: continue
        taskSpec: {steps: [{name: write, image: alpine, script: 'exit 1'}]}
      - name: echo-continue-with-matrix
        onError: continue
        matrix: {params: [{name: param1, value: [foo, bar]}]}
        taskSpec:
          params: [{name: param1}]
          steps: [{name: write, image: alpine, script: 'test $(params.param1) != bar'}]
      - name: echo
        runAfter: [echo-continue]
        taskSpec: {steps: [{name: write, image: alpine, script: 'echo ok'}]}
    finally:
      - name: verify-task-reason
        params:
          - {name: echo-continue-task-reason, value: $(tasks.echo-continue.reason)}
          - {name: echo-continue-with-matrix-task-reason, value: $(tasks.echo-continue-with-matrix.reason)}
        taskSpec: {steps: [{name: verify, image: alpine, script: 'true'}]}
`;
  const sim = simulate(inputFromYaml(yaml), (tr) => {
    const failing = tr.pipelineTask === 'echo-continue' || (tr.pipelineTask === 'echo-continue-with-matrix' && tr.spec.params?.[0].value === 'bar');
    return failing ? { status: 'False', reason: 'Failed', message: 'exit 1' } : ok();
  });
  const verify = sim.created.find((c) => c.pipelineTask === 'verify-task-reason');
  assert.deepEqual(verify?.spec.params?.map((p) => p.value), ['FailureIgnored', 'FailureIgnored']);
  assert.deepEqual(cond(sim.final), ['True', 'Succeeded', 'Tasks Completed: 4 (Failed: 2 (Ignored: 2), Cancelled 0), Skipped: 0']);
});

test('pipeline-with-displayname.yaml: displayName with params and results', () => {
  const yaml = `
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: sum}
spec:
  params: [{name: a, default: "1"}, {name: b, default: "1"}]
  results: [{name: sum}]
  steps: [{name: sum, image: bash, script: 'echo -n $(( $(params.a) + $(params.b) )) > $(results.sum.path)'}]
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: sum-pipeline}
spec:
  params: [{name: a, default: "1"}, {name: b, default: "1"}, {name: c, default: "1"}]
  tasks:
    - name: sum-two-numbers
      displayName: "Calculate the first two numbers $(params.a) + $(params.b)"
      taskRef: {name: sum}
      params: [{name: a, value: "$(params.a)"}, {name: b, value: "$(params.b)"}]
    - name: sum-with-third-number
      displayName: "Sum with the third number - $(tasks.sum-two-numbers.results.sum) + $(params.c)"
      taskRef: {name: sum}
      params: [{name: a, value: "$(tasks.sum-two-numbers.results.sum)"}, {name: b, value: "$(params.c)"}]
  finally:
    - name: print-result
      displayName: Print the result
      params: [{name: sum, value: "$(tasks.sum-with-third-number.results.sum)"}]
      taskSpec:
        params: [{name: sum}]
        steps: [{name: print, image: alpine, script: 'echo "$(params.sum)"'}]
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {generateName: sum-}
spec:
  params: [{name: a, value: "1"}, {name: b, value: "2"}, {name: c, value: "3"}]
  pipelineRef: {name: sum-pipeline}
`;
  const sim = simulate(inputFromYaml(yaml), (tr) => ok({ sum: tr.pipelineTask === 'sum-two-numbers' ? '3' : '6' }));
  assert.deepEqual(sim.final.status.childReferences?.map((r) => r.displayName), ['Calculate the first two numbers 1 + 2', 'Sum with the third number - 3 + 3', 'Print the result']);
  assert.deepEqual(sim.created[2].spec.params, [{ name: 'sum', value: '6' }]);
  assert.equal(sim.created[0].labels['tekton.dev/pipeline'], 'sum-pipeline');
  assert.deepEqual(cond(sim.final), ['True', 'Succeeded', 'Tasks Completed: 3 (Failed: 0, Cancelled 0), Skipped: 0']);
});

test('using_context_variables.yaml: a param default holding $(context.pipelineRun.name)', () => {
  const yaml = `
kind: PipelineRun
apiVersion: tekton.dev/v1
metadata: {name: ctx-run}
spec:
  pipelineSpec:
    params:
      - {name: pipelineRun-name-from-defaults, default: "pipelinerun: $(context.pipelineRun.name)"}
    tasks:
    - name: task1
      retries: 7
      params:
      - {name: pipeline-name, value: "$(context.pipeline.name)"}
      - {name: pipelineRun-name-from-defaults, value: "$(params.pipelineRun-name-from-defaults)"}
      - {name: pipelineTask-retries, value: "$(context.pipelineTask.retries)"}
      taskSpec:
        params: [{name: pipeline-name}, {name: pipelineRun-name-from-defaults}, {name: pipelineTask-retries}]
        steps: [{image: ubuntu, script: 'echo $(context.task.retry-count)'}]
`;
  const sim = simulate(inputFromYaml(yaml));
  assert.deepEqual(sim.created[0].spec.params?.map((p) => p.value), ['ctx-run', 'pipelinerun: ctx-run', '7']);
  assert.equal(sim.created[0].spec.taskSpec?.steps[0].script, 'echo $(context.task.retry-count)', 'left for the TaskRun');
});

test('alpha/pipelines-in-pipelines.yaml: the task runs a child PipelineRun; its success is the task\'s', () => {
  const yaml = `
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: pip}
spec:
  tasks:
    - name: child
      pipelineSpec:
        tasks:
          - name: hello
            taskSpec: {steps: [{name: echo, image: busybox, script: 'echo hi'}]}
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {generateName: pip-run-}
spec: {pipelineRef: {name: pip}}
`;
  const sim = simulate(inputFromYaml(yaml));
  assert.deepEqual(cond(sim.final), ['True', 'Succeeded', 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0']);
  assert.deepEqual(sim.created, [], 'no TaskRun: the child PipelineRun runs the tasks');
  assert.deepEqual(sim.createdPipelineRuns.map((c) => [c.name, c.spec.pipelineSpec?.tasks?.[0].name]), [['pr-child', 'hello']]);
  assert.deepEqual(sim.final.status.childReferences, [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'pr-child', pipelineTaskName: 'child' }]);
});

test('alpha/pipelines-in-pipelines-ref.yaml: pipelineRef is passed on by name', () => {
  const yaml = `
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: pipelines-in-pipelines-ref}
spec:
  tasks:
    - name: child
      pipelineRef: {name: child-pipeline}
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {generateName: pip-run-}
spec: {pipelineRef: {name: pipelines-in-pipelines-ref}}
`;
  const sim = simulate(inputFromYaml(yaml));
  assert.equal(cond(sim.final)[1], 'Succeeded');
  assert.deepEqual(sim.createdPipelineRuns.map((c) => c.spec), [{ pipelineRef: { name: 'child-pipeline' }, taskRunTemplate: { serviceAccountName: 'default' } }]);
});
