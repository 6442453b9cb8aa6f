// tekton.dev/v1beta1 → tekton.dev/v1 conversion (docs/migrating-v1beta1-to-v1.md, the
// v1beta1 *_conversion.go files), and StepAction v1alpha1 → v1beta1. Works on objects already
// normalised by normalize.ts with `legacy: true`. Triggers' v1alpha1 → v1beta1 changes apiVersion only.
import type { FieldError } from './errors.ts';
import { joinPath } from './errors.ts';
import type { KObject } from './meta.ts';
import { groupOf, versionOf } from './meta.ts';
import { isPlainObject } from './normalize.ts';
import { DEPRECATED_CONTAINER_FIELDS } from './schema.ts';

type Obj = Record<string, unknown>;

export interface ConvertResult { object: KObject; errors: FieldError[]; warnings: FieldError[] }

interface Sink { errors: FieldError[]; warnings: FieldError[] }

const TRIGGERS_GROUP = 'triggers.tekton.dev';
const V1ALPHA1_ONLY = new Set(['Interceptor', 'ClusterInterceptor']);

/**
 * Converts a v1beta1 Task, TaskRun, Pipeline or PipelineRun to tekton.dev/v1 and a v1alpha1
 * StepAction to tekton.dev/v1beta1, and a triggers.tekton.dev/v1alpha1 EventListener, Trigger,
 * (Cluster)TriggerBinding or TriggerTemplate to triggers.tekton.dev/v1beta1; any other object is
 * returned unchanged. Returns a new object.
 */
export function convertObject(obj: KObject): ConvertResult {
  const sink: Sink = { errors: [], warnings: [] };
  if (groupOf(obj.apiVersion) === TRIGGERS_GROUP) return { object: convertTriggersObject(obj), ...sink };
  if (groupOf(obj.apiVersion) !== 'tekton.dev') return { object: obj, ...sink };
  const version = versionOf(obj.apiVersion);
  if (obj.kind === 'StepAction') {
    return { object: version === 'v1alpha1' ? { ...obj, apiVersion: 'tekton.dev/v1beta1' } : obj, ...sink };
  }
  if (version !== 'v1beta1') return { object: obj, ...sink };
  const out = structuredClone(obj);
  out.apiVersion = 'tekton.dev/v1';
  const spec = isPlainObject(out.spec) ? out.spec : undefined;
  const status = isPlainObject(out.status) ? out.status : undefined;
  switch (out.kind) {
    case 'Task':
      if (spec) convertTaskSpec(spec, 'spec', sink);
      break;
    case 'TaskRun':
      if (spec) convertTaskRunSpec(spec, sink);
      if (status) convertTaskRunStatus(status);
      break;
    case 'Pipeline':
      if (spec) convertPipelineSpec(spec, 'spec', sink);
      break;
    case 'PipelineRun':
      if (spec) convertPipelineRunSpec(spec, sink);
      if (status) convertPipelineRunStatus(status);
      break;
  }
  return { object: out, ...sink };
}

/**
 * triggers.tekton.dev v1alpha1 → v1beta1 for the kinds stored as v1beta1 (the shapes kiln accepts
 * are the same in both versions, so only apiVersion changes); Interceptor and ClusterInterceptor
 * are v1alpha1-only and stay as they are.
 */
function convertTriggersObject(obj: KObject): KObject {
  if (versionOf(obj.apiVersion) !== 'v1alpha1' || V1ALPHA1_ONLY.has(obj.kind)) return obj;
  const spec = obj.spec as Obj | undefined;
  if (spec && typeof spec === 'object') {
    convertInterceptors(spec.interceptors);
    eachObject(spec.triggers, (t) => convertInterceptors(t.interceptors));
    eachObject(spec.triggerGroups, (g) => convertInterceptors(g.interceptors));
  }
  return { ...obj, apiVersion: `${TRIGGERS_GROUP}/v1beta1` };
}

const LEGACY_INTERCEPTORS = ['github', 'gitlab', 'bitbucket', 'cel'];

/** v1alpha1's `- github: {secretRef, eventTypes}` → `- ref: {name: github}, params: [...]`, in place. */
function convertInterceptors(list: unknown): void {
  eachObject(list, (i) => {
    const name = LEGACY_INTERCEPTORS.find((k) => Object.hasOwn(i, k));
    if (!name || i.ref) return;
    const legacy = i[name] as Obj | undefined;
    delete i[name];
    i.ref = { name, kind: 'ClusterInterceptor' };
    const params = Array.isArray(i.params) ? (i.params as unknown[]) : [];
    for (const [k, v] of Object.entries(legacy ?? {})) params.push({ name: k, value: v });
    i.params = params;
  });
}

/** v1beta1 TaskSpec (also an embedded one) → v1, in place. */
function convertTaskSpec(spec: Obj, path: string, sink: Sink): void {
  eachObject(spec.steps, (step, i) => {
    const p = joinPath(joinPath(path, 'steps'), i);
    rename(step, 'resources', 'computeResources');
    dropDeprecated(step, p, 'step', sink);
  });
  if (isPlainObject(spec.stepTemplate)) {
    const t = spec.stepTemplate;
    rename(t, 'resources', 'computeResources');
    dropDeprecated(t, joinPath(path, 'stepTemplate'), 'stepTemplate', sink);
    if ('name' in t) dropWithWarning(t, 'name', joinPath(path, 'stepTemplate'), 'stepTemplate', sink);
  }
  eachObject(spec.sidecars, (sidecar) => rename(sidecar, 'resources', 'computeResources'));
}

function convertTaskRunSpec(spec: Obj, sink: Sink): void {
  if (isPlainObject(spec.taskRef)) convertBundle(spec.taskRef, 'task', 'spec.taskRef', sink);
  if (isPlainObject(spec.taskSpec)) convertTaskSpec(spec.taskSpec, 'spec.taskSpec', sink);
  convertOverrides(spec);
}

function convertTaskRunStatus(status: Obj): void {
  rename(status, 'taskResults', 'results');
  eachObject(status.retriesStatus, convertTaskRunStatus);
}

function convertPipelineSpec(spec: Obj, path: string, sink: Sink): void {
  for (const section of ['tasks', 'finally']) {
    eachObject(spec[section], (pt, i) => {
      const p = joinPath(joinPath(path, section), i);
      if (isPlainObject(pt.taskRef)) convertBundle(pt.taskRef, 'task', joinPath(p, 'taskRef'), sink);
      if (isPlainObject(pt.taskSpec)) convertTaskSpec(pt.taskSpec, joinPath(p, 'taskSpec'), sink);
      if (isPlainObject(pt.pipelineRef)) convertBundle(pt.pipelineRef, 'pipeline', joinPath(p, 'pipelineRef'), sink);
      if (isPlainObject(pt.pipelineSpec)) convertPipelineSpec(pt.pipelineSpec, joinPath(p, 'pipelineSpec'), sink);
    });
  }
}

function convertPipelineRunSpec(spec: Obj, sink: Sink): void {
  if (isPlainObject(spec.pipelineRef)) convertBundle(spec.pipelineRef, 'pipeline', 'spec.pipelineRef', sink);
  if (isPlainObject(spec.pipelineSpec)) convertPipelineSpec(spec.pipelineSpec, 'spec.pipelineSpec', sink);
  if (spec.serviceAccountName !== undefined || spec.podTemplate !== undefined) {
    const template: Obj = isPlainObject(spec.taskRunTemplate) ? spec.taskRunTemplate : {};
    if (spec.serviceAccountName !== undefined) template.serviceAccountName = spec.serviceAccountName;
    if (spec.podTemplate !== undefined) template.podTemplate = spec.podTemplate;
    spec.taskRunTemplate = template;
    delete spec.serviceAccountName;
    delete spec.podTemplate;
  }
  if (spec.timeout !== undefined) {
    if (spec.timeouts !== undefined) {
      sink.errors.push({ path: 'spec.timeout', message: 'expected exactly one, got both: timeout, timeouts' });
    } else {
      spec.timeouts = { pipeline: spec.timeout };
    }
    delete spec.timeout;
  }
  if (spec.status === 'PipelineRunCancelled') spec.status = 'Cancelled'; // deprecated v1beta1 spelling
  eachObject(spec.taskRunSpecs, (trs) => {
    rename(trs, 'taskServiceAccountName', 'serviceAccountName');
    rename(trs, 'taskPodTemplate', 'podTemplate');
    convertOverrides(trs);
  });
}

function convertPipelineRunStatus(status: Obj): void {
  rename(status, 'pipelineResults', 'results');
}

/** `stepOverrides`/`sidecarOverrides` [{name, resources}] → `stepSpecs`/`sidecarSpecs` [{name, computeResources}]. */
function convertOverrides(o: Obj): void {
  for (const [from, to] of [['stepOverrides', 'stepSpecs'], ['sidecarOverrides', 'sidecarSpecs']] as const) {
    if (!Array.isArray(o[from])) continue;
    eachObject(o[from], (item) => rename(item, 'resources', 'computeResources'));
    if (o[to] === undefined) o[to] = o[from];
    delete o[from];
  }
}

/** `{name, bundle}` → the bundles resolver with `bundle`, `name` and `kind` params. */
function convertBundle(ref: Obj, kind: 'task' | 'pipeline', path: string, sink: Sink): void {
  if (typeof ref.bundle !== 'string' || ref.bundle === '') {
    delete ref.bundle;
    return;
  }
  if (ref.resolver !== undefined) {
    sink.errors.push({ path: joinPath(path, 'bundle'), message: 'expected exactly one, got both: bundle, resolver' });
    delete ref.bundle;
    return;
  }
  ref.resolver = 'bundles';
  ref.params = [
    { name: 'bundle', value: ref.bundle },
    { name: 'name', value: typeof ref.name === 'string' ? ref.name : '' },
    { name: 'kind', value: kind },
  ];
  delete ref.bundle;
  delete ref.name;
  delete ref.kind;
}

function dropDeprecated(c: Obj, path: string, what: string, sink: Sink): void {
  for (const field of Object.keys(DEPRECATED_CONTAINER_FIELDS)) {
    if (field in c) dropWithWarning(c, field, path, what, sink);
  }
}

function dropWithWarning(c: Obj, field: string, path: string, what: string, sink: Sink): void {
  sink.warnings.push({
    path: joinPath(path, field),
    message: `field "${field}" of a v1beta1 ${what} has no tekton.dev/v1 equivalent and is ignored`,
  });
  delete c[field];
}

function rename(o: Obj, from: string, to: string): void {
  if (!(from in o)) return;
  if (o[to] === undefined) o[to] = o[from];
  delete o[from];
}

/** v1 path segments spelled differently in v1beta1 input, and what they were. */
export const LEGACY_SEGMENTS: Readonly<Record<string, readonly string[]>> = {
  computeResources: ['resources'],
  stepSpecs: ['stepOverrides'],
  sidecarSpecs: ['sidecarOverrides'],
  serviceAccountName: ['taskServiceAccountName'],
  podTemplate: ['taskPodTemplate'],
  timeouts: ['timeout'],
};
/** v1 segments with no v1beta1 counterpart (`spec.taskRunTemplate.serviceAccountName` was `spec.serviceAccountName`). */
export const LEGACY_SKIP: ReadonlySet<string> = new Set(['taskRunTemplate']);

/**
 * The field path of a converted (v1) object as it is written in `source`, the object as decoded
 * before conversion: v1beta1 names come back (`spec.taskRunSpecs[0].podTemplate` →
 * `spec.taskRunSpecs[0].taskPodTemplate`, `spec.timeouts.pipeline` → `spec.timeout`,
 * `spec.taskRunTemplate.serviceAccountName` → `spec.serviceAccountName`) and keys keep the case
 * they were written in. Segments absent from `source` (defaults) stay as they are.
 */
export function sourcePath(path: string, source: unknown): string {
  const segs = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
  let out = '';
  let node: unknown = source;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (typeof seg === 'number') {
      out = joinPath(out, seg);
      node = Array.isArray(node) ? node[seg] : undefined;
      continue;
    }
    const found = isPlainObject(node) ? findKey(node, segs, i) : undefined;
    if (!found) {
      if (isPlainObject(node) && LEGACY_SKIP.has(seg)) continue;
      out = joinPath(out, seg);
      node = undefined;
      continue;
    }
    out = joinPath(out, found.key);
    i = found.last;
    node = (node as Obj)[found.key];
    // `spec.timeout: 1h` stands for the whole of `spec.timeouts.pipeline`
    if (found.legacy && !isPlainObject(node) && !Array.isArray(node)) return out;
  }
  return out;
}

/** The key of `node` that segment `i` names (exactly, case-insensitively, or by its v1beta1 name); dotted keys rejoined. */
function findKey(node: Obj, segs: Array<string | number>, i: number): { key: string; last: number; legacy: boolean } | undefined {
  const keys = Object.keys(node);
  for (let j = i; j < segs.length && typeof segs[j] === 'string'; j++) {
    const seg = segs.slice(i, j + 1).join('.');
    const key = keys.find((k) => k === seg) ?? keys.find((k) => k.toLowerCase() === seg.toLowerCase());
    if (key !== undefined) return { key, last: j, legacy: false };
  }
  const seg = segs[i] as string;
  const old = keys.find((k) => (LEGACY_SEGMENTS[seg] ?? []).some((o) => o.toLowerCase() === k.toLowerCase()));
  return old === undefined ? undefined : { key: old, last: i, legacy: true };
}

function eachObject(list: unknown, fn: (item: Obj, index: number) => void): void {
  if (Array.isArray(list)) list.forEach((item, i) => { if (isPlainObject(item)) fn(item, i); });
}
