// OpenAPI v3 for kubectl: /openapi/v3 lists a document per group version; each document has
// the paths of its kinds (the PATCH operations carry `x-kubernetes-group-version-kind` and the
// `fieldValidation` query parameter, which is how kubectl 1.32 learns that the server validates
// fields itself and sends `fieldValidation=Strict` instead of validating on the client) and
// component schemas derived from api/schema.ts (`status` and free-form parts preserve unknown
// fields). Descriptions come from api/schema.docs.ts, so `kubectl explain` describes every field.
import { createHash } from 'node:crypto';
import type { FieldDocs } from '../api/schema.docs.ts';
import { kindDocs, TYPE_DOCS } from '../api/schema.docs.ts';
import { described, PRESERVE, toOpenApi, type Doc } from '../api/openapi-schema.ts';
import { KIND_SCHEMAS } from '../api/schema.ts';
import { FIXED_KINDS, type KindRegistry } from '../api/generic/kinds.ts';
import type { KindInfo } from '../api/registry.ts';
import { KUBE_MAJOR, KUBE_MINOR } from './discovery.ts';
import { apiVersionOf, groupVersions, kindsIn, subresourcesOf } from './paths.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ref = (name: string): Doc => ({ $ref: `#/components/schemas/${name}` });

/** `dev.tekton.v1.Task`, `io.k8s.api.core.v1.ConfigMap`: Kubernetes' naming of definitions. */
export function definitionName(info: KindInfo, version: string, suffix = ''): string {
  const prefix = info.group ? info.group.split('.').reverse().join('.') : 'io.k8s.api.core';
  return `${prefix}.${version}.${info.kind}${suffix}`;
}

function gvkOf(info: KindInfo, version: string): Doc {
  return { group: info.group, version, kind: info.kind };
}

/**
 * A kind stored as it is: a CRD's openAPIV3Schema for the version (identity fields and metadata
 * as for any kind), or, for the built-in workload kinds, a free-form object that preserves every field.
 */
function genericSchema(info: KindInfo, version: string): Doc {
  const given = info.schemas?.[version];
  const base: Doc = given && typeof given === 'object' ? { ...(given as Doc) } : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const docs = kindDocs('');
  const properties: Doc = {
    ...(base.properties as Doc | undefined),
    apiVersion: { type: 'string', description: docs.apiVersion },
    kind: { type: 'string', description: docs.kind },
    metadata: { allOf: [ref(`${META}.ObjectMeta`)], default: {}, description: docs.metadata },
  };
  const described = given ? base : { ...base, description: `${info.kind} (${apiVersionOf(info.group, version)}), stored as it is: kiln runs no controller for it.` };
  return { ...described, type: 'object', properties, 'x-kubernetes-group-version-kind': [gvkOf(info, version)] };
}

function kindSchema(info: KindInfo, version: string): Doc {
  if (info.generic) return genericSchema(info, version);
  const legacy = version !== info.versions[0];
  const base = KIND_SCHEMAS[info.kind];
  const docs = kindDocs(info.kind);
  const properties: Doc = {
    apiVersion: { type: 'string', description: docs.apiVersion },
    kind: { type: 'string', description: docs.kind },
    metadata: { allOf: [ref(`${META}.ObjectMeta`)], default: {}, description: docs.metadata },
  };
  for (const [k, v] of Object.entries(base?.fields ?? {})) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    properties[k] = described(k === 'status' ? PRESERVE : toOpenApi(v, legacy, new Set(), { docs, path: k }), docs[k]);
  }
  return described({ type: 'object', properties, 'x-kubernetes-group-version-kind': [gvkOf(info, version)] }, docs['']);
}

function listSchema(info: KindInfo, version: string): Doc {
  const docs = kindDocs(info.kind);
  return {
    description: `A list of ${info.kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: docs.apiVersion },
      kind: { type: 'string', description: `${info.kind}List.` },
      metadata: { allOf: [ref(`${META}.ListMeta`)], default: {}, description: 'Standard list metadata: resourceVersion and the continue token of paged lists.' },
      items: { type: 'array', items: ref(definitionName(info, version)), description: `The ${info.kind} objects.` },
    },
    'x-kubernetes-group-version-kind': [{ ...gvkOf(info, version), kind: `${info.kind}List` }],
  };
}

/** `properties`, each described from `docs` (by its name). */
function describedAll(properties: Record<string, Doc>, docs: FieldDocs): Doc {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, described(v, docs[k])]));
}

const META_SCHEMAS: Doc = {
  [`${META}.ObjectMeta`]: {
    description: 'Metadata every stored object has: name, namespace, labels, annotations, and what the server maintains.',
    type: 'object',
    properties: describedAll({
      name: { type: 'string' }, generateName: { type: 'string' }, namespace: { type: 'string' },
      uid: { type: 'string' }, resourceVersion: { type: 'string' }, generation: { type: 'integer', format: 'int64' },
      creationTimestamp: { type: 'string', format: 'date-time' }, deletionTimestamp: { type: 'string', format: 'date-time' },
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
      ownerReferences: { type: 'array', items: PRESERVE },
      finalizers: { type: 'array', items: { type: 'string' } },
      managedFields: { type: 'array', items: PRESERVE },
      selfLink: { type: 'string' },
    }, TYPE_DOCS.ObjectMeta),
  },
  [`${META}.ListMeta`]: {
    type: 'object',
    properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' }, remainingItemCount: { type: 'integer', format: 'int64' } },
  },
  [`${META}.Status`]: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' }, kind: { type: 'string' }, code: { type: 'integer', format: 'int32' },
      message: { type: 'string' }, reason: { type: 'string' }, status: { type: 'string' }, details: PRESERVE,
      metadata: { allOf: [ref(`${META}.ListMeta`)], default: {} },
    },
    'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
  },
  [`${META}.DeleteOptions`]: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' }, kind: { type: 'string' }, dryRun: { type: 'array', items: { type: 'string' } },
      gracePeriodSeconds: { type: 'integer', format: 'int64' }, orphanDependents: { type: 'boolean' },
      preconditions: PRESERVE, propagationPolicy: { type: 'string' },
    },
  },
};

function queryParam(name: string, type = 'string', description = ''): Doc {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const JSON_TYPES = ['application/json', 'application/yaml'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

function content(types: string[], schema: Doc): Doc {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function operation(info: KindInfo, version: string, action: string, id: string, body: Doc | undefined, response: Doc, params: Doc[]): Doc {
  const op: Doc = {
    operationId: id,
    parameters: params,
    responses: { '200': { description: 'OK', content: content(['application/json'], response) }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvkOf(info, version),
  };
  if (body) op.requestBody = { content: body, required: true };
  return op;
}

const DRY_RUN = queryParam('dryRun', 'string', 'When present (All), the change is checked but not persisted.');
const FIELD_MANAGER = queryParam('fieldManager');
const FIELD_VALIDATION = queryParam('fieldValidation', 'string', 'Ignore, Warn (default) or Strict: what to do with unknown fields.');
const LIST_PARAMS = [
  queryParam('labelSelector'), queryParam('fieldSelector'), queryParam('resourceVersion'),
  queryParam('timeoutSeconds', 'integer'), queryParam('watch', 'boolean'), queryParam('allowWatchBookmarks', 'boolean'),
  queryParam('limit', 'integer'), queryParam('continue'),
];

function pathParam(name: string): Doc {
  return { name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } };
}

function kindPaths(info: KindInfo, version: string): Doc {
  const base = info.group ? `/apis/${info.group}/${version}` : `/api/${version}`;
  const coll = info.namespaced ? `${base}/namespaces/{namespace}/${info.plural}` : `${base}/${info.plural}`;
  const one = `${coll}/{name}`;
  const obj = ref(definitionName(info, version));
  const list = ref(definitionName(info, version, 'List'));
  const idBase = `${info.kind}${version}`;
  const nsParams = info.namespaced ? [pathParam('namespace')] : [];
  const paths: Doc = {
    [coll]: {
      parameters: nsParams,
      get: operation(info, version, 'list', `list${idBase}`, undefined, list, LIST_PARAMS),
      post: operation(info, version, 'post', `create${idBase}`, content(JSON_TYPES, obj), obj, [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION]),
      delete: operation(info, version, 'deletecollection', `deleteCollection${idBase}`, undefined, ref(`${META}.Status`), LIST_PARAMS),
    },
    [one]: {
      parameters: [pathParam('name'), ...nsParams],
      get: operation(info, version, 'get', `read${idBase}`, undefined, obj, []),
      put: operation(info, version, 'put', `replace${idBase}`, content(JSON_TYPES, obj), obj, [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION]),
      patch: operation(info, version, 'patch', `patch${idBase}`, content(PATCH_TYPES, PRESERVE), obj,
        [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, queryParam('force', 'boolean')]),
      delete: operation(info, version, 'delete', `delete${idBase}`, content(JSON_TYPES, ref(`${META}.DeleteOptions`)), ref(`${META}.Status`), [DRY_RUN]),
    },
  };
  if (info.namespaced) {
    paths[`${base}/${info.plural}`] = { get: operation(info, version, 'list', `list${idBase}ForAllNamespaces`, undefined, list, LIST_PARAMS) };
  }
  if (subresourcesOf(info).includes('status')) {
    paths[`${one}/status`] = {
      parameters: [pathParam('name'), ...nsParams],
      get: operation(info, version, 'get', `read${idBase}Status`, undefined, obj, []),
      put: operation(info, version, 'put', `replace${idBase}Status`, content(JSON_TYPES, obj), obj, [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION]),
      patch: operation(info, version, 'patch', `patch${idBase}Status`, content(PATCH_TYPES, PRESERVE), obj, [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION]),
    };
  }
  return paths;
}

/** The OpenAPI v3 document of a group version, or undefined when the server does not serve it. */
export function groupVersionDocument(group: string, version: string, registry: KindRegistry = FIXED_KINDS): Doc | undefined {
  const kinds = kindsIn(group, version, registry);
  if (kinds.length === 0) return undefined;
  const schemas: Doc = { ...META_SCHEMAS };
  let paths: Doc = {};
  for (const info of kinds) {
    schemas[definitionName(info, version)] = kindSchema(info, version);
    schemas[definitionName(info, version, 'List')] = listSchema(info, version);
    paths = { ...paths, ...kindPaths(info, version) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: `v${KUBE_MAJOR}.${KUBE_MINOR}.0-kiln` },
    paths,
    components: { schemas },
  };
}

/** `api/v1`, `apis/tekton.dev/v1`, …: the key of a group version in the /openapi/v3 index. */
export function openApiKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

interface Cached { doc: Doc; text: string; hash: string }
/** Each registry's documents, serialised once per revision (CRDs change them; nothing else does). */
const caches = new WeakMap<KindRegistry, { revision: number; docs: Map<string, Cached> }>();

/** Every group version's document, serialised once per revision of the registry. */
function documents(registry: KindRegistry): Map<string, Cached> {
  const hit = caches.get(registry);
  if (hit && hit.revision === registry.revision) return hit.docs;
  const docs = new Map<string, Cached>();
  for (const { group, version } of groupVersions(registry)) {
    const key = openApiKey(group, version);
    const old = hit?.docs.get(key);
    const doc = groupVersionDocument(group, version, registry)!;
    const text = JSON.stringify(doc);
    if (old && old.text === text) {
      docs.set(key, old);
      continue;
    }
    const hash = createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase();
    docs.set(key, { doc, text, hash });
  }
  caches.set(registry, { revision: registry.revision, docs });
  return docs;
}

/** The /openapi/v3 index: `{paths: {"apis/tekton.dev/v1": {serverRelativeURL}}}` (`registry`: default the kinds served without CRDs). */
export function openApiIndex(registry: KindRegistry = FIXED_KINDS): Doc {
  const paths: Doc = {};
  for (const [key, c] of documents(registry)) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${c.hash}` };
  return { paths };
}

/** The serialised document for `key` (`apis/tekton.dev/v1`), or undefined. */
export function openApiDocumentText(key: string, registry: KindRegistry = FIXED_KINDS): { text: string; hash: string } | undefined {
  const c = documents(registry).get(key);
  return c && { text: c.text, hash: c.hash };
}
