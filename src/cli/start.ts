// `kiln start pipeline|task NAME [-p k=v]… [-w tkn-form]…`: starts a run of a Pipeline or Task
// stored on the server, then follows it live like `kiln run`.
import type { KObject } from '../api/meta.ts';
import type { ParamSpec } from '../api/param.types.ts';
import type { WorkspaceDeclaration } from '../api/workspace.types.ts';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import { parseParams, parseRemoteWorkspaces } from './params.ts';
import type { Reporter } from './reporter.ts';
import { followToEnd } from './run.ts';

export interface StartOptions {
  /** `pipeline` or `task` (also `p`, `t`, plurals) */
  kind: string;
  name: string;
  namespace: string;
  params: string[];
  workspaces: string[];
  /** the ServiceAccount the run uses (default: the server's) */
  serviceAccount?: string;
  reporter: Reporter;
  client: () => Promise<KilnClient>;
  signal?: AbortSignal;
}

const STARTABLE: Record<string, 'Pipeline' | 'Task'> = { pipeline: 'Pipeline', pipelines: 'Pipeline', p: 'Pipeline', task: 'Task', tasks: 'Task', t: 'Task' };

/** The run `kiln start` creates for a stored Pipeline or Task (params typed by its declarations). */
export function runFor(target: KObject, opts: Pick<StartOptions, 'params' | 'workspaces' | 'serviceAccount'>): KObject {
  const isTask = target.kind === 'Task';
  const spec = (target.spec ?? {}) as { params?: ParamSpec[]; workspaces?: WorkspaceDeclaration[] };
  const workspaces = parseRemoteWorkspaces(opts.workspaces);
  const missing = (spec.workspaces ?? []).filter((w) => !w.optional && !workspaces.some((b) => b.name === w.name));
  if (missing.length) {
    throw new CliError(EXIT.invalid, `${target.kind.toLowerCase()} ${target.metadata.name}: workspace(s) not bound: ${missing.map((w) => w.name).join(', ')}`, [
      `bind each with -w, e.g. ${missing.map((w) => `-w name=${w.name},emptyDir=`).join(' ')}`,
    ]);
  }
  const runSpec: Record<string, unknown> = isTask ? { taskRef: { name: target.metadata.name } } : { pipelineRef: { name: target.metadata.name } };
  if (opts.params.length) runSpec.params = parseParams(opts.params, spec.params ?? []);
  if (workspaces.length) runSpec.workspaces = workspaces;
  if (opts.serviceAccount) {
    if (isTask) runSpec.serviceAccountName = opts.serviceAccount;
    else runSpec.taskRunTemplate = { serviceAccountName: opts.serviceAccount };
  }
  return {
    apiVersion: 'tekton.dev/v1',
    kind: isTask ? 'TaskRun' : 'PipelineRun',
    metadata: { generateName: `${target.metadata.name}-run-`, namespace: target.metadata.namespace },
    spec: runSpec,
  };
}

export async function startCommand(opts: StartOptions): Promise<number> {
  const kind = STARTABLE[opts.kind.toLowerCase()];
  if (!kind) throw new CliError(EXIT.invalid, `kiln start ${opts.kind}: expected "pipeline" or "task"`);
  const client = await opts.client();
  try {
    const target = await client.get(kind, opts.namespace, opts.name).catch((e: { code?: number }) => {
      if (e.code === 404) throw new CliError(EXIT.invalid, `${kind.toLowerCase()} "${opts.name}" not found in namespace ${opts.namespace}`, ['apply it first: kiln apply -f FILE']);
      throw e;
    });
    const created = await client.create(runFor(target, opts));
    return await followToEnd(client, [created], { namespace: opts.namespace, reporter: opts.reporter, signal: opts.signal });
  } finally {
    await client.close();
  }
}
