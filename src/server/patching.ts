// A PATCH request's patch applied to the stored object: the four patch types kubectl and kiln
// send, with PatchError mapped to the HTTP answer (malformed or past a limit → 400, failing → 422).
import type { KObject } from '../api/meta.ts';
import { isPlainObject } from '../api/normalize.ts';
import { badRequest, HttpError, invalid, type StatusCause } from './errors.ts';
import { APPLY_PATCH, JSON_PATCH, MERGE_PATCH, type PatchType } from './media.ts';
import {
  applyJsonPatch, applyMergePatch, applyStrategicMergePatch, checkPatchedSize, cloneJson, PatchError, PatchLimitError, type PatchLimits,
} from './patch.ts';

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

/** The longest field manager name kube-apiserver accepts. */
export const MAX_FIELD_MANAGER_LENGTH = 128;

/**
 * The options of a PATCH request, checked before anything else as kube-apiserver does
 * (ValidatePatchOptions): a server-side apply must name its field manager (`?fieldManager=`),
 * `force` is for apply patches only, a field manager name is at most 128 printable characters.
 * Throws kube-apiserver's 422 `PatchOptions.meta.k8s.io "" is invalid: …`.
 */
export function checkPatchOptions(type: PatchType, q: { fieldManager?: string; force?: string }): void {
  const causes: StatusCause[] = [];
  const manager = q.fieldManager ?? '';
  if (type === APPLY_PATCH && manager === '') {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' });
  }
  if (type !== APPLY_PATCH && q.force !== undefined) {
    causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
  }
  if (manager.length > MAX_FIELD_MANAGER_LENGTH) {
    causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${MAX_FIELD_MANAGER_LENGTH} bytes`, field: 'fieldManager' });
  } else if (/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(manager)) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(manager)}: must only contain printable characters`, field: 'fieldManager' });
  }
  if (causes.length) throw invalid('PatchOptions', 'meta.k8s.io', '', causes);
}

function apply(type: PatchType, current: KObject, doc: unknown, limits: PatchLimits): unknown {
  switch (type) {
    case JSON_PATCH: return applyJsonPatch(current, doc, limits);
    case MERGE_PATCH: return applyMergePatch(current, doc, limits);
    case APPLY_PATCH: {
      const applied = applyConfiguration(current, doc);
      checkPatchedSize(current, applied, limits);
      return applied;
    }
    default: return applyStrategicMergePatch(current, doc, limits);
  }
}

/**
 * Applies `doc` of `type` to `current`. For the status subresource only the patched status is
 * kept (the store's updateStatus ignores the rest anyway). `limits` bound the patch (by default
 * kube-apiserver's: 10,000 JSON patch operations, a 3 MiB result; the server passes its body limit).
 * Throws HttpError 400 (malformed, or past a limit, naming it) or 422 (the patch does not apply).
 */
export function applyPatch(type: PatchType, current: KObject, doc: unknown, statusOnly = false, limits: PatchLimits = {}): Patched {
  let object: unknown;
  try {
    object = apply(type, current, doc, limits);
  } catch (e) {
    if (!(e instanceof PatchError)) throw e;
    if (e instanceof PatchLimitError) throw badRequest(e.message);
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
