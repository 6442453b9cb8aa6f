// `kiln logs [RUN] [-f] [--last]`: a TaskRun's steps, or every TaskRun of a PipelineRun in the
// order they ran; with -f a PipelineRun is followed to its end (tasks created later, finally
// tasks and nested pipelines included), like `tkn pr logs -f`.
import type { KObject } from '../api/meta.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import { follow } from './follow.ts';
import type { Writers } from './reporter.ts';
import { byStartTime, newest, taskLabel } from './task-label.ts';

/**
 * The newest run (by creation) of a kind: `PipelineRun`, `TaskRun`, or, for `undefined`, the
 * newest of the PipelineRuns and the TaskRuns that belong to none. Fails when there is none.
 */
export async function lastRun(client: KilnClient, namespace: string, kind?: string): Promise<KObject> {
  const kinds = kind ? [kind] : ['PipelineRun', 'TaskRun'];
  const items: KObject[] = [];
  for (const k of kinds) {
    const list = await client.list(k, namespace);
    items.push(...list.filter((o) => kind || k === 'PipelineRun' || !o.metadata.labels?.['tekton.dev/pipelineRun']));
  }
  const last = newest(items);
  if (!last) throw new CliError(EXIT.invalid, `no ${kind ? `${kind}s` : 'runs'} in namespace ${namespace}`);
  return last;
}

/** A run named on the command line, or the newest with `--last`; a name and --last together are an error. */
export async function runArg(client: KilnClient, name: string | undefined, last: boolean, namespace: string, kind?: string): Promise<KObject> {
  if (name && last) throw new CliError(EXIT.invalid, `give a run name or --last, not both (got "${name}" and --last)`);
  if (last) return lastRun(client, namespace, kind);
  if (!name) throw new CliError(EXIT.invalid, 'which run? give its name, or --last for the newest');
  if (kind) return client.get(kind, namespace, name);
  const pr = await client.get('PipelineRun', namespace, name).catch(() => undefined);
  return pr ?? client.get('TaskRun', namespace, name);
}

/** `timestamps`: each line prefixed with when it reached kiln (RFC 3339), as `kubectl logs --timestamps` */
export interface LogsOptions { name?: string; namespace: string; follow: boolean; last: boolean; timestamps?: boolean }

export async function logsCommand(o: LogsOptions, deps: { client: () => Promise<KilnClient>; w: Writers; signal?: AbortSignal }): Promise<number> {
  const client = await deps.client();
  try {
    const run = await runArg(client, o.name, o.last, o.namespace);
    const name = run.metadata.name!;
    if (run.kind === 'PipelineRun' && o.follow) {
      const out = (prefix: string, line: string, time?: string) => deps.w.out(`${time ? `${time} ` : ''}[${prefix}] ${line}`);
      const none = () => {};
      const f = follow(client, {
        namespace: o.namespace, runs: [{ kind: 'PipelineRun', name }], signal: deps.signal, timestamps: !!o.timestamps,
        reporter: { onLog: out, onNotice: (m) => deps.w.err(m), onRunStart: none, onTaskRunUpdate: none, onRunEnd: none, onAllEnd: none },
      });
      await f.wait();
      return EXIT.ok;
    }
    const trs = run.kind === 'PipelineRun'
      ? (await client.list('TaskRun', o.namespace, `tekton.dev/pipelineRun=${name}`)).sort(byStartTime)
      : [run];
    for (const tr of trs) {
      const prefix = run.kind === 'PipelineRun' ? `${taskLabel(tr, run)}/` : '';
      for await (const l of client.logs(o.namespace, tr.metadata.name!, { follow: o.follow, signal: deps.signal, timestamps: !!o.timestamps })) deps.w.out(`${l.time ? `${l.time} ` : ''}[${prefix}${l.step}] ${l.line}`);
    }
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
