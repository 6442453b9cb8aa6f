// A PipelineRun, live: the failure explained at the top, the graph, the selected task's steps,
// params, results and log; cancel, re-run, delete.
import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { collection, conditionOf, duration, listWatch, request, stateOf, TEKTON, type KObj } from './api.ts';
import { Graph, preloadGraph } from './GraphView.tsx';
import { dependencies, type GraphTask } from './layout.ts';
import { LogView, useLog } from './Logs.tsx';
import { Failure } from './Failure.tsx';
import { Steps } from './TaskRunPage.tsx';
import { queryOf, setQuery } from './route.ts';

/** A watched selection by name, and whether its first list has come (or failed). */
function useWatched(path: string, query: string): [Map<string, KObj>, boolean] {
  const [m, setM] = useState<Map<string, KObj>>(new Map());
  const [loaded, setLoaded] = useState(false);
  useEffect(() => listWatch(path, query, (ev) => {
    if (ev.type === 'LIST') {
      setM(new Map(ev.list.items.map((o) => [o.metadata.name, o])));
      setLoaded(true);
    } else setM((old) => {
      const n = new Map(old);
      if (ev.type === 'DELETED') n.delete(ev.object.metadata.name);
      else n.set(ev.object.metadata.name, ev.object);
      return n;
    });
  }, () => setLoaded(true)), [path, query]);
  return [m, loaded];
}

const NO_TASKS: GraphTask[] = [];

export function RunPage({ ns, name }: { ns: string; name: string }) {
  preloadGraph();
  const [runs] = useWatched(collection(TEKTON, 'pipelineruns', ns), `fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`);
  const [taskruns, taskrunsLoaded] = useWatched(collection(TEKTON, 'taskruns', ns), `labelSelector=${encodeURIComponent(`tekton.dev/pipelineRun=${name}`)}`);
  const run = runs.get(name);
  // the selected task is in the URL (…/runs/NS/NAME?task=T): a link can point at one task's log
  const [selected, select] = useState<string | undefined>(() => queryOf().get('task') ?? undefined);
  const setSelected = (t: string) => { select(t); setQuery(new URLSearchParams({ task: t })); };
  const [msg, setMsg] = useState('');
  const byTask = useMemo(() => new Map([...taskruns.values()].map((t) => [t.metadata.labels?.['tekton.dev/pipelineTask'] ?? t.metadata.name, t])), [taskruns]);
  const spec = run?.status?.pipelineSpec ?? run?.spec?.pipelineSpec;
  const skipped = new Map<string, string>((run?.status?.skippedTasks ?? []).map((s: any) => [s.name, s.reason]));
  const tasks: GraphTask[] = [...(spec?.tasks ?? []).map((t: any) => ({ t, fin: false })), ...(spec?.finally ?? []).map((t: any) => ({ t, fin: true }))].map(({ t, fin }) => {
    const tr = byTask.get(t.name);
    const retries = tr?.status?.retriesStatus?.length ?? 0;
    const state = skipped.has(t.name) ? 'Skipped' : stateOf(tr);
    const detail = skipped.get(t.name) ?? [duration(tr), retries ? `${retries} retr${retries > 1 ? 'ies' : 'y'}` : ''].filter(Boolean).join(' · ');
    return { name: t.name, after: fin ? [] : dependencies(t), state, detail, finally: fin };
  });
  // the graph waits for the TaskRuns (drawn once with their states, not once Pending and again),
  // and is drawn after the rest of the page: the selected task's log is asked for first
  const graphTasks = useDeferredValue(taskrunsLoaded ? tasks : NO_TASKS, NO_TASKS);
  const failedTask = tasks.find((t) => t.state === 'Failed');
  const sel = selected ?? failedTask?.name ?? tasks.find((t) => t.state === 'Running')?.name ?? tasks[0]?.name;
  const selTr = sel ? byTask.get(sel) : undefined;
  // the TaskRun's name is in the run's status before the TaskRuns themselves have come
  const selName = selTr?.metadata.name ?? (run?.status?.childReferences ?? []).find((c: any) => c.pipelineTaskName === sel && c.kind === 'TaskRun')?.name;

  if (!run) return <section><h1>{name}</h1><p className="muted">Loading PipelineRun {ns}/{name}…</p></section>;
  const state = stateOf(run);
  const base = `${collection(TEKTON, 'pipelineruns', ns)}/${encodeURIComponent(name)}`;
  const act = (what: string, f: () => Promise<unknown>) => f().then(() => setMsg(what)).catch((e: Error) => setMsg(`${what} failed: ${e.message}`));
  const cancel = () => act('Cancelling', () => request('PATCH', base, { spec: { status: 'Cancelled' } }, 'application/merge-patch+json'));
  const rerun = () => act('Re-run started', async () => {
    const { status: _s, ...spec2 } = run.spec ?? {};
    const labels = Object.fromEntries(Object.entries(run.metadata.labels ?? {}).filter(([k]) => !k.startsWith('tekton.dev/')));
    const created = await request<KObj>('POST', collection(TEKTON, 'pipelineruns', ns), { apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { generateName: `${run.metadata.generateName ?? `${name.replace(/-[a-z0-9]{5}$/, '')}-`}`, namespace: ns, labels }, spec: spec2 });
    location.hash = `#/runs/${encodeURIComponent(ns)}/${encodeURIComponent(created.metadata.name)}`;
  });
  const remove = () => { if (confirm(`Delete PipelineRun ${name}?`)) void act('Deleted', async () => { await request('DELETE', base); location.hash = '#/'; }); };
  const c = conditionOf(run);
  return (
    <section className="run">
      <div className="runhead">
        <h1><span className={`badge ${state}`}>{state}</span> {name}</h1>
        <span className="muted">{ns} · {run.spec?.pipelineRef?.name ?? 'embedded pipeline'} · {duration(run)}</span>
        <span className="spacer" />
        <button onClick={cancel} disabled={state !== 'Running' && state !== 'Pending'}>Cancel</button>
        <button onClick={rerun}>Re-run</button>
        <button onClick={remove} className="danger">Delete</button>
      </div>
      {msg && <p role="status" className="muted">{msg}</p>}
      {state === 'Failed' && <Failure run={run} task={failedTask?.name} taskrun={failedTask ? byTask.get(failedTask.name) : undefined} />}
      {state !== 'Failed' && c.message && <p className="muted">{c.reason}: {c.message}</p>}
      {graphTasks !== NO_TASKS ? <Graph tasks={graphTasks} selected={sel} onSelect={setSelected} /> : <div className="graph" aria-busy="true" />}
      {sel && <TaskPanel task={sel} ns={ns} trName={selName} tr={selTr} runLive={state === 'Running' || state === 'Pending'} skippedReason={skipped.get(sel)} />}
      <details>
        <summary>Params, results and workspaces</summary>
        <KeyValues title="Params" items={(run.spec?.params ?? []).map((p: any) => [p.name, p.value])} />
        <KeyValues title="Results" items={(run.status?.results ?? []).map((p: any) => [p.name, p.value])} />
        <KeyValues title="Workspaces" items={(run.spec?.workspaces ?? []).map((w: any) => [w.name, Object.keys(w).filter((k) => k !== 'name').join(', ')])} />
      </details>
    </section>
  );
}

function TaskPanel({ task, ns, trName, tr, runLive, skippedReason }: { task: string; ns: string; trName?: string; tr?: KObj; runLive: boolean; skippedReason?: string }) {
  return (
    <div className="panel">
      <h2>{task} {trName && <a href={`#/taskruns/${encodeURIComponent(ns)}/${encodeURIComponent(trName)}`} className="muted small">{trName}</a>}</h2>
      {skippedReason ? <p className="muted">Skipped: {skippedReason}</p> : !trName ? <p className="muted">Not started.</p> : <TaskRunLog ns={ns} name={trName} tr={tr} runLive={runLive} />}
    </div>
  );
}

/** A TaskRun's steps and log; the log is asked for by name, before the TaskRun itself has come. */
export function TaskRunLog({ ns, name, tr, runLive = true }: { ns: string; name: string; tr?: KObj; runLive?: boolean }) {
  const [step, setStep] = useState<string>();
  // followed while it may still write: a finished run's TaskRuns are finished
  const live = tr ? stateOf(tr) === 'Running' || stateOf(tr) === 'Pending' : runLive;
  const [times, setTimes] = useState(false);
  const log = useLog(ns, name, live, times);
  return (
    <>
      {tr && <Steps tr={tr} selected={step} onSelect={(s) => setStep(s === step ? undefined : s)} />}
      <LogView lines={log.lines} done={log.done} step={step} fileName={`${name}${step ? `-${step}` : ''}.log`} times={times} onTimes={setTimes} timed={log.timed} />
    </>
  );
}

function KeyValues({ title, items }: { title: string; items: [string, unknown][] }) {
  if (!items.length) return null;
  return (
    <><h3>{title}</h3><dl className="kv">{items.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd></div>)}</dl></>
  );
}
