// The graph's layout helpers: dependencies, the quick layering, the edges given to elk, and the
// per-shape cache of elk's positions (kept in storage, the oldest shapes dropped, bad data ignored).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dependencies, H, layoutCache, layoutEdges, quickLayout, shapeKey, shapeOf, W, type GraphTask, type LayoutStorage } from '../../dashboard/src/layout.ts';

const task = (name: string, after: string[] = [], fin = false): GraphTask => ({ name, after, state: 'Pending', detail: '', finally: fin });

function memoryStorage(): LayoutStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => { data.set(k, v); } };
}

describe('graph layout', () => {
  it('finds dependencies in runAfter, params and when', () => {
    const t = { runAfter: ['a'], params: [{ name: 'x', value: '$(tasks.b.results.out)' }], when: [{ input: '$(tasks.c.status)', operator: 'in', values: ['x'] }] };
    assert.deepEqual(dependencies(t).sort(), ['a', 'b', 'c']);
  });

  it('places each task in the column of its longest path, finally tasks after the rest', () => {
    const pos = quickLayout([task('a'), task('b', ['a']), task('c', ['a', 'b']), task('d'), task('f', [], true)]);
    const col = (n: string) => pos.get(n)!.x / (W + 48);
    const row = (n: string) => pos.get(n)!.y / (H + 24);
    assert.deepEqual(['a', 'b', 'c', 'd', 'f'].map(col), [0, 1, 2, 0, 3]);
    assert.deepEqual(['a', 'd'].map(row), [0, 1]);
  });

  it('survives a cycle (no infinite recursion)', () => {
    const pos = quickLayout([task('a', ['b']), task('b', ['a'])]);
    assert.equal(pos.size, 2);
  });

  it('gives elk the dependencies and the last regular tasks → each finally task', () => {
    const tasks = [task('a'), task('b', ['a']), task('c', ['a', 'gone']), task('f', [], true)];
    assert.deepEqual(layoutEdges(tasks), [['a', 'b'], ['a', 'c'], ['b', 'f'], ['c', 'f']]);
  });

  it('keys shapes by names, edges and finally', () => {
    assert.equal(shapeKey(shapeOf([task('a'), task('b', ['a'])])), shapeKey(shapeOf([task('a'), task('b', ['a'])])));
    assert.notEqual(shapeOf([task('a'), task('b', ['a'])]), shapeOf([task('a'), task('b')]));
    assert.notEqual(shapeOf([task('a'), task('b')]), shapeOf([task('a'), task('b', [], true)]));
    assert.notEqual(shapeKey('a<;b<a'), shapeKey('a<;b<'));
  });

  it('keeps elk positions per shape across pages, at most `max` shapes, the oldest dropped', () => {
    const storage = memoryStorage();
    const first = layoutCache(storage, { max: 2 });
    first.set('s1', new Map([['a', { x: 1.4, y: 2 }]]));
    first.set('s2', new Map([['a', { x: 3, y: 4 }]]));
    first.set('s3', new Map([['a', { x: 5, y: 6 }]]));
    assert.deepEqual(first.get('s1'), new Map([['a', { x: 1.4, y: 2 }]]), 'this page still has it in memory');
    const next = layoutCache(storage, { max: 2 }); // another page load
    assert.equal(next.get('s1'), undefined);
    assert.deepEqual(next.get('s2'), new Map([['a', { x: 3, y: 4 }]]));
    assert.deepEqual(next.get('s3'), new Map([['a', { x: 5, y: 6 }]]));
    assert.equal(next.get('s3'), next.get('s3'), 'the same Map each time: a render sees no change');
  });

  it('ignores what it cannot read in storage, and works without storage', () => {
    const storage = memoryStorage();
    storage.data.set('kiln-graph-layouts', '{not json');
    assert.equal(layoutCache(storage).get('s'), undefined);
    storage.data.set('kiln-graph-layouts', JSON.stringify({ [shapeKey('s')]: [['a', 1, 2], ['b', 'x', 3], 'junk'] }));
    assert.deepEqual(layoutCache(storage).get('s'), new Map([['a', { x: 1, y: 2 }]]));
    const none = layoutCache(undefined);
    none.set('s', new Map([['a', { x: 1, y: 1 }]]));
    assert.deepEqual(none.get('s'), new Map([['a', { x: 1, y: 1 }]]));
    const refusing = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    layoutCache(refusing).set('s', new Map());
  });
});
