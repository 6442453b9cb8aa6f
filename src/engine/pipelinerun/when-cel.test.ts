import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WhenExpression } from '../../api/when.types.ts';
import { celProblem, evaluateWhenExpressions } from './when-cel.ts';
import * as celLib from '@bufbuild/cel';
import { useCel } from './when-cel.ts';

useCel(celLib);

test('when expressions after substitution', () => {
  const rows: Array<{ name: string; when: WhenExpression[]; run: boolean; error?: boolean }> = [
    { name: 'none', when: [], run: true },
    { name: 'in', when: [{ input: 'a', operator: 'in', values: ['a', 'b'] }], run: true },
    { name: 'in, absent', when: [{ input: 'c', operator: 'in', values: ['a', 'b'] }], run: false },
    { name: 'notin', when: [{ input: 'c', operator: 'notin', values: ['a'] }], run: true },
    { name: 'AND of all', when: [{ input: 'a', operator: 'in', values: ['a'] }, { input: 'a', operator: 'notin', values: ['a'] }], run: false },
    { name: 'cel true', when: [{ cel: "'README.md' == 'README.md'" }], run: true },
    { name: 'cel false', when: [{ cel: "'monday'=='friday'" }], run: false },
    { name: 'cel matches', when: [{ cel: "'release/1.0'.matches('release/.*')" }], run: true },
    { name: 'cel eval error', when: [{ cel: '1 / 0 == 1' }], run: false, error: true },
    { name: 'cel not a boolean', when: [{ cel: "'x'" }], run: false, error: true },
  ];
  for (const r of rows) {
    const v = evaluateWhenExpressions(r.when);
    assert.equal(v.run, r.run, r.name);
    assert.equal(v.celError !== undefined, !!r.error, r.name);
  }
});

test('CEL rejected at admission: syntax errors and variables (the environment is empty)', () => {
  assert.equal(celProblem("'$(params.branch)'.matches('release/.*')"), undefined);
  assert.equal(celProblem("[1, 2].exists(i, i == 2)"), undefined);
  assert.match(celProblem("'a' == ") ?? '', /^invalid cel expression: 'a' == {2}with err: /);
  assert.equal(celProblem("params.branch == 'x'"), "invalid cel expression: params.branch == 'x' with err: undeclared reference to 'params' (in container '')");
});
