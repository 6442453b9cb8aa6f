// Access control on the server: every request is authenticated (auth.ts), then authorized
// (authz.ts) from the route it matched, before any handler runs; and
// POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews answers `kubectl auth can-i`.
import type { KindRegistry } from '../api/generic/kinds.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from './auth.ts';
import { authorize, forbidden, normaliseAttributes, resourceAttributes, verbOf, type Attributes, type ResourceAttributes, type User } from './authz.ts';
import { badRequest, invalid, type StatusCause } from './errors.ts';
import { decodeObjectBody, parseMediaType } from './media.ts';
import { message, PROTOBUF, str as protoStr, unwrapKubernetesProtobuf } from './protobuf.ts';
import { isTrue } from './resources.ts';

/** Where `kubectl auth can-i` posts its SelfSubjectAccessReview. */
export const SSAR_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/** The resource routes of server.ts, whose requests are authorized as resource requests. */
const CORE_ROUTE = '/api/v1/*';
const GROUP_ROUTE = '/apis/:group/:version/*';

export interface AccessOptions {
  /** the operator's admin token (default: none — no authentication or authorization at all) */
  token?: string;
  /** finds the user of another bearer token (default: none, only the admin token is accepted) */
  lookup?: (token: string) => User | undefined;
  /** the served kinds, CRDs' included (default: those served without CRDs) */
  kinds?: KindRegistry;
  /** more paths served without a token (the operator's choice, e.g. /metrics) */
  publicPaths?: readonly string[];
  /** more paths served without a token, by rule (the dashboard's page, assets and sign-in) */
  isPublic?: (path: string) => boolean;
}

function watchOf(query: unknown): boolean {
  const w = (query as Record<string, unknown> | undefined)?.watch;
  return isTrue(Array.isArray(w) ? String(w[w.length - 1]) : w === undefined ? undefined : String(w));
}

/** Routes of a namespaced object's own subresource registered apart (e.g. hooks.ts's eventlisteners/{name}/test). */
const SUBRESOURCE_ROUTE = /^\/apis\/([^/:*]+)\/[^/:*]+\/namespaces\/:namespace\/([^/:*]+)\/:name\/([^/:*]+)$/;

/** What a request asks to do, from the route it matched (and its params, as its handler sees them). */
export function requestAttributes(req: FastifyRequest, path: string, kinds?: KindRegistry): Attributes {
  const p = req.params as Record<string, string>;
  const sub = SUBRESOURCE_ROUTE.exec(req.routeOptions.url ?? '');
  if (sub) return { verb: verbOf(req.method, true, false), group: sub[1], resource: sub[2], subresource: sub[3], namespace: p.namespace, name: p.name };
  switch (req.routeOptions.url) {
    case CORE_ROUTE:
      return resourceAttributes(req.method, '', 'v1', p['*'], watchOf(req.query), kinds);
    case GROUP_ROUTE:
      return resourceAttributes(req.method, p.group, p.version, p['*'], watchOf(req.query), kinds);
    case SSAR_PATH:
      return { verb: req.method === 'POST' ? 'create' : req.method.toLowerCase(), group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews', namespace: '' };
    default:
      return { verb: req.method.toLowerCase(), path };
  }
}

/** Adds authentication + authorization to every request, and the SelfSubjectAccessReview endpoint. */
export function registerAccessControl(app: FastifyInstance, { token, lookup, kinds, publicPaths, isPublic }: AccessOptions): void {
  const users = new WeakMap<FastifyRequest, User>();
  app.addHook('onRequest', async function access(req) {
    const path = req.url.split('?')[0];
    if (isPublic?.(path)) return;
    const user = authenticate(path, req.headers.authorization, token, lookup, publicPaths);
    if (!user) return;
    users.set(req, user);
    if (user.role === 'admin' && user.namespaces.length === 0) return;
    const a = requestAttributes(req, path, kinds);
    if (!authorize(user, a).allowed) throw forbidden(user, a);
  });

  app.post(SSAR_PATH, async function selfSubjectAccessReview(req, reply) {
    const review = decodeReview(req.body, req.headers['content-type']) as { spec?: unknown };
    const spec = checkReviewSpec(review?.spec);
    const user = users.get(req);
    let status: { allowed: boolean; denied?: boolean; reason: string };
    if (!user) status = { allowed: true, reason: 'the server runs without authentication (--insecure-loopback-only)' };
    else {
      const a: Attributes = spec.resourceAttributes ? normaliseAttributes(spec.resourceAttributes, kinds) : spec.nonResourceAttributes!;
      const d = authorize(user, a);
      status = d.allowed ? d : { allowed: false, denied: true, reason: d.reason };
    }
    return reply.code(201).send({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: review.spec, status });
  });
}

/**
 * A SelfSubjectAccessReview body: JSON or YAML, or protobuf as kubectl's typed client sends it
 * (the answer is JSON, which kubectl accepts as well).
 */
export function decodeReview(body: unknown, contentType: string | undefined): unknown {
  if (parseMediaType(contentType).type !== PROTOBUF) return decodeObjectBody(body, contentType);
  const { kind, raw } = unwrapKubernetesProtobuf(Buffer.isBuffer(body) ? body : Buffer.alloc(0));
  if (kind !== 'SelfSubjectAccessReview') throw badRequest(`expected a SelfSubjectAccessReview, got ${JSON.stringify(kind)}`);
  const spec = message(raw, 2);
  const r = spec && message(spec, 1);
  const n = spec && message(spec, 2);
  const pick = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind,
    spec: {
      ...(r ? { resourceAttributes: pick({ namespace: protoStr(r, 1), verb: protoStr(r, 2), group: protoStr(r, 3), version: protoStr(r, 4), resource: protoStr(r, 5), subresource: protoStr(r, 6), name: protoStr(r, 7) }) } : {}),
      ...(n ? { nonResourceAttributes: pick({ path: protoStr(n, 1), verb: protoStr(n, 2) }) } : {}),
    },
  };
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { verb: string; path: string };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A SelfSubjectAccessReview's spec: exactly one of resourceAttributes and nonResourceAttributes (422 otherwise). */
function checkReviewSpec(spec: unknown): ReviewSpec {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw badRequest('SelfSubjectAccessReview: spec: expected an object');
  const s = spec as { resourceAttributes?: Record<string, unknown>; nonResourceAttributes?: Record<string, unknown> };
  const causes: StatusCause[] = [];
  if (!!s.resourceAttributes === !!s.nonResourceAttributes) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.resourceAttributes', message: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  }
  if (causes.length) throw invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', causes);
  if (s.nonResourceAttributes) return { nonResourceAttributes: { verb: str(s.nonResourceAttributes.verb), path: str(s.nonResourceAttributes.path) } };
  const r = s.resourceAttributes!;
  const a: ResourceAttributes = { verb: str(r.verb), group: str(r.group), resource: str(r.resource), namespace: str(r.namespace) };
  if (str(r.subresource)) a.subresource = str(r.subresource);
  if (str(r.name)) a.name = str(r.name);
  return { resourceAttributes: a };
}
