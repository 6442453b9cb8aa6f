import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WhenExpression } from '../api/when.types.ts';
import { evaluateWhen } from './when.ts';
import { layered, paramReplacements } from './substitute.ts';

const params = paramReplacements([['branch', 'main'], ['allowed', ['main', 'release']], ['none', []]]);
const reps = { ...params, strings: layered(new Map([['workspaces.w.bound', 'true']]), params.strings) };

test('evaluateWhen', () => {
  const cases: Array<{ name: string; exprs: WhenExpression[]; run: boolean; values?: string[]; errors?: string[] }> = [
    { name: 'no expressions', exprs: [], run: true },
    { name: 'in', exprs: [{ input: '$(params.branch)', operator: 'in', values: ['main'] }], run: true },
    { name: 'in, no match', exprs: [{ input: '$(params.branch)', operator: 'in', values: ['dev'] }], run: false },
    { name: 'notin', exprs: [{ input: '$(params.branch)', operator: 'notin', values: ['dev'] }], run: true },
    { name: 'array expansion of values', exprs: [{ input: '$(params.branch)', operator: 'in', values: ['$(params.allowed[*])'] }], run: true, values: ['main', 'release'] },
    { name: 'empty array', exprs: [{ input: 'x', operator: 'in', values: ['$(params.none[*])'] }], run: false, values: [] },
    { name: 'AND of all', exprs: [{ input: 'a', operator: 'in', values: ['a'] }, { input: 'a', operator: 'notin', values: ['a'] }], run: false },
    { name: 'workspace bound', exprs: [{ input: '$(workspaces.w.bound)', operator: 'in', values: ['true'] }], run: true },
    { name: 'unknown variable stays literal (stepaction-when.yaml)', exprs: [{ input: '$(workspaces.custom2.bound)', operator: 'in', values: ['true'] }], run: false },
    { name: 'cel', exprs: [{ cel: "'$(params.branch)' == 'main'" }], run: false, errors: ['cel when expressions are not supported yet'] },
    { name: 'bad operator', exprs: [{ input: 'a', operator: 'exists', values: [] }], run: false, errors: ['when[0]: operator "exists" is not supported (use "in" or "notin")'] },
  ];
  for (const c of cases) {
    const got = evaluateWhen(c.exprs, reps);
    assert.equal(got.run, c.run, c.name);
    assert.deepEqual(got.errors, c.errors ?? [], c.name);
    if (c.values) assert.deepEqual(got.evaluated[0].values, c.values, c.name);
  }
});

test('evaluated expressions are substituted', () => {
  const got = evaluateWhen([{ input: '$(params.branch)', operator: 'in', values: ['$(params.allowed[*])'] }], reps);
  assert.deepEqual(got.evaluated, [{ input: 'main', operator: 'in', values: ['main', 'release'] }]);
});
