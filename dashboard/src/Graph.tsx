// A pipeline's graph: tasks as nodes (state, duration, retries, why skipped), runAfter and
// result/param references as edges, laid out by elkjs and drawn by @xyflow/react.
import { useEffect, useMemo, useState } from 'react';
import { ReactFlow, Background, Controls, Position, type Edge, type Node } from '@xyflow/react';
import ELK from 'elkjs/lib/elk.bundled.js';
import '@xyflow/react/dist/style.css';

export interface GraphTask { name: string; after: string[]; state: string; detail: string; finally?: boolean }

const elk = new ELK();
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
  const [pos, setPos] = useState<Map<string, { x: number; y: number }>>(new Map());
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
      if (live) setPos(new Map((g.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }])));
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
    style: { width: W, padding: 0, border: 'none', background: 'transparent' },
    selected: t.name === selected,
    ariaLabel: `${t.name}: ${t.state}`,
  })), [tasks, pos, selected]);
  const edges: Edge[] = useMemo(() => tasks.flatMap((t) => t.after.map((a) => ({ id: `${a}->${t.name}`, source: a, target: t.name }))), [tasks]);
  if (!pos.size && tasks.length) return <div className="graph muted pad">Laying out…</div>;
  return (
    <div className="graph" data-testid="graph">
      <ReactFlow nodes={nodes} edges={edges} fitView fitViewOptions={{ maxZoom: 1 }} minZoom={0.1} nodesDraggable={false} nodesConnectable={false} onNodeClick={(_e, n) => onSelect(n.id)} proOptions={{ hideAttribution: true }}>
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
