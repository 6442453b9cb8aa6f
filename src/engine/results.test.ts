import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultValue, TaskResult } from '../api/param.types.ts';
import { applyStepResults, parseResults, stepResultReplacements } from './results.ts';
import { evaluateWhen } from './when.ts';

test('parseResults', () => {
  const cases: Array<{ name: string; declared: TaskResult[]; raw: Record<string, string>; steps?: Record<string, Record<string, string>>; want: ResultValue[]; errors?: string[] }> = [
    { name: 'string verbatim, no trimming', declared: [{ name: 's' }], raw: { s: '  x\n' }, want: [{ name: 's', type: 'string', value: '  x\n' }] },
    { name: 'array JSON', declared: [{ name: 'a', type: 'array' }], raw: { a: '["a", "b"]' }, want: [{ name: 'a', type: 'array', value: ['a', 'b'] }] },
    {
      name: 'object JSON (type from properties)',
      declared: [{ name: 'o', properties: { url: {}, digest: {} } }],
      raw: { o: '{"url":"u","digest":"d","extra":"e"}' },
      want: [{ name: 'o', type: 'object', value: { url: 'u', digest: 'd', extra: 'e' } }],
    },
    {
      name: 'object missing a declared key',
      declared: [{ name: 'o', type: 'object', properties: { url: {}, digest: {} } }],
      raw: { o: '{"url":"u"}' },
      want: [],
      errors: ['TaskRunValidationFailed: Provided results don\'t match declared results; result "o": missing key(s) declared in properties: digest'],
    },
    {
      name: 'invalid array JSON',
      declared: [{ name: 'a', type: 'array' }],
      raw: { a: 'not json' },
      want: [],
      errors: ['TaskRunValidationFailed: Provided results don\'t match declared results; result "a": expected a JSON array, got "not json"'],
    },
    {
      name: 'array of non-strings',
      declared: [{ name: 'a', type: 'array' }],
      raw: { a: '[1]' },
      want: [],
      errors: ['TaskRunValidationFailed: Provided results don\'t match declared results; result "a": expected a JSON array of strings, got "[1]"'],
    },
    { name: 'undeclared file ignored, declared missing fine', declared: [{ name: 'd' }], raw: { other: 'x' }, want: [] },
    { name: 'empty string result is kept', declared: [{ name: 'e' }], raw: { e: '' }, want: [{ name: 'e', type: 'string', value: '' }] },
    {
      name: 'value from a step result',
      declared: [{ name: 'digest', value: '$(steps.build.results.digest)' }, { name: 'gone', value: '$(steps.nope.results.x)' }],
      raw: {},
      steps: { build: { digest: 'sha' } },
      want: [{ name: 'digest', type: 'string', value: 'sha' }],
    },
  ];
  for (const c of cases) {
    const got = parseResults(c.declared, c.raw, c.steps);
    assert.deepEqual(got.results, c.want, c.name);
    assert.deepEqual(got.errors.map((e) => `${e.reason}: ${e.message}`), c.errors ?? [], c.name);
  }
});

test('step results at run time', () => {
  const { replacements: reps, errors } = stepResultReplacements(
    { first: { s: 'foo', arr: '["image1", "image2"]', obj: '{"IMAGE_URL":"ar.com","IMAGE_DIGEST":"sha234"}', looks: '[1,2]' } },
    { first: [{ name: 's' }, { name: 'arr', type: 'array' }] },
  );
  assert.deepEqual(errors, []);
  const cases: Array<{ name: string; args: string[]; want: string[] }> = [
    { name: '[*] expands in args', args: ['$(steps.first.results.arr[*])', 'end'], want: ['image1', 'image2', 'end'] },
    { name: 'whole array ref expands', args: ['$(steps.first.results.arr)'], want: ['image1', 'image2'] },
    { name: 'index', args: ['$(steps.first.results.arr[1])'], want: ['image2'] },
    { name: 'object key (undeclared: type from JSON)', args: ['$(steps.first.results.obj.IMAGE_URL)'], want: ['ar.com'] },
    { name: 'string', args: ['x=$(steps.first.results.s)'], want: ['x=foo'] },
    { name: 'non-string JSON stays a string', args: ['$(steps.first.results.looks)'], want: ['[1,2]'] },
    { name: 'unknown step left', args: ['$(steps.other.results.s)'], want: ['$(steps.other.results.s)'] },
  ];
  for (const c of cases) assert.deepEqual(applyStepResults({ args: c.args }, reps).args, c.want, c.name);
  const step = applyStepResults({ command: ['$(steps.first.results.arr[*])'], env: [{ name: 'E', value: '$(steps.first.results.s)' }, { name: 'F' }], script: '$(steps.first.results.s)' }, reps);
  assert.deepEqual(step, { command: ['image1', 'image2'], env: [{ name: 'E', value: 'foo' }, { name: 'F' }], script: '$(steps.first.results.s)' });
  assert.deepEqual(evaluateWhen([{ input: '$(steps.first.results.s)', operator: 'in', values: ['bar'] }], reps).run, false, 'stepaction-when.yaml');
});

test('declared array step result that is not JSON is an error', () => {
  const { errors } = stepResultReplacements({ a: { r: 'x' } }, { a: [{ name: 'r', type: 'array' }] });
  assert.deepEqual(errors.map((e) => e.message), ['step "a" result "r": expected a JSON array, got "x"']);
});
