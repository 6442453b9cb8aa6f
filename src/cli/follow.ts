// Follows runs to their end: watches TaskRuns, streams each step's log with a prefix, and
// reports state changes through a Reporter.
import type { KObject, Condition } from '../api/meta.ts';
import type { TaskRunStatus } from '../api/taskrun.types.ts';
import type { KilnClient, ClientWatch } from '../client/client.ts';
import type { Reporter } from './reporter.ts';

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

  function ours(tr: KObject): boolean {
    const pr = tr.metadata.labels?.['tekton.dev/pipelineRun'];
    return wanted.has(`TaskRun/${tr.metadata.name}`) || (!!pr && wanted.has(`PipelineRun/${pr}`));
  }

  function prefixOf(tr: KObject, step: string): string {
    const task = tr.metadata.labels?.['tekton.dev/pipelineTask'];
    if (loneTaskRun) return step;
    return `${task ?? tr.metadata.name}/${step}`;
  }

  function streamLogs(tr: KObject): void {
    const name = tr.metadata.name!;
    if (streaming.has(name) || opts.logs === false) return;
    const p = (async () => {
      for await (const l of client.logs(namespace, name, { follow: true, signal: opts.signal })) {
        reporter.onLog(prefixOf(tr, l.step), l.line);
      }
    })().catch((e) => reporter.onNotice(`logs of ${name}: ${(e as Error).message}`));
    streaming.set(name, p);
  }

  function onTaskRun(tr: KObject): void {
    if (!ours(tr)) return;
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
    void consume(prWatch, (o) => { reporter.onPipelineRunUpdate?.(o); onRun(o); });
  }

  function stop(): void {
    for (const w of watches) w.stop();
  }

  async function wait(): Promise<KObject[]> {
    // Catch up on anything that happened before the watch delivered it.
    for (const r of opts.runs) {
      const obj = await client.get(r.kind, namespace, r.name).catch(() => undefined);
      if (obj) (r.kind === 'TaskRun' ? onTaskRun : onRun)(obj);
    }
    await allDone;
    await Promise.all(streaming.values());
    stop();
    return opts.runs.map((r) => final.get(`${r.kind}/${r.name}`)!);
  }

  return { wait, stop };
}
