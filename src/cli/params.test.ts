import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Param, ParamSpec } from '../api/param.types.ts';
import { CliError } from './exit.ts';
import { mergeParams, parseParams, parseWorkspaces } from './params.ts';

const specs: ParamSpec[] = [
  { name: 'list', type: 'array' },
  { name: 'implicit-list', default: ['x'] },
  { name: 'obj', type: 'object', properties: { url: {}, rev: {} } },
  { name: 'implicit-obj', properties: { a: {} } },
  { name: 'str', type: 'string' },
];

describe('parseParams', () => {
  const cases: Array<{ name: string; flags: string[]; want: Param[] }> = [
    { name: 'declared array splits on commas', flags: ['list=a,b,c'], want: [{ name: 'list', value: ['a', 'b', 'c'] }] },
    { name: 'an empty array', flags: ['list='], want: [{ name: 'list', value: [] }] },
    { name: 'an array by its default', flags: ['implicit-list=a,b'], want: [{ name: 'implicit-list', value: ['a', 'b'] }] },
    { name: 'declared object takes key:value pairs', flags: ['obj=url:https://example.com/r.git,rev:main'], want: [{ name: 'obj', value: { url: 'https://example.com/r.git', rev: 'main' } }] },
    { name: 'an object by its properties', flags: ['implicit-obj=a:1'], want: [{ name: 'implicit-obj', value: { a: '1' } }] },
    { name: 'declared string is verbatim', flags: ['str=a,b=c:d'], want: [{ name: 'str', value: 'a,b=c:d' }] },
    { name: 'undeclared is a string', flags: ['other=a,b'], want: [{ name: 'other', value: 'a,b' }] },
    { name: 'an empty value', flags: ['str='], want: [{ name: 'str', value: '' }] },
    {
      name: 'a repeated flag keeps the last value, in the last position',
      flags: ['str=first', 'other=x', 'str=second'],
      want: [{ name: 'other', value: 'x' }, { name: 'str', value: 'second' }],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(parseParams(c.flags, specs), c.want));

  test('without specs every value is a string', () => {
    assert.deepEqual(parseParams(['list=a,b']), [{ name: 'list', value: 'a,b' }]);
  });

  const errors: Array<{ name: string; flag: string; message: string }> = [
    { name: 'no =', flag: 'str', message: '-p str: expected name=value' },
    { name: 'no name', flag: '=v', message: '-p =v: expected name=value' },
    { name: 'object pair without a colon', flag: 'obj=url', message: '-p obj=url: object param "obj" expects key:value pairs separated by commas' },
    { name: 'object pair without a key', flag: 'obj=url:x,:y', message: '-p obj=url:x,:y: object param "obj" expects key:value pairs separated by commas' },
    { name: 'empty object', flag: 'obj=', message: '-p obj=: object param "obj" expects key:value pairs separated by commas' },
  ];
  for (const c of errors) {
    test(`CliError (code 2): ${c.name}`, () => {
      assert.throws(() => parseParams([c.flag], specs), (e: unknown) => {
        assert.ok(e instanceof CliError);
        assert.equal(e.code, 2);
        assert.equal(e.message, c.message);
        return true;
      });
    });
  }
});

describe('parseWorkspaces', () => {
  const resolvePath = (p: string) => `/abs/${p.replace(/^\.\//, '')}`;

  test('name=DIR → a host directory binding, path resolved by the caller', () => {
    assert.deepEqual(parseWorkspaces(['src=./checkout', 'cache=c=1'], resolvePath), [
      { name: 'src', hostPath: { path: '/abs/checkout' } },
      { name: 'cache', hostPath: { path: '/abs/c=1' } },
    ]);
  });

  const errors: Array<{ name: string; flag: string; message: string }> = [
    { name: 'missing =', flag: 'src', message: '-w src: expected name=value' },
    { name: 'missing name', flag: '=dir', message: '-w =dir: expected name=value' },
    { name: 'missing DIR', flag: 'src=', message: '-w src=: expected name=DIR' },
  ];
  for (const c of errors) {
    test(`CliError (code 2): ${c.name}`, () => {
      assert.throws(() => parseWorkspaces([c.flag], resolvePath), { name: 'CliError', code: 2, message: c.message });
    });
  }
});

describe('mergeParams', () => {
  const cases: Array<{ name: string; base: Param[] | undefined; extra: Param[]; want: Param[] }> = [
    { name: 'no base', base: undefined, extra: [{ name: 'a', value: '1' }], want: [{ name: 'a', value: '1' }] },
    { name: 'no extra', base: [{ name: 'a', value: '1' }], extra: [], want: [{ name: 'a', value: '1' }] },
    {
      name: 'extra replaces by name and is appended after the rest',
      base: [{ name: 'a', value: '1' }, { name: 'b', value: ['x'] }, { name: 'c', value: '3' }],
      extra: [{ name: 'b', value: ['y', 'z'] }, { name: 'd', value: '4' }],
      want: [{ name: 'a', value: '1' }, { name: 'c', value: '3' }, { name: 'b', value: ['y', 'z'] }, { name: 'd', value: '4' }],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(mergeParams(c.base, c.extra), c.want));
});
