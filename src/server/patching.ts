// A PATCH request's patch applied to the stored object: the four patch types kubectl and kiln
// send, with PatchError mapped to the HTTP answer (malformed → 400, failing → 422).
import type { KObject } from '../api/meta.ts';
import { isPlainObject } from '../api/normalize.ts';
import { badRequest, HttpError } from './errors.ts';
import { APPLY_PATCH, JSON_PATCH, MERGE_PATCH, type PatchType } from './media.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, cloneJson, PatchError } from './patch.ts';

export interface Patched {
  /** the object as the patch leaves it (not yet checked or validated) */
  object: unknown;
  /** the patch set metadata.resourceVersion itself: a precondition, so a conflict is not retried */
  pinsVersion: boolean;
}

/**
 * Server-side apply for one field manager: the applied configuration replaces everything but
 * metadata and status (fields it leaves out are removed); labels and annotations it names are set,
 * the object's other metadata stays. (kiln keeps no managedFields: the last applier owns all.)
 */
export function applyConfiguration(current: KObject, applied: unknown): unknown {
  if (!isPlainObject(applied)) throw new PatchError('an apply patch must be an object', true);
  const { metadata: meta, status: _status, ...content } = applied as Record<string, unknown>;
  const m = isPlainObject(meta) ? meta : {};
  const merged: Record<string, unknown> = { ...cloneJson(current.metadata) };
  for (const k of ['labels', 'annotations'] as const) {
    if (isPlainObject(m[k])) merged[k] = { ...(current.metadata[k] ?? {}), ...(m[k] as Record<string, string>) };
  }
  for (const k of ['name', 'namespace', 'finalizers', 'ownerReferences', 'generateName'] as const) {
    if (m[k] !== undefined) merged[k] = m[k];
  }
  const out: Record<string, unknown> = { ...cloneJson(content), metadata: merged };
  if (current.status !== undefined) out.status = current.status;
  return out;
}

function apply(type: PatchType, current: KObject, doc: unknown): unknown {
  switch (type) {
    case JSON_PATCH: return applyJsonPatch(current, doc);
    case MERGE_PATCH: return applyMergePatch(current, doc);
    case APPLY_PATCH: return applyConfiguration(current, doc);
    default: return applyStrategicMergePatch(current, doc);
  }
}

/**
 * Applies `doc` of `type` to `current`. For the status subresource only the patched status is
 * kept (the store's updateStatus ignores the rest anyway). Throws HttpError 400/422.
 */
export function applyPatch(type: PatchType, current: KObject, doc: unknown, statusOnly = false): Patched {
  let object: unknown;
  try {
    object = apply(type, current, doc);
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    if (e.malformed) throw badRequest(`the patch is malformed: ${e.message}`);
    throw new HttpError('Invalid', `the patch cannot be applied: ${e.message}`);
  }
  if (!isPlainObject(object)) throw new HttpError('Invalid', 'the patch leaves no object behind');
  const after = object as Record<string, unknown>;
  const meta = isPlainObject(after.metadata) ? (after.metadata as Record<string, unknown>) : undefined;
  const pinsVersion = meta !== undefined && meta.resourceVersion !== current.metadata.resourceVersion && meta.resourceVersion !== undefined;
  if (meta && meta.resourceVersion === undefined) meta.resourceVersion = current.metadata.resourceVersion;
  if (statusOnly) {
    const rv = meta?.resourceVersion ?? current.metadata.resourceVersion;
    object = { ...cloneJson(current), metadata: { ...cloneJson(current.metadata), resourceVersion: rv }, status: after.status };
  }
  return { object, pinsVersion };
}
