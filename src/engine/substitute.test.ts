import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskSpec } from '../api/task.types.ts';
import type { ParamValue } from '../api/param.types.ts';
import {
  bracketKeys, layered, paramKeys, paramReplacements, replace, replaceAll, replaceArray, replaceParamValue, replaceWhen,
} from './substitute.ts';

const params = (o: Record<string, ParamValue>) => paramReplacements(Object.entries(o));

test('replace', () => {
  const reps = params({ a: 'A', 'a.b': 'dotted', arr: ['x', 'y'], obj: { k: 'v' }, loop: '$(params.a)' });
  const cases: Array<{ name: string; in: string; want: string }> = [
    { name: 'plain', in: 'echo $(params.a)', want: 'echo A' },
    { name: 'several, adjacent', in: '$(params.a)$(params.a)-$(params.a)', want: 'AA-A' },
    { name: 'unknown key left as written', in: 'echo $(context.task2.status) $(params.nope)', want: 'echo $(context.task2.status) $(params.nope)' },
    { name: 'bracket double quotes', in: '$(params["a.b"])', want: 'dotted' },
    { name: "bracket single quotes", in: "$(params['a.b'])", want: 'dotted' },
    { name: 'bracket form of a plain name', in: "$(params['a'])", want: 'A' },
    { name: 'legacy inputs.params', in: '$(inputs.params.a)', want: 'A' },
    { name: 'array index', in: '$(params.arr[1]) $(params["arr"][0])', want: 'y x' },
    { name: 'array index out of range left', in: '$(params.arr[5])', want: '$(params.arr[5])' },
    { name: 'whole array in a string is left (e.g. script)', in: 'for x in $(params.arr[*]); do', want: 'for x in $(params.arr[*]); do' },
    { name: 'object key', in: '$(params.obj.k)', want: 'v' },
    { name: 'single pass: a value is not substituted again', in: '$(params.loop)', want: '$(params.a)' },
    { name: 'no escaping', in: `'$(params.a)'`, want: `'A'` },
    { name: 'nested opener: inner reference still found', in: '$(x $(params.a))', want: '$(x A)' },
    { name: 'unclosed', in: 'echo $(params.a', want: 'echo $(params.a' },
    { name: 'K8s $(VAR) untouched', in: '$(HOME)/$(params.a)', want: '$(HOME)/A' },
    { name: 'empty value', in: '[$(params.e)]', want: '[]' },
  ];
  const withEmpty = layered(new Map([['params.e', '']]), reps.strings);
  for (const c of cases) assert.equal(replace(c.in, withEmpty), c.want, c.name);
});

test('replaceArray expands only whole-element references', () => {
  const reps = params({ arr: ['x', 'y'], s: 'S', empty: [] });
  const cases: Array<{ name: string; in: string[]; want: string[] }> = [
    { name: '[*] expands', in: ['a', '$(params.arr[*])', 'b'], want: ['a', 'x', 'y', 'b'] },
    { name: 'bare array ref expands', in: ['$(params.arr)'], want: ['x', 'y'] },
    { name: 'bracket form expands', in: ["$(params['arr'][*])"], want: ['x', 'y'] },
    { name: 'legacy form expands', in: ['$(inputs.params.arr[*])'], want: ['x', 'y'] },
    { name: 'not alone: left as written', in: ['--x=$(params.arr[*])'], want: ['--x=$(params.arr[*])'] },
    { name: 'empty array removes the element', in: ['a', '$(params.empty[*])'], want: ['a'] },
    { name: 'strings still replaced', in: ['$(params.s)', '$(params.arr[0])'], want: ['S', 'x'] },
  ];
  for (const c of cases) assert.deepEqual(replaceArray(c.in, reps.strings, reps.arrays), c.want, c.name);
});

test('replaceParamValue corrects types like ParamValue.applyOrCorrect', () => {
  const reps = params({ arr: ['x', 'y'], obj: { k: 'v' }, s: 'S' });
  const cases: Array<{ name: string; in: ParamValue; want: ParamValue }> = [
    { name: 'string ref', in: '$(params.s)', want: 'S' },
    { name: 'array ref becomes an array', in: '$(params.arr[*])', want: ['x', 'y'] },
    { name: 'object ref becomes an object', in: '$(params.obj[*])', want: { k: 'v' } },
    { name: 'bare object ref', in: '$(params.obj)', want: { k: 'v' } },
    { name: 'string param with [*] is left as written', in: '$(params.s[*])', want: '$(params.s[*])' },
    { name: 'mixed text', in: 'pre-$(params.s)', want: 'pre-S' },
    { name: 'array elements expand', in: ['a', '$(params.arr[*])'], want: ['a', 'x', 'y'] },
    { name: 'object values', in: { u: '$(params.obj.k)' }, want: { u: 'v' } },
    { name: 'unknown step result left', in: '$(steps.a.results.r[*])', want: '$(steps.a.results.r[*])' },
  ];
  for (const c of cases) assert.deepEqual(replaceParamValue(c.in, reps), c.want, c.name);
});

test('key spellings', () => {
  assert.deepEqual(paramKeys('a.b'), ['params.a.b', 'params["a.b"]', "params['a.b']", 'inputs.params.a.b']);
  assert.deepEqual(bracketKeys('results', 'r', '.path'), ['results.r.path', 'results["r"].path', "results['r'].path"]);
});

test('replaceWhen', () => {
  const reps = params({ arr: ['x', 'y'], s: 'S' });
  assert.deepEqual(replaceWhen([{ input: '$(params.s)', operator: 'in', values: ['$(params.arr[*])', 'z'] }], reps.strings, reps.arrays), [
    { input: 'S', operator: 'in', values: ['x', 'y', 'z'] },
  ]);
});

test('replaceAll walks the fields Tekton substitutes', () => {
  const spec: TaskSpec = {
    params: [{ name: 'p' }],
    steps: [{
      name: 'n-$(params.p)',
      image: 'img:$(params.p)',
      imagePullPolicy: '$(params.p)',
      command: ['$(params.arr[*])'],
      args: ['$(params.arr)', 'x$(params.p)'],
      script: 'echo $(params.p) $(params.arr[*])',
      workingDir: '/w/$(params.p)',
      onError: '$(params.onerr)',
      env: [
        { name: 'A', value: '$(params.p)' },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's-$(params.p)', key: 'k-$(params.p)' } } },
        { name: 'C', valueFrom: { configMapKeyRef: { name: 'c-$(params.p)', key: 'k-$(params.p)' } } },
      ],
      envFrom: [{ prefix: '$(params.p)_', configMapRef: { name: 'cm-$(params.p)' }, secretRef: { name: 'sec-$(params.p)' } }],
      volumeMounts: [{ name: 'v-$(params.p)', mountPath: '/m/$(params.p)', subPath: 's/$(params.p)' }],
      stdoutConfig: { path: '/o/$(params.p)' },
      when: [{ input: '$(params.p)', operator: 'in', values: ['$(params.arr[*])'] }],
      params: [{ name: 'sp', value: '$(params.arr[*])' }],
      timeout: '$(params.p)',
    }],
    stepTemplate: { image: '$(params.p)', env: [{ name: 'T', value: '$(params.p)' }] },
    sidecars: [{ name: 'sc', image: '$(params.p)', script: '$(params.p)', args: ['$(params.arr[*])'] }],
    volumes: [
      { name: 'v-$(params.p)', configMap: { name: 'cm-$(params.p)', items: [{ key: 'k$(params.p)', path: 'p$(params.p)' }] } },
      { name: 's', secret: { secretName: 's-$(params.p)' } },
      { name: 'c', persistentVolumeClaim: { claimName: 'pvc-$(params.p)' } },
      { name: 'pr', projected: { sources: [{ configMap: { name: 'a-$(params.p)' } }, { secret: { name: 'b-$(params.p)' } }] } },
    ],
    workspaces: [{ name: 'w', mountPath: '/ws/$(params.p)' }, { name: 'x' }],
  };
  const reps = params({ p: 'P', arr: ['1', '2'], onerr: 'continue' });
  const got = replaceAll(spec, reps);
  const s = got.steps[0];
  assert.equal(s.name, 'n-P');
  assert.equal(s.image, 'img:P');
  assert.equal(s.imagePullPolicy, 'P');
  assert.deepEqual(s.command, ['1', '2']);
  assert.deepEqual(s.args, ['1', '2', 'xP']);
  assert.equal(s.script, 'echo P $(params.arr[*])', 'arrays are not expanded in scripts');
  assert.equal(s.workingDir, '/w/P');
  assert.equal(s.onError, 'continue');
  assert.deepEqual(s.env, [
    { name: 'A', value: 'P' },
    { name: 'B', valueFrom: { secretKeyRef: { name: 's-P', key: 'k-P' } } },
    { name: 'C', valueFrom: { configMapKeyRef: { name: 'c-P', key: 'k-P' } } },
  ]);
  assert.deepEqual(s.envFrom, [{ prefix: 'P_', configMapRef: { name: 'cm-P' }, secretRef: { name: 'sec-P' } }]);
  assert.deepEqual(s.volumeMounts, [{ name: 'v-P', mountPath: '/m/P', subPath: 's/P' }]);
  assert.deepEqual(s.stdoutConfig, { path: '/o/P' });
  assert.deepEqual(s.when, [{ input: 'P', operator: 'in', values: ['1', '2'] }]);
  assert.deepEqual(s.params, [{ name: 'sp', value: ['1', '2'] }]);
  assert.equal(s.timeout, '$(params.p)', 'timeout is not a substituted field');
  assert.deepEqual(got.stepTemplate, { image: 'P', env: [{ name: 'T', value: 'P' }] });
  assert.deepEqual(got.sidecars, [{ name: 'sc', image: 'P', script: 'P', args: ['1', '2'] }]);
  assert.deepEqual(got.volumes, [
    { name: 'v-P', configMap: { name: 'cm-P', items: [{ key: 'kP', path: 'pP' }] } },
    { name: 's', secret: { secretName: 's-P' } },
    { name: 'c', persistentVolumeClaim: { claimName: 'pvc-P' } },
    { name: 'pr', projected: { sources: [{ configMap: { name: 'a-P' } }, { secret: { name: 'b-P' } }] } },
  ]);
  assert.deepEqual(got.workspaces, [{ name: 'w', mountPath: '/ws/P' }, { name: 'x' }]);
  assert.equal(spec.steps[0].image, 'img:$(params.p)', 'input not modified');
});

test('replaceAll per-step layers apply to that step only', () => {
  const spec: TaskSpec = { steps: [{ script: '$(k)' }, { script: '$(k)' }], sidecars: [{ script: '$(k)' }] };
  const got = replaceAll(spec, {
    strings: new Map([['k', 'common']]),
    step: (i) => (i === 1 ? new Map([['k', 'second']]) : undefined),
    sidecar: () => new Map([['k', 'side']]),
  });
  assert.deepEqual(got.steps.map((s) => s.script), ['common', 'second']);
  assert.equal(got.sidecars?.[0].script, 'side');
});
