// Authorization: what a token's role lets it do, decided like Kubernetes RBAC from request
// attributes (verb, API group, resource[/subresource], namespace, name; or a non-resource path).
// Pure: no IO, no fastify. Roles mirror Kubernetes' aggregated ClusterRoles: viewer ≈ `view`
// (no Secrets), runner ≈ `edit` (also Secrets: a runner's steps can mount them anyway), admin ≈
// `cluster-admin`. A token limited to namespaces acts as if bound by RoleBindings there: nothing
// cluster-scoped, except reading its own Namespace objects.
import { FIXED_KINDS, type KindRegistry } from '../api/generic/kinds.ts';
import { HttpError } from './errors.ts';
import { resolveResource, segmentsOf } from './paths.ts';

/** The roles a token may have, least to most powerful. */
export const ROLES = ['viewer', 'runner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who a request comes from, once authenticated. */
export interface User {
  name: string;
  role: Role;
  /** namespaces the role applies in; empty: every namespace and cluster-scoped resources too */
  namespaces: readonly string[];
}

/** A resource request: `verb` on `group`'s `resource[/subresource]`, in `namespace` ('' when cluster-wide). */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace: string;
  name?: string;
}

/** A request for something that is not a resource (discovery, /version, a health check). */
export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

interface Rule {
  groups: readonly string[];
  /** `plural` or `plural/subresource`; `*` matches anything */
  resources: readonly string[];
  verbs: readonly string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const TEKTON = ['tasks', 'taskruns', 'pipelines', 'pipelineruns', 'stepactions'];
const TRIGGERS = ['eventlisteners', 'triggers', 'triggerbindings', 'triggertemplates', 'interceptors'];
const CORE_EDITABLE = ['configmaps', 'secrets', 'persistentvolumeclaims', 'serviceaccounts'];

const VIEW: readonly Rule[] = [
  { groups: ['tekton.dev'], resources: [...TEKTON, ...TEKTON.map((r) => `${r}/status`), 'taskruns/log'], verbs: READ },
  { groups: ['triggers.tekton.dev'], resources: [...TRIGGERS, 'clustertriggerbindings', 'clusterinterceptors'], verbs: READ },
  { groups: [''], resources: ['configmaps', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'serviceaccounts', 'events', 'namespaces', 'namespaces/status'], verbs: READ },
];

const EDIT: readonly Rule[] = [
  ...VIEW,
  { groups: [''], resources: ['secrets'], verbs: READ },
  { groups: ['tekton.dev'], resources: TEKTON, verbs: WRITE },
  { groups: ['triggers.tekton.dev'], resources: TRIGGERS, verbs: WRITE },
  // `kiln trigger test`: a listener's whole processing for a given event, creating nothing
  { groups: ['triggers.tekton.dev'], resources: ['eventlisteners/test'], verbs: ['create'] },
  { groups: [''], resources: CORE_EDITABLE, verbs: WRITE },
];

const ALL: readonly Rule[] = [{ groups: ['*'], resources: ['*'], verbs: ['*'] }];

/** Each role's rules (within its namespaces when it has some). */
export const ROLE_RULES: Record<Role, readonly Rule[]> = { viewer: VIEW, runner: EDIT, admin: ALL };

/** Resource requests any authenticated user may make, in any namespace (Kubernetes' system:basic-user). */
const ANY_USER: readonly Rule[] = [{ groups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'], verbs: ['create'] }];

/** Non-resource paths any authenticated user may get (Kubernetes' system:discovery and public-info-viewer). */
const DISCOVERY = /^\/(api|apis|openapi)(\/.*)?$|^\/version\/?$|^\/(healthz|livez|readyz)\/?$/;

export function isResource(a: Attributes): a is ResourceAttributes {
  return 'resource' in a;
}

function matches(rule: Rule, a: ResourceAttributes): boolean {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const has = (list: readonly string[], v: string) => list.includes('*') || list.includes(v);
  return has(rule.groups, a.group) && has(rule.resources, res) && has(rule.verbs, a.verb);
}

/** Whether `user` may do what `a` describes, and why (the reason `kubectl auth can-i` shows). */
export function authorize(user: User, a: Attributes): { allowed: boolean; reason: string } {
  if (!isResource(a)) {
    if (user.role === 'admin' && user.namespaces.length === 0) return { allowed: true, reason: 'role admin' };
    if ((a.verb === 'get' || a.verb === 'head') && DISCOVERY.test(a.path)) return { allowed: true, reason: 'discovery is open to every token' };
    return { allowed: false, reason: `role ${user.role} may not ${a.verb} path ${a.path}` };
  }
  if (ANY_USER.some((r) => matches(r, a))) return { allowed: true, reason: 'every token may ask what it may do' };
  const scoped = user.namespaces.length > 0;
  if (scoped && !user.namespaces.includes(a.namespace)) {
    const where = a.namespace === '' ? 'cluster-wide' : `in namespace ${JSON.stringify(a.namespace)}`;
    return { allowed: false, reason: `token ${JSON.stringify(user.name)} has no role ${where} (its namespaces: ${user.namespaces.join(', ')})` };
  }
  if (ROLE_RULES[user.role].some((r) => matches(r, a))) return { allowed: true, reason: `role ${user.role}${scoped ? ` in namespace ${JSON.stringify(a.namespace)}` : ''}` };
  return { allowed: false, reason: `role ${user.role} does not allow this` };
}

/** The 403 of a denied request, worded like kube-apiserver's. */
export function forbidden(user: User, a: Attributes): HttpError {
  const who = `User ${JSON.stringify(user.name)}`;
  if (!isResource(a)) return new HttpError('Forbidden', `forbidden: ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`);
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name !== undefined ? `${qualified} ${JSON.stringify(a.name)}` : qualified;
  const where = a.namespace ? ` in the namespace ${JSON.stringify(a.namespace)}` : ' at the cluster scope';
  const message = `${subject} is forbidden: ${who} cannot ${a.verb} resource ${JSON.stringify(res)} in API group ${JSON.stringify(a.group)}${where}`;
  return new HttpError('Forbidden', message, { name: a.name, group: a.group, kind: a.resource });
}

/** The verb of a resource request, as Kubernetes derives it from the method. */
export function verbOf(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return named ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/**
 * The attributes of a request under `/api/v1/{rest}` or `/apis/{group}/{version}/{rest}`, resolved by
 * the same function the resource handler uses (so both agree on the namespace). A Namespace named in
 * the path is its own namespace, as in Kubernetes. Throws NotFound for paths the server does not serve.
 */
export function resourceAttributes(method: string, group: string, version: string, rest: string, watch: boolean, kinds: KindRegistry = FIXED_KINDS): ResourceAttributes {
  const t = resolveResource(group, version, segmentsOf(rest.split('?')[0]), kinds);
  const namespace = t.info.kind === 'Namespace' && t.name !== undefined ? t.name : t.namespace ?? '';
  const a: ResourceAttributes = { verb: verbOf(method, t.name !== undefined, watch), group: t.info.group, resource: t.info.plural, namespace };
  if (t.subresource) a.subresource = t.subresource;
  if (t.name !== undefined) a.name = t.name;
  return a;
}

/**
 * Attributes a client asks about (a SelfSubjectAccessReview), normalised as the real request's
 * would be: cluster-scoped kinds have no namespace, a Namespace is its own.
 */
export function normaliseAttributes(a: ResourceAttributes, kinds: KindRegistry = FIXED_KINDS): ResourceAttributes {
  const info = kinds.byResource(a.group, a.resource);
  if (!info || info.namespaced) return a;
  return { ...a, namespace: info.kind === 'Namespace' && a.name ? a.name : '' };
}
