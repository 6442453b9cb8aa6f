// PersistentVolumeClaims from `volumeClaimTemplate` workspace bindings (Tekton's volumeclaim
// PVC handler): one claim per binding per run, owned by the run, created before its first
// TaskRun. kiln provisions every claim at once (a directory under its data dir), so a claim is
// Bound from the start. The `kiln.dev/claim-storage` finalizer keeps a deleted claim until its
// directory is removed (see reconciler.ts).
import { isDNSSubdomain } from '../../api/checks.ts';
import type { PersistentVolumeClaim } from '../../api/core.types.ts';
import type { KObject, ObjectMeta } from '../../api/meta.ts';
import { PVC } from '../../api/registry.ts';
import type { WorkspaceBinding } from '../../api/workspace.types.ts';
import { claimName } from '../../engine/pipelinerun/naming.ts';
import type { Store } from '../../store/store.ts';
import { StoreError } from '../../store/store.ts';

/** Held by every claim whose directory kiln must remove before the claim may go. */
export const CLAIM_FINALIZER = 'kiln.dev/claim-storage';

/** The run a claim is made for (a PipelineRun or a standalone TaskRun). */
export type ClaimOwner = Pick<KObject, 'apiVersion' | 'kind' | 'metadata'>;

interface Template {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { accessModes?: unknown; resources?: { requests?: { storage?: unknown } } };
}

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * What kiln's provisioning makes of a claim's spec: Bound, with the access modes it asks for
 * (ReadWriteOnce when none) and the storage it requests as capacity (none when it requests none).
 */
export function boundStatus(spec: unknown): { phase: 'Bound'; accessModes: string[]; capacity?: { storage: string } } {
  const s = record(spec);
  const modes = Array.isArray(s.accessModes) ? s.accessModes.filter((m): m is string => typeof m === 'string') : [];
  const storage = record(record(s.resources).requests).storage;
  return {
    phase: 'Bound',
    accessModes: modes.length ? modes : ['ReadWriteOnce'],
    ...(typeof storage === 'string' || typeof storage === 'number' ? { capacity: { storage: String(storage) } } : {}),
  };
}

/**
 * The claim of one `volumeClaimTemplate` binding (undefined for other bindings): the template's
 * spec, labels and annotations, named by {@link claimName} from the binding and the owner's uid,
 * in the owner's namespace, controlled by the owner, Bound.
 */
export function claimFromTemplate(b: WorkspaceBinding, owner: ClaimOwner): PersistentVolumeClaim | undefined {
  if (!b.volumeClaimTemplate) return undefined;
  const t = b.volumeClaimTemplate as Template;
  const uid = owner.metadata.uid ?? '';
  const metadata: ObjectMeta = {
    name: claimName(t.metadata?.name, b.name, uid || (owner.metadata.name ?? '')),
    namespace: owner.metadata.namespace ?? 'default',
    ...(t.metadata?.labels ? { labels: { ...t.metadata.labels } } : {}),
    ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
    ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid, controller: true, blockOwnerDeletion: true }],
    finalizers: [CLAIM_FINALIZER],
  };
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec: structuredClone(t.spec ?? {}) as PersistentVolumeClaim['spec'], status: boundStatus(t.spec) };
}

/** The claims of every `volumeClaimTemplate` binding of a run. */
export function claimsFromTemplates(bindings: readonly WorkspaceBinding[] | undefined, owner: ClaimOwner): PersistentVolumeClaim[] {
  return (bindings ?? []).flatMap((b) => claimFromTemplate(b, owner) ?? []);
}

/** Why claims could not be created (user-caused, e.g. a template name that makes no valid claim name). */
export interface ClaimFailure { reason: 'CouldntCreateWorkspacePVC'; message: string }

/**
 * Creates the run's claims once per run and process (a claim that exists is fine: safe to repeat
 * after a restart). Resolves to a failure for claims the store refuses as invalid; other store
 * errors are thrown (the reconcile is retried).
 */
export function createClaimMaker(store: Store) {
  /** uids of the runs whose claims exist (bounded: runs deleted while running never come back) */
  const made = new Set<string>();

  async function ensure(owner: ClaimOwner, bindings: readonly WorkspaceBinding[] | undefined): Promise<ClaimFailure | undefined> {
    const uid = owner.metadata.uid ?? '';
    if (made.has(uid)) return undefined;
    const failure = (problem: string): ClaimFailure => ({
      reason: 'CouldntCreateWorkspacePVC',
      message: `[User error] Failed to create PVC for ${owner.kind} ${owner.metadata.namespace ?? 'default'}/${owner.metadata.name} correctly: ${problem}`,
    });
    for (const claim of claimsFromTemplates(bindings, owner)) {
      const name = claim.metadata.name ?? '';
      if (!isDNSSubdomain(name)) {
        return failure(`PersistentVolumeClaim "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
      }
      try {
        await store.create(PVC, claim);
      } catch (e) {
        if (e instanceof StoreError && e.reason === 'AlreadyExists') continue;
        if (e instanceof StoreError && e.reason === 'Invalid') return failure(e.message);
        throw e;
      }
    }
    if (made.size >= 1000) made.delete(made.values().next().value!);
    made.add(uid);
    return undefined;
  }

  return { ensure };
}
