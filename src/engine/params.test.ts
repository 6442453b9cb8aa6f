import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Param, ParamSpec, ParamValue } from '../api/param.types.ts';
import { referencedParams, resolveParams } from './params.ts';

test('resolveParams', () => {
  const cases: Array<{ name: string; specs: ParamSpec[]; run: Param[]; propagate?: boolean; want: Record<string, ParamValue>; errors?: string[] }> = [
    { name: 'run value wins over default', specs: [{ name: 'a', default: 'd' }], run: [{ name: 'a', value: 'r' }], want: { a: 'r' } },
    { name: 'default used', specs: [{ name: 'a', default: 'd' }, { name: 'arr', type: 'array', default: ['x'] }], run: [], want: { a: 'd', arr: ['x'] } },
    {
      name: 'object default merged under partial run value (object-param-result.yaml)',
      specs: [{ name: 'gitrepo', type: 'object', properties: { url: {}, commit: {} }, default: { url: 'github.example.com' } }],
      run: [{ name: 'gitrepo', value: { commit: 'sha123' } }],
      want: { gitrepo: { url: 'github.example.com', commit: 'sha123' } },
    },
    {
      name: 'default referencing another param uses its final value',
      specs: [{ name: 'b', default: '$(params.a)-suffix' }, { name: 'a', default: 'da' }, { name: 'c', default: "$(params['b'])!" }],
      run: [{ name: 'a', value: 'ra' }],
      want: { a: 'ra', b: 'ra-suffix', c: 'ra-suffix!' },
    },
    {
      name: 'default referencing an array element and an object key',
      specs: [{ name: 'arr', type: 'array', default: ['x', 'y'] }, { name: 'o', properties: { k: {} }, default: { k: 'v' } }, { name: 'd', default: '$(params.arr[1])/$(params.o.k)' }],
      run: [],
      want: { arr: ['x', 'y'], o: { k: 'v' }, d: 'y/v' },
    },
    {
      name: 'reference cycle is left as written',
      specs: [{ name: 'a', default: '$(params.b)' }, { name: 'b', default: '$(params.a)' }],
      run: [],
      want: { a: '$(params.b)', b: '$(params.a)' },
    },
    { name: 'undeclared run params ignored without propagation', specs: [], run: [{ name: 'x', value: '1' }], want: {} },
    { name: 'undeclared run params visible with propagation', specs: [], run: [{ name: 'x', value: ['1'] }], propagate: true, want: { x: ['1'] } },
    { name: 'missing required', specs: [{ name: 'a' }, { name: 'b' }], run: [], want: {}, errors: ['ParameterMissing: missing parameter(s): a, b'] },
    {
      name: 'type mismatch',
      specs: [{ name: 'a', type: 'array' }],
      run: [{ name: 'a', value: 's' }],
      want: { a: 's' },
      errors: ['ParameterTypeMismatch: parameter "a": expected type "array", got "string"'],
    },
    {
      name: 'enum',
      specs: [{ name: 'a', enum: ['x', 'y'] }],
      run: [{ name: 'a', value: 'z' }],
      want: { a: 'z' },
      errors: ['InvalidParamValue: parameter "a": value "z" is not in the enum [x y]'],
    },
    {
      name: 'object keys missing from value and default',
      specs: [{ name: 'o', properties: { a: {}, b: {} } }],
      run: [{ name: 'o', value: { a: '1' } }],
      want: { o: { a: '1' } },
      errors: ['ObjectParameterMissKeys: parameter "o": missing key(s) declared in properties: b'],
    },
  ];
  for (const c of cases) {
    const got = resolveParams(c.specs, c.run, { propagate: c.propagate });
    assert.deepEqual(Object.fromEntries(got.values), c.want, c.name);
    assert.deepEqual(got.errors.map((e) => `${e.reason}: ${e.message}`), c.errors ?? [], c.name);
  }
});

test('referencedParams', () => {
  assert.deepEqual(referencedParams('$(params.a) $(params["b.c"]) $(params.arr[0]) $(params.o.k) $(context.x)'), ['a', 'b.c', 'arr', 'o.k']);
});
