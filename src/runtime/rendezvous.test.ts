import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash53, ownerOf } from './rendezvous.ts';

const keys = Array.from({ length: 3000 }, (_, i) => `ns-${i % 7}/run-${i}`);

test('hash53 is stable and spreads similar strings', () => {
  assert.equal(hash53('default/a'), hash53('default/a'));
  assert.notEqual(hash53('default/a'), hash53('default/b'));
  assert.ok(Number.isSafeInteger(hash53('x')) && hash53('x') >= 0);
});

test('ownerOf: none for no members, the one member otherwise, independent of member order', () => {
  assert.equal(ownerOf('default/a', []), undefined);
  assert.equal(ownerOf('default/a', ['r1']), 'r1');
  for (const k of keys.slice(0, 200)) assert.equal(ownerOf(k, ['r1', 'r2', 'r3']), ownerOf(k, ['r3', 'r1', 'r2']));
});

test('ownerOf shares keys about evenly among members', () => {
  const counts = new Map<string, number>();
  for (const k of keys) {
    const o = ownerOf(k, ['a', 'b', 'c'])!;
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), ['a', 'b', 'c']);
  for (const [m, n] of counts) assert.ok(n > 800 && n < 1200, `${m} has ${n} of 3000 keys`);
});

test('when a member leaves, only its keys move; when one joins, keys move only to it', () => {
  const before = new Map(keys.map((k) => [k, ownerOf(k, ['a', 'b', 'c'])!]));
  for (const k of keys) {
    const after = ownerOf(k, ['a', 'c'])!;
    if (before.get(k) !== 'b') assert.equal(after, before.get(k), `${k} moved though its owner stayed`);
    else assert.ok(after === 'a' || after === 'c');
  }
  let moved = 0;
  for (const k of keys) {
    const after = ownerOf(k, ['a', 'b', 'c', 'd'])!;
    if (after !== before.get(k)) {
      assert.equal(after, 'd', `${k} moved to ${after}, not to the new member`);
      moved++;
    }
  }
  assert.ok(moved > 600 && moved < 900, `${moved} of 3000 keys moved to the fourth member`);
});
