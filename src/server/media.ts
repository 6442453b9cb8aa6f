// Media types: decoding request bodies (JSON, YAML) by Content-Type, and choosing the response
// form from Accept (plain JSON, a Table for `kubectl get`, PartialObjectMetadata).
import { parseYamlDocuments } from '../api/yamlparse.ts';
import { badRequest, HttpError, unsupportedMediaType } from './errors.ts';

export interface MediaType {
  /** lower-case `type/subtype` */
  type: string;
  /** parameters, names lower-case */
  params: Record<string, string>;
}

/** Parses one media type (`application/json; charset=utf-8`); '' type when absent. */
export function parseMediaType(header: string | undefined): MediaType {
  const [type = '', ...rest] = (header ?? '').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Parses an Accept header into its media types, in the order given (q-values are not weighed). */
export function parseAccept(header: string | undefined): MediaType[] {
  if (!header || header.trim() === '') return [{ type: '*/*', params: {} }];
  return header.split(',').map((part) => parseMediaType(part)).filter((m) => m.type !== '');
}

export const OBJECT_TYPES = ['application/json', 'application/yaml'] as const;
export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';
export const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', APPLY_PATCH]);

/** Decodes a JSON text; 400 BadRequest with the parser's message on a syntax error. */
export function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Decodes one YAML document (JSON is YAML too) into plain JSON data; 400 on a syntax error or several documents. */
export function decodeYaml(text: string): unknown {
  let value: unknown;
  try {
    // parsed as kiln parses files: runs of comment lines cost one token, not one per line
    const { docs } = parseYamlDocuments(text);
    if (docs.length > 1) throw badRequest('the request body is not valid YAML: Source contains multiple documents; send one object per request');
    const doc = docs[0];
    if (!doc) return null;
    const problem = doc.errors[0];
    if (problem) throw badRequest(`the request body is not valid YAML: ${problem.message.split('\n')[0]}`);
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw badRequest(`the request body is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  // JSON round trip: plain data only (no Map, no undefined, no non-finite numbers)
  try {
    return JSON.parse(JSON.stringify(value ?? null));
  } catch {
    throw badRequest('the request body is not representable as JSON');
  }
}

/** The raw body as text; 400 when there is none. */
function bodyText(body: unknown): string {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  if (text.trim() === '') throw badRequest('the request body is empty');
  return text;
}

/** Decodes an object body (POST, PUT) sent as JSON or YAML; 415 for any other Content-Type. */
export function decodeObjectBody(body: unknown, contentType: string | undefined): unknown {
  const mt = parseMediaType(contentType);
  if (mt.type === 'application/json' || mt.type === '') return decodeJson(bodyText(body));
  if (YAML_TYPES.has(mt.type) && mt.type !== APPLY_PATCH) return decodeYaml(bodyText(body));
  throw unsupportedMediaType(mt.type, OBJECT_TYPES);
}

/** The patch type of a PATCH request; 415 for any other Content-Type. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const mt = parseMediaType(contentType).type;
  const found = PATCH_TYPES.find((t) => t === mt);
  if (!found) throw unsupportedMediaType(mt, PATCH_TYPES);
  return found;
}

/** Decodes a PATCH body of `type` (apply patches may be YAML or JSON; the others are JSON). */
export function decodePatchBody(body: unknown, type: PatchType): unknown {
  const text = bodyText(body);
  return type === APPLY_PATCH ? decodeYaml(text) : decodeJson(text);
}

/** What a GET answers with. */
export type ResponseForm = 'object' | 'table' | 'partial';

/**
 * Chooses the response form from Accept: a meta.k8s.io Table (`as=Table`), PartialObjectMetadata
 * (`as=PartialObjectMetadata[List]`), or the object itself (`application/json`, `*\/*`).
 * 406 NotAcceptable when nothing offered can be produced (e.g. protobuf only).
 */
export function responseForm(accept: string | undefined): ResponseForm {
  for (const m of parseAccept(accept)) {
    const jsonish = m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*';
    if (!jsonish) continue;
    const as = m.params.as;
    if (as === undefined) return 'object';
    if (m.params.g !== 'meta.k8s.io' || (m.params.v !== 'v1' && m.params.v !== 'v1beta1')) continue;
    if (as === 'Table') return 'table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'partial';
  }
  throw new HttpError('NotAcceptable', `none of the media types in the Accept header can be served: ${accept ?? ''}; use application/json`);
}
