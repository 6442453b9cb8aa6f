// The CEL interceptor (Tekton pkg/interceptors/cel/cel.go): `filter` must evaluate to exactly
// true, `overlays` are evaluated against the original event and written into extensions.
import { CODES, namespaceOfTriggerId, rejected, type Interceptor, type InterceptorResponse } from '../types.ts';
import { triggerCel } from '../cel/env.ts';
import { celToJson } from '../cel/values.ts';
import { goJsonUnmarshalObject } from '../gojson.ts';
import { sjsonSet } from './sjson.ts';

/** The CEL interceptor's params. */
export interface CelInterceptorParams {
  filter?: string;
  overlays?: { key: string; expression: string }[];
}

/** Reads the params as Go's json.Unmarshal into InterceptorParams would, or says why not. */
function readParams(p: Record<string, unknown>): CelInterceptorParams | string {
  const { filter, overlays } = p;
  if (filter !== undefined && filter !== null && typeof filter !== 'string') return `json: cannot unmarshal ${typeof filter} into Go struct field InterceptorParams.filter of type string`;
  if (overlays !== undefined && overlays !== null && !Array.isArray(overlays)) return 'json: cannot unmarshal into Go struct field InterceptorParams.overlays of type []cel.Overlay';
  const list = ((overlays as unknown[] | null | undefined) ?? []).map((o) => {
    const r = (o ?? {}) as Record<string, unknown>;
    return { key: String(r.key ?? ''), expression: String(r.expression ?? '') };
  });
  return { filter: (filter as string | null | undefined) ?? '', overlays: list };
}

/**
 * `filter`: anything but `true` answers `continue: false` with FailedPrecondition "expression <f>
 * did not return true"; an expression that fails answers InvalidArgument "error evaluating cel
 * expression: …". Overlay keys are sjson paths; bytes results are base64; no overlays, no `extensions`.
 */
export const celInterceptor: Interceptor = async function cel(req, deps): Promise<InterceptorResponse> {
  const p = readParams(req.interceptor_params ?? {});
  if (typeof p === 'string') return rejected(CODES.InvalidArgument, `failed to parse interceptor params: ${p}`);
  if (!req.context) return rejected(CODES.InvalidArgument, 'no request context passed');
  const parsed = goJsonUnmarshalObject(req.body === '' || req.body === undefined ? '{}' : req.body);
  if ('error' in parsed) return rejected(CODES.InvalidArgument, `error making the evaluation context: failed to parse the body as JSON: ${parsed.error}`);
  const ns = namespaceOfTriggerId(req.context.trigger_id);
  const env = await triggerCel();
  const input = { body: parsed.value, header: req.header ?? {}, extensions: req.extensions ?? {}, requestURL: req.context.event_url };
  const secret = (name: string, key: string): Promise<string | undefined> => deps.secret(ns, name, key);

  if (p.filter) {
    const r = await env.evaluate(p.filter, input, secret);
    if ('error' in r) return rejected(CODES.InvalidArgument, `error evaluating cel expression: ${r.error}`);
    if (r.value !== true) return rejected(CODES.FailedPrecondition, `expression ${p.filter} did not return true`);
  }

  let extensions: Record<string, unknown> | undefined;
  for (const o of p.overlays ?? []) {
    const r = await env.evaluate(o.expression, input, secret);
    if ('error' in r) return rejected(CODES.InvalidArgument, `error evaluating cel expression: ${r.error}`);
    const json = celToJson(env.lib, r.value);
    if (typeof json === 'number' && !Number.isFinite(json)) {
      return rejected(CODES.Internal, `failed to convert overlay result to type: invalid value ${json}`);
    }
    extensions ??= {};
    try {
      sjsonSet(extensions, o.key, json);
    } catch (e) {
      return rejected(CODES.Internal, `failed to sjson for key '${o.key}' to '${String(json)}': ${(e as Error).message}`);
    }
  }
  return extensions ? { continue: true, extensions } : { continue: true };
};
