// Mapping functions for secondary watches: turn a watched object into the requests to reconcile.
import type { KObject } from '../api/meta.ts';
import { groupOf } from '../api/meta.ts';
import type { Request } from './result.ts';

export interface OwnerRequestsOptions {
  /** only the owner reference marked `controller: true` (default false: every owner of the kind) */
  onlyController?: boolean;
}

/**
 * Maps an object to its owners of one kind, in the object's namespace: a TaskRun owned by a
 * PipelineRun wakes that PipelineRun. `owner` is a kind name (`'PipelineRun'`) or anything with
 * `kind` and `group` (a ResourceType / KindInfo), which also matches the API group.
 */
export function ownerRequests(
  owner: string | { kind: string; group: string },
  { onlyController = false }: OwnerRequestsOptions = {},
): (obj: KObject) => Request[] {
  const kind = typeof owner === 'string' ? owner : owner.kind;
  const group = typeof owner === 'string' ? undefined : owner.group;
  return function mapToOwners(obj) {
    const out: Request[] = [];
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (ref.kind !== kind) continue;
      if (group !== undefined && groupOf(ref.apiVersion) !== group) continue;
      if (onlyController && ref.controller !== true) continue;
      out.push({ namespace: obj.metadata.namespace ?? '', name: ref.name });
    }
    return out;
  };
}

/** Maps an object to itself (what the primary watch of a controller does). */
export function selfRequest(obj: KObject): Request[] {
  return [{ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' }];
}

/**
 * The `namespace/name` key work on `obj` is sharded by among replicas: its controlling owner's when
 * that owner is of kind `ownerKind` (a TaskRun goes with its PipelineRun), else its own.
 */
export function shardKeyOf(obj: KObject, ownerKind: string): string {
  const ns = obj.metadata.namespace ?? '';
  const owner = obj.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === ownerKind);
  return `${ns}/${owner?.name ?? obj.metadata.name ?? ''}`;
}
