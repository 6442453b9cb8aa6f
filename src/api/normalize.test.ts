import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, normalizeFields, suggest, suggestField } from './normalize.ts';
import { KIND_SCHEMAS, STEP, TASKRUN_SPEC } from './schema.ts';
import { KINDS } from './registry.ts';

test('every kind in the registry has a schema', () => {
  for (const k of KINDS) assert.ok(KIND_SCHEMAS[k.kind], k.kind);
});

test('editDistance and suggest', async (t) => {
  const cases = [
    { name: 'transposition counts one', a: 'scirpt', b: 'script', d: 1 },
    { name: 'insertion', a: 'imge', b: 'image', d: 1 },
    { name: 'equal', a: 'env', b: 'env', d: 0 },
    { name: 'unrelated', a: 'abc', b: 'xyz', d: 3 },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(editDistance(c.a, c.b), c.d));
  assert.equal(suggest('scirpt', ['image', 'script']), 'script');
  assert.equal(suggest('workingdirectory', ['workingDir']), undefined);
  assert.equal(suggest('zzzz', ['image']), undefined);
});

test('suggestField: the field an unknown key meant', async (t) => {
  const step = Object.keys(STEP.fields);
  const cases = [
    { name: 'a typo', key: 'scirpt', want: 'script' },
    { name: 'an abbreviated camel word', key: 'workdir', want: 'workingDir' },
    { name: 'a camel word spelled out', key: 'workingDirectory', want: 'workingDir' },
    { name: 'snake case', key: 'working_dir', want: 'workingDir' },
    { name: 'kebab case', key: 'on-error', want: 'onError' },
    { name: 'later words left out', key: 'imagepull', want: 'imagePullPolicy' },
    { name: 'snake case of a pipeline task field', key: 'run_after', want: 'runAfter', names: ['name', 'runAfter', 'retries'] },
    { name: 'nothing close', key: 'zzzz', want: undefined },
    { name: 'one word is not an abbreviation', key: 'vol', want: undefined },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(suggestField(c.key, c.names ?? step), c.want));
});

test('normalizeFields', async (t) => {
  const cases: Array<{ name: string; schema: typeof STEP; legacy?: boolean; in: unknown; want: unknown; unknown?: string[]; errors?: string[]; warnings?: string[] }> = [
    {
      name: 'keys respelled case-insensitively',
      schema: STEP, in: { IMAGE: 'a', workingdir: '/w', volumeMounts: [{ name: 'v', mountpath: '/m' }] },
      want: { image: 'a', workingDir: '/w', volumeMounts: [{ name: 'v', mountPath: '/m' }] },
    },
    {
      name: 'unknown fields dropped and reported with a suggestion',
      schema: STEP, in: { image: 'a', scirpt: 'x' }, want: { image: 'a' },
      unknown: ['scirpt: unknown field "scirpt"; did you mean "script"?'],
    },
    {
      name: 'an abbreviated field name gets a suggestion',
      schema: STEP, in: { image: 'a', workdir: '/w' }, want: { image: 'a' },
      unknown: ['workdir: unknown field "workdir"; did you mean "workingDir"?'],
    },
    {
      name: 'wrong types dropped and reported',
      schema: STEP, in: { image: 3, command: ['a', 4], timeout: 10 }, want: { command: ['a', ''] },
      errors: ['image: invalid type: expected string, got number', 'command[1]: invalid type: expected string, got number', 'timeout: invalid type: expected duration string (e.g. "1h30m"), got number'],
    },
    {
      name: 'nulls are absent',
      schema: STEP, in: { image: null, name: 's' }, want: { name: 's' },
    },
    {
      name: 'param values: scalars become text',
      schema: TASKRUN_SPEC, in: { params: [{ name: 'a', value: 1 }, { name: 'b', value: [true, 'x'] }, { name: 'c', value: { k: 2 } }] },
      want: { params: [{ name: 'a', value: '1' }, { name: 'b', value: ['true', 'x'] }, { name: 'c', value: { k: '2' } }] },
    },
    {
      name: 'legacy fields only with legacy',
      schema: TASKRUN_SPEC, legacy: true, in: { stepOverrides: [{ name: 's', resources: {} }] },
      want: { stepOverrides: [{ name: 's', resources: {} }] },
    },
    {
      name: 'the same field twice under two spellings',
      schema: STEP, in: { image: 'a', Image: 'b' }, want: { image: 'b' },
      warnings: ['Image: field "Image" repeats "image" (field names match case-insensitively); the last one wins'],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const r = normalizeFields(c.in, c.schema, { legacy: c.legacy });
      assert.deepEqual(r.value, c.want);
      assert.deepEqual(r.unknown.map((e) => `${e.path}: ${e.message}`), c.unknown ?? []);
      assert.deepEqual(r.errors.map((e) => `${e.path}: ${e.message}`), c.errors ?? []);
      assert.deepEqual(r.warnings.map((e) => `${e.path}: ${e.message}`), c.warnings ?? []);
    });
  }
});
