import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applySchema } from './schema.ts';

const SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10 },
        color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
        port: { 'x-kubernetes-int-or-string': true },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        note: { type: 'string', nullable: true },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};

const base = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };

describe('applySchema', () => {
  const cases: Array<{ name: string; spec: unknown; errors?: string[]; unknown?: string[]; spec2?: unknown }> = [
    { name: 'a valid object gets its defaults', spec: { size: 3 }, spec2: { size: 3, color: 'red' } },
    { name: 'a wrong type names the field and both types', spec: { size: 'big' }, errors: ['spec.size: Invalid value: "big": spec.size in body must be of type integer: "string"'] },
    { name: 'required', spec: {}, errors: ['spec.size: Required value'] },
    { name: 'enum', spec: { size: 1, color: 'pink' }, errors: ['spec.color: Unsupported value: "pink": supported values: "red", "blue"'] },
    { name: 'minimum', spec: { size: 0 }, errors: ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1'] },
    { name: 'maximum', spec: { size: 11 }, errors: ['spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10'] },
    { name: 'pattern', spec: { size: 1, name: 'A1' }, errors: ["spec.name: Invalid value: \"A1\": spec.name in body should match '^[a-z]+$'"] },
    { name: 'maxLength', spec: { size: 1, name: 'abcdef' }, errors: ['spec.name: Too long: may not be more than 5 bytes'] },
    { name: 'items are checked with their index', spec: { size: 1, tags: ['a', 2] }, errors: ['spec.tags[1]: Invalid value: 2: spec.tags[1] in body must be of type string: "integer"'] },
    { name: 'maxItems', spec: { size: 1, tags: ['a', 'b', 'c'] }, errors: ['spec.tags: Too many: 3: must have at most 2 items'] },
    { name: 'int-or-string takes either', spec: { size: 1, port: 'http' }, spec2: { size: 1, port: 'http', color: 'red' } },
    { name: 'int-or-string refuses others', spec: { size: 1, port: true }, errors: ['spec.port: Invalid value: true: spec.port in body must be of type integer or string: "boolean"'] },
    { name: 'unknown fields are pruned and reported', spec: { size: 1, bogus: 1 }, unknown: ['spec.bogus'], spec2: { size: 1, color: 'red' } },
    { name: 'preserve-unknown-fields keeps what it holds', spec: { size: 1, free: { a: { b: 1 } } }, spec2: { size: 1, free: { a: { b: 1 } }, color: 'red' } },
    { name: 'additionalProperties checks every value', spec: { size: 1, labels: { a: 'x', b: 2 } }, errors: ['spec.labels.b: Invalid value: 2: spec.labels.b in body must be of type string: "integer"'] },
    { name: 'null only where nullable', spec: { size: null, note: null }, errors: ['spec.size: Invalid value: null: spec.size in body must be of type integer: "null"'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = applySchema({ ...base, spec: c.spec }, SCHEMA);
      assert.deepEqual(r.errors.map((e) => `${e.path}: ${e.message}`), c.errors ?? []);
      assert.deepEqual(r.unknown.map((e) => e.path), c.unknown ?? []);
      if (c.spec2) assert.deepEqual((r.value as { spec: unknown }).spec, c.spec2);
    });
  }

  it('keeps apiVersion, kind and metadata at the root without checking them; prunes other unknown root fields', () => {
    const r = applySchema({ ...base, metadata: { name: 'w', labels: { a: 'b' } }, spec: { size: 1 }, extra: true }, SCHEMA);
    assert.deepEqual(r.value, { ...base, metadata: { name: 'w', labels: { a: 'b' } }, spec: { size: 1, color: 'red' } });
    assert.deepEqual(r.unknown.map((e) => e.message), ['unknown field "extra"']);
  });

  it('anyOf and oneOf check without pruning', () => {
    const s = { type: 'object', properties: { v: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\d+%$' }] } } };
    assert.deepEqual(applySchema({ v: '50%' }, s).errors, []);
    assert.deepEqual(applySchema({ v: 'x' }, s).errors.map((e) => e.path), ['v']);
  });
});
