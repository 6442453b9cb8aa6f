import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineSpec, PipelineTask } from '../../api/pipeline.types.ts';
import { decide } from './facts.ts';
import { child, cond, makeInput, next, ok, running, simulate, type Behaviour } from './testkit.ts';

const step = { name: 's', image: 'busybox', script: 'true' };
const inline = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({ name, taskSpec: { steps: [step] }, ...extra });
const paramsOf = (sim: ReturnType<typeof simulate>, task: string) => Object.fromEntries((sim.created.find((c) => c.pipelineTask === task)?.spec.params ?? []).map((p) => [p.name, p.value]));

test('fan-out: one TaskRun per combination, combination params first, then the task params', () => {
  const spec: PipelineSpec = {
    params: [{ name: 'platforms', type: 'array', default: ['linux', 'mac'] }],
    tasks: [inline('t', {
      displayName: 'on $(params.platform) with $(params.browser)',
      params: [{ name: 'url', value: 'u' }],
      matrix: { params: [{ name: 'platform', value: '$(params.platforms[*])' }, { name: 'browser', value: ['chrome', 'firefox'] }] },
    })],
  };
  const input = makeInput({ spec });
  const d = decide(input);
  assert.deepEqual(d.create.map((c) => [c.name, c.matrixIndex, c.spec.params]), [
    ['pr-t-0', 0, [{ name: 'platform', value: 'linux' }, { name: 'browser', value: 'chrome' }, { name: 'url', value: 'u' }]],
    ['pr-t-1', 1, [{ name: 'platform', value: 'mac' }, { name: 'browser', value: 'chrome' }, { name: 'url', value: 'u' }]],
    ['pr-t-2', 2, [{ name: 'platform', value: 'linux' }, { name: 'browser', value: 'firefox' }, { name: 'url', value: 'u' }]],
    ['pr-t-3', 3, [{ name: 'platform', value: 'mac' }, { name: 'browser', value: 'firefox' }, { name: 'url', value: 'u' }]],
  ]);
  const d1 = decide(next(input, d.create.map((c) => child(c, running())), 1, d));
  assert.deepEqual(d1.status.childReferences?.map((r) => r.displayName), ['on linux with chrome', 'on mac with chrome', 'on linux with firefox', 'on mac with firefox']);
});

test('a combination lost before it was created is created later; the task is done only with all of them', () => {
  const spec: PipelineSpec = { tasks: [inline('t', { matrix: { params: [{ name: 'v', value: ['1', '2', '3'] }] } }), inline('after', { runAfter: ['t'] })] };
  const input = makeInput({ spec });
  const d = decide(input);
  const d1 = decide(next(input, [child(d.create[0], ok()), child(d.create[2], ok())], 1, d));
  assert.deepEqual(d1.create.map((c) => c.name), ['pr-t-1']);
  assert.equal(cond(d1)[0], 'Unknown');
});

test('include names surface as display names; include-only matrices', () => {
  const spec: PipelineSpec = {
    tasks: [inline('t', { matrix: { include: [{ name: 'build-1', params: [{ name: 'IMAGE', value: 'i1' }] }, { name: 'build-$(params.IMAGE)', params: [{ name: 'IMAGE', value: 'i2' }] }] } })],
  };
  const sim = simulate(makeInput({ spec }));
  assert.deepEqual(sim.final.status.childReferences?.map((r) => [r.name, r.displayName]), [['pr-t-0', 'build-1'], ['pr-t-1', 'build-i2']]);
});

test('results of a matrixed task aggregate into arrays; matrix lengths', () => {
  const spec: PipelineSpec = {
    tasks: [
      inline('build', { matrix: { params: [{ name: 'img', value: ['a', 'b', 'c'] }] } }),
      inline('use', {
        params: [
          { name: 'digests', value: '$(tasks.build.results.digest[*])' },
          { name: 'n', value: '$(tasks.build.matrix.length)' },
          { name: 'urls', value: '$(tasks.build.matrix.url.length)' },
        ],
      }),
      inline('fan-again', { matrix: { params: [{ name: 'd', value: '$(tasks.build.results.digest[*])' }] } }),
    ],
  };
  const behaviour: Behaviour = (tr) => {
    if (tr.pipelineTask !== 'build') return ok();
    const img = String(tr.spec.params?.[0].value);
    return ok(img === 'b' ? { digest: `sha-${img}`, url: 'u' } : { digest: `sha-${img}` });
  };
  const sim = simulate(makeInput({ spec }), behaviour);
  assert.deepEqual(paramsOf(sim, 'use'), { digests: ['sha-a', 'sha-b', 'sha-c'], n: '3', urls: '1' });
  assert.deepEqual(sim.created.filter((c) => c.pipelineTask === 'fan-again').map((c) => c.spec.params), [[{ name: 'd', value: 'sha-a' }], [{ name: 'd', value: 'sha-b' }], [{ name: 'd', value: 'sha-c' }]]);
  assert.deepEqual(cond(sim.final), ['True', 'Succeeded', 'Tasks Completed: 3 (Failed: 0, Cancelled 0), Skipped: 0']);
});

test('a matrix param that is not an array after substitution fails the run', () => {
  const spec: PipelineSpec = { tasks: [inline('p'), inline('t', { matrix: { params: [{ name: 'v', value: '$(tasks.p.results.s)' }] } })] };
  const sim = simulate(makeInput({ spec }), (tr) => ok(tr.pipelineTask === 'p' ? { s: 'not-an-array' } : {}));
  assert.equal(cond(sim.final)[1], 'InvalidMatrixParameterTypes');
  assert.match(cond(sim.final)[2] ?? '', /param "v" of pipeline task "t" has type "string"/);
});

test('one failed combination fails the matrixed task once every combination is done', () => {
  const spec: PipelineSpec = { tasks: [inline('t', { matrix: { params: [{ name: 'v', value: ['1', '2'] }] } })] };
  const input = makeInput({ spec });
  const d = decide(input);
  const failed = { status: 'False' as const, reason: 'Failed', message: 'x' };
  const d1 = decide(next(input, [child(d.create[0], failed), child(d.create[1], running())], 1, d));
  assert.equal(cond(d1)[0], 'Unknown');
  const d2 = decide(next(input, [child(d.create[0], failed), child(d.create[1], ok())], 2, d1));
  assert.deepEqual(cond(d2), ['False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0']);
});
