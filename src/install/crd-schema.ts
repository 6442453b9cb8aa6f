// api/schema.ts → a CRD's openAPIV3Schema, following Kubernetes' structural-schema rules: every node
// has a `type` unless it preserves unknown fields or is int-or-string, no `$ref`, `type: object` at
// the root, `metadata` left to the API server (only `type: object`), and `status` open (controllers
// write it). Where kiln's own schema is open (ANY, param values, recursion: a pipeline inside a
// pipeline task), the CRD keeps unknown fields. Descriptions come from api/schema.docs.ts, so
// `kubectl explain` on a cluster says what kiln's own server says. Pure.
import { described, PRESERVE, toOpenApi, type Doc } from '../api/openapi-schema.ts';
import { kindDocs } from '../api/schema.docs.ts';
import { KIND_SCHEMAS } from '../api/schema.ts';

export type JsonSchema = Doc;

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
    const node = k === 'status' ? PRESERVE : toOpenApi(v, legacy, new Set(), { docs, path: k });
    properties[k] = described(node, docs[k]);
  }
  return described({ type: 'object', properties }, docs['']);
}
