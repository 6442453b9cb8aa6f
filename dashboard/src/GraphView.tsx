// The graph where a page shows one: its chunk (xyflow, elk's client) is fetched on first use, or
// early by `preloadGraph()` while the page's data is still on its way.
import { lazy, Suspense, type ComponentType } from 'react';
import type { GraphTask } from './layout.ts';

type Props = { tasks: GraphTask[]; selected?: string; onSelect: (name: string) => void };
let loaded: ComponentType<Props> | undefined;
let loading: Promise<{ default: ComponentType<Props> }> | undefined;
const load = () => (loading ??= import('./Graph.tsx').then((m) => { loaded = m.default; return m; }));
const LazyGraph = lazy(load);

/** Starts fetching the graph's chunk (again is free: the module is fetched once). */
export function preloadGraph(): void {
  void load();
}

export function Graph(props: Props) {
  // once the chunk is in, drawn directly: React.lazy would still suspend once on its first render
  const Loaded = loaded;
  if (Loaded) return <Loaded {...props} />;
  return (
    <Suspense fallback={<div className="graph" aria-busy="true" />}>
      <LazyGraph {...props} />
    </Suspense>
  );
}
