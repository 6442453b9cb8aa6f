// The resource verbs of the REST API: get, list, watch, create, update, patch, delete and
// deletecollection on /apis/{group}/{version}/… and /api/v1/…, with Kubernetes' answers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KindRegistry } from '../api/generic/kinds.ts';
import type { HostPolicy } from '../api/hostpolicy.ts';
import type { KObject } from '../api/meta.ts';
import type { KindInfo } from '../api/registry.ts';
import type { Store } from '../store/store.ts';
import { isConflict, orUndefined } from '../store/store.ts';
import { badRequest, HttpError, methodNotAllowed, notFound, successStatus } from './errors.ts';
import { APPLY_PATCH, decodeObjectBody, decodePatchBody, patchTypeOf, responseForm, type ResponseForm } from './media.ts';
import { checkGenericWrite, statusInObject, updateObject } from './generic.ts';
import { applyPatch, checkPatchOptions } from './patching.ts';
import { apiVersionOf, resolveResource, segmentsOf, storageVersion, type ResourceTarget } from './paths.ts';
import { parseLimit, streamList, type ListShape } from './lists.ts';
import { streamLogs, streamWatch } from './streams.ts';
import { partialMetadata, toTable, type IncludeObject } from './table.ts';
import { checkReferenced, checkWrite as checkKilnWrite, parseFieldValidation, warningHeader, type CheckOptions, type Checked } from './write.ts';

/** A TaskRun's step log lines (following while it runs when asked; with the time each arrived, RFC 3339, when asked). */
export type LogSource = (namespace: string, name: string, opts: { follow: boolean; signal: AbortSignal; timestamps?: boolean }) => AsyncIterable<{ step: string; line: string; time?: string }>;

export interface ResourceDeps {
  store: Store;
  logs?: LogSource;
  now: () => Date;
  bookmarkMs: number;
  /** hostPath and privileged containers admitted on writes (default: neither) */
  hostPolicy?: HostPolicy;
  /** the served kinds (default: those served without CRDs) */
  kinds?: KindRegistry;
}

/** A write checked by kiln's validation, or, for a kind stored as it is, by generic.ts. */
function checkWrite(raw: unknown, t: ResourceTarget, opts: CheckOptions): Checked {
  return t.info.generic ? checkGenericWrite(raw, t, opts) : checkKilnWrite(raw, t, opts);
}

export type Query = Record<string, string | undefined>;

/** Routes one request under /api/v1 or /apis/{group}/{version} to its verb. */
export async function handleResource(deps: ResourceDeps, group: string, version: string, rest: string, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const target = resolveResource(group, version, segmentsOf(rest.split('?')[0]), deps.kinds);
  const q = queryOf(req.query);
  const what = `${target.info.plural}${target.subresource ? `/${target.subresource}` : ''}`;
  if (target.subresource === 'log') {
    if (req.method !== 'GET') throw methodNotAllowed(req.method, what);
    return streamLogs(deps, target, q, req, reply);
  }
  switch (req.method) {
    case 'GET':
      if (target.name !== undefined) return getOne(deps, target, req, reply);
      return isTrue(q.watch) ? streamWatch(deps, target, q, req, reply) : list(deps, target, q, req, reply);
    case 'POST':
      if (target.name !== undefined) throw methodNotAllowed(req.method, what);
      return create(deps, target, q, req, reply);
    case 'PUT':
      if (target.name === undefined) throw methodNotAllowed(req.method, what);
      return replace(deps, target, q, req, reply);
    case 'PATCH':
      if (target.name === undefined) throw methodNotAllowed(req.method, what);
      return patch(deps, target, q, req, reply);
    case 'DELETE':
      if (target.subresource) throw methodNotAllowed(req.method, what);
      return target.name === undefined ? deleteCollection(deps, target, q, req) : deleteOne(deps, target, q, req);
    default:
      throw methodNotAllowed(req.method, what);
  }
}

function queryOf(raw: unknown): Query {
  const q: Query = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) q[k] = Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v);
  }
  return q;
}

export function isTrue(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

function isDryRun(q: Query): boolean {
  if (q.dryRun === undefined || q.dryRun === '') return false;
  if (q.dryRun !== 'All') throw badRequest(`invalid dryRun value ${JSON.stringify(q.dryRun)}: only "All" is supported`);
  return true;
}

/** The 404 of a named object, as kube-apiserver words it. */
function objectNotFound(t: ResourceTarget): HttpError {
  const res = t.info.group ? `${t.info.plural}.${t.info.group}` : t.info.plural;
  return notFound(`${res} "${t.name}" not found`, { name: t.name, group: t.info.group, kind: t.info.plural });
}

async function current(deps: ResourceDeps, t: ResourceTarget): Promise<KObject> {
  const obj = await orUndefined(deps.store.get(t.info, t.namespace ?? '', t.name!));
  if (!obj) throw objectNotFound(t);
  return obj;
}

/** Bodies (and patch results) nested deeper than this are refused before anything recurses into them. */
export const MAX_DEPTH = 1000;

/** Throws 400 when `doc` nests deeper than MAX_DEPTH (checked without recursion). */
function checkDepth(doc: unknown, what = 'the request body'): unknown {
  const stack: Array<[unknown, number]> = doc && typeof doc === 'object' ? [[doc, 1]] : [];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) throw badRequest(`${what} is nested more than ${MAX_DEPTH} levels deep`);
    for (const x of Object.values(v as object)) if (x && typeof x === 'object') stack.push([x, depth + 1]);
  }
  return doc;
}

function includeOf(q: Query): IncludeObject | undefined {
  const v = q.includeObject;
  if (v === undefined || v === '') return undefined;
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`invalid includeObject ${JSON.stringify(v)} (None, Metadata or Object)`);
}

/** An object in the form the client asked for (a Table, PartialObjectMetadata, or itself). */
export function render(deps: ResourceDeps, t: ResourceTarget, form: ResponseForm, q: Query, obj: KObject): unknown {
  if (form === 'table') return toTable(t.info, [obj], { now: deps.now(), include: includeOf(q) });
  if (form === 'partial') return partialMetadata(obj);
  return obj;
}

/** Secrets' values are left out of lists and watches unless `includeSecretData=true` is asked for. */
export function redactForList(obj: KObject, q: Query): KObject {
  if (obj.kind !== 'Secret' || isTrue(q.includeSecretData)) return obj;
  const { data: _data, stringData: _stringData, ...rest } = obj as KObject & { data?: unknown; stringData?: unknown };
  return rest as KObject;
}

function addWarnings(reply: FastifyReply, warnings: readonly string[]): void {
  if (warnings.length) void reply.header('warning', warnings.map(warningHeader));
}

async function getOne(deps: ResourceDeps, t: ResourceTarget, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const form = responseForm(req.headers.accept);
  const obj = await current(deps, t);
  return reply.send(render(deps, t, form, queryOf(req.query), obj));
}

/** How a list appears in each response form: its envelope and its items (redacted, rendered). */
function listShape(deps: ResourceDeps, t: ResourceTarget, form: ResponseForm, q: Query): ListShape {
  if (form === 'table') {
    const now = deps.now();
    const include = includeOf(q);
    return {
      envelope: function tableEnvelope(metadata) {
        const { rows: _rows, ...table } = toTable(t.info, [], { now, include });
        return { ...table, metadata };
      },
      arrayField: 'rows',
      item: (o) => toTable(t.info, [redactForList(o, q)], { now, include, noHeaders: true }).rows[0],
    };
  }
  if (form === 'partial') {
    return { envelope: (metadata) => ({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata }), arrayField: 'items', item: (o) => partialMetadata(redactForList(o, q)) };
  }
  const apiVersion = apiVersionOf(t.info.group, storageVersion(t.info));
  return { envelope: (metadata) => ({ kind: `${t.info.kind}List`, apiVersion, metadata }), arrayField: 'items', item: (o) => redactForList(o, q) };
}

/** A list (a page of one with `limit`/`continue`), written as a stream; see lists.ts. */
async function list(deps: ResourceDeps, t: ResourceTarget, q: Query, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const form = responseForm(req.headers.accept);
  const limit = parseLimit(q.limit);
  const token = q.continue || undefined;
  // kube-apiserver's rule: a continued list is read at the token's resourceVersion
  if (token && q.resourceVersion && q.resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
  const shape = listShape(deps, t, form, q);
  const body = await streamList({
    store: deps.store,
    type: t.info,
    filter: { namespace: t.namespace, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector },
    limit,
    continue: token,
    gone: () => reply.raw.destroyed || req.raw.socket.destroyed,
  }, shape);
  if (!body) {
    reply.hijack(); // the client left while the list waited for its turn
    reply.raw.destroy();
    return undefined;
  }
  return reply.type('application/json; charset=utf-8').send(body);
}

async function create(deps: ResourceDeps, t: ResourceTarget, q: Query, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  return createFrom(deps, t, q, checkDepth(decodeObjectBody(req.body, req.headers['content-type'])), reply);
}

async function createFrom(deps: ResourceDeps, t: ResourceTarget, q: Query, raw: unknown, reply: FastifyReply): Promise<unknown> {
  const fieldValidation = parseFieldValidation(q.fieldValidation);
  const { object, warnings } = checkWrite(raw, t, { fieldValidation, hostPolicy: deps.hostPolicy });
  warnings.push(...await checkReferenced(object, t, (info, ns, name) => orUndefined(deps.store.get(info, ns, name))));
  // status is the controllers' to write: what a client sends on create is dropped, as for CRDs with a status subresource
  const { status, ...fresh } = object;
  if (statusInObject(t.info) && status !== undefined) (fresh as Record<string, unknown>).status = status;
  const meta = { ...fresh.metadata };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation'] as const) delete meta[k];
  addWarnings(reply, warnings);
  const obj = { ...fresh, metadata: meta } as KObject;
  if (isDryRun(q)) return reply.code(201).send(obj);
  return reply.code(201).send(await deps.store.create(t.info, obj));
}

async function replace(deps: ResourceDeps, t: ResourceTarget, q: Query, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const fieldValidation = parseFieldValidation(q.fieldValidation);
  const raw = checkDepth(decodeObjectBody(req.body, req.headers['content-type']));
  const { object, warnings } = checkWrite(raw, t, { fieldValidation, hostPolicy: deps.hostPolicy });
  const existing = await current(deps, t);
  addWarnings(reply, warnings);
  if (isDryRun(q)) return reply.send(object);
  const write = t.subresource === 'status' ? deps.store.updateStatus.bind(deps.store) : (info: KindInfo, o: KObject) => updateObject(deps.store, info, o);
  const updated = await write(t.info, { ...object, metadata: { ...object.metadata, uid: object.metadata.uid ?? existing.metadata.uid } });
  return reply.send(updated);
}

async function patch(deps: ResourceDeps, t: ResourceTarget, q: Query, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const fieldValidation = parseFieldValidation(q.fieldValidation);
  const type = patchTypeOf(req.headers['content-type']);
  checkPatchOptions(type, q);
  const doc = checkDepth(decodePatchBody(req.body, type));
  // the patched object may not outgrow what a request body may be
  const limits = { maxBytes: req.routeOptions.bodyLimit, maxDepth: MAX_DEPTH };
  for (let attempt = 0; ; attempt++) {
    const existing = await orUndefined(deps.store.get(t.info, t.namespace ?? '', t.name!));
    if (!existing) {
      if (type === APPLY_PATCH && !t.subresource) return createFrom(deps, t, q, doc, reply);
      throw objectNotFound(t);
    }
    const patched = applyPatch(type, existing, doc, t.subresource === 'status', limits);
    checkDepth(patched.object, 'the patched object');
    const { object, warnings } = checkWrite(patched.object, t, { fieldValidation, alsoAccept: t.info.versions, hostPolicy: deps.hostPolicy });
    addWarnings(reply, warnings);
    if (isDryRun(q)) return reply.send(object);
    const write = t.subresource === 'status' ? deps.store.updateStatus.bind(deps.store) : (info: KindInfo, o: KObject) => updateObject(deps.store, info, o);
    try {
      return reply.send(await write(t.info, object));
    } catch (e) {
      // a patch that does not name a resourceVersion applies to whatever is current: retry on a race
      if (isConflict(e) && !patched.pinsVersion && attempt < 8) continue;
      throw e;
    }
  }
}

/** DELETE options from the body (preconditions); an empty body is fine. */
function deleteOptions(req: FastifyRequest): { uid?: string; resourceVersion?: string; dryRun: boolean } {
  const body = req.body;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  if (text.trim() === '') return { dryRun: false };
  let opts: { preconditions?: { uid?: unknown; resourceVersion?: unknown }; dryRun?: unknown };
  try {
    opts = JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid DeleteOptions JSON: ${(e as Error).message}`);
  }
  if (!opts || typeof opts !== 'object' || Array.isArray(opts)) throw badRequest('DeleteOptions must be a JSON object');
  const p = opts.preconditions ?? {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  return { uid: str(p.uid), resourceVersion: str(p.resourceVersion), dryRun: Array.isArray(opts.dryRun) && opts.dryRun.includes('All') };
}

async function deleteOne(deps: ResourceDeps, t: ResourceTarget, q: Query, req: FastifyRequest): Promise<unknown> {
  const opts = deleteOptions(req);
  const obj = await current(deps, t);
  if (opts.uid && opts.uid !== obj.metadata.uid) {
    throw new HttpError('Conflict', `Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (opts.resourceVersion && opts.resourceVersion !== obj.metadata.resourceVersion) {
    throw new HttpError('Conflict', `Precondition failed: ResourceVersion in precondition: ${opts.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
  }
  if (!opts.dryRun && !isDryRun(q)) await deps.store.delete(t.info, t.namespace ?? '', t.name!);
  return successStatus({ name: t.name, group: t.info.group, kind: t.info.plural, uid: obj.metadata.uid });
}

async function deleteCollection(deps: ResourceDeps, t: ResourceTarget, q: Query, req: FastifyRequest): Promise<unknown> {
  const opts = deleteOptions(req);
  const { items, resourceVersion } = await deps.store.list(t.info, { namespace: t.namespace, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
  if (!opts.dryRun && !isDryRun(q)) {
    for (const o of items) await orUndefined(deps.store.delete(t.info, o.metadata.namespace ?? '', o.metadata.name!).then(() => true));
  }
  return { kind: `${t.info.kind}List`, apiVersion: apiVersionOf(t.info.group, storageVersion(t.info)), metadata: { resourceVersion }, items: items.map((o) => redactForList(o, q)) };
}
