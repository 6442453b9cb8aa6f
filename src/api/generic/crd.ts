// apiextensions.k8s.io/v1 CustomResourceDefinitions: their validation (every error with its field
// path) and the KindInfo a valid one adds to the served kinds. Pure.
import type { FieldError } from '../errors.ts';
import { joinPath } from '../errors.ts';
import type { KObject } from '../meta.ts';
import { isPlainObject } from '../normalize.ts';
import type { KindInfo, PrinterColumn } from '../registry.ts';
import { sortVersions } from './versions.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const COLUMN_TYPES = new Set(['integer', 'number', 'string', 'boolean', 'date']);

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (isPlainObject(v) ? v : {});
const err = (path: string, message: string): FieldError => ({ path, message, severity: 'error' });

/** Every problem of a CRD, with its field path (`spec.versions[0].schema.openAPIV3Schema.type`). */
export function validateCrd(crd: KObject): FieldError[] {
  const errors: FieldError[] = [];
  const spec = rec(crd.spec);
  const names = rec(spec.names);
  const group = spec.group;
  if (typeof group !== 'string' || group === '') errors.push(err('spec.group', 'Required value'));
  else if (!DNS_SUBDOMAIN.test(group) || !group.includes('.')) errors.push(err('spec.group', `Invalid value: "${group}": should be a domain with at least one dot`));
  for (const f of ['plural', 'singular'] as const) {
    const v = names[f];
    if (v === undefined && f === 'singular') continue;
    if (typeof v !== 'string' || v === '') errors.push(err(`spec.names.${f}`, 'Required value'));
    else if (!DNS_LABEL.test(v)) errors.push(err(`spec.names.${f}`, `Invalid value: "${v}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`));
  }
  for (const f of ['kind', 'listKind'] as const) {
    const v = names[f];
    if (v === undefined && f === 'listKind') continue;
    if (typeof v !== 'string' || v === '') errors.push(err(`spec.names.${f}`, 'Required value'));
    else if (!KIND_NAME.test(v)) errors.push(err(`spec.names.${f}`, `Invalid value: "${v}": may have only alphanumeric characters and must start with a letter`));
  }
  for (const f of ['shortNames', 'categories'] as const) {
    const v = names[f];
    if (v === undefined) continue;
    if (!Array.isArray(v)) errors.push(err(`spec.names.${f}`, 'Invalid value: must be a list of strings'));
    else v.forEach((x, i) => { if (typeof x !== 'string' || !DNS_LABEL.test(x)) errors.push(err(`spec.names.${f}[${i}]`, `Invalid value: ${JSON.stringify(x)}: a lowercase RFC 1123 label`)); });
  }
  if (typeof names.plural === 'string' && typeof group === 'string' && crd.metadata.name !== `${names.plural}.${group}`) {
    errors.push(err('metadata.name', `Invalid value: "${crd.metadata.name ?? ''}": must be spec.names.plural+"."+spec.group ("${names.plural}.${group}")`));
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errors.push(err('spec.scope', `Unsupported value: ${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`));
  errors.push(...validateVersions(spec.versions));
  return errors;
}

function validateVersions(versions: unknown): FieldError[] {
  if (!Array.isArray(versions) || versions.length === 0) return [err('spec.versions', 'Required value: must have exactly one version marked as storage version')];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  let storage = 0;
  versions.forEach((raw, i) => {
    const at = `spec.versions[${i}]`;
    const v = rec(raw);
    if (typeof v.name !== 'string' || !DNS_LABEL.test(v.name)) errors.push(err(`${at}.name`, `Invalid value: ${JSON.stringify(v.name)}: a DNS-1035 label`));
    else if (seen.has(v.name)) errors.push(err(`${at}.name`, `Duplicate value: "${v.name}"`));
    else seen.add(v.name);
    if (typeof v.served !== 'boolean') errors.push(err(`${at}.served`, 'Required value'));
    if (typeof v.storage !== 'boolean') errors.push(err(`${at}.storage`, 'Required value'));
    if (v.storage === true) storage++;
    const schema = rec(v.schema).openAPIV3Schema;
    if (schema === undefined) errors.push(err(`${at}.schema.openAPIV3Schema`, 'Required value: schemas are required'));
    else errors.push(...structural(schema, `${at}.schema.openAPIV3Schema`, true));
    const cols = v.additionalPrinterColumns;
    if (cols !== undefined && !Array.isArray(cols)) errors.push(err(`${at}.additionalPrinterColumns`, 'Invalid value: must be a list'));
    if (Array.isArray(cols)) cols.forEach((c, j) => errors.push(...validateColumn(rec(c), `${at}.additionalPrinterColumns[${j}]`)));
  });
  if (storage !== 1) errors.push(err('spec.versions', `Invalid value: must have exactly one version marked as storage version (${storage} are)`));
  return errors;
}

function validateColumn(c: Rec, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof c.name !== 'string' || c.name === '') errors.push(err(`${at}.name`, 'Required value'));
  if (typeof c.type !== 'string' || !COLUMN_TYPES.has(c.type)) errors.push(err(`${at}.type`, `Unsupported value: ${JSON.stringify(c.type)}: supported values: "boolean", "date", "integer", "number", "string"`));
  if (typeof c.jsonPath !== 'string' || !c.jsonPath.startsWith('.')) errors.push(err(`${at}.jsonPath`, `Invalid value: ${JSON.stringify(c.jsonPath)}: must be a simple JSON path starting with "."`));
  return errors;
}

/** A structural schema: every node says its type (unless it preserves unknown fields or is int-or-string). */
function structural(s: unknown, at: string, root = false): FieldError[] {
  if (!isPlainObject(s)) return [err(at, 'Invalid value: must be an object')];
  const errors: FieldError[] = [];
  const free = s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-int-or-string'] === true;
  if (s.type === undefined && !free) errors.push(err(`${at}.type`, 'Required value: must not be empty for specified object fields'));
  else if (s.type !== undefined && (typeof s.type !== 'string' || !TYPES.has(s.type))) errors.push(err(`${at}.type`, `Unsupported value: ${JSON.stringify(s.type)}: supported values: "array", "boolean", "integer", "number", "object", "string"`));
  if (root && s.type !== undefined && s.type !== 'object') errors.push(err(`${at}.type`, 'Invalid value: must be object at the root'));
  if (s.properties !== undefined && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errors.push(err(`${at}.additionalProperties`, 'Forbidden: additionalProperties and properties are mutual exclusive'));
  }
  if (s.pattern !== undefined) {
    try { new RegExp(String(s.pattern), 'u'); } catch { errors.push(err(`${at}.pattern`, `Invalid value: ${JSON.stringify(s.pattern)}: not a regular expression`)); }
  }
  for (const [k, v] of Object.entries(rec(s.properties))) errors.push(...structural(v, joinPath(`${at}.properties`, k)));
  if (s.items !== undefined) errors.push(...structural(s.items, `${at}.items`));
  if (isPlainObject(s.additionalProperties)) errors.push(...structural(s.additionalProperties, `${at}.additionalProperties`));
  return errors;
}

/** The kind a CRD adds, or undefined when it is invalid or serves no version. */
export function kindFromCrd(crd: KObject): KindInfo | undefined {
  if (validateCrd(crd).length) return undefined;
  const spec = rec(crd.spec);
  const names = rec(spec.names);
  const versions = (spec.versions as Rec[]).filter((v) => v.served === true);
  if (!versions.length) return undefined;
  const storage = (spec.versions as Rec[]).find((v) => v.storage === true)!;
  // the storage version first (objects are stored in it), when it is served
  const ordered = [...versions.filter((v) => v === storage), ...versions.filter((v) => v !== storage)];
  const preferred = versions.find((v) => v.name === sortVersions(versions.map((x) => String(x.name)))[0])!;
  const kind = String(names.kind);
  const info: KindInfo = {
    group: String(spec.group),
    versions: ordered.map((v) => String(v.name)),
    kind,
    plural: String(names.plural),
    singular: typeof names.singular === 'string' && names.singular ? names.singular : kind.toLowerCase(),
    shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
    namespaced: spec.scope === 'Namespaced',
    generic: true,
    subresources: isPlainObject(rec(preferred.subresources).status) ? ['status'] : [],
    schemas: Object.fromEntries(versions.map((v) => [String(v.name), rec(v.schema).openAPIV3Schema])),
  };
  if (Array.isArray(names.categories) && names.categories.length) info.categories = names.categories.map(String);
  if (Array.isArray(preferred.additionalPrinterColumns)) info.columns = preferred.additionalPrinterColumns.map(toColumn);
  return info;
}

function toColumn(raw: unknown): PrinterColumn {
  const c = rec(raw);
  const col: PrinterColumn = { name: String(c.name), type: String(c.type), jsonPath: String(c.jsonPath) };
  if (typeof c.description === 'string') col.description = c.description;
  if (typeof c.format === 'string') col.format = c.format;
  if (typeof c.priority === 'number') col.priority = c.priority;
  return col;
}

/**
 * The status kube-apiserver gives a CRD it serves: acceptedNames, storedVersions and the
 * NamesAccepted and Established conditions (`served`: whether kiln serves its kind, which it
 * does not when the group/plural is one of its own kinds). `now` stamps conditions that change.
 */
export function crdStatus(crd: KObject, served: boolean, now: string): Rec {
  const spec = rec(crd.spec);
  const names = rec(spec.names);
  const old = rec(crd.status);
  const oldConds = Array.isArray(old.conditions) ? old.conditions.map(rec) : [];
  const cond = (type: string, ok: boolean, reason: string, message: string): Rec => {
    const status = ok ? 'True' : 'False';
    const prev = oldConds.find((c) => c.type === type);
    return { type, status, reason, message, lastTransitionTime: prev?.status === status && typeof prev.lastTransitionTime === 'string' ? prev.lastTransitionTime : now };
  };
  const storage = Array.isArray(spec.versions) ? spec.versions.map(rec).find((v) => v.storage === true)?.name : undefined;
  const stored = Array.isArray(old.storedVersions) ? old.storedVersions.map(String) : [];
  if (typeof storage === 'string' && !stored.includes(storage)) stored.push(storage);
  return {
    acceptedNames: served ? names : {},
    storedVersions: stored,
    conditions: [
      cond('NamesAccepted', served, served ? 'NoConflicts' : 'ServedByKiln', served ? 'no conflicts found' : `${String(names.plural)}.${String(spec.group)} is one of kiln's own kinds: kiln serves it itself`),
      cond('Established', served, served ? 'InitialNamesAccepted' : 'NotAccepted', served ? 'the initial names have been accepted' : 'not all names are accepted'),
    ],
  };
}
