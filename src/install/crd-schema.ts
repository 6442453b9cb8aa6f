// api/schema.ts → a CRD's openAPIV3Schema, following Kubernetes' structural-schema rules: every node
// has a `type` unless it preserves unknown fields or is int-or-string, no `$ref`, `type: object` at
// the root, `metadata` left to the API server (only `type: object`), and `status` open (controllers
// write it). Where kiln's own schema is open (ANY, param values, recursion: a pipeline inside a
// pipeline task), the CRD keeps unknown fields. Descriptions come from api/schema.docs.ts, so
// `kubectl explain` on a cluster says what kiln's own server says. Pure.
import type { FieldDocs } from '../api/schema.docs.ts';
import { fieldDocsOf, kindDocs } from '../api/schema.docs.ts';
import type { ObjectSchema, Schema } from '../api/schema.ts';
import { KIND_SCHEMAS } from '../api/schema.ts';

export type JsonSchema = Record<string, unknown>;

const PRESERVE: JsonSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** Where an unnamed object's field descriptions are found: the nearest described object's docs and the path below it. */
interface Scope { docs: FieldDocs; path: string }

function described(s: JsonSchema, text: string | undefined): JsonSchema {
  return text ? { ...s, description: text } : s;
}

/** One node: `legacy` adds the fields only older versions (v1beta1) accept; `ancestors` cut recursion. */
export function structuralOf(s: Schema, legacy: boolean, ancestors: Set<ObjectSchema> = new Set(), scope?: Scope): JsonSchema {
  switch (s.t) {
    case 'any': return { 'x-kubernetes-preserve-unknown-fields': true };
    case 'string': return { type: 'string' };
    case 'duration': return { type: 'string', description: 'A Go duration, e.g. "1h30m" or "90s".' };
    case 'int': return { type: 'integer', format: 'int64' };
    case 'bool': return { type: 'boolean' };
    case 'intOrString': return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    case 'paramValue': return { 'x-kubernetes-preserve-unknown-fields': true, description: 'A string, a list of strings or a map of strings.' };
    case 'stringMap': return { type: 'object', additionalProperties: { type: 'string' } };
    case 'list': return { type: 'array', items: structuralOf(s.of, legacy, ancestors, scope) };
    case 'mapOf': return { type: 'object', additionalProperties: structuralOf(s.of, legacy, ancestors, scope) };
    case 'object': return objectOf(s, legacy, ancestors, scope);
  }
}

function objectOf(s: ObjectSchema, legacy: boolean, ancestors: Set<ObjectSchema>, scope: Scope | undefined): JsonSchema {
  if (ancestors.has(s)) return PRESERVE;
  ancestors.add(s);
  const own = fieldDocsOf(s);
  const at = own ? { docs: own, path: '' } : scope;
  const properties: JsonSchema = {};
  const fields = legacy ? { ...s.fields, ...s.legacy } : s.fields;
  for (const [k, v] of Object.entries(fields)) {
    const path = at?.path ? `${at.path}.${k}` : k;
    properties[k] = described(structuralOf(v, legacy, ancestors, at && { docs: at.docs, path }), at?.docs[path]);
  }
  ancestors.delete(s);
  return { type: 'object', properties };
}

/**
 * The openAPIV3Schema of one of kiln's kinds at a version (`legacy`: a version older than the
 * storage one, which also accepts the fields conversion rewrites). Undefined for a kind without a schema.
 */
export function crdSchemaOf(kind: string, legacy: boolean): JsonSchema | undefined {
  const base = Object.hasOwn(KIND_SCHEMAS, kind) ? KIND_SCHEMAS[kind] : undefined;
  if (!base) return undefined;
  const docs = kindDocs(kind);
  const properties: JsonSchema = {
    apiVersion: described({ type: 'string' }, docs.apiVersion),
    kind: described({ type: 'string' }, docs.kind),
    metadata: { type: 'object' },
  };
  for (const [k, v] of Object.entries(base.fields)) {
    if (k in properties) continue;
    const node = k === 'status' ? PRESERVE : structuralOf(v, legacy, new Set(), { docs, path: k });
    properties[k] = described(node, docs[k]);
  }
  return described({ type: 'object', properties }, docs['']);
}
