import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Param, ParamSpec } from './param.types.ts';
import { paramTypeOf, validateParamValues, paramProblems } from './param.validation.ts';

const specs: ParamSpec[] = [
  { name: 'url' },
  { name: 'flags', type: 'array', default: [] },
  { name: 'list', type: 'array' },
  { name: 'mode', enum: ['a', 'b'], default: 'a' },
  { name: 'repo', properties: { url: {}, commit: {} }, default: { url: 'github.example.com' } },
  { name: 'rev', default: 'main' },
];

test('validateParamValues', () => {
  const cases: Array<{ name: string; params: Param[]; allowExtra?: boolean; want: Array<[string, string]> }> = [
    { name: 'all good', params: [{ name: 'url', value: 'u' }, { name: 'list', value: ['x'] }], want: [] },
    {
      name: 'missing required params are named together at the list path',
      params: [],
      want: [['spec.params', 'missing parameter(s): url, list']],
    },
    {
      name: 'type mismatch names the value path',
      params: [{ name: 'url', value: 'u' }, { name: 'list', value: ['x'] }, { name: 'flags', value: 'oops' }],
      want: [['spec.params[2].value', 'expected type "array", got "string"']],
    },
    {
      name: 'string given an array',
      params: [{ name: 'url', value: ['a'] }, { name: 'list', value: [] }],
      want: [['spec.params[0].value', 'expected type "string", got "array"']],
    },
    {
      name: 'enum',
      params: [{ name: 'url', value: 'u' }, { name: 'list', value: [] }, { name: 'mode', value: 'z' }],
      want: [['spec.params[2].value', 'value "z" is not in the enum [a b]']],
    },
    {
      name: 'object: default fills missing keys',
      params: [{ name: 'url', value: 'u' }, { name: 'list', value: [] }, { name: 'repo', value: { commit: 'sha' } }],
      want: [],
    },
    {
      name: 'object: undeclared key and key missing from value and default',
      params: [{ name: 'url', value: 'u' }, { name: 'list', value: [] }, { name: 'repo', value: { url: 'x', branch: 'b' } }],
      want: [
        ['spec.params[2].value', 'key(s) not declared in properties: branch'],
        ['spec.params[2].value', 'missing key(s) declared in properties: commit'],
      ],
    },
    {
      name: 'extra params rejected by default',
      params: [{ name: 'url', value: 'u' }, { name: 'list', value: [] }, { name: 'extra', value: 'e' }],
      want: [['spec.params[2].name', 'parameter "extra" is not declared']],
    },
    {
      name: 'extra params allowed with allowExtra',
      params: [{ name: 'url', value: 'u' }, { name: 'list', value: [] }, { name: 'extra', value: 'e' }],
      allowExtra: true,
      want: [],
    },
    {
      name: 'a whole reference is resolved later, not type-checked',
      params: [{ name: 'url', value: 'u' }, { name: 'list', value: '$(tasks.a.results.r[*])' }, { name: 'mode', value: '$(params.m)' }],
      want: [],
    },
    {
      name: 'every problem is reported',
      params: [{ name: 'flags', value: 'x' }, { name: 'mode', value: 'c' }],
      want: [
        ['spec.params[0].value', 'expected type "array", got "string"'],
        ['spec.params[1].value', 'value "c" is not in the enum [a b]'],
        ['spec.params', 'missing parameter(s): url, list'],
      ],
    },
  ];
  for (const c of cases) {
    const got = validateParamValues(specs, c.params, { path: 'spec.params', allowExtra: c.allowExtra });
    assert.deepEqual(got.map((e) => [e.path, e.message]), c.want, c.name);
  }
});

test('paramProblems carries Tekton reasons', () => {
  const got = paramProblems(specs, [{ name: 'flags', value: 'x' }, { name: 'mode', value: 'c' }, { name: 'repo', value: { url: 'x', branch: 'b' } }]);
  assert.deepEqual(got.map((p) => p.reason), ['ParameterTypeMismatch', 'InvalidParamValue', 'InvalidParamValue', 'ObjectParameterMissKeys', 'ParameterMissing']);
});

test('paramTypeOf infers like ParamSpec.SetDefaults', () => {
  const cases: Array<{ name: string; spec: ParamSpec; want: string }> = [
    { name: 'explicit', spec: { name: 'p', type: 'array', default: 'x' }, want: 'array' },
    { name: 'properties', spec: { name: 'p', properties: {} }, want: 'object' },
    { name: 'default array', spec: { name: 'p', default: ['a'] }, want: 'array' },
    { name: 'default object', spec: { name: 'p', default: { a: 'b' } }, want: 'object' },
    { name: 'nothing', spec: { name: 'p' }, want: 'string' },
  ];
  for (const c of cases) assert.equal(paramTypeOf(c.spec), c.want, c.name);
});
