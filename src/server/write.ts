// Checks an object a client writes (POST, PUT, PATCH result, apply) against its path and through
// api/'s prepareObject: kind/apiVersion/name/namespace agree with the URL (400 otherwise),
// unknown fields handled by `fieldValidation` (Strict: 400; Warn: Warning headers; Ignore),
// validation errors → 422 Invalid with every field path in `details.causes`; so is what the host
// policy refuses (hostPath, privileged: api/hostpolicy.ts).
import type { FieldError } from '../api/errors.ts';
import type { KObject } from '../api/meta.ts';
import { groupOf, versionOf } from '../api/meta.ts';
import { hostPolicyErrors, SERVE_POLICY, type HostPolicy } from '../api/hostpolicy.ts';
import { isPlainObject } from '../api/normalize.ts';
import type { PipelineSpec } from '../api/pipeline.types.ts';
import { prepareObject } from '../api/prepare.ts';
import type { KindInfo } from '../api/registry.ts';
import { PIPELINE, TASK } from '../api/registry.ts';
import type { TaskSpec } from '../api/task.types.ts';
import { referencedNames, validateWiring } from '../api/wiring.validation.ts';
import type { StatusCause } from './errors.ts';
import { badRequest, invalid } from './errors.ts';
import type { ResourceTarget } from './paths.ts';
import { apiVersionOf } from './paths.ts';

/** The `fieldValidation` query parameter; Kubernetes' default is Warn. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Parses `fieldValidation` (absent: Warn); 400 for anything else. */
export function parseFieldValidation(v: string | undefined): FieldValidation {
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`invalid or unsupported value for query parameter fieldValidation: ${JSON.stringify(v)} (supported: Strict, Warn, Ignore)`);
}

export interface CheckOptions {
  fieldValidation: FieldValidation;
  /** versions accepted in the body's apiVersion besides the path's (PATCH results carry the stored one) */
  alsoAccept?: readonly string[];
  /** hostPath and privileged containers the server admits (default SERVE_POLICY: neither) */
  hostPolicy?: HostPolicy;
}

export interface Checked {
  object: KObject;
  /** messages for `Warning` headers */
  warnings: string[];
}

const UNKNOWN = /^unknown field "[^"]*"/;

function cause(e: FieldError): StatusCause {
  const reason = /^Forbidden:/.test(e.message) ? 'FieldValueForbidden' : /missing field|required/i.test(e.message) ? 'FieldValueRequired' : 'FieldValueInvalid';
  return e.path ? { reason, message: e.message, field: e.path } : { reason, message: e.message };
}

/** `unknown field "spec.foo"` (with the hint the message may carry). */
function unknownMessage(e: FieldError): string {
  return e.message.replace(UNKNOWN, `unknown field ${JSON.stringify(e.path)}`);
}

/**
 * Checks identity fields of a raw body against the URL and fills what the URL implies:
 * apiVersion/kind default to the path's; the namespace to the path's (cleared for cluster-scoped
 * kinds); the name to the URL's. Returns a shallow copy. Throws 400 on disagreement.
 */
export function checkIdentity(raw: unknown, target: ResourceTarget, alsoAccept: readonly string[] = []): Record<string, unknown> {
  if (!isPlainObject(raw)) throw badRequest(`the request body must be a ${target.info.kind} object, got ${Array.isArray(raw) ? 'a list' : raw === null ? 'null' : typeof raw}`);
  const { info } = target;
  const obj: Record<string, unknown> = { ...raw };
  const expected = apiVersionOf(info.group, target.version);
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = expected;
  if (obj.kind === undefined || obj.kind === '') obj.kind = info.kind;
  if (typeof obj.kind !== 'string' || obj.kind.toLowerCase() !== info.kind.toLowerCase()) {
    throw badRequest(`the kind of the object (${String(obj.kind)}) does not match the kind of the URL (${info.kind})`);
  }
  const av = obj.apiVersion;
  const accepted = [target.version, ...alsoAccept];
  if (typeof av !== 'string' || groupOf(av) !== info.group || !accepted.includes(versionOf(av)) || !info.versions.includes(versionOf(av))) {
    throw badRequest(`the API version in the data (${String(av)}) does not match the expected API version (${expected})`);
  }
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (!isPlainObject(obj.metadata)) return obj; // prepareObject reports the type error
  const meta: Record<string, unknown> = { ...obj.metadata };
  obj.metadata = meta;
  if (target.name !== undefined) {
    if (meta.name === undefined || meta.name === '') meta.name = target.name;
    if (meta.name !== target.name) {
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${target.name})`);
    }
  }
  if (info.namespaced) {
    if (meta.namespace === undefined || meta.namespace === '') meta.namespace = target.namespace;
    if (target.namespace !== undefined && meta.namespace !== target.namespace) {
      throw badRequest(`the namespace of the provided object (${String(meta.namespace)}) does not match the namespace sent on the request (${target.namespace})`);
    }
  } else {
    delete meta.namespace;
  }
  return obj;
}

/** Checks, converts (v1beta1 → v1), defaults and validates an object body for a write to `target`. */
export function checkWrite(raw: unknown, target: ResourceTarget, opts: CheckOptions): Checked {
  const obj = checkIdentity(raw, target, opts.alsoAccept);
  const prepared = prepareObject(obj);
  const name = typeof (obj.metadata as Record<string, unknown>)?.name === 'string' ? String((obj.metadata as Record<string, unknown>).name) : '';
  const unknown = prepared.warnings.filter((w) => UNKNOWN.test(w.message));
  const other = prepared.warnings.filter((w) => !UNKNOWN.test(w.message));
  if (opts.fieldValidation === 'Strict' && unknown.length) {
    const messages = unknown.map(unknownMessage);
    throw badRequest(`strict decoding error: ${messages.join(', ')}`, {
      name, group: target.info.group, kind: target.info.kind,
      causes: unknown.map((e) => ({ reason: 'FieldValueInvalid', message: unknownMessage(e), field: e.path })),
    });
  }
  if (prepared.errors.length || !prepared.object) {
    const causes = prepared.errors.length ? prepared.errors.map(cause) : [{ message: 'not a usable object' }];
    throw invalid(target.info.kind, target.info.group, name, causes);
  }
  // a status write changes no spec: an object admitted under another policy keeps its status writable
  const refused = target.subresource === 'status' ? [] : hostPolicyErrors(prepared.object, opts.hostPolicy ?? SERVE_POLICY);
  const written = (e: FieldError): FieldError => ({ ...e, path: prepared.sourcePath?.(e.path) ?? e.path });
  if (refused.length) throw invalid(target.info.kind, target.info.group, name, refused.map(written).map(cause));
  const warnings = [
    ...(opts.fieldValidation === 'Warn' ? unknown.map(unknownMessage) : []),
    ...other.map((w) => (w.path ? `${w.path}: ${w.message}` : w.message)),
  ];
  return { object: finishObject(prepared.object), warnings };
}

/** Looks a Task or Pipeline up where the server keeps them; undefined when absent. */
export type FetchReferenced = (info: KindInfo, namespace: string, name: string) => Promise<KObject | undefined>;

/**
 * A TaskRun or PipelineRun being created, against the Tasks and Pipelines it references that
 * exist (api/wiring.validation.ts: result references, required params, workspaces; a referenced
 * Pipeline's tasks too): errors → 422 Invalid before anything runs. Returns the warnings (params
 * nobody declares) for `Warning` headers. Other kinds: nothing to check.
 */
export async function checkReferenced(obj: KObject, target: ResourceTarget, fetch: FetchReferenced): Promise<string[]> {
  if (obj.kind !== 'TaskRun' && obj.kind !== 'PipelineRun') return [];
  const ns = obj.metadata.namespace ?? target.namespace ?? 'default';
  const tasks = new Map<string, TaskSpec>();
  const pipelines = new Map<string, PipelineSpec>();
  async function fetchAll(names: { tasks: string[]; pipelines: string[] }): Promise<void> {
    for (const n of names.tasks) {
      const t = tasks.has(n) ? undefined : await fetch(TASK, ns, n);
      if (t?.spec) tasks.set(n, t.spec as TaskSpec);
    }
    for (const n of names.pipelines) {
      const p = pipelines.has(n) ? undefined : await fetch(PIPELINE, ns, n);
      if (p?.spec) pipelines.set(n, p.spec as PipelineSpec);
    }
  }
  await fetchAll(referencedNames(obj));
  for (const p of pipelines.values()) await fetchAll(referencedNames({ apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: {}, spec: p }));
  const problems = validateWiring(obj, { task: (n) => tasks.get(n), pipeline: (n) => pipelines.get(n) }, { referencedPipeline: true });
  const errors = problems.filter((e) => e.severity !== 'warning');
  if (errors.length) throw invalid(target.info.kind, target.info.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errors.map(cause));
  return problems.filter((e) => e.severity === 'warning').map((w) => `${w.path}: ${w.message}`);
}

/** What the API server does on every write of some core kinds: Secret stringData folds into data. */
function finishObject(obj: KObject): KObject {
  if (obj.kind === 'Secret' && isPlainObject(obj.stringData)) {
    const data: Record<string, string> = isPlainObject(obj.data) ? { ...(obj.data as Record<string, string>) } : {};
    for (const [k, v] of Object.entries(obj.stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    const { stringData: _dropped, ...rest } = obj;
    return { ...rest, data } as KObject;
  }
  return obj;
}

/** A message made safe for a `Warning: 299 - "…"` header (printable ASCII, quotes escaped). */
export function warningHeader(message: string): string {
  const safe = message.replace(/[^\x20-\x7e]/g, '?').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `299 - "${safe.length > 1024 ? `${safe.slice(0, 1021)}...` : safe}"`;
}
