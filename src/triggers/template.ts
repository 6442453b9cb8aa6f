// TriggerTemplate resources from resolved params, as Tekton Triggers renders them
// (pkg/template/resource.go): a byte-level replace of `$(tt.params.<name>)` in each resource
// template's JSON text (keys too; an object-valued param may stand unquoted), after escaping
// every `$(` of the value as `$$(` so Tekton Pipelines leaves it alone; then `$(uid)`, one value
// per trigger execution shared by all templates. Params nobody provides stay literal.
import type { TriggerTemplateSpec } from '../api/triggers.types.ts';

/** On a TriggerTemplate: `"` in param values is replaced by `\"` before substitution (Triggers' old behaviour). */
export const OLD_ESCAPE_ANNOTATION = 'triggers.tekton.dev/old-escape-quotes';

export interface TemplateParam { name: string; value: string }

export interface RenderOptions {
  /** the `$(uid)` of this execution; default `generator()` */
  uid?: string;
  /** makes the uid when none is given (default `crypto.randomUUID()`) */
  generator?: () => string;
  /** the TriggerTemplate's annotations (for OLD_ESCAPE_ANNOTATION) */
  annotations?: Record<string, string>;
}

/** Every `$(` as `$$(` (so `$$(x)` becomes `$$$(x)`). */
export function escapeTektonVariables(value: string): string {
  return value.split('$(').join('$$(');
}

/** Is the old quote escaping asked for (annotation present and not "false")? */
export function oldEscapeQuotes(annotations: Record<string, string> | undefined): boolean {
  return annotations !== undefined && Object.hasOwn(annotations, OLD_ESCAPE_ANNOTATION) && annotations[OLD_ESCAPE_ANNOTATION] !== 'false';
}

/** One param substituted into a template's JSON text. */
export function applyParamToResourceTemplate(param: TemplateParam, rt: string, oldEscape = false): string {
  let value = param.value;
  if (oldEscape) value = value.replaceAll('"', '\\"');
  value = escapeTektonVariables(value);
  return rt.split(`$(tt.params.${param.name})`).join(value);
}

/** All params substituted, in order (a later param also replaces text an earlier value brought in). */
export function applyParamsToResourceTemplate(params: readonly TemplateParam[], rt: string, oldEscape = false): string {
  return params.reduce((text, p) => applyParamToResourceTemplate(p, text, oldEscape), rt);
}

/** `$(uid)` replaced everywhere. */
export function applyUIDToResourceTemplate(rt: string, uid: string): string {
  return rt.split('$(uid)').join(uid);
}

/**
 * The resources of a template for one trigger execution: each resource template as JSON text,
 * params then `$(uid)` substituted, parsed back. Throws "resourcetemplates[<i>]: …" when a
 * substituted text is not valid JSON (or not an object).
 */
export function renderTemplate(
  spec: TriggerTemplateSpec,
  params: readonly TemplateParam[],
  { generator = () => globalThis.crypto.randomUUID(), uid = generator(), annotations }: RenderOptions = {},
): Array<Record<string, unknown>> {
  const oldEscape = oldEscapeQuotes(annotations);
  return (spec.resourcetemplates ?? []).map(function renderOne(rt, i) {
    const text = applyUIDToResourceTemplate(applyParamsToResourceTemplate(params, JSON.stringify(rt), oldEscape), uid);
    let out: unknown;
    try {
      out = JSON.parse(text);
    } catch (e) {
      throw new Error(`resourcetemplates[${i}]: the template is not valid JSON after substitution: ${(e as Error).message}`);
    }
    if (typeof out !== 'object' || out === null || Array.isArray(out)) {
      throw new Error(`resourcetemplates[${i}]: the template is not an object after substitution`);
    }
    return out as Record<string, unknown>;
  });
}
