// Resolution made visible as Tekton makes it: each request with an owner (the run asking) is a
// resolution.tekton.dev/v1beta1 ResolutionRequest in the run's namespace, owned by the run (deleted
// with it), labelled with the resolver's type, its params in spec, and its outcome in status
// (Succeeded, data = base64 of what was fetched, refSource). A request already recorded as
// succeeded is read back, not resolved again: a run resolves each reference once, across retries
// and restarts.
import type { Condition, KObject } from '../api/meta.ts';
import { RESOLUTION_GROUP, RESOLUTION_REQUEST, RESOLVER_TYPE_LABEL, type ResolutionRequestObject, type ResolutionRequestStatus } from '../api/resolutionrequest.ts';
import { isConflict, isNotFound, StoreError, type Store } from '../store/store.ts';
import { decodeFetched, requestName } from './framework.ts';
import type { RemoteResolution, ResolutionRequest, ResolutionResult } from './resolver.ts';

export interface RecordedResolutionOptions {
  store: Store;
  /** the clock of conditions (default: now) */
  now?: () => Date;
}

/** Tekton's reasons on a ResolutionRequest's Succeeded condition. */
export const ResolutionReason = { InProgress: 'ResolutionInProgress', Failed: 'ResolutionFailed' } as const;

function succeeded(status: ResolutionRequestStatus | undefined): Condition | undefined {
  return status?.conditions?.find((c) => c.type === 'Succeeded') as Condition | undefined;
}

/** The object recording `req` (status empty: resolution in progress). */
export function requestObject(req: ResolutionRequest & { owner: NonNullable<ResolutionRequest['owner']> }, nowIso: string): ResolutionRequestObject {
  return {
    apiVersion: `${RESOLUTION_GROUP}/v1beta1`,
    kind: RESOLUTION_REQUEST.kind,
    metadata: {
      name: requestName(req),
      namespace: req.namespace,
      labels: { [RESOLVER_TYPE_LABEL]: req.resolver },
      ownerReferences: [{ ...req.owner, controller: true, blockOwnerDeletion: true }],
    },
    spec: { params: req.params.map((p) => ({ name: p.name, value: p.value })) },
    status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: ResolutionReason.InProgress, message: 'Resolution request in progress', lastTransitionTime: nowIso }] },
  };
}

/** The status recording `r`. */
export function statusOf(r: ResolutionResult, nowIso: string): ResolutionRequestStatus {
  if (!r.ok) return { conditions: [{ type: 'Succeeded', status: 'False', reason: ResolutionReason.Failed, message: r.message, lastTransitionTime: nowIso }] };
  const data = r.data ?? JSON.stringify(r.object);
  return {
    conditions: [{ type: 'Succeeded', status: 'True', reason: '', message: '', lastTransitionTime: nowIso }],
    data: Buffer.from(data, 'utf8').toString('base64'),
    refSource: r.refSource,
  };
}

/** What a succeeded request recorded, decoded and checked again; undefined when it holds nothing usable. */
function readBack(rr: ResolutionRequestObject, req: ResolutionRequest): ResolutionResult | undefined {
  const status = rr.status;
  if (succeeded(status)?.status !== 'True' || !status?.data || !status.refSource) return undefined;
  const data = Buffer.from(status.data, 'base64').toString('utf8');
  const decoded = decodeFetched({ data, refSource: status.refSource, source: `ResolutionRequest ${req.namespace}/${rr.metadata.name}` }, req.kind);
  return 'object' in decoded ? { ok: true, object: decoded.object, refSource: { ...status.refSource }, data } : undefined;
}

/** `inner` with each owned request recorded as a ResolutionRequest (see the head of this file). */
export function recordResolutions(inner: RemoteResolution, { store, now = () => new Date() }: RecordedResolutionOptions): RemoteResolution {
  async function current(req: ResolutionRequest & { owner: NonNullable<ResolutionRequest['owner']> }): Promise<ResolutionRequestObject> {
    const obj = requestObject(req, now().toISOString());
    try {
      const created = await store.create<ResolutionRequestObject>(RESOLUTION_REQUEST, obj);
      // a store that keeps status out of create (a status subresource) gets it written after
      return succeeded(created.status) ? created : await store.updateStatus<ResolutionRequestObject>(RESOLUTION_REQUEST, { ...created, status: obj.status });
    } catch (e) {
      if (!(e instanceof StoreError && e.reason === 'AlreadyExists')) throw e;
      return store.get<ResolutionRequestObject>(RESOLUTION_REQUEST, req.namespace, obj.metadata.name!);
    }
  }

  async function record(rr: ResolutionRequestObject, r: ResolutionResult): Promise<void> {
    try {
      await store.updateStatus<KObject>(RESOLUTION_REQUEST, { ...rr, status: statusOf(r, now().toISOString()) });
    } catch (e) {
      // the run (and so its request) is gone, or another reconcile recorded it first
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  async function resolve(req: ResolutionRequest): Promise<ResolutionResult> {
    const owner = req.owner;
    if (!owner) return inner.resolve(req);
    const rr = await current({ ...req, owner });
    const recorded = readBack(rr, req);
    if (recorded) return recorded;
    const r = await inner.resolve(req);
    await record(rr, r);
    return r;
  }

  return { resolve };
}
