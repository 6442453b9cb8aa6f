// A TaskRun on its own: state, steps, log.
import { useEffect, useState } from 'react';
import { collection, conditionOf, duration, listWatch, stateOf, TEKTON, type KObj } from './api.ts';
import { TaskRunLog } from './RunPage.tsx';
import { Failure } from './Failure.tsx';

export function Steps({ tr, selected, onSelect }: { tr: KObj; selected?: string; onSelect: (s: string) => void }) {
  const steps: any[] = tr.status?.steps ?? [];
  return (
    <ol className="steps">
      {steps.map((s) => {
        const st = s.terminated ? (s.terminated.exitCode === 0 ? 'Succeeded' : 'Failed') : s.running ? 'Running' : 'Pending';
        return (
          <li key={s.name}>
            <button aria-pressed={selected === s.name} onClick={() => onSelect(s.name)}>
              <span className={`dot ${st}`} /> {s.name}{s.terminated ? ` · exit ${s.terminated.exitCode}` : ''}
            </button>
          </li>
        );
      })}
    </ol>
  );
}

export function TaskRunPage({ ns, name }: { ns: string; name: string }) {
  const [tr, setTr] = useState<KObj>();
  useEffect(() => listWatch(collection(TEKTON, 'taskruns', ns), `fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`, (ev) => {
    if (ev.type === 'LIST') setTr(ev.list.items[0]);
    else if (ev.type !== 'DELETED') setTr(ev.object);
  }, () => undefined), [ns, name]);
  if (!tr) return <section><h1>{name}</h1><p className="muted">Loading TaskRun {ns}/{name}…</p></section>;
  const c = conditionOf(tr);
  return (
    <section>
      <h1><span className={`badge ${stateOf(tr)}`}>{stateOf(tr)}</span> {name}</h1>
      <p className="muted">{ns} · {tr.spec?.taskRef?.name ?? 'embedded task'} · {duration(tr)} {c.message && `· ${c.reason}: ${c.message}`}</p>
      {stateOf(tr) === 'Failed' && <Failure run={tr} taskrun={tr} />}
      <TaskRunLog ns={ns} name={name} tr={tr} />
    </section>
  );
}
