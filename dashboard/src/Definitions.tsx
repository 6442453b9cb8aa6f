// Definitions: Pipelines (static graph, start form), Tasks, StepActions, EventListeners.
import { useEffect, useState } from 'react';
import { collection, request, TEKTON, TRIGGERS, type KList, type KObj } from './api.ts';
import { Graph } from './GraphView.tsx';
import { dependencies } from './layout.ts';
import { StartForm } from './StartForm.tsx';

export const KINDS: Record<string, { title: string; base: string; plural: string; page?: string }> = {
  pipelines: { title: 'Pipelines', base: TEKTON, plural: 'pipelines', page: 'pipelines' },
  tasks: { title: 'Tasks', base: TEKTON, plural: 'tasks', page: 'tasks' },
  stepactions: { title: 'StepActions', base: '/apis/tekton.dev/v1beta1', plural: 'stepactions', page: 'stepactions' },
  eventlisteners: { title: 'EventListeners', base: TRIGGERS, plural: 'eventlisteners', page: 'listeners' },
};

export function useObject(path: string): { obj?: KObj; error: string } {
  const [obj, setObj] = useState<KObj>();
  const [error, setError] = useState('');
  useEffect(() => { request<KObj>('GET', path).then(setObj, (e: Error) => setError(e.message)); }, [path]);
  return { obj, error };
}

export function DefinitionList({ kind }: { kind: keyof typeof KINDS }) {
  const k = KINDS[kind];
  const [items, setItems] = useState<KObj[]>();
  const [error, setError] = useState('');
  useEffect(() => {
    setItems(undefined);
    request<KList>('GET', `${k.base}/${k.plural}`).then((l) => setItems(l.items), (e: Error) => setError(e.message));
  }, [kind]);
  return (
    <section>
      <nav className="tabs">{Object.entries(KINDS).map(([id, x]) => <a key={id} href={`#/defs/${id}`} aria-current={id === kind ? 'page' : undefined}>{x.title}</a>)}</nav>
      <h1>{k.title}</h1>
      {error && <p role="alert" className="error">{error}</p>}
      <table className="runs">
        <thead><tr><th>Name</th><th>Namespace</th><th>Description</th></tr></thead>
        <tbody>
          {(items ?? []).map((o) => (
            <tr key={`${o.metadata.namespace}/${o.metadata.name}`}>
              <td><a href={`#/${k.page}/${encodeURIComponent(o.metadata.namespace ?? '')}/${encodeURIComponent(o.metadata.name)}`}>{o.metadata.name}</a></td>
              <td>{o.metadata.namespace}</td>
              <td className="muted">{o.spec?.description ?? ''}</td>
            </tr>
          ))}
          {items?.length === 0 && <tr><td colSpan={3} className="muted">None.</td></tr>}
        </tbody>
      </table>
    </section>
  );
}

export function PipelinePage({ ns, name }: { ns: string; name: string }) {
  const { obj, error } = useObject(`${collection(TEKTON, 'pipelines', ns)}/${encodeURIComponent(name)}`);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!obj) return <p className="muted">Loading Pipeline {ns}/{name}…</p>;
  const tasks = [...(obj.spec?.tasks ?? []).map((t: any) => ({ name: t.name, after: dependencies(t), state: 'Pending', detail: t.taskRef?.name ?? 'embedded' })),
    ...(obj.spec?.finally ?? []).map((t: any) => ({ name: t.name, after: [], state: 'Pending', detail: 'finally', finally: true }))];
  return (
    <section>
      <h1>Pipeline {name}</h1>
      <p className="muted">{ns}{obj.spec?.description ? ` · ${obj.spec.description}` : ''}</p>
      <Graph tasks={tasks} onSelect={() => undefined} />
      <StartForm pipeline={obj} />
    </section>
  );
}

export function TaskPage({ ns, name, kind }: { ns: string; name: string; kind: 'tasks' | 'stepactions' }) {
  const k = KINDS[kind];
  const { obj, error } = useObject(`${collection(k.base, k.plural, ns)}/${encodeURIComponent(name)}`);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!obj) return <p className="muted">Loading…</p>;
  const steps: any[] = obj.spec?.steps ?? (obj.spec ? [{ name, ...obj.spec }] : []);
  return (
    <section>
      <h1>{kind === 'tasks' ? 'Task' : 'StepAction'} {name}</h1>
      <p className="muted">{ns}{obj.spec?.description ? ` · ${obj.spec.description}` : ''}</p>
      <h2>Params</h2>
      <ul>{(obj.spec?.params ?? []).map((p: any) => <li key={p.name}><b>{p.name}</b> ({p.type ?? 'string'}){p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : ''} <span className="muted">{p.description}</span></li>)}</ul>
      <h2>Steps</h2>
      {steps.map((s, i) => <div key={i} className="panel"><b>{s.name ?? `step ${i}`}</b> <span className="muted">{s.image ?? s.ref?.name ?? ''}</span>{s.script && <pre className="tail">{s.script}</pre>}</div>)}
    </section>
  );
}
