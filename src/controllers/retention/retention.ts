// Retention: periodically prunes finished runs beyond the policy, their child TaskRuns (by the
// store's cascading delete) and their kept log files, together.
import type { KObject, Condition } from '../../api/meta.ts';
import { EVENT, PIPELINERUN, TASKRUN } from '../../api/registry.ts';
import { runsToPrune, type FinishedRun, type RetentionPolicy } from '../../engine/retention.ts';
import type { Executor } from '../../executor/executor.ts';
import { orUndefined, type Store } from '../../store/store.ts';

export interface RetentionOptions {
  store: Store;
  executor: Executor;
  policy: RetentionPolicy;
  /** sweep period (default 60 s) */
  everyMs?: number;
  now?: () => number;
  onError?: (e: unknown) => void;
}

function finishedAt(o: KObject): string | undefined {
  const st = o.status as { conditions?: Condition[]; completionTime?: string } | undefined;
  const c = st?.conditions?.find((x) => x.type === 'Succeeded');
  return c && c.status !== 'Unknown' ? st?.completionTime ?? c.lastTransitionTime : undefined;
}

/** What a run ran: its Pipeline/Task by name, else the name it was generated from, else its own. */
function groupOf(o: KObject): string {
  const spec = o.spec as { pipelineRef?: { name?: string }; taskRef?: { name?: string } } | undefined;
  const ref = spec?.pipelineRef?.name ?? spec?.taskRef?.name;
  if (ref) return `${o.kind === 'PipelineRun' ? 'pipeline' : 'task'}/${ref}`;
  return `${o.kind}/${o.metadata.generateName ?? o.metadata.name}`;
}

export function createRetention({ store, executor, policy, everyMs = 60_000, now = Date.now, onError = () => {} }: RetentionOptions) {
  async function finished(): Promise<Array<FinishedRun & { obj: KObject }>> {
    const prs = (await store.list(PIPELINERUN)).items.filter((o) => !o.metadata.ownerReferences?.length);
    const trs = (await store.list(TASKRUN)).items.filter((o) => !o.metadata.ownerReferences?.length);
    const out: Array<FinishedRun & { obj: KObject }> = [];
    for (const obj of [...prs, ...trs]) {
      const completionTime = finishedAt(obj);
      if (completionTime) out.push({ namespace: obj.metadata.namespace ?? 'default', name: obj.metadata.name ?? '', group: groupOf(obj), completionTime, obj });
    }
    return out;
  }

  /** The TaskRuns whose files go with `run`: itself, or every TaskRun of a PipelineRun's tree. */
  async function taskRunsOf(run: KObject): Promise<KObject[]> {
    if (run.kind === 'TaskRun') return [run];
    const ns = run.metadata.namespace ?? 'default';
    const out: KObject[] = [];
    const { items } = await store.list(TASKRUN, { namespace: ns, labelSelector: `tekton.dev/pipelineRun=${run.metadata.name}` });
    out.push(...items);
    const { items: children } = await store.list(PIPELINERUN, { namespace: ns, labelSelector: `tekton.dev/pipelineRun=${run.metadata.name}` });
    for (const c of children) out.push(...(await taskRunsOf(c)));
    return out;
  }

  /** Trigger records (Events on EventListeners) older than maxAgeDays go too. */
  async function pruneEvents(): Promise<string[]> {
    if (policy.maxAgeDays === undefined) return [];
    const { items } = await store.list(EVENT, { labelSelector: 'triggers.tekton.dev/eventlistener' });
    const records = items.map((e) => ({ namespace: e.metadata.namespace ?? 'default', name: e.metadata.name ?? '', group: 'events', completionTime: String(e.lastTimestamp ?? e.metadata.creationTimestamp ?? '') }));
    const out: string[] = [];
    for (const r of runsToPrune(records, { maxAgeDays: policy.maxAgeDays }, now())) {
      if (await orUndefined(store.delete(EVENT, r.namespace, r.name).then(() => true))) out.push(`Event/${r.namespace}/${r.name}`);
    }
    return out;
  }

  /** One sweep; returns the runs (and trigger records) pruned. */
  async function sweep(): Promise<string[]> {
    const all = await finished();
    const pruned: string[] = [];
    for (const r of runsToPrune(all, policy, now())) {
      const obj = (r as FinishedRun & { obj: KObject }).obj;
      const files = await taskRunsOf(obj);
      const gone = await orUndefined(store.delete(obj.kind === 'PipelineRun' ? PIPELINERUN : TASKRUN, r.namespace, r.name).then(() => true));
      if (!gone) continue;
      for (const tr of files) await executor.removeRun?.(tr.metadata.namespace ?? 'default', tr.metadata.name ?? '', tr.metadata.uid ?? '');
      pruned.push(`${obj.kind}/${r.namespace}/${r.name}`);
    }
    return [...pruned, ...(await pruneEvents())];
  }

  let timer: NodeJS.Timeout | undefined;
  return {
    sweep,
    start(): void {
      const tick = () => void sweep().catch(onError);
      tick();
      timer = setInterval(tick, everyMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
    },
  };
}
