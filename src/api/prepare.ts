// From a decoded document (YAML or JSON) to a checked object: kind lookup, field-name
// normalisation, v1beta1 → v1 conversion, defaults, validation. Positions are load.ts's concern.
import type { RunDefaults } from './config.ts';
import { convertObject, sourcePath } from './convert.ts';
import type { ConfigMap, Secret } from './core.types.ts';
import { validateConfigMap, validateCoreObject, validateSecret } from './core.validation.ts';
import type { FieldError } from './errors.ts';
import { isForeignKind, notAppliedError } from './foreign.ts';
import type { KObject } from './meta.ts';
import { groupOf, versionOf } from './meta.ts';
import { isPlainObject, jsonType, normalizeFields } from './normalize.ts';
import { defaultPipeline } from './pipeline.defaults.ts';
import type { Pipeline } from './pipeline.types.ts';
import { validatePipeline } from './pipeline.validation.ts';
import { defaultPipelineRun } from './pipelinerun.defaults.ts';
import type { PipelineRun } from './pipelinerun.types.ts';
import { validatePipelineRun } from './pipelinerun.validation.ts';
import type { KindInfo } from './registry.ts';
import { KINDS, TRIGGERS_GROUP } from './registry.ts';
import { schemaForKind } from './schema.ts';
import { validateStepAction } from './stepaction.validation.ts';
import { defaultStepAction, defaultTask } from './task.defaults.ts';
import type { StepAction, Task } from './task.types.ts';
import { validateTask } from './task.validation.ts';
import { defaultTaskRun } from './taskrun.defaults.ts';
import type { TaskRun } from './taskrun.types.ts';
import { validateTaskRun } from './taskrun.validation.ts';
import { defaultTriggersObject } from './triggers.defaults.ts';
import { validateTriggersObject } from './triggers.validation.ts';

/**
 * What unknown fields are, as kubectl's `--validate` / the API's `fieldValidation` say it:
 * `Strict` errors, `Warn` warnings, `Ignore` dropped without a word.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface PrepareOptions {
  /** unknown fields: default `Warn` (`Strict` when `strict` is set) */
  fieldValidation?: FieldValidation;
  /** unknown fields are errors instead of warnings (the same as fieldValidation `Strict`) */
  strict?: boolean;
  /** config-defaults overrides (timeout, service account, matrix limit) */
  defaults?: Partial<RunDefaults>;
}

export interface Prepared {
  /** the converted, defaulted object; absent when it is not a usable object (no/unknown kind, …) */
  object?: KObject;
  errors: FieldError[];
  warnings: FieldError[];
  /** v1beta1 input: a field path of `object` as the input spells it (see convert.ts sourcePath) */
  sourcePath?(path: string): string;
}

/**
 * Checks one decoded document: apiVersion/kind known (kind matched case-insensitively and
 * respelled), field names normalised (unknown fields warned about, errors or dropped: fieldValidation),
 * v1beta1 converted to v1, defaults applied, then validated. Error paths are relative to the
 * object (`spec.steps[0].image`) and spelled as in `raw` (v1beta1 names for v1beta1 input). An object that fails validation is still returned, so callers
 * can report on it: treat any error as fatal. Never throws.
 */
export function prepareObject(raw: unknown, opts: PrepareOptions = {}): Prepared {
  if (!isPlainObject(raw)) return { errors: [asError({ path: '', message: `expected a Kubernetes object (a mapping), got ${jsonType(raw)}` })], warnings: [] };
  const identified = identify(raw);
  if ('errors' in identified) return { errors: identified.errors.map(asError), warnings: [] };
  const { info, version } = identified;
  const legacy = (info.group === 'tekton.dev' || info.group === 'triggers.tekton.dev') && version !== info.versions[0];
  const norm = normalizeFields({ ...raw, kind: info.kind }, schemaForKind(info.kind)!, { legacy });
  const validation = opts.fieldValidation ?? (opts.strict ? 'Strict' : 'Warn');
  const errors = [...norm.errors, ...(validation === 'Strict' ? norm.unknown : [])];
  const warnings = [...norm.warnings, ...(validation === 'Warn' ? norm.unknown.map((u) => ({ ...u, severity: 'warning' as const })) : [])];
  const normalized = norm.value as KObject;
  if (!isPlainObject(normalized.metadata)) normalized.metadata = {};
  const converted = convertObject(normalized);
  errors.push(...converted.errors);
  warnings.push(...converted.warnings.map((w) => ({ ...w, severity: 'warning' as const })));
  const object = defaultObject(converted.object, opts.defaults);
  // a value dropped for its type is not also reported as missing
  const typeErrorPaths = new Set(norm.errors.map((e) => e.path));
  for (const e of validateObject(object, opts.defaults)) {
    if (typeErrorPaths.has(e.path)) continue;
    if (e.severity === 'warning') warnings.push(e);
    else errors.push(e);
  }
  // v1beta1 input: name each field as the file spells it, not by its v1 name
  if (!legacy) return { object, errors: errors.map(asError), warnings };
  const written = (e: FieldError): FieldError => ({ ...e, path: sourcePath(e.path, raw) });
  return { object, errors: errors.map(asError).map(written), warnings: warnings.map(written), sourcePath: (path) => sourcePath(path, raw) };
}

function asError(e: FieldError): FieldError {
  return { ...e, severity: 'error' };
}

/** The registry entry and version of a raw object, or why it has none. */
function identify(raw: Record<string, unknown>): { info: KindInfo; version: string } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const { apiVersion, kind } = raw;
  if (typeof apiVersion !== 'string' || apiVersion === '') errors.push({ path: 'apiVersion', message: 'missing field(s)' });
  if (typeof kind !== 'string' || kind === '') errors.push({ path: 'kind', message: 'missing field(s)' });
  if (errors.length) return { errors };
  const info = KINDS.find((k) => k.kind.toLowerCase() === (kind as string).toLowerCase());
  if (!info) {
    if (isForeignKind(apiVersion as string, kind as string)) return { errors: [notAppliedError(apiVersion as string, kind as string, (raw.metadata as { name?: unknown } | undefined)?.name)] };
    return { errors: [{ path: 'kind', message: `unknown kind "${kind}" (kiln knows ${KINDS.map((k) => k.kind).join(', ')})` }] };
  }
  const group = groupOf(apiVersion as string);
  const version = versionOf(apiVersion as string);
  if (group !== info.group || !info.versions.includes(version)) {
    const accepted = info.versions.map((v) => (info.group ? `${info.group}/${v}` : v)).join(' or ');
    return { errors: [{ path: 'apiVersion', message: `unsupported apiVersion "${apiVersion}" for kind ${info.kind} (expected ${accepted})` }] };
  }
  return { info, version };
}

/** Applies the kind's defaults (new object; other kinds returned as they are). */
export function defaultObject(obj: KObject, config: Partial<RunDefaults> = {}): KObject {
  switch (obj.kind) {
    case 'Task': return defaultTask(obj as Task);
    case 'TaskRun': return defaultTaskRun(obj as TaskRun, config);
    case 'Pipeline': return defaultPipeline(obj as Pipeline);
    case 'PipelineRun': return defaultPipelineRun(obj as PipelineRun, config);
    case 'StepAction': return defaultStepAction(obj as StepAction);
    default: return groupOf(obj.apiVersion) === TRIGGERS_GROUP ? defaultTriggersObject(obj) : obj;
  }
}

/**
 * Validates an object of any kind kiln knows (normalised and converted to its storage version);
 * `config.maxMatrixCombinations` bounds matrices (default 256).
 */
export function validateObject(obj: KObject, config: Partial<RunDefaults> = {}): FieldError[] {
  const limits = { maxMatrixCombinations: config.maxMatrixCombinations };
  switch (obj.kind) {
    case 'Task': return validateTask(obj as Task);
    case 'TaskRun': return validateTaskRun(obj as TaskRun);
    case 'Pipeline': return validatePipeline(obj as Pipeline, limits);
    case 'PipelineRun': return validatePipelineRun(obj as PipelineRun, limits);
    case 'StepAction': return validateStepAction(obj as StepAction);
    case 'ConfigMap': return validateConfigMap(obj as ConfigMap);
    case 'Secret': return validateSecret(obj as Secret);
    default:
      return (groupOf(obj.apiVersion) === TRIGGERS_GROUP ? validateTriggersObject(obj) : undefined) ?? validateCoreObject(obj);
  }
}
