// Descriptions of the fields in schema.ts, for `kubectl explain` (server/openapi.ts writes them
// into the OpenAPI schemas). They attach to the object schemas named in NAMED_SCHEMAS, by
// identity: a field of an object built inline inside a named one is described by its dotted path
// from there (`valueFrom.secretKeyRef`; lists and maps add nothing to the path). Kinds have their
// own descriptions ('' is the kind itself). The text lives in one module per API area.
import { CORE_DOCS, CORE_KIND_DOCS } from './schema.docs.core.ts';
import { PIPELINE_DOCS, PIPELINE_KIND_DOCS } from './schema.docs.pipeline.ts';
import { TASK_DOCS, TASK_KIND_DOCS } from './schema.docs.task.ts';
import { TRIGGERS_DOCS, TRIGGERS_KIND_DOCS } from './schema.docs.triggers.ts';
import type { ObjectSchema, SchemaName } from './schema.ts';
import { NAMED_SCHEMAS } from './schema.ts';

/** Descriptions of an object's fields: field name, or dotted path through inline objects → text. */
export type FieldDocs = Readonly<Record<string, string>>;

/** Every named object schema's field descriptions (the type makes a missing name a compile error). */
export const TYPE_DOCS: Readonly<Record<SchemaName, FieldDocs>> = {
  ...CORE_DOCS, ...TASK_DOCS, ...PIPELINE_DOCS, ...TRIGGERS_DOCS,
};

/** Fields every kind has. */
const COMMON_KIND_DOCS: FieldDocs = {
  apiVersion: 'Versioned schema of this representation of the object, e.g. tekton.dev/v1.',
  kind: 'Kind of the object, e.g. Pipeline.',
  metadata: 'Standard object metadata: name, namespace, labels, annotations, ...',
  spec: 'Desired state of the object.',
  status: 'Observed state of the object, written by kiln.',
};

const KIND_DOCS: Readonly<Record<string, FieldDocs>> = {
  ...CORE_KIND_DOCS, ...TASK_KIND_DOCS, ...PIPELINE_KIND_DOCS, ...TRIGGERS_KIND_DOCS,
};

/** Descriptions of a kind's top-level fields ('' is the kind itself); the common ones for any kind. */
export function kindDocs(kind: string): FieldDocs {
  return { ...COMMON_KIND_DOCS, ...(Object.hasOwn(KIND_DOCS, kind) ? KIND_DOCS[kind] : {}) };
}

let byNode: Map<ObjectSchema, FieldDocs> | undefined;

/** The field descriptions of a named object schema, or undefined for an inline (unnamed) one. */
export function fieldDocsOf(s: ObjectSchema): FieldDocs | undefined {
  byNode ??= new Map(Object.entries(NAMED_SCHEMAS).map(([name, node]) => [node, TYPE_DOCS[name as SchemaName]]));
  return byNode.get(s);
}
