// Follows runs to their end: watches TaskRuns, streams each step's log with a prefix, and
// reports state changes through a Reporter. A PipelineRun's tasks that run a Pipeline have a
// child PipelineRun (pipelines in pipelines): the parent's view shows it as that task, and the
// TaskRuns of the child (and deeper) stream too, prefixed `<task>/<child task>/<step>`.
import type { KObject, Condition } from '../api/meta.ts';
import type { TaskRunStatus } from '../api/taskrun.types.ts';
import type { KilnClient, ClientWatch } from '../client/client.ts';
import type { Reporter } from './reporter.ts';
import { taskLabel } from './task-label.ts';

export function succeeded(obj: KObject): Condition | undefined {
  return (obj.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === 'Succeeded');
}

export function isFinished(obj: KObject): boolean {
  const c = succeeded(obj);
  return !!c && c.status !== 'Unknown';
}

export interface FollowOptions {
  namespace: string;
  /** names of the runs to wait for (TaskRuns or PipelineRuns) */
  runs: Array<{ kind: string; name: string }>;
  reporter: Reporter;
  /** stream logs (default true) */
  logs?: boolean;
  /** give each log line its time (default false) */
  timestamps?: boolean;
  signal?: AbortSignal;
}

/**
 * Call before creating the runs: starts watching, then returns `wait()`, which resolves with the
 * final objects once every run has finished and its logs have been drained.
 */
export function follow(client: KilnClient, opts: FollowOptions): { wait(): Promise<KObject[]>; stop(): void } {
  const { namespace, reporter } = opts;
  const final = new Map<string, KObject>();
  const streaming = new Map<string, Promise<void>>();
  const seenState = new Map<string, string>();
  const watches: ClientWatch[] = [];
  const loneTaskRun = opts.runs.length === 1 && opts.runs[0].kind === 'TaskRun';
  let resolveDone!: () => void;
  const allDone = new Promise<void>((r) => (resolveDone = r));
  const wanted = new Set(opts.runs.map((r) => `${r.kind}/${r.name}`));

  /** Child PipelineRuns of the followed ones (and theirs): name → the pipeline tasks leading to it. */
  const nested = new Map<string, string[]>();
  /** TaskRuns of PipelineRuns not known (yet) to be nested in ours, by name: replayed when they are. */
  const unplaced = new Map<string, KObject>();
  /** The PipelineRuns seen (followed and nested), by name: their pipelineSpec names matrix params. */
  const pipelineRuns = new Map<string, KObject>();

  /** The pipeline tasks leading to a followed PipelineRun or a nested one ([] for a followed one), or undefined. */
  function pathOf(pr: string | undefined): string[] | undefined {
    if (!pr) return undefined;
    return wanted.has(`PipelineRun/${pr}`) ? [] : nested.get(pr);
  }

  function ours(tr: KObject): boolean {
    const pr = tr.metadata.labels?.['tekton.dev/pipelineRun'];
    return wanted.has(`TaskRun/${tr.metadata.name}`) || (!!pr && wanted.has(`PipelineRun/${pr}`));
  }

  function prefixOf(tr: KObject, step: string): string {
    if (loneTaskRun) return step;
    const pr = tr.metadata.labels?.['tekton.dev/pipelineRun'];
    const path = pathOf(pr) ?? [];
    return [...path, taskLabel(tr, pr ? pipelineRuns.get(pr) : undefined), step].join('/');
  }

  function streamLogs(tr: KObject): void {
    const name = tr.metadata.name!;
    if (streaming.has(name) || opts.logs === false) return;
    const p = (async () => {
      for await (const l of client.logs(namespace, name, { follow: true, signal: opts.signal, timestamps: opts.timestamps })) {
        if (l.time) reporter.onLog(prefixOf(tr, l.step), l.line, l.time);
        else reporter.onLog(prefixOf(tr, l.step), l.line);
      }
    })().catch((e) => reporter.onNotice(`logs of ${name}: ${(e as Error).message}`));
    streaming.set(name, p);
  }

  function onTaskRun(tr: KObject): void {
    if (!ours(tr)) {
      const pr = tr.metadata.labels?.['tekton.dev/pipelineRun'];
      if (pathOf(pr)) streamNested(tr);
      else if (pr) unplaced.set(tr.metadata.name!, tr);
      return;
    }
    const st = (tr.status ?? {}) as TaskRunStatus;
    const c = succeeded(tr);
    const key = `${c?.status}/${c?.reason}/${(st.steps ?? []).map((s) => (s.terminated ? 't' : s.running ? 'r' : 'w')).join('')}`;
    if (seenState.get(tr.metadata.name!) !== key) {
      seenState.set(tr.metadata.name!, key);
      reporter.onTaskRunUpdate(tr);
    }
    if (st.startTime && st.logDir) streamLogs(tr);
    onRun(tr);
  }

  /** A TaskRun of a nested PipelineRun: its logs stream (its state shows as its PipelineRun's task). */
  function streamNested(tr: KObject): void {
    const st = (tr.status ?? {}) as TaskRunStatus;
    if (st.startTime && st.logDir) streamLogs(tr);
  }

  function onPipelineRun(pr: KObject): void {
    pipelineRuns.set(pr.metadata.name!, pr);
    if (wanted.has(`PipelineRun/${pr.metadata.name}`)) {
      reporter.onPipelineRunUpdate?.(pr);
      onRun(pr);
      return;
    }
    const parent = pr.metadata.labels?.['tekton.dev/pipelineRun'];
    const path = pathOf(parent);
    if (!path) return;
    const name = pr.metadata.name!;
    if (!nested.has(name)) {
      nested.set(name, [...path, pr.metadata.labels?.['tekton.dev/pipelineTask'] ?? name]);
      for (const [trName, tr] of unplaced) {
        if (tr.metadata.labels?.['tekton.dev/pipelineRun'] !== name) continue;
        unplaced.delete(trName);
        streamNested(tr);
      }
    }
    // a direct child shows as its task in the parent's view
    if (path.length === 0) {
      const c = succeeded(pr);
      const key = `${c?.status}/${c?.reason}/${(pr.status as { startTime?: string } | undefined)?.startTime ?? ''}`;
      if (seenState.get(`PipelineRun/${name}`) !== key) {
        seenState.set(`PipelineRun/${name}`, key);
        reporter.onTaskRunUpdate(pr);
      }
    }
  }

  function onRun(obj: KObject): void {
    const k = `${obj.kind}/${obj.metadata.name}`;
    if (!wanted.has(k) || !isFinished(obj) || final.has(k)) return;
    final.set(k, obj);
    if (final.size === wanted.size) resolveDone();
  }

  async function consume(w: ClientWatch, handle: (o: KObject) => void): Promise<void> {
    for await (const ev of w) if (ev.type !== 'DELETED' && ev.type !== 'BOOKMARK') handle(ev.object);
  }

  const trWatch = client.watch('TaskRun', namespace);
  watches.push(trWatch);
  void consume(trWatch, onTaskRun);
  if (opts.runs.some((r) => r.kind === 'PipelineRun')) {
    const prWatch = client.watch('PipelineRun', namespace);
    watches.push(prWatch);
    void consume(prWatch, onPipelineRun);
  }

  function stop(): void {
    for (const w of watches) w.stop();
  }

  /** Reads the TaskRuns of the followed PipelineRuns, as if the watch had delivered them. */
  async function catchUpTaskRuns(): Promise<void> {
    for (const r of opts.runs) {
      if (r.kind !== 'PipelineRun') continue;
      const trs = await client.list('TaskRun', namespace, `tekton.dev/pipelineRun=${r.name}`).catch(() => [] as KObject[]);
      for (const tr of trs) onTaskRun(tr);
    }
  }

  async function wait(): Promise<KObject[]> {
    // Catch up on anything that happened before the watch delivered it.
    for (const r of opts.runs) {
      const obj = await client.get(r.kind, namespace, r.name).catch(() => undefined);
      if (obj?.kind === 'PipelineRun') pipelineRuns.set(r.name, obj);
      if (obj) (r.kind === 'TaskRun' ? onTaskRun : onRun)(obj);
    }
    // TaskRuns created before the watch took hold (its request races the create) stream now, not
    // when their next event comes (which may be their end)
    await catchUpTaskRuns();
    await allDone;
    // a TaskRun whose events had not arrived when its PipelineRun ended (e.g. a finally task) still streams
    await catchUpTaskRuns();
    await Promise.all(streaming.values());
    stop();
    return opts.runs.map((r) => final.get(`${r.kind}/${r.name}`)!);
  }

  return { wait, stop };
}
