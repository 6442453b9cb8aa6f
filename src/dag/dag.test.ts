import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ancestors, buildGraph, descendants, mustBuildGraph, readySet, ReadyTracker, successors, topologicalOrder,
  type GraphNode,
} from './dag.ts';

const n = (key: string, ...deps: string[]): GraphNode => ({ key, deps });

test('buildGraph errors', () => {
  const cases: Array<{ name: string; nodes: GraphNode[]; want: string[] }> = [
    { name: 'unknown dependency names node and key', nodes: [n('a'), n('b', 'a', 'x')], want: ['"b" depends on "x", which does not exist'] },
    { name: 'duplicate key', nodes: [n('a'), n('a')], want: ['duplicate key "a"'] },
    { name: 'self-loop', nodes: [n('a', 'a')], want: ['cycle detected: a -> a'] },
    { name: 'two-node cycle', nodes: [n('b', 'a'), n('a', 'b')], want: ['cycle detected: a -> b -> a'] },
    {
      name: 'cycle starts from lexically first task whatever the input order',
      nodes: [n('c', 'a'), n('b', 'c'), n('a', 'b'), n('z')],
      want: ['cycle detected: a -> b -> c -> a'],
    },
    {
      name: 'two cycles: the one through the lexically first key is reported',
      nodes: [n('y', 'x'), n('x', 'y'), n('q', 'p'), n('p', 'r'), n('r', 'q')],
      want: ['cycle detected: p -> r -> q -> p'],
    },
    {
      name: 'a node downstream of a cycle is not part of the report',
      nodes: [n('a', 'm'), n('m', 'n'), n('n', 'm')],
      want: ['cycle detected: m -> n -> m'],
    },
    {
      name: 'unknown dependency and cycle are both reported',
      nodes: [n('a', 'b', 'ghost'), n('b', 'a')],
      want: ['"a" depends on "ghost", which does not exist', 'cycle detected: a -> b -> a'],
    },
  ];
  for (const c of cases) {
    const r = buildGraph(c.nodes);
    assert.equal(r.ok, false, c.name);
    if (!r.ok) assert.deepEqual(r.errors.map((e) => e.message), c.want, c.name);
  }
});

test('two cycles: the report is stable under every input order', () => {
  const nodes = [n('d', 'c'), n('c', 'd'), n('b', 'a'), n('a', 'b'), n('e', 'a')];
  const seen = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const rotated = [...nodes.slice(i), ...nodes.slice(0, i)];
    for (const order of [rotated, [...rotated].reverse()]) {
      const r = buildGraph(order);
      if (!r.ok) seen.add(r.errors.map((e) => e.message).join());
    }
  }
  assert.deepEqual([...seen], ['cycle detected: a -> b -> a']);
});

test('cycle error carries the path', () => {
  const r = buildGraph([n('b', 'a'), n('a', 'b')]);
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual(r.errors[0], { kind: 'cycle', key: 'a', path: ['a', 'b', 'a'], message: 'cycle detected: a -> b -> a' });
});

test('diamond', () => {
  const g = mustBuildGraph([n('top'), n('left', 'top'), n('right', 'top'), n('bottom', 'left', 'right')]);
  const cases: Array<{ name: string; done: string[]; started?: string[]; want: string[] }> = [
    { name: 'start', done: [], want: ['top'] },
    { name: 'top done', done: ['top'], want: ['left', 'right'] },
    { name: 'left started', done: ['top'], started: ['left'], want: ['right'] },
    { name: 'one side done', done: ['top', 'left'], want: ['right'] },
    { name: 'both sides done', done: ['top', 'left', 'right'], want: ['bottom'] },
    { name: 'all done', done: ['top', 'left', 'right', 'bottom'], want: [] },
  ];
  for (const c of cases) assert.deepEqual(readySet(g, new Set(c.done), new Set(c.started ?? [])), c.want, c.name);
  assert.deepEqual(topologicalOrder(g), ['top', 'left', 'right', 'bottom']);
  assert.deepEqual(successors(g, 'top'), ['left', 'right']);
  assert.deepEqual(ancestors(g, 'bottom'), ['top', 'left', 'right']);
  assert.deepEqual(descendants(g, 'left'), ['bottom']);
  assert.deepEqual(ancestors(g, 'top'), []);
});

test('duplicate deps are counted once', () => {
  const g = mustBuildGraph([n('a'), n('b', 'a', 'a')]);
  assert.deepEqual(readySet(g, new Set(['a'])), ['b']);
  assert.deepEqual(g.deps.get('b'), ['a']);
});

test('1000-node chain', () => {
  const nodes = Array.from({ length: 1000 }, (_, i) => n(`t${i}`, ...(i ? [`t${i - 1}`] : [])));
  const g = mustBuildGraph(nodes);
  assert.equal(topologicalOrder(g).length, 1000);
  assert.equal(ancestors(g, 't999').length, 999);
  const done = new Set<string>();
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    const ready = readySet(g, done);
    assert.deepEqual(ready, [`t${i}`]);
    done.add(ready[0]);
  }
  assert.ok(performance.now() - t0 < 2000, 'ready sets along a chain stay cheap');
  const r = buildGraph([...nodes.slice(1), n('t0', 't999')]);
  assert.equal(r.ok, false, 'closing the chain is a cycle');
  if (!r.ok) assert.match(r.errors[0].message, /^cycle detected: t0 -> t999 -> t998 .* -> t1 -> t0$/);
});

test('200-wide fan-out / fan-in', () => {
  const mids = Array.from({ length: 200 }, (_, i) => `m${i}`);
  const g = mustBuildGraph([n('src'), ...mids.map((m) => n(m, 'src')), n('sink', ...mids)]);
  assert.deepEqual(readySet(g, new Set(['src'])), mids);
  const done = new Set(['src']);
  for (const m of mids) {
    assert.deepEqual(readySet(g, done, new Set(mids.filter((x) => !done.has(x)))), []);
    done.add(m);
  }
  assert.deepEqual(readySet(g, done), ['sink']);

  const tracker = new ReadyTracker(g);
  assert.deepEqual(tracker.initial(), ['src']);
  assert.equal(tracker.complete('src').length, 200);
  const last = mids.map((m) => tracker.complete(m));
  assert.deepEqual(last.at(-1), ['sink']);
  assert.ok(last.slice(0, -1).every((r) => r.length === 0));
  assert.deepEqual(tracker.complete('src'), [], 'completing twice is a no-op');
});

test('empty graph', () => {
  const g = mustBuildGraph([]);
  assert.deepEqual(readySet(g, new Set()), []);
  assert.deepEqual(topologicalOrder(g), []);
});
