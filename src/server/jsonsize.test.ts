import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { measureJson, memberOverhead, scalarSize } from './jsonsize.ts';

describe('measureJson', () => {
  const cases: Array<{ name: string; value: unknown; depth: number }> = [
    { name: 'null', value: null, depth: 0 },
    { name: 'true', value: true, depth: 0 },
    { name: 'false', value: false, depth: 0 },
    { name: 'a negative fraction', value: -12.5e-7, depth: 0 },
    { name: 'a string with escapes and non-ASCII', value: 'a"b\\c\nd\u0001é😀', depth: 0 },
    { name: 'an empty object', value: {}, depth: 1 },
    { name: 'an empty list', value: [], depth: 1 },
    { name: 'a list of scalars', value: [1, 'two', null, false], depth: 1 },
    { name: 'an object with an escaped key', value: { 'a"b': 1, c: [] }, depth: 2 },
    { name: 'nested', value: { a: [{ b: { c: [1, [2, [3]]] } }] }, depth: 7 },
    { name: 'an own __proto__ key', value: JSON.parse('{"__proto__":{"x":[1]},"y":2}'), depth: 3 },
  ];
  for (const c of cases) {
    it(`${c.name}: the length of JSON.stringify, and the depth`, () => {
      assert.deepEqual(measureJson(c.value), { size: JSON.stringify(c.value).length, depth: c.depth });
    });
  }

  it('stops once over the cap, with a size over it', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => ({ i, s: 'x'.repeat(10) }));
    const capped = measureJson(big, 1000);
    assert.ok(capped.size > 1000, String(capped.size));
    assert.ok(capped.size < JSON.stringify(big).length, 'measuring stopped early');
    assert.equal(measureJson(big).size, JSON.stringify(big).length);
  });

  it('measures a value nested far deeper than the call stack allows', () => {
    let v: unknown = 1;
    for (let i = 0; i < 200_000; i++) v = [v];
    assert.deepEqual(measureJson(v), { size: 200_000 * 2 + 1, depth: 200_000 });
  });
});

describe('scalarSize and memberOverhead', () => {
  it('scalars as JSON text', () => {
    for (const v of ['', 'é', '\u2028', 0, -0, 1e21, 3.14, true, false, null]) assert.equal(scalarSize(v), JSON.stringify(v).length, String(v));
  });
  it('a member adds its key, a colon and a comma; a list item a comma', () => {
    assert.equal(memberOverhead('ab'), '"ab":,'.length);
    assert.equal(memberOverhead(undefined), 1);
  });
});
