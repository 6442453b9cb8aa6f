// The pipeline graph's shape and placement, without the DOM: dependencies, a quick layering to draw
// at once, and a cache of elk's positions per graph shape (runs of one Pipeline share a shape, so
// elk lays each shape out once, not once per page or per watch event).

export interface GraphTask { name: string; after: string[]; state: string; detail: string; finally?: boolean }
export type Point = { x: number; y: number };
export type Positions = Map<string, Point>;

/** A node's size in the graph (px). */
export const W = 190;
export const H = 54;

/** Dependencies of a pipeline task: runAfter plus every $(tasks.X.…) reference in its params and when. */
export function dependencies(t: any): string[] {
  const deps = new Set<string>(t.runAfter ?? []);
  const text = JSON.stringify([t.params ?? [], t.when ?? []]);
  for (const m of text.matchAll(/\$\(tasks\.([a-z0-9-]+)\./g)) deps.add(m[1]);
  return [...deps];
}

/** What the layout depends on (names, edges, finally): equal shapes get equal positions. */
export function shapeOf(tasks: readonly GraphTask[]): string {
  return tasks.map((t) => `${t.name}<${t.after.join(',')}${t.finally ? '!' : ''}`).join(';');
}

/** The edges elk lays out: each dependency, and every last regular task → each finally task. */
export function layoutEdges(tasks: readonly GraphTask[]): [string, string][] {
  const names = new Set(tasks.map((t) => t.name));
  const regular = tasks.filter((t) => !t.finally).map((t) => t.name);
  const last = regular.filter((r) => !tasks.some((u) => u.after.includes(r)));
  return tasks.flatMap((t): [string, string][] => (t.finally ? last.map((r) => [r, t.name]) : t.after.filter((a) => names.has(a)).map((a) => [a, t.name])));
}

/** Columns by longest path from a root, rows in order: a usable picture before elk's. */
export function quickLayout(tasks: readonly GraphTask[]): Positions {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const depth = new Map<string, number>();
  const depthOf = (n: string, seen: Set<string>): number => {
    if (depth.has(n)) return depth.get(n)!;
    if (seen.has(n)) return 0;
    seen.add(n);
    const t = byName.get(n);
    const d = t ? Math.max(-1, ...t.after.filter((a) => byName.has(a)).map((a) => depthOf(a, seen))) + 1 : 0;
    depth.set(n, d);
    return d;
  };
  const regularDepth = Math.max(0, ...tasks.filter((t) => !t.finally).map((t) => depthOf(t.name, new Set())));
  const rows = new Map<number, number>();
  const pos: Positions = new Map();
  for (const t of tasks) {
    const d = t.finally ? regularDepth + 1 : depthOf(t.name, new Set());
    const r = rows.get(d) ?? 0;
    rows.set(d, r + 1);
    pos.set(t.name, { x: d * (W + 48), y: r * (H + 24) });
  }
  return pos;
}

/** Where laid-out shapes are kept between pages (localStorage in the browser). */
export interface LayoutStorage { getItem(k: string): string | null; setItem(k: string, v: string): void }

/** A short, stable key for a shape (FNV-1a, 2 × 32 bits). */
export function shapeKey(shape: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < shape.length; i++) {
    const c = shape.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return `${a.toString(36)}${b.toString(36)}:${shape.length}`;
}

/**
 * Elk's positions per shape: in memory, and in `storage` under `key` (the `max` most recently
 * laid-out shapes, as `{shapeKey: [[name, x, y], …]}`); anything unreadable there is ignored.
 */
export function layoutCache(storage: LayoutStorage | undefined, { key = 'kiln-graph-layouts', max = 30 } = {}) {
  const memory = new Map<string, Positions>();
  const read = (): Record<string, [string, number, number][]> => {
    try {
      const v = JSON.parse(storage?.getItem(key) ?? '{}');
      return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
    } catch {
      return {};
    }
  };
  return {
    get(shape: string): Positions | undefined {
      const k = shapeKey(shape);
      if (memory.has(k)) return memory.get(k);
      const rows = read()[k];
      if (!Array.isArray(rows)) return undefined;
      const pos: Positions = new Map(rows.filter((r) => Array.isArray(r) && typeof r[0] === 'string' && Number.isFinite(r[1]) && Number.isFinite(r[2])).map(([n, x, y]) => [n, { x, y }]));
      memory.set(k, pos);
      return pos;
    },
    set(shape: string, pos: Positions): void {
      const k = shapeKey(shape);
      memory.set(k, pos);
      const all = read();
      delete all[k];
      all[k] = [...pos].map(([n, p]) => [n, Math.round(p.x), Math.round(p.y)]);
      const keys = Object.keys(all);
      for (const old of keys.slice(0, Math.max(0, keys.length - max))) delete all[old];
      try {
        storage?.setItem(key, JSON.stringify(all));
      } catch { /* full or refused: the memory copy still serves this page */ }
    },
  };
}
