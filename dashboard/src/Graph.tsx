// A pipeline's graph: tasks as nodes (state, duration, retries, why skipped), runAfter and
// result/param references as edges, laid out by elkjs and drawn by @xyflow/react.
// Loaded on its own (a lazy chunk with xyflow): pages without a graph do not parse it.
import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlow, Background, Controls, Position, useNodesInitialized, useReactFlow, type Edge, type Node, type NodeHandle, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { H, layoutCache, layoutEdges, quickLayout, shapeOf, W, type GraphTask, type Positions } from './layout.ts';

// elk runs in a worker, started when a graph first needs it: a 200-task layout must not hold the
// page (its log, its header) back, and pages without a graph never load elk's 1.4 MB
type Elk = { layout(g: unknown): Promise<{ children?: { id: string; x?: number; y?: number }[] }> };
let elk: Promise<Elk> | undefined;
function getElk(): Promise<Elk> {
  elk ??= import('elkjs/lib/elk-api.js').then(({ default: ELK }) => new ELK({ workerFactory: () => new Worker(new URL('elkjs/lib/elk-worker.min.js', import.meta.url)) as never }) as Elk);
  return elk;
}
const layouts = layoutCache(typeof localStorage === 'undefined' ? undefined : localStorage);

type TaskData = { name: string; state: string; detail: string };
const NODE_STYLE = { width: W, height: H };
const SIZE = { width: W, height: H };
const ORIGIN = { x: 0, y: 0 };
// where edges meet a node, given rather than rendered as <Handle>s and measured: nodes of a fixed
// size need no measuring, and 400 handles fewer is most of the cost of drawing 200 nodes
const HANDLES: NodeHandle[] = [
  { type: 'target', position: Position.Left, x: 0, y: H / 2, width: 1, height: 1 },
  { type: 'source', position: Position.Right, x: W - 1, y: H / 2, width: 1, height: 1 },
];

const TaskNode = memo(function TaskNode({ data }: NodeProps<Node<TaskData>>) {
  return <div className={`node ${data.state}`} title={data.detail}><b>{data.name}</b><span>{data.state}{data.detail ? ` · ${data.detail}` : ''}</span></div>;
});
const NODE_TYPES = { task: TaskNode };

/** elk's positions for `tasks` (cached per shape), or undefined until its worker answers. */
function useElkLayout(tasks: GraphTask[], shape: string): Positions | undefined {
  const [pos, setPos] = useState<{ shape: string; pos: Positions }>();
  const cached = layouts.get(shape);
  useEffect(() => {
    if (layouts.get(shape)) return;
    let live = true;
    void getElk().then((e) => e.layout({
      id: 'root',
      layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.spacing.nodeNode': '24', 'elk.layered.spacing.nodeNodeBetweenLayers': '48' },
      children: tasks.map((t) => ({ id: t.name, width: W, height: H })),
      edges: layoutEdges(tasks).map(([s, d], i) => ({ id: `e${i}`, sources: [s], targets: [d] })),
    })).then((g) => {
      const p: Positions = new Map((g.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
      layouts.set(shape, p);
      // moving 200 nodes is not urgent: a log line or a click is drawn first
      if (live) startTransition(() => setPos({ shape, pos: p }));
    }).catch(() => undefined);
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);
  return cached ?? (pos?.shape === shape ? pos.pos : undefined);
}

export default function Graph({ tasks, selected, onSelect }: { tasks: GraphTask[]; selected?: string; onSelect: (name: string) => void }) {
  const shape = shapeOf(tasks);
  // drawn at once with a quick layering, then placed by elk when its worker answers (at once when
  // this shape was laid out before)
  const quick = useMemo(() => quickLayout(tasks), [shape]); // eslint-disable-line react-hooks/exhaustive-deps
  const placed = useElkLayout(tasks, shape);
  const pos = placed ?? quick;
  // a node keeps its object while its state, detail, place and selection stay: xyflow then skips it
  const made = useRef(new Map<string, Node<TaskData>>());
  const nodes = useMemo(() => tasks.map((t) => {
    const position = pos.get(t.name) ?? quick.get(t.name) ?? ORIGIN;
    const sel = t.name === selected;
    const old = made.current.get(t.name);
    if (old && old.position === position && old.selected === sel && old.data.state === t.state && old.data.detail === t.detail) return old;
    const n: Node<TaskData> = {
      id: t.name,
      type: 'task',
      position,
      data: { name: t.name, state: t.state, detail: t.detail },
      // fixed size, given as measured: xyflow would otherwise hide each node until it is measured
      style: NODE_STYLE,
      width: W,
      height: H,
      measured: SIZE,
      handles: HANDLES,
      selected: sel,
      ariaLabel: `${t.name}: ${t.state}`,
    };
    made.current.set(t.name, n);
    return n;
  }), [tasks, pos, quick, selected]);
  // edges are drawn only: no focus, selection or wider invisible path to click
  const edges: Edge[] = useMemo(() => tasks.flatMap((t) => t.after.map((a) => ({ id: `${a}->${t.name}`, source: a, target: t.name, focusable: false, selectable: false, interactionWidth: 0 }))), [shape]); // eslint-disable-line react-hooks/exhaustive-deps
  const select = useRef(onSelect);
  select.current = onSelect;
  const onNodeClick = useCallback((_e: unknown, n: Node) => select.current(n.id), []);
  const layout = placed ? 'elk' : 'quick';
  return (
    // a focused node (Tab reaches each) is selected with Enter or Space, as a click selects it
    <div className="graph" data-testid="graph" data-layout={layout} onKeyDown={(e) => {
      const id = (e.target as HTMLElement).closest?.('.react-flow__node')?.getAttribute('data-id');
      if (id && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); onSelect(id); }
    }}>
      <ReactFlow colorMode={document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'} nodes={nodes} edges={edges} nodeTypes={NODE_TYPES} fitView fitViewOptions={FIT} minZoom={0.1} nodesDraggable={false} nodesConnectable={false} onNodeClick={onNodeClick} proOptions={PRO}>
        <Background />
        <Controls showInteractive={false} />
        <FitOnLayout layout={layout} />
      </ReactFlow>
    </div>
  );
}
const FIT = { maxZoom: 1 };
const PRO = { hideAttribution: true };

/** Fits the view again once elk's positions replace the quick ones (the flow itself stays mounted). */
function FitOnLayout({ layout }: { layout: string }) {
  const flow = useReactFlow();
  const ready = useNodesInitialized();
  useEffect(() => {
    if (ready) void flow.fitView(FIT);
  }, [layout, ready, flow]);
  return null;
}
