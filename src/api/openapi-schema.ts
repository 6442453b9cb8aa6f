// api/schema.ts → an OpenAPI v3 schema node, with each field's description from
// api/schema.docs.ts: what kiln's API server publishes (/openapi/v3, `kubectl explain`) and what
// `kiln manifests` puts in its CRDs. The result is structural as Kubernetes means it (a type on
// every node except the open ones, no `$ref`), so one conversion serves both. Pure.
import type { FieldDocs } from './schema.docs.ts';
import { fieldDocsOf } from './schema.docs.ts';
import type { ObjectSchema, Schema } from './schema.ts';

export type Doc = Record<string, unknown>;

/** An object that keeps whatever fields it is given. */
export const PRESERVE: Doc = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** Where field descriptions come from on the way down: the nearest described object's docs, and the path below it. */
export interface DocScope { docs: FieldDocs; path: string }

/** What a value of the type is, said after the field's own description. */
const TYPE_NOTES: Partial<Record<Schema['t'], string>> = {
  duration: 'A Go duration, e.g. "1h30m" or "90s".',
  paramValue: 'A string, a list of strings or a map of strings.',
};

/** `d` with `text` as its description (before the type's note, if it has one); `d` itself is not changed. */
export function described(d: Doc, text: string | undefined): Doc {
  if (!text) return d;
  return { ...d, description: typeof d.description === 'string' ? `${text} ${d.description}` : text };
}

/**
 * api/schema.ts → an OpenAPI v3 schema (legacy fields included for non-storage versions), each
 * field described from api/schema.docs.ts (`scope`: where an unnamed object's descriptions are).
 * The schema is recursive (pipelines in pipelines): an object met again inside itself becomes a
 * free-form object (`ancestors`: the objects being converted on the way down).
 */
export function toOpenApi(s: Schema, legacy: boolean, ancestors: Set<ObjectSchema> = new Set(), scope?: DocScope): Doc {
  const note = TYPE_NOTES[s.t];
  switch (s.t) {
    case 'any': return { 'x-kubernetes-preserve-unknown-fields': true };
    case 'string': return { type: 'string' };
    case 'duration': return { type: 'string', description: note };
    case 'int': return { type: 'integer', format: 'int64' };
    case 'bool': return { type: 'boolean' };
    case 'intOrString': return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    case 'paramValue': return { 'x-kubernetes-preserve-unknown-fields': true, description: note };
    case 'stringMap': return { type: 'object', additionalProperties: { type: 'string' } };
    case 'list': return { type: 'array', items: toOpenApi(s.of, legacy, ancestors, scope) };
    case 'mapOf': return { type: 'object', additionalProperties: toOpenApi(s.of, legacy, ancestors, scope) };
    case 'object': return objectSchema(s, legacy, ancestors, scope);
  }
}

function objectSchema(s: ObjectSchema, legacy: boolean, ancestors: Set<ObjectSchema>, scope: DocScope | undefined): Doc {
  if (ancestors.has(s)) return PRESERVE;
  ancestors.add(s);
  const own = fieldDocsOf(s);
  const at = own ? { docs: own, path: '' } : scope;
  const properties: Doc = {};
  const add = (k: string, v: Schema) => {
    const path = at?.path ? `${at.path}.${k}` : k;
    properties[k] = described(toOpenApi(v, legacy, ancestors, at && { docs: at.docs, path }), at?.docs[path]);
  };
  for (const [k, v] of Object.entries(s.fields)) add(k, v);
  if (legacy) for (const [k, v] of Object.entries(s.legacy ?? {})) add(k, v);
  ancestors.delete(s);
  return { type: 'object', properties };
}

