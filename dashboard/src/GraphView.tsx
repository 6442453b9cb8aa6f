// The graph where a page shows one: its chunk (xyflow, elk's client) is fetched on first use, or
// early by `preloadGraph()` while the page's data is still on its way.
import { lazy, Suspense } from 'react';
import type { GraphTask } from './layout.ts';

const load = () => import('./Graph.tsx');
const LazyGraph = lazy(load);

/** Starts fetching the graph's chunk (again is free: the module is fetched once). */
export function preloadGraph(): void {
  void load();
}

export function Graph(props: { tasks: GraphTask[]; selected?: string; onSelect: (name: string) => void }) {
  return (
    <Suspense fallback={<div className="graph" aria-busy="true" />}>
      <LazyGraph {...props} />
    </Suspense>
  );
}
