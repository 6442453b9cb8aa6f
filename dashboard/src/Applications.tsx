// Argo CD-style Applications: sync and health badges, the resource tree with each resource's
// health and diff, the last operation's resources (waves, hooks), history with rollback, and
// sync (prune, dry run, selected resources) and refresh, written as the argocd CLI writes them.
import { Fragment, useEffect, useMemo, useState } from 'react';
import { collection, listWatch, request, type KObj } from './api.ts';
import { CHILD_KINDS, deploysHere, resourceTree, type AppResource } from './tree.ts';

const ARGO = '/apis/argoproj.io/v1alpha1';

function useApps(ns: string, selector: string): Map<string, KObj> {
  const [m, setM] = useState<Map<string, KObj>>(new Map());
  useEffect(() => listWatch(collection(ARGO, 'applications', ns), selector, (ev) => {
    if (ev.type === 'LIST') setM(new Map(ev.list.items.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o])));
    else setM((old) => { const n = new Map(old); const k = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`; if (ev.type === 'DELETED') n.delete(k); else n.set(k, ev.object); return n; });
  }, () => undefined), [ns, selector]);
  return m;
}

/** The live objects that may be owned by an Application's resources, when they are in kiln's own API. */
function useChildren(app: KObj | undefined): KObj[] {
  const here = deploysHere(app?.spec?.destination);
  const nss = here ? [...new Set<string>([app?.spec?.destination?.namespace, ...(app?.status?.resources ?? []).map((r: any) => r.namespace)].filter(Boolean))].sort().join(',') : '';
  const [m, setM] = useState<Map<string, KObj>>(new Map());
  useEffect(() => {
    setM(new Map());
    const key = (o: KObj) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
    const stops = nss.split(',').filter(Boolean).flatMap((ns) => CHILD_KINDS.map((c) => listWatch(collection(c.path, c.plural, ns), '', (ev) => {
      const typed = (o: KObj) => ({ ...o, kind: o.kind ?? c.kind });
      setM((old) => {
        const n = new Map(old);
        if (ev.type === 'LIST') for (const o of ev.list.items) n.set(key(typed(o)), typed(o));
        else if (ev.type === 'DELETED') n.delete(key(typed(ev.object)));
        else n.set(key(typed(ev.object)), typed(ev.object));
        return n;
      });
    }, () => undefined)));
    return () => stops.forEach((s) => s());
  }, [nss]);
  return useMemo(() => [...m.values()], [m]);
}

const badge = (s: string | undefined) => <span className={`badge ${s === 'Synced' || s === 'Healthy' || s === 'Succeeded' ? 'Succeeded' : s === 'OutOfSync' || s === 'Degraded' || s === 'Failed' || s === 'Error' || s === 'Missing' ? 'Failed' : s === 'Progressing' || s === 'Running' ? 'Running' : ''}`}>{s ?? 'Unknown'}</span>;

export function AppList() {
  const apps = [...useApps('', '').values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return (
    <section>
      <h1>Applications</h1>
      <table className="runs">
        <thead><tr><th>Name</th><th>Namespace</th><th>Sync</th><th>Health</th><th>Repository</th><th>Revision</th></tr></thead>
        <tbody>
          {apps.map((a) => (
            <tr key={`${a.metadata.namespace}/${a.metadata.name}`}>
              <td><a href={`#/apps/${encodeURIComponent(a.metadata.namespace ?? '')}/${encodeURIComponent(a.metadata.name)}`}>{a.metadata.name}</a></td>
              <td>{a.metadata.namespace}</td>
              <td>{badge(a.status?.sync?.status)}</td>
              <td>{badge(a.status?.health?.status)}</td>
              <td className="muted">{a.spec?.source?.repoURL}{a.spec?.source?.path ? ` · ${a.spec.source.path}` : ''}</td>
              <td><code>{String(a.status?.sync?.revision ?? '').slice(0, 8)}</code></td>
            </tr>
          ))}
          {apps.length === 0 && <tr><td colSpan={6} className="muted">No Applications.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}

const resKey = (r: AppResource) => `${r.group ?? ''}:${r.kind}/${r.namespace ?? ''}/${r.name}`;

export function AppPage({ ns, name }: { ns: string; name: string }) {
  const app = useApps(ns, `fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`).get(`${ns}/${name}`);
  const [prune, setPrune] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string>();
  const [msg, setMsg] = useState('');
  const live = useChildren(app);
  const tree = useMemo(() => resourceTree(app?.status?.resources ?? [], live), [app?.status?.resources, live]);
  if (!app) return <p className="muted">Loading Application {ns}/{name}…</p>;
  const path = `${collection(ARGO, 'applications', ns)}/${encodeURIComponent(name)}`;
  const patch = (what: string, body: unknown) => request('PATCH', path, body, 'application/merge-patch+json').then(() => setMsg(what), (e: Error) => setMsg(`${what} failed: ${e.message}`));
  const resources: AppResource[] = app.status?.resources ?? [];
  const sync = (extra: Record<string, unknown> = {}) => {
    const chosen = resources.filter((r) => picked.has(resKey(r))).map((r) => ({ group: r.group ?? '', kind: r.kind, name: r.name, namespace: r.namespace ?? '' }));
    return patch('Sync started', { operation: { sync: { prune, dryRun, ...(chosen.length ? { resources: chosen } : {}), ...extra }, initiatedBy: { username: 'dashboard' } } });
  };
  const op = app.status?.operationState;
  const history: any[] = app.status?.history ?? [];
  const running = op?.phase === 'Running';
  return (
    <section>
      <div className="runhead">
        <h1>{name}</h1> {badge(app.status?.sync?.status)} {badge(app.status?.health?.status)}
        <span className="spacer" />
        <label><input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} /> Prune</label>
        <label><input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run</label>
        <button onClick={() => sync()} disabled={running}>{picked.size ? `Sync ${picked.size} selected` : 'Sync'}</button>
        <button onClick={() => patch('Refresh asked', { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } })}>Refresh</button>
      </div>
      <p className="muted">{ns} · {app.spec?.source?.repoURL} {app.spec?.source?.path ?? ''} @ {app.spec?.source?.targetRevision ?? 'HEAD'} → {app.spec?.destination?.server ?? app.spec?.destination?.name} / {app.spec?.destination?.namespace}</p>
      {msg && <p role="status" className="muted">{msg}</p>}
      {(app.status?.conditions ?? []).map((c: any, i: number) => <p key={i} className="failure">{c.type}: {c.message}</p>)}
      {op && (
        <div className="panel">
          <h2>Last operation: {badge(op.phase)}</h2>
          <p className="muted">{op.message} {op.startedAt ? `· started ${new Date(op.startedAt).toLocaleString()}` : ''}</p>
          <table className="runs">
            <thead><tr><th>Kind</th><th>Name</th><th>Phase</th><th>Wave</th><th>Hook</th><th>Result</th></tr></thead>
            <tbody>{(op.syncResult?.resources ?? []).map((r: any, i: number) => <tr key={i}><td>{r.kind}</td><td>{r.name}</td><td>{r.syncPhase ?? ''}</td><td>{r.syncWave ?? ''}</td><td>{r.hookType ? `${r.hookType} ${r.hookPhase ?? ''}` : ''}</td><td>{r.status} <span className="muted">{r.message}</span></td></tr>)}</tbody>
          </table>
        </div>
      )}
      <h2>Resources</h2>
      <table className="runs tree" data-testid="app-resources">
        <thead><tr><th /><th>Kind / name</th><th>Namespace</th><th>Sync</th><th>Health</th><th /></tr></thead>
        <tbody>
          <tr data-depth={0}><td /><td><b>Application</b> {name}</td><td>{ns}</td><td>{badge(app.status?.sync?.status)}</td><td>{badge(app.status?.health?.status)}</td><td /></tr>
          {tree.map((row) => {
            const r = row.resource;
            const k = r ? resKey(r) : row.key;
            return (
              <Fragment key={row.key}>
                <tr data-depth={row.depth + 1} aria-level={row.depth + 2}>
                  <td>{r && <input type="checkbox" aria-label={`select ${r.kind} ${r.name}`} checked={picked.has(k)} onChange={(e) => { const n = new Set(picked); if (e.target.checked) n.add(k); else n.delete(k); setPicked(n); }} />}</td>
                  <td style={{ paddingLeft: `${8 + 20 * (row.depth + 1)}px` }}><span className="muted">└ {row.kind}</span> {row.name}</td>
                  <td>{row.namespace}</td>
                  <td>{r ? <>{badge(r.status)}{r.requiresPruning ? ' prune' : ''}</> : ''}</td>
                  <td>{row.health ? badge(row.health.status) : ''} <span className="muted">{row.health?.message ?? ''}</span></td>
                  <td>{r?.diff && <button onClick={() => setOpen(open === k ? undefined : k)}>{open === k ? 'Hide diff' : 'Diff'}</button>}</td>
                </tr>
                {r?.diff && open === k && <tr><td colSpan={6}><pre className="tail diff">{r.diff}</pre></td></tr>}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <h2>History</h2>
      <table className="runs">
        <thead><tr><th>ID</th><th>Deployed</th><th>Revision</th><th /></tr></thead>
        <tbody>{[...history].reverse().map((h) => (
          <tr key={h.id}>
            <td>{h.id}</td><td>{new Date(h.deployedAt).toLocaleString()}</td><td><code>{String(h.revision).slice(0, 8)}</code></td>
            <td><button disabled={running || !!app.spec?.syncPolicy?.automated} title={app.spec?.syncPolicy?.automated ? 'rollback cannot be initiated when auto-sync is enabled' : undefined} onClick={() => { if (confirm(`Roll back ${name} to deployment ${h.id}?`)) void sync({ revision: h.revision, ...(h.source ? { source: h.source } : {}) }); }}>Rollback</button></td>
          </tr>
        ))}</tbody>
      </table>
    </section>
  );
}
