// Validation of object metadata and of the core/v1 kinds a file may carry (ConfigMap, Secret,
// PersistentVolumeClaim, ServiceAccount, Namespace).
import { fieldError, isDNSLabel, isDNSSubdomain, isQualifiedName } from './checks.ts';
import type { ConfigMap, Secret } from './core.types.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { KObject, ObjectMeta } from './meta.ts';

/** Kinds whose names Tekton checks with validate.ObjectMetadata (a DNS label without '.'). */
const TEKTON_KINDS = new Set([
  'Task', 'TaskRun', 'Pipeline', 'PipelineRun', 'StepAction', 'Trigger', 'TriggerBinding', 'ClusterTriggerBinding', 'TriggerTemplate',
]);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Checks `metadata`: name or generateName present; the name a valid resource name for `kind`
 * (Tekton kinds, also Trigger, (Cluster)TriggerBinding, TriggerTemplate: a DNS label — no '.', ≤ 63; Namespace: a DNS label; others: a DNS subdomain);
 * namespace a DNS label; label keys and values well-formed.
 */
export function validateMetadata(meta: ObjectMeta | undefined, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return [fieldError('metadata.name', 'missing field(s): name or generateName is required')];
  const { name, generateName, namespace, labels } = meta;
  if (!name && !generateName) errs.push(fieldError('metadata.name', 'missing field(s): name or generateName is required'));
  if (name) {
    const label = TEKTON_KINDS.has(kind) || kind === 'Namespace';
    if (label && name.includes('.')) {
      errs.push(fieldError('metadata.name', `invalid resource name "${name}": special character . must not be present`));
    } else if (label && name.length > 63) {
      errs.push(fieldError('metadata.name', `invalid resource name "${name}": length must be no more than 63 characters`));
    } else if (label ? !isDNSLabel(name) : !isDNSSubdomain(name)) {
      const chars = label ? "'-'" : "'-' or '.'";
      errs.push(fieldError('metadata.name',
        `invalid resource name "${name}": must consist of lower case alphanumeric characters, ${chars}, and start and end with an alphanumeric character`));
    }
  }
  if (generateName && !/^[a-z0-9][-a-z0-9.]*$/.test(generateName)) {
    errs.push(fieldError('metadata.generateName', `invalid value: "${generateName}": must be lower case alphanumeric characters, '-' or '.', starting with an alphanumeric character`));
  }
  if (namespace !== undefined && !isDNSLabel(namespace)) {
    errs.push(fieldError('metadata.namespace', `invalid value: "${namespace}": a namespace must be a DNS label (lower case alphanumerics and '-')`));
  }
  for (const [k, v] of Object.entries(labels ?? {})) {
    const p = joinPath('metadata.labels', k);
    if (!isQualifiedName(k)) errs.push(fieldError(p, `invalid label key "${k}"`));
    if (typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v))) errs.push(fieldError(p, `invalid label value "${v}"`));
  }
  return errs;
}

/** ConfigMap: metadata, data keys well-formed and not repeated in binaryData. */
export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateMetadata(cm.metadata, 'ConfigMap');
  errs.push(...dataKeys(cm.data, 'data'), ...dataKeys(cm.binaryData, 'binaryData'));
  for (const k of Object.keys(cm.binaryData ?? {})) {
    if (cm.data && Object.hasOwn(cm.data, k)) errs.push(fieldError(joinPath('binaryData', k), `duplicate of key "${k}" in data`));
  }
  return errs;
}

/** Secret: metadata, keys well-formed, `data` values valid base64. */
export function validateSecret(s: Secret): FieldError[] {
  const errs = validateMetadata(s.metadata, 'Secret');
  errs.push(...dataKeys(s.data, 'data'), ...dataKeys(s.stringData, 'stringData'));
  for (const [k, v] of Object.entries(s.data ?? {})) {
    if (typeof v === 'string' && !isBase64(v)) errs.push(fieldError(joinPath('data', k), 'invalid value: illegal base64 data (use stringData for plain text)'));
  }
  return errs;
}

/** PersistentVolumeClaim, ServiceAccount, Namespace: metadata only (their specs are passed through). */
export function validateCoreObject(obj: KObject): FieldError[] {
  return validateMetadata(obj.metadata, obj.kind);
}

function dataKeys(data: Record<string, string> | undefined, field: string): FieldError[] {
  return Object.keys(data ?? {})
    .filter((k) => !DATA_KEY.test(k))
    .map((k) => fieldError(joinPath(field, k), `invalid key name "${k}": must consist of alphanumeric characters, '-', '_' or '.'`));
}

function isBase64(s: string): boolean {
  const t = s.replace(/[\r\n]/g, '');
  return t.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(t);
}

