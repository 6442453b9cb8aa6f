// Validation of object metadata and of the core/v1 kinds a file may carry (ConfigMap, Secret,
// PersistentVolumeClaim, ServiceAccount, Namespace).
import { fieldError, isDNSLabel, isDNSSubdomain } from './checks.ts';
import type { ConfigMap, Secret } from './core.types.ts';
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { KObject, ObjectMeta } from './meta.ts';

/**
 * Kinds whose names Tekton checks with validate.ObjectMetadata: at most 63 characters and no '.'.
 * kiln takes a dotted name (a DNS subdomain, as Kubernetes takes for custom resources) and warns
 * that Tekton's admission webhook refuses it (docs/decisions/0016-dotted-names.md).
 */
const TEKTON_KINDS = new Set([
  'Task', 'TaskRun', 'Pipeline', 'PipelineRun', 'StepAction', 'Trigger', 'TriggerBinding', 'ClusterTriggerBinding', 'TriggerTemplate',
]);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** The longest object name: a DNS subdomain (253), or a DNS label (63) for Tekton kinds and Namespaces. */
export const MAX_NAME_LENGTH = 253;
/** The longest label value, and the longest name part of a label key. */
export const MAX_LABEL_LENGTH = 63;

const CHARS_OF_LABEL = "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** Why `key` is not a label key (`[prefix/]name`, as Kubernetes' IsQualifiedName), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `a label key is a name with an optional DNS subdomain prefix and '/' (e.g. 'example.com/my-name')`;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    if (prefix === '') return 'prefix part must be non-empty';
    if (prefix.length > MAX_NAME_LENGTH) return `prefix part must be no more than ${MAX_NAME_LENGTH} characters`;
    if (!isDNSSubdomain(prefix)) return "prefix part must be a lower case DNS subdomain (alphanumerics, '-' and '.')";
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > MAX_LABEL_LENGTH) return `name part must be no more than ${MAX_LABEL_LENGTH} characters`;
  if (!LABEL_NAME.test(name)) return `name part must consist of ${CHARS_OF_LABEL}`;
  return undefined;
}

/** Why `value` is not a label value (IsValidLabelValue), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > MAX_LABEL_LENGTH) return `must be no more than ${MAX_LABEL_LENGTH} characters`;
  if (!LABEL_VALUE.test(value)) return `must be empty or consist of ${CHARS_OF_LABEL}`;
  return undefined;
}

/** `"abc…"` (at most 80 characters of a value, for messages). */
function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/**
 * Checks `metadata`: name or generateName present; the name a valid resource name for `kind`
 * (Tekton kinds, also Trigger, (Cluster)TriggerBinding, TriggerTemplate: a DNS label — no '.', ≤ 63;
 * Namespace: a DNS label; others: a DNS subdomain, ≤ 253); generateName a valid prefix of such a name
 * (the store keeps at most 58 characters of it, as Kubernetes); namespace a DNS label; label keys
 * (name part ≤ 63, prefix ≤ 253) and values (≤ 63) well-formed.
 */
export function validateMetadata(meta: ObjectMeta | undefined, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return [fieldError('metadata.name', 'missing field(s): name or generateName is required')];
  const { name, generateName, namespace, labels } = meta;
  if (!name && !generateName) errs.push(fieldError('metadata.name', 'missing field(s): name or generateName is required'));
  const tekton = TEKTON_KINDS.has(kind);
  const label = kind === 'Namespace';
  if (name) {
    if (tekton && name.length <= MAX_LABEL_LENGTH && name.includes('.') && isDNSSubdomain(name)) {
      errs.push({ path: 'metadata.name', message: `"${name}" has a '.', which Tekton's admission webhook refuses: kiln runs it, a Tekton cluster will not take this file as written`, severity: 'warning' });
    }
    if ((label || tekton) && name.length > MAX_LABEL_LENGTH) {
      errs.push(fieldError('metadata.name', `invalid resource name ${shown(name)}: length must be no more than ${MAX_LABEL_LENGTH} characters`));
    } else if (name.length > MAX_NAME_LENGTH) {
      errs.push(fieldError('metadata.name', `invalid resource name ${shown(name)}: length must be no more than ${MAX_NAME_LENGTH} characters`));
    } else if (label ? !isDNSLabel(name) : !isDNSSubdomain(name)) {
      const chars = label ? "'-'" : "'-' or '.'";
      errs.push(fieldError('metadata.name',
        `invalid resource name "${name}": must consist of lower case alphanumeric characters, ${chars}, and start and end with an alphanumeric character`));
    }
  }
  if (generateName) {
    const max = kind === 'Namespace' ? MAX_LABEL_LENGTH : MAX_NAME_LENGTH;
    if (generateName.length > max) {
      errs.push(fieldError('metadata.generateName', `invalid value: ${shown(generateName)}: must be no more than ${max} characters`));
    } else if ((label || tekton) && !/^[a-z0-9][-a-z0-9]*$/.test(generateName)) {
      errs.push(fieldError('metadata.generateName', `invalid value: "${generateName}": must be lower case alphanumeric characters or '-', starting with an alphanumeric character`));
    } else if (!/^[a-z0-9][-a-z0-9.]*$/.test(generateName)) {
      errs.push(fieldError('metadata.generateName', `invalid value: "${generateName}": must be lower case alphanumeric characters, '-' or '.', starting with an alphanumeric character`));
    }
  }
  if (namespace !== undefined && !isDNSLabel(namespace)) {
    errs.push(fieldError('metadata.namespace', `invalid value: "${namespace}": a namespace must be a DNS label (lower case alphanumerics and '-')`));
  }
  for (const [k, v] of Object.entries(labels ?? {})) {
    const p = joinPath('metadata.labels', k);
    const keyProblem = labelKeyProblem(k);
    if (keyProblem) errs.push(fieldError(p, `invalid label key ${shown(k)}: ${keyProblem}`));
    const valueProblem = typeof v === 'string' ? labelValueProblem(v) : undefined;
    if (valueProblem) errs.push(fieldError(p, `invalid label value ${shown(v)}: ${valueProblem}`));
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

