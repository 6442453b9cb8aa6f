// A generic dependency graph over `{ key, deps }` nodes: build with deterministic errors,
// ready sets, topological order, successors/ancestors/descendants. No IO, no imports.

/** One node: its key and the keys it depends on (must finish before it can start). */
export interface GraphNode {
  key: string;
  deps: readonly string[];
}

/** A built, acyclic graph. Treat as read-only. */
export interface Graph {
  /** keys in input order */
  readonly keys: readonly string[];
  /** key → de-duplicated dependencies, in the order first written */
  readonly deps: ReadonlyMap<string, readonly string[]>;
  /** key → nodes that depend on it, in input order */
  readonly successors: ReadonlyMap<string, readonly string[]>;
  /** keys with no dependencies, in input order */
  readonly roots: readonly string[];
}

export type GraphErrorKind = 'duplicate' | 'unknown-dependency' | 'cycle';

/** Why a graph could not be built. `path` is set for cycles: `[a, b, c, a]`. */
export interface GraphError {
  kind: GraphErrorKind;
  key: string;
  message: string;
  missing?: string;
  path?: string[];
}

export type BuildResult = { ok: true; graph: Graph } | { ok: false; errors: GraphError[] };

/**
 * Builds a graph. Reports every duplicate key and every unknown dependency (input order), and at
 * most one cycle: the one through the lexically first key that lies on a cycle, following
 * dependencies in lexical order, e.g. `cycle detected: a -> b -> c -> a` (a depends on b …).
 */
export function buildGraph(nodes: readonly GraphNode[]): BuildResult {
  const errors: GraphError[] = [];
  const deps = new Map<string, string[]>();
  const keys: string[] = [];
  for (const n of nodes) {
    if (deps.has(n.key)) {
      errors.push({ kind: 'duplicate', key: n.key, message: `duplicate key "${n.key}"` });
      continue;
    }
    deps.set(n.key, [...new Set(n.deps)]);
    keys.push(n.key);
  }
  for (const key of keys) {
    for (const d of deps.get(key)!) {
      if (!deps.has(d)) {
        errors.push({ kind: 'unknown-dependency', key, missing: d, message: `"${key}" depends on "${d}", which does not exist` });
      }
    }
  }
  // Unknown dependencies are dropped so a cycle can still be reported alongside them.
  for (const key of keys) deps.set(key, deps.get(key)!.filter((d) => deps.has(d)));
  const cycle = findCycle(keys, deps);
  if (cycle) {
    errors.push({ kind: 'cycle', key: cycle[0], path: cycle, message: `cycle detected: ${cycle.join(' -> ')}` });
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, graph: assemble(keys, deps) };
}

/** Like {@link buildGraph} but throws an Error whose message lists every problem. */
export function mustBuildGraph(nodes: readonly GraphNode[]): Graph {
  const r = buildGraph(nodes);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.graph;
}

function assemble(keys: string[], deps: Map<string, string[]>): Graph {
  const successors = new Map<string, string[]>();
  for (const k of keys) successors.set(k, []);
  for (const k of keys) for (const d of deps.get(k)!) successors.get(d)!.push(k);
  const roots = keys.filter((k) => deps.get(k)!.length === 0);
  return { keys, deps, successors, roots };
}

/**
 * Finds the cycle reported by buildGraph, or undefined. Uses strongly connected components
 * (iterative Tarjan) so the report does not depend on input order, then a BFS inside the
 * component of the lexically first cyclic key for the shortest way back to it.
 */
function findCycle(keys: string[], deps: Map<string, string[]>): string[] | undefined {
  const comp = stronglyConnected(keys, deps);
  let start: string | undefined;
  for (const k of keys) {
    const onCycle = comp.sizes[comp.of.get(k)!] > 1 || deps.get(k)!.includes(k);
    if (onCycle && (start === undefined || k < start)) start = k;
  }
  if (start === undefined) return undefined;
  if (deps.get(start)!.includes(start)) return [start, start];
  const id = comp.of.get(start)!;
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const cur = queue[i];
    for (const d of [...deps.get(cur)!].sort()) {
      if (comp.of.get(d) !== id) continue;
      if (d === start) return pathBack(prev, cur, start);
      if (!prev.has(d)) {
        prev.set(d, cur);
        queue.push(d);
      }
    }
  }
  return undefined; // unreachable: a component of size > 1 always leads back
}

function pathBack(prev: Map<string, string>, last: string, start: string): string[] {
  const path = [last];
  while (path[0] !== start) path.unshift(prev.get(path[0])!);
  path.push(start);
  return path;
}

interface Components { of: Map<string, number>; sizes: number[] }

/** Tarjan's algorithm without recursion (deep chains must not overflow the stack). */
function stronglyConnected(keys: string[], deps: Map<string, string[]>): Components {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const of = new Map<string, number>();
  const sizes: number[] = [];
  let counter = 0;
  for (const root of keys) {
    if (index.has(root)) continue;
    const work: Array<{ key: string; next: number }> = [{ key: root, next: 0 }];
    index.set(root, counter); low.set(root, counter++); stack.push(root); onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1];
      const ds = deps.get(frame.key)!;
      if (frame.next < ds.length) {
        const d = ds[frame.next++];
        if (!index.has(d)) {
          index.set(d, counter); low.set(d, counter++); stack.push(d); onStack.add(d);
          work.push({ key: d, next: 0 });
        } else if (onStack.has(d)) {
          low.set(frame.key, Math.min(low.get(frame.key)!, index.get(d)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].key;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.key)!));
      }
      if (low.get(frame.key) === index.get(frame.key)) {
        const id = sizes.length;
        let size = 0;
        let k: string;
        do {
          k = stack.pop()!;
          onStack.delete(k);
          of.set(k, id);
          size++;
        } while (k !== frame.key);
        sizes.push(size);
      }
    }
  }
  return { of, sizes };
}

/**
 * Keys that can start now: not done, not started, and every dependency done. In input order.
 * Cost is O(roots + edges out of `done`): dependencies are counted, never rescanned.
 */
export function readySet(graph: Graph, done: ReadonlySet<string>, started: ReadonlySet<string> = new Set()): string[] {
  const satisfied = new Map<string, number>();
  const candidates = new Set<string>(graph.roots);
  for (const d of done) {
    for (const s of graph.successors.get(d) ?? []) {
      satisfied.set(s, (satisfied.get(s) ?? 0) + 1);
      candidates.add(s);
    }
  }
  const ready: string[] = [];
  for (const k of candidates) {
    if (done.has(k) || started.has(k)) continue;
    if ((satisfied.get(k) ?? 0) === graph.deps.get(k)!.length) ready.push(k);
  }
  return sortByInput(graph, ready);
}

function sortByInput(graph: Graph, keys: string[]): string[] {
  if (keys.length < 2) return keys;
  const pos = new Map(graph.keys.map((k, i) => [k, i]));
  return keys.sort((a, b) => pos.get(a)! - pos.get(b)!);
}

/**
 * Incremental ready tracking with indegree counts, for callers that complete keys one at a
 * time (benchmarks, one-shot runs): `complete(k)` costs O(successors of k).
 */
export class ReadyTracker {
  readonly #graph: Graph;
  readonly #remaining = new Map<string, number>();
  readonly #done = new Set<string>();

  constructor(graph: Graph) {
    this.#graph = graph;
    for (const k of graph.keys) this.#remaining.set(k, graph.deps.get(k)!.length);
  }

  /** Keys ready at the start (the roots). */
  initial(): string[] {
    return [...this.#graph.roots];
  }

  /** Marks `key` done; returns keys that became ready because of it, in input order. */
  complete(key: string): string[] {
    if (this.#done.has(key) || !this.#remaining.has(key)) return [];
    this.#done.add(key);
    const ready: string[] = [];
    for (const s of this.#graph.successors.get(key)!) {
      const left = this.#remaining.get(s)! - 1;
      this.#remaining.set(s, left);
      if (left === 0) ready.push(s);
    }
    return ready;
  }
}

/** A topological order (dependencies first); ties keep input order (Kahn's algorithm). */
export function topologicalOrder(graph: Graph): string[] {
  const tracker = new ReadyTracker(graph);
  const order = tracker.initial();
  for (let i = 0; i < order.length; i++) order.push(...tracker.complete(order[i]));
  return order;
}

/** Direct dependents of `key`. */
export function successors(graph: Graph, key: string): string[] {
  return [...(graph.successors.get(key) ?? [])];
}

/** Every key `key` depends on, directly or not, in input order. */
export function ancestors(graph: Graph, key: string): string[] {
  return sortByInput(graph, [...reach(key, (k) => graph.deps.get(k) ?? [])]);
}

/** Every key that depends on `key`, directly or not, in input order. */
export function descendants(graph: Graph, key: string): string[] {
  return sortByInput(graph, [...reach(key, (k) => graph.successors.get(k) ?? [])]);
}

function reach(from: string, next: (k: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...next(from)];
  for (let i = 0; i < queue.length; i++) {
    const k = queue[i];
    if (seen.has(k)) continue;
    seen.add(k);
    queue.push(...next(k));
  }
  return seen;
}
