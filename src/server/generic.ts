// Writes of the kinds stored as they are (api/generic: the built-in workload kinds, CRDs and the
// kinds CRDs define): identity against the URL, metadata checked, the object moved to the kind's
// storage version, and for a CRD-defined kind its openAPIV3Schema applied: defaults filled in,
// unknown fields pruned (fieldValidation Strict refuses them with 400, Warn warns, Ignore is
// silent), values checked (422 naming every field). Also: how such kinds keep `status` when they
// have no status subresource (then status is part of the object, as in Kubernetes).
import { validateMetadata } from '../api/core.validation.ts';
import { CRD_KIND } from '../api/generic/builtin.ts';
import { validateCrd } from '../api/generic/crd.ts';
import { applySchema } from '../api/generic/schema.ts';
import type { FieldError } from '../api/errors.ts';
import type { KObject } from '../api/meta.ts';
import { versionOf } from '../api/meta.ts';
import { isPlainObject } from '../api/normalize.ts';
import type { KindInfo } from '../api/registry.ts';
import type { Store } from '../store/store.ts';
import { badRequest, invalid } from './errors.ts';
import type { ResourceTarget } from './paths.ts';
import { apiVersionOf, storageVersion, subresourcesOf } from './paths.ts';
import { checkIdentity, type CheckOptions, type Checked } from './write.ts';

/** RBAC objects may be named by any path segment (`system:aggregate-to-edit`), as in Kubernetes. */
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const PATH_SEGMENT = /^(?!\.\.?$)[^/%]+$/;

function metadataErrors(obj: KObject, info: KindInfo): FieldError[] {
  const errors = validateMetadata(obj.metadata, info.kind).filter((e) => e.severity !== 'warning');
  if (info.group !== RBAC_GROUP) return errors;
  const name = obj.metadata.name;
  return errors.filter((e) => !(e.path === 'metadata.name' && typeof name === 'string' && PATH_SEGMENT.test(name) && /invalid resource name/.test(e.message)));
}

function causeOf(e: FieldError): { reason: string; message: string; field: string } {
  const reason = /^Required value/.test(e.message) ? 'FieldValueRequired' : /^Unsupported value/.test(e.message) ? 'FieldValueNotSupported' : 'FieldValueInvalid';
  return { reason, message: e.message, field: e.path };
}

/** Checks an object body written to a kind stored as it is (see the header); throws 400/422. */
export function checkGenericWrite(raw: unknown, target: ResourceTarget, opts: CheckOptions): Checked {
  const { info } = target;
  const obj = checkIdentity(raw, target, opts.alsoAccept);
  const name = isPlainObject(obj.metadata) && typeof obj.metadata.name === 'string' ? obj.metadata.name : '';
  if (!isPlainObject(obj.metadata)) throw invalid(info.kind, info.group, name, [{ reason: 'FieldValueInvalid', field: 'metadata', message: 'Invalid value: must be an object' }]);
  const written = versionOf(String(obj.apiVersion));
  const warnings: string[] = [];
  let object = { ...obj, apiVersion: apiVersionOf(info.group, storageVersion(info)) } as KObject;
  const errors = metadataErrors(object, info);
  const schema = info.schemas?.[written] ?? info.schemas?.[target.version];
  if (schema !== undefined) {
    const applied = applySchema(object, schema);
    object = applied.value as KObject;
    errors.push(...applied.errors);
    if (opts.fieldValidation === 'Strict' && applied.unknown.length) {
      const messages = applied.unknown.map((u) => u.message);
      throw badRequest(`strict decoding error: ${messages.join(', ')}`, {
        name, group: info.group, kind: info.kind,
        causes: applied.unknown.map((u) => ({ reason: 'FieldValueInvalid', message: u.message, field: u.path })),
      });
    }
    if (opts.fieldValidation === 'Warn') warnings.push(...applied.unknown.map((u) => u.message));
  }
  if (info.group === CRD_KIND.group && info.plural === CRD_KIND.plural) errors.push(...validateCrd(object));
  if (errors.length) throw invalid(info.kind, info.group, name, errors.map(causeOf));
  return { object, warnings };
}

/** Whether `status` is part of the object itself (a kind stored as it is, without the status subresource). */
export function statusInObject(info: KindInfo): boolean {
  return info.generic === true && !subresourcesOf(info).includes('status');
}

/**
 * The write of the main resource: Store.update keeps status as it is, so a kind whose status is
 * part of the object also gets its status written (a second write only when it changed).
 */
export async function updateObject(store: Store, info: KindInfo, obj: KObject): Promise<KObject> {
  const updated = await store.update(info, obj);
  if (!statusInObject(info) || JSON.stringify(updated.status) === JSON.stringify(obj.status)) return updated;
  return store.updateStatus(info, { ...updated, status: obj.status });
}
