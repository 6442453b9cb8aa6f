// A pipeline's graph: tasks as nodes (state, duration, retries, why skipped), runAfter and
// result/param references as edges, laid out by elkjs and drawn by @xyflow/react.
import { useEffect, useMemo, useState } from 'react';
import { ReactFlow, Background, Controls, Position, useNodesInitialized, useReactFlow, type Edge, type Node } from '@xyflow/react';
import ELK from 'elkjs/lib/elk-api.js';
import '@xyflow/react/dist/style.css';

export interface GraphTask { name: string; after: string[]; state: string; detail: string; finally?: boolean }

// the layout runs in a worker: a 200-task graph must not hold the page (its log, its header) back
const elk = new ELK({ workerFactory: () => new Worker(new URL('elkjs/lib/elk-worker.min.js', import.meta.url)) as never });
const W = 190;
const H = 54;

/** Dependencies of a pipeline task: runAfter plus every $(tasks.X.…) reference in its params and when. */
export function dependencies(t: any): string[] {
  const deps = new Set<string>(t.runAfter ?? []);
  const text = JSON.stringify([t.params ?? [], t.when ?? []]);
  for (const m of text.matchAll(/\$\(tasks\.([a-z0-9-]+)\./g)) deps.add(m[1]);
  return [...deps];
}

export function Graph({ tasks, selected, onSelect }: { tasks: GraphTask[]; selected?: string; onSelect: (name: string) => void }) {
  const shape = tasks.map((t) => `${t.name}<${t.after.join(',')}${t.finally ? '!' : ''}`).join(';');
  // drawn at once with a quick layering, then placed by elk when its worker answers
  const quick = useMemo(() => quickLayout(tasks), [shape]);
  const [elkPos, setPos] = useState<{ shape: string; pos: Map<string, { x: number; y: number }> }>();
  const laidOut = elkPos?.shape === shape;
  const pos = laidOut ? elkPos.pos : quick;
  useEffect(() => {
    let live = true;
    const names = new Set(tasks.map((t) => t.name));
    const regular = tasks.filter((t) => !t.finally).map((t) => t.name);
    const edges = tasks.flatMap((t) => (t.finally ? regular.filter((r) => !tasks.some((u) => u.after.includes(r))).map((r) => [r, t.name]) : t.after.filter((a) => names.has(a)).map((a) => [a, t.name])));
    elk.layout({
      id: 'root',
      layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.spacing.nodeNode': '24', 'elk.layered.spacing.nodeNodeBetweenLayers': '48' },
      children: tasks.map((t) => ({ id: t.name, width: W, height: H })),
      edges: edges.map(([s, d], i) => ({ id: `e${i}`, sources: [s], targets: [d] })),
    }).then((g) => {
      if (live) setPos({ shape, pos: new Map((g.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }])) });
    }).catch(() => undefined);
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  const nodes: Node[] = useMemo(() => tasks.map((t) => ({
    id: t.name,
    position: pos.get(t.name) ?? { x: 0, y: 0 },
    sourcePosition: Position.Right,
    targetPosition: Position.Left,
    data: { label: <div className={`node ${t.state}`} title={t.detail}><b>{t.name}</b><span>{t.state}{t.detail ? ` · ${t.detail}` : ''}</span></div> },
    // fixed size, given as measured: nodes are new objects on every update (no onNodesChange), and
    // xyflow would otherwise hide each one until a resize it never sees
    style: { width: W, height: H, padding: 0, border: 'none', background: 'transparent' },
    width: W,
    height: H,
    measured: { width: W, height: H },
    selected: t.name === selected,
    ariaLabel: `${t.name}: ${t.state}`,
  })), [tasks, pos, selected]);
  const edges: Edge[] = useMemo(() => tasks.flatMap((t) => t.after.map((a) => ({ id: `${a}->${t.name}`, source: a, target: t.name }))), [tasks]);
  return (
    // a focused node (Tab reaches each) is selected with Enter or Space, as a click selects it
    <div className="graph" data-testid="graph" data-layout={laidOut ? 'elk' : 'quick'} onKeyDown={(e) => {
      const id = (e.target as HTMLElement).closest?.('.react-flow__node')?.getAttribute('data-id');
      if (id && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); onSelect(id); }
    }}>
      <ReactFlow colorMode={document.documentElement.dataset.theme === "dark" ? "dark" : "light"} nodes={nodes} edges={edges} fitView fitViewOptions={{ maxZoom: 1 }} minZoom={0.1} nodesDraggable={false} nodesConnectable={false} onNodeClick={(_e, n) => onSelect(n.id)} proOptions={{ hideAttribution: true }}>
        <Background />
        <Controls showInteractive={false} />
        <FitOnLayout layout={laidOut ? 'elk' : 'quick'} />
      </ReactFlow>
    </div>
  );
}

/** Fits the view again once elk's positions replace the quick ones (the flow itself stays mounted). */
function FitOnLayout({ layout }: { layout: string }) {
  const flow = useReactFlow();
  const ready = useNodesInitialized();
  useEffect(() => {
    if (ready) void flow.fitView({ maxZoom: 1 });
  }, [layout, ready, flow]);
  return null;
}

/** Columns by longest path from a root, rows in order: a usable picture before elk's. */
export function quickLayout(tasks: GraphTask[]): Map<string, { x: number; y: number }> {
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
  const pos = new Map<string, { x: number; y: number }>();
  for (const t of tasks) {
    const d = t.finally ? regularDepth + 1 : depthOf(t.name, new Set());
    const r = rows.get(d) ?? 0;
    rows.set(d, r + 1);
    pos.set(t.name, { x: d * (W + 48), y: r * (H + 24) });
  }
  return pos;
}
