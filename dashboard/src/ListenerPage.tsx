// An EventListener: the URL to point the webhook at, its triggers with their interceptors, and
// its recent deliveries (the Events recorded per trigger outcome) linked to the runs they started
// (a PipelineRun's own TaskRuns carry its labels too, and are left out).
import { useEffect, useState } from 'react';
import { collection, listWatch, stateOf, TEKTON, TRIGGERS, type KObj } from './api.ts';
import { useObject } from './Definitions.tsx';

const EVENT_ID = 'triggers.tekton.dev/triggers-eventid';

function useLive(path: string, selector: string): KObj[] {
  const [m, setM] = useState<Map<string, KObj>>(new Map());
  useEffect(() => listWatch(path, `labelSelector=${encodeURIComponent(selector)}`, (ev) => {
    if (ev.type === 'LIST') setM(new Map(ev.list.items.map((o) => [o.metadata.name, o])));
    else setM((old) => { const n = new Map(old); if (ev.type === 'DELETED') n.delete(ev.object.metadata.name); else n.set(ev.object.metadata.name, ev.object); return n; });
  }, () => undefined), [path, selector]);
  return [...m.values()];
}

function interceptorName(i: any): string {
  return i.name ?? i.ref?.name ?? Object.keys(i).find((k) => k !== 'params') ?? 'interceptor';
}

export function ListenerPage({ ns, name }: { ns: string; name: string }) {
  const { obj, error } = useObject(`${collection(TRIGGERS, 'eventlisteners', ns)}/${encodeURIComponent(name)}`);
  const selector = `triggers.tekton.dev/eventlistener=${name}`;
  const events = useLive(collection('/api/v1', 'events', ns), selector);
  const runs = [...useLive(collection(TEKTON, 'pipelineruns', ns), selector).map((r) => ({ r, page: 'runs' })), ...useLive(collection(TEKTON, 'taskruns', ns), selector).filter((r) => !r.metadata.labels?.['tekton.dev/pipelineRun']).map((r) => ({ r, page: 'taskruns' }))];
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!obj) return <p className="muted">Loading EventListener {ns}/{name}…</p>;
  const url = obj.status?.address?.url ?? `${location.origin}/hooks/${ns}/${name}`;
  const byEvent = new Map<string, KObj[]>();
  for (const e of events) {
    const id = e.metadata.labels?.[EVENT_ID] ?? '';
    byEvent.set(id, [...(byEvent.get(id) ?? []), e]);
  }
  const deliveries = [...byEvent.entries()].sort((a, b) => String((b[1][0] as any).lastTimestamp).localeCompare(String((a[1][0] as any).lastTimestamp))).slice(0, 50);
  return (
    <section>
      <h1>EventListener {name}</h1>
      <p>Webhook URL: <code data-testid="webhook-url">{url}</code> <button onClick={() => navigator.clipboard?.writeText(url)}>Copy</button></p>
      <h2>Triggers</h2>
      <ul>
        {(obj.spec?.triggers ?? []).map((t: any, i: number) => (
          <li key={i}>
            <b>{t.name ?? t.triggerRef ?? `trigger ${i}`}</b>
            {t.interceptors?.length ? <> · interceptors: {t.interceptors.map(interceptorName).join(' → ')}</> : ''}
            {t.bindings?.length ? <> · bindings: {t.bindings.map((b: any) => b.ref ?? b.name).join(', ')}</> : ''}
            {t.template ? <> · template: {t.template.ref ?? t.template.name ?? 'embedded'}</> : ''}
          </li>
        ))}
        {obj.spec?.labelSelector && <li className="muted">and Triggers selected by labels {JSON.stringify(obj.spec.labelSelector)}</li>}
      </ul>
      <h2>Recent deliveries</h2>
      <table className="runs" data-testid="deliveries">
        <thead><tr><th>When</th><th>Event</th><th>Outcome</th><th>Runs</th></tr></thead>
        <tbody>
          {deliveries.map(([id, evs]) => (
            <tr key={id}>
              <td>{new Date(String((evs[0] as any).lastTimestamp)).toLocaleString()}</td>
              <td><code>{id.slice(0, 12)}</code></td>
              <td>{evs.map((e: any) => <div key={e.metadata.name}><span className={`badge ${e.type === 'Normal' ? 'Succeeded' : 'Failed'}`}>{e.reason}</span> {e.metadata.labels?.['triggers.tekton.dev/trigger'] ?? ''} <span className="muted">{e.message}</span></div>)}</td>
              <td>{runs.filter(({ r }) => r.metadata.labels?.[EVENT_ID] === id).map(({ r, page }) => <div key={r.metadata.name}><a href={`#/${page}/${encodeURIComponent(ns)}/${encodeURIComponent(r.metadata.name)}`}>{r.metadata.name}</a> <span className={`badge ${stateOf(r)}`}>{stateOf(r)}</span></div>)}</td>
            </tr>
          ))}
          {deliveries.length === 0 && <tr><td colSpan={4} className="muted">No deliveries yet.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}
