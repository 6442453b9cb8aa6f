// The cluster resolver (Tekton's `cluster`): a Task, Pipeline or StepAction of another (or the
// same) namespace of this kiln's store, by kind, name and namespace; the namespaces it may
// read are configurable.
import { createHash } from 'node:crypto';
import type { KindInfo } from '../api/registry.ts';
import { PIPELINE, STEPACTION, TASK } from '../api/registry.ts';
import type { KObject } from '../api/meta.ts';
import type { Store } from '../store/store.ts';
import { orUndefined } from '../store/store.ts';
import { ResolverError, type Fetched, type ResolveContext, type Resolver } from './framework.ts';

export interface ClusterResolverOptions {
  store: Store;
  /** namespaces it may read (default: every namespace) */
  allowedNamespaces?: readonly string[];
  /** kind when none is given (Tekton's default-kind: task) */
  defaultKind?: string;
}

const KINDS: Record<string, KindInfo> = { task: TASK, pipeline: PIPELINE, stepaction: STEPACTION };

export function createClusterResolver({ store, allowedNamespaces, defaultKind = 'task' }: ClusterResolverOptions): Resolver {
  const allowed = allowedNamespaces?.length ? new Set(allowedNamespaces) : undefined;

  async function fetch(params: ReadonlyMap<string, string>, ctx: ResolveContext): Promise<Fetched> {
    const name = params.get('name');
    if (!name) throw new ResolverError('missing required cluster resolver params: name');
    const kindParam = (params.get('kind') || defaultKind).toLowerCase();
    const kind = KINDS[kindParam];
    if (!kind) throw new ResolverError(`unknown or unsupported resource kind '${kindParam}' (task, pipeline or stepaction)`);
    if (kind.kind !== ctx.kind) throw new ResolverError(`kind "${kindParam}" asked for where a ${ctx.kind} is referenced`);
    const namespace = params.get('namespace') || ctx.namespace;
    if (allowed && !allowed.has(namespace)) throw new ResolverError(`access to namespace "${namespace}" is not allowed (allowed: ${[...allowed].join(', ')})`);
    const obj = await orUndefined(store.get<KObject>(kind, namespace, name));
    if (!obj) throw new ResolverError(`${kind.plural}.tekton.dev "${name}" not found in namespace "${namespace}"`);
    const out = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace, labels: obj.metadata.labels, annotations: obj.metadata.annotations }, spec: obj.spec };
    const data = JSON.stringify(out);
    return {
      data,
      refSource: { uri: `/apis/tekton.dev/v1/namespaces/${namespace}/${kind.plural}/${name}@${obj.metadata.uid ?? ''}`, digest: { sha256: createHash('sha256').update(data).digest('hex') } },
      source: `${kind.plural}.tekton.dev/${namespace}/${name}`,
    };
  }

  return { title: 'Cluster', fetch };
}
