// PipelineRuns / TaskRuns: namespace, label, Pipeline (Task) and status filters applied by the
// server (label and field selectors) before its pages (limit/continue); a name search within the
// page; kept live by a watch of the same selection.
import { useEffect, useMemo, useState } from 'react';
import { collection, duration, listWatch, stateOf, TEKTON, type KObj } from './api.ts';
import { queryOf, setQuery } from './route.ts';
import { runFieldSelector } from './lists.ts';

const PAGE = 50;
const STATES = ['', 'Running', 'Pending', 'Succeeded', 'Failed', 'Cancelled'];

export function RunList({ kind }: { kind: 'pipelineruns' | 'taskruns' }) {
  const q0 = queryOf();
  const [ns, setNs] = useState(q0.get('namespace') ?? '');
  const [labels, setLabels] = useState(q0.get('labels') ?? '');
  const [owner, setOwner] = useState(q0.get('pipeline') ?? '');
  // typed filters are asked of the server once typing pauses, not at every key
  const nsAsked = useSettled(ns.trim());
  const selector = useSettled(labels.trim());
  const ownerAsked = useSettled(owner.trim());
  const [state, setState] = useState(q0.get('status') ?? '');
  const [search, setSearch] = useState(q0.get('q') ?? '');
  const [pages, setPages] = useState<string[]>(['']);
  const [items, setItems] = useState<Map<string, KObj>>(new Map());
  const [next, setNext] = useState('');
  const [error, setError] = useState('');
  const cont = pages[pages.length - 1];

  useEffect(() => {
    const q = new URLSearchParams();
    if (ns) q.set('namespace', ns);
    if (labels) q.set('labels', labels);
    if (owner) q.set('pipeline', owner);
    if (state) q.set('status', state);
    if (search) q.set('q', search);
    setQuery(q);
  }, [ns, labels, owner, state, search]);

  useEffect(() => {
    setError('');
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (cont) query.set('continue', cont);
    if (selector) query.set('labelSelector', selector);
    const fields = runFieldSelector(kind, ownerAsked, state);
    if (fields) query.set('fieldSelector', fields);
    return listWatch(collection(TEKTON, kind, nsAsked), query.toString(), (ev) => {
      if (ev.type === 'LIST') {
        setItems(new Map(ev.list.items.map((o) => [key(o), o])));
        setNext(ev.list.metadata.continue ?? '');
        return;
      }
      setItems((m) => {
        const n = new Map(m);
        // a page keeps its rows; new runs appear on the first page only
        if (ev.type === 'DELETED') n.delete(key(ev.object));
        else if (n.has(key(ev.object)) || !cont) n.set(key(ev.object), ev.object);
        return n;
      });
    }, (e) => setError(e.message));
  }, [kind, nsAsked, selector, ownerAsked, state, cont]);

  const rows = useMemo(() => [...items.values()]
    // the name search is within the page the server sent (a selector has no substring match)
    .filter((o) => !search || o.metadata.name.includes(search) || (o.spec?.pipelineRef?.name ?? o.spec?.taskRef?.name ?? '').includes(search))
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')), [items, search]);

  const link = (o: KObj) => `#/${kind === 'pipelineruns' ? 'runs' : 'taskruns'}/${encodeURIComponent(o.metadata.namespace ?? '')}/${encodeURIComponent(o.metadata.name)}`;
  return (
    <section>
      <h1>{kind === 'pipelineruns' ? 'PipelineRuns' : 'TaskRuns'}</h1>
      <div className="filters">
        <label>Namespace <input value={ns} placeholder="all" onChange={(e) => { setNs(e.target.value); setPages(['']); }} /></label>
        <label>Labels <input value={labels} placeholder="app=web" onChange={(e) => { setLabels(e.target.value); setPages(['']); }} /></label>
        <label>{kind === 'pipelineruns' ? 'Pipeline' : 'Task'} <input value={owner} onChange={(e) => { setOwner(e.target.value); setPages(['']); }} /></label>
        <label>Status <select value={state} onChange={(e) => { setState(e.target.value); setPages(['']); }}>{STATES.map((s) => <option key={s} value={s}>{s || 'any'}</option>)}</select></label>
        <label>Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} /></label>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      <table className="runs">
        <thead><tr><th>Status</th><th>Name</th><th>Namespace</th><th>{kind === 'pipelineruns' ? 'Pipeline' : 'Task'}</th><th>Started</th><th>Duration</th></tr></thead>
        <tbody>
          {rows.map((o) => (
            <tr key={key(o)}>
              <td><span className={`badge ${stateOf(o)}`}>{stateOf(o)}</span></td>
              <td><a href={link(o)}>{o.metadata.name}</a></td>
              <td>{o.metadata.namespace}</td>
              <td>{o.spec?.pipelineRef?.name ?? o.spec?.taskRef?.name ?? (o.spec?.pipelineSpec || o.spec?.taskSpec ? '(embedded)' : '')}</td>
              <td>{o.status?.startTime ? new Date(o.status.startTime).toLocaleString() : ''}</td>
              <td>{duration(o)}</td>
            </tr>
          ))}
          {rows.length === 0 && <tr><td colSpan={6} className="muted">No runs.</td></tr>}
        </tbody>
      </table>
      <div className="pager">
        <button disabled={pages.length < 2} onClick={() => setPages(pages.slice(0, -1))}>Previous</button>
        <span className="muted">Page {pages.length}</span>
        <button disabled={!next} onClick={() => setPages([...pages, next])}>Next</button>
      </div>
    </section>
  );
}

/** `value`, once it has stayed the same for `ms`. */
function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

const key = (o: KObj) => `${o.metadata.namespace}/${o.metadata.name}`;
