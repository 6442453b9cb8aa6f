// Tekton's literal variable substitution (pkg/substitution, pkg/container/*_replacements.go,
// the field walk of pkg/reconciler/taskrun/resources/apply.go ApplyReplacements).
import type { ParamValue } from '../api/param.types.ts';
import type { EnvFromSource, EnvVar, Sidecar, Step, ContainerFields } from '../api/container.types.ts';
import type { TaskSpec } from '../api/task.types.ts';
import type { Volume, VolumeMount, KeyToPath } from '../api/workspace.types.ts';
import type { WhenExpression } from '../api/when.types.ts';

/** Anything with `get` — a Map, or layered Maps (see {@link layered}). */
export interface Lookup<V> {
  get(key: string): V | undefined;
}

/** What to substitute: keys are written without `$(` `)`, e.g. `params.x`, `params.x[0]`. */
export interface Replacements {
  strings: Lookup<string>;
  /** array values, substituted only where a list element is exactly `$(key)` or `$(key[*])` */
  arrays?: Lookup<readonly string[]>;
  /** object values, used where a param value is exactly `$(key)` or `$(key[*])` */
  objects?: Lookup<Readonly<Record<string, string>>>;
}

/** Concrete replacements, as built by {@link paramReplacements}. */
export interface ReplacementMaps {
  strings: Map<string, string>;
  arrays: Map<string, string[]>;
  objects: Map<string, Record<string, string>>;
}

/** A lookup that asks each layer in turn (first hit wins). */
export function layered<V>(...layers: Array<Lookup<V> | undefined>): Lookup<V> {
  const present = layers.filter((l): l is Lookup<V> => l !== undefined);
  if (present.length === 1) return present[0];
  return {
    get(key: string): V | undefined {
      for (const l of present) {
        const v = l.get(key);
        if (v !== undefined) return v;
      }
      return undefined;
    },
  };
}

/**
 * Replaces every exact `$(key)` whose key is known, in one left-to-right pass: replaced text is
 * never scanned again, unknown keys are left as written, nothing is escaped. Equivalent to Go's
 * `strings.Replacer` over `$(key)` strings (keys never contain `)`).
 */
export function replace(s: string, strings: Lookup<string>): string {
  if (!s || !s.includes('$(')) return s;
  let out = '';
  let from = 0;
  let at = s.indexOf('$(');
  while (at >= 0) {
    const close = s.indexOf(')', at + 2);
    if (close < 0) break;
    const value = strings.get(s.slice(at + 2, close));
    if (value === undefined) {
      at = s.indexOf('$(', at + 1);
      continue;
    }
    out += s.slice(from, at) + value;
    from = close + 1;
    at = s.indexOf('$(', from);
  }
  return out + s.slice(from);
}

/** The key of a list element that is exactly `$(key)` or `$(key[*])` with an array value. */
function wholeArrayKey(s: string, arrays: Lookup<readonly string[]>): readonly string[] | undefined {
  if (!s.startsWith('$(') || !s.endsWith(')')) return undefined;
  const inner = s.slice(2, -1);
  return arrays.get(inner) ?? (inner.endsWith('[*]') ? arrays.get(inner.slice(0, -3)) : undefined);
}

/** One list element: expands into the array when it is exactly an array reference, else `[replace(s)]`. */
export function replaceElement(s: string, strings: Lookup<string>, arrays?: Lookup<readonly string[]>): string[] {
  const arr = arrays && wholeArrayKey(s, arrays);
  return arr ? [...arr] : [replace(s, strings)];
}

/** A list (args, command, when values): array references that are a whole element expand. */
export function replaceArray(list: readonly string[], strings: Lookup<string>, arrays?: Lookup<readonly string[]>): string[] {
  return list.flatMap((s) => replaceElement(s, strings, arrays));
}

/** The four spellings Tekton accepts for a param: `params.x`, `params["x"]`, `params['x']`, `inputs.params.x`. */
export function paramKeys(name: string): string[] {
  return [`params.${name}`, `params[${JSON.stringify(name)}]`, `params['${name}']`, `inputs.params.${name}`];
}

/** `<prefix>.<name><suffix>` and its bracket forms, e.g. `results.r.path`, `results["r"].path`, `results['r'].path`. */
export function bracketKeys(prefix: string, name: string, suffix = ''): string[] {
  return [`${prefix}.${name}${suffix}`, `${prefix}[${JSON.stringify(name)}]${suffix}`, `${prefix}['${name}']${suffix}`];
}

/**
 * Replacements for param values (apply.go replacementsFromParams): strings under every spelling;
 * arrays under every spelling plus `[i]` per element; objects under every spelling plus
 * `params.<name>.<key>` per key (dotted form only, as Tekton).
 */
export function paramReplacements(values: Iterable<readonly [string, ParamValue]>): ReplacementMaps {
  const r: ReplacementMaps = { strings: new Map(), arrays: new Map(), objects: new Map() };
  for (const [name, value] of values) addParam(r, name, value);
  return r;
}

/** Adds (or overwrites) one param's replacements. */
export function addParam(r: ReplacementMaps, name: string, value: ParamValue): void {
  if (Array.isArray(value)) {
    for (const key of paramKeys(name)) {
      value.forEach((v, i) => r.strings.set(`${key}[${i}]`, v));
      r.arrays.set(key, value);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const key of paramKeys(name)) r.objects.set(key, value);
    for (const [k, v] of Object.entries(value)) r.strings.set(`params.${name}.${k}`, v);
  } else {
    for (const key of paramKeys(name)) r.strings.set(key, value);
  }
}

// A value that is exactly one reference (substitution.go exactVariableSubstitutionFormat).
const EXACT_REFERENCE = /^\$\([_a-zA-Z0-9.-]+(\.[_a-zA-Z0-9.-]+)*(\[([0-9]+|\*)\])?\)$/;

/**
 * A param value (step params, PipelineTask params): arrays expand element-wise, object values are
 * replaced key by key, and a string that is exactly a reference to an array or object becomes
 * that array or object (ParamValue.applyOrCorrect).
 */
export function replaceParamValue(value: ParamValue, reps: Replacements): ParamValue {
  if (Array.isArray(value)) return replaceArray(value, reps.strings, reps.arrays);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v, reps.strings)]));
  }
  if (!EXACT_REFERENCE.test(value)) return replace(value, reps.strings);
  let inner = value.slice(2, -1);
  if (inner.endsWith('[*]')) inner = inner.slice(0, -3);
  const arr = reps.arrays?.get(inner);
  if (arr) return [...arr];
  const obj = reps.objects?.get(inner);
  if (obj) return { ...obj };
  return replace(value, reps.strings);
}

/** When expressions: `input` and `cel` as strings, `values` as a list (whole array refs expand). */
export function replaceWhen(exprs: readonly WhenExpression[], strings: Lookup<string>, arrays?: Lookup<readonly string[]>): WhenExpression[] {
  return exprs.map((w) => {
    const out: WhenExpression = { ...w };
    if (w.input !== undefined) out.input = replace(w.input, strings);
    if (w.values !== undefined) out.values = replaceArray(w.values, strings, arrays);
    if (w.cel !== undefined) out.cel = replace(w.cel, strings);
    return out;
  });
}

function replaceEnv(env: EnvVar, s: Lookup<string>): EnvVar {
  const out: EnvVar = { ...env };
  if (env.value !== undefined) out.value = replace(env.value, s);
  const vf = env.valueFrom;
  if (vf) {
    out.valueFrom = { ...vf };
    if (vf.secretKeyRef) out.valueFrom.secretKeyRef = { ...vf.secretKeyRef, name: replace(vf.secretKeyRef.name, s), key: replace(vf.secretKeyRef.key, s) };
    if (vf.configMapKeyRef) out.valueFrom.configMapKeyRef = { ...vf.configMapKeyRef, name: replace(vf.configMapKeyRef.name, s), key: replace(vf.configMapKeyRef.key, s) };
  }
  return out;
}

function replaceEnvFrom(e: EnvFromSource, s: Lookup<string>): EnvFromSource {
  const out: EnvFromSource = { ...e };
  if (e.prefix !== undefined) out.prefix = replace(e.prefix, s);
  if (e.configMapRef) out.configMapRef = { ...e.configMapRef, name: replace(e.configMapRef.name, s) };
  if (e.secretRef) out.secretRef = { ...e.secretRef, name: replace(e.secretRef.name, s) };
  return out;
}

function replaceMount(m: VolumeMount, s: Lookup<string>): VolumeMount {
  const out: VolumeMount = { ...m, name: replace(m.name, s), mountPath: replace(m.mountPath, s) };
  if (m.subPath !== undefined) out.subPath = replace(m.subPath, s);
  return out;
}

/** The container fields every step, step template and sidecar shares (applyContainerReplacements). */
export function replaceContainer<T extends ContainerFields & { name?: string }>(c: T, s: Lookup<string>, arrays?: Lookup<readonly string[]>): T {
  const out: T = { ...c };
  if (c.name !== undefined) out.name = replace(c.name, s);
  if (c.image !== undefined) out.image = replace(c.image, s);
  if (c.imagePullPolicy !== undefined) out.imagePullPolicy = replace(c.imagePullPolicy, s);
  if (c.args) out.args = replaceArray(c.args, s, arrays);
  if (c.command) out.command = replaceArray(c.command, s, arrays);
  if (c.env) out.env = c.env.map((e) => replaceEnv(e, s));
  if (c.envFrom) out.envFrom = c.envFrom.map((e) => replaceEnvFrom(e, s));
  if (c.workingDir !== undefined) out.workingDir = replace(c.workingDir, s);
  if (c.volumeMounts) out.volumeMounts = c.volumeMounts.map((m) => replaceMount(m, s));
  return out;
}

/** A step: container fields, script, onError, stdout/stderr paths, when, and `params` (for StepActions). */
export function replaceStep(step: Step, reps: Replacements): Step {
  const s = reps.strings;
  const out = replaceContainer(step, s, reps.arrays);
  if (step.script !== undefined) out.script = replace(step.script, s);
  if (step.onError !== undefined) out.onError = replace(step.onError, s);
  if (step.stdoutConfig?.path !== undefined) out.stdoutConfig = { ...step.stdoutConfig, path: replace(step.stdoutConfig.path, s) };
  if (step.stderrConfig?.path !== undefined) out.stderrConfig = { ...step.stderrConfig, path: replace(step.stderrConfig.path, s) };
  if (step.when) out.when = replaceWhen(step.when, s, reps.arrays);
  if (step.params) out.params = step.params.map((p) => ({ ...p, value: replaceParamValue(p.value, reps) }));
  return out;
}

/** A sidecar: container fields and script. */
export function replaceSidecar(sidecar: Sidecar, reps: Replacements): Sidecar {
  const out = replaceContainer(sidecar, reps.strings, reps.arrays);
  if (sidecar.script !== undefined) out.script = replace(sidecar.script, reps.strings);
  return out;
}

function replaceItems(items: KeyToPath[] | undefined, s: Lookup<string>): KeyToPath[] | undefined {
  return items?.map((it) => ({ ...it, key: replace(it.key, s), path: replace(it.path, s) }));
}

/** A volume's name and source names (configMap/secret with items, pvc claim, projected sources, csi). */
export function replaceVolume(v: Volume, s: Lookup<string>): Volume {
  const out: Volume = { ...v, name: replace(v.name, s) };
  if (v.configMap) out.configMap = { ...v.configMap, name: replace(v.configMap.name, s), ...optItems(replaceItems(v.configMap.items, s)) };
  if (v.secret) out.secret = { ...v.secret, secretName: replace(v.secret.secretName, s), ...optItems(replaceItems(v.secret.items, s)) };
  if (v.persistentVolumeClaim) out.persistentVolumeClaim = { ...v.persistentVolumeClaim, claimName: replace(v.persistentVolumeClaim.claimName, s) };
  if (v.projected?.sources) {
    out.projected = {
      ...v.projected,
      sources: v.projected.sources.map((src) => {
        const o = { ...src };
        if (src.configMap) o.configMap = { ...src.configMap, name: replace(src.configMap.name, s) };
        if (src.secret) o.secret = { ...src.secret, name: replace(src.secret.name, s) };
        return o;
      }),
    };
  }
  if (isRecord(v.csi)) out.csi = replaceCsi(v.csi, s);
  return out;
}

function optItems(items: KeyToPath[] | undefined): { items?: KeyToPath[] } {
  return items ? { items } : {};
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function replaceCsi(csi: Record<string, unknown>, s: Lookup<string>): Record<string, unknown> {
  const out = { ...csi };
  const ref = csi.nodePublishSecretRef;
  if (isRecord(ref) && typeof ref.name === 'string') out.nodePublishSecretRef = { ...ref, name: replace(ref.name, s) };
  const attrs = csi.volumeAttributes;
  if (isRecord(attrs)) {
    out.volumeAttributes = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, typeof v === 'string' ? replace(v, s) : v]));
  }
  return out;
}

/** Replacements for a whole TaskSpec, with optional extra layers for one step or one sidecar. */
export interface SpecReplacements extends Replacements {
  /** extra string replacements for step `i` only (step result paths, workspace mountPath overrides) */
  step?: (i: number) => Lookup<string> | undefined;
  /** extra string replacements for sidecar `i` only */
  sidecar?: (i: number) => Lookup<string> | undefined;
}

/**
 * Substitutes every field Tekton substitutes in a Task (apply.go ApplyReplacements): steps
 * (container fields, script, onError, stdout/stderr paths, when, params), stepTemplate, volumes,
 * workspaces[].mountPath, sidecars. Returns a new spec; the input is not modified.
 */
export function replaceAll(spec: TaskSpec, reps: SpecReplacements): TaskSpec {
  const out: TaskSpec = { ...spec };
  out.steps = (spec.steps ?? []).map((step, i) => replaceStep(step, withLayer(reps, reps.step?.(i))));
  if (spec.stepTemplate) out.stepTemplate = replaceContainer(spec.stepTemplate, reps.strings, reps.arrays);
  if (spec.volumes) out.volumes = spec.volumes.map((v) => replaceVolume(v, reps.strings));
  if (spec.workspaces) {
    out.workspaces = spec.workspaces.map((w) => (w.mountPath === undefined ? { ...w } : { ...w, mountPath: replace(w.mountPath, reps.strings) }));
  }
  if (spec.sidecars) out.sidecars = spec.sidecars.map((sc, i) => replaceSidecar(sc, withLayer(reps, reps.sidecar?.(i))));
  return out;
}

function withLayer(reps: Replacements, extra: Lookup<string> | undefined): Replacements {
  return extra ? { ...reps, strings: layered(extra, reps.strings) } : reps;
}
