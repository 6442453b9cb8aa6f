// The interceptor chain of a trigger (or trigger group), as Tekton Triggers' ExecuteInterceptors:
// each interceptor gets the raw body, the headers, the extensions so far and its own params; the
// chain stops at the first `continue: false`; extensions merge key by key.
import type { TriggerInterceptor } from '../api/triggers.types.ts';
import type { Interceptor, InterceptorContext, InterceptorDeps, InterceptorResponse } from './types.ts';
import { CODES } from './types.ts';

export interface ChainDeps extends InterceptorDeps {
  /** the core interceptor of a name (`github`, `gitlab`, `bitbucket`, `cel`), if kiln has it */
  interceptor(name: string): Interceptor | undefined;
}

export interface ChainInput {
  body: string;
  /** the body's exact bytes (signatures are checked over them) */
  rawBody?: Uint8Array;
  header: Record<string, string[]>;
  extensions: Record<string, unknown>;
  context: InterceptorContext;
}

export interface ChainResult {
  continue: boolean;
  extensions: Record<string, unknown>;
  /** why the chain stopped: the interceptor's name and its status */
  stoppedBy?: { interceptor: string; code: number; message: string };
}

/** The name an interceptor entry refers to (`ref.name`; v1alpha1's `{github: {...}}` form too). */
export function interceptorName(i: TriggerInterceptor): string | undefined {
  if (i.ref?.name) return i.ref.name;
  const legacy = ['github', 'gitlab', 'bitbucket', 'cel'].find((k) => Object.hasOwn(i, k));
  return legacy;
}

/** An entry's params as `{name: value}` (v1alpha1's `{github: {...}}` object is its params). */
export function interceptorParams(i: TriggerInterceptor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const legacy = interceptorName(i);
  if (!i.ref && legacy) Object.assign(out, (i as Record<string, unknown>)[legacy] as object);
  for (const p of i.params ?? []) out[p.name] = p.value;
  return out;
}

export async function runChain(interceptors: readonly TriggerInterceptor[], input: ChainInput, deps: ChainDeps): Promise<ChainResult> {
  let extensions = { ...input.extensions };
  for (const entry of interceptors) {
    const name = interceptorName(entry);
    const label = entry.name ?? name ?? 'interceptor';
    if (entry.webhook !== undefined || !name) {
      return { continue: false, extensions, stoppedBy: { interceptor: label, code: CODES.InvalidArgument, message: 'webhook interceptors are not supported by kiln; use the github, gitlab, bitbucket, cel or cdevents interceptors' } };
    }
    if (entry.ref?.kind === 'NamespacedInterceptor') {
      return { continue: false, extensions, stoppedBy: { interceptor: label, code: CODES.NotFound, message: `namespaced interceptor "${name}" is not supported by kiln (only the core ClusterInterceptors github, gitlab, bitbucket, cel, cdevents)` } };
    }
    const run = deps.interceptor(name);
    if (!run) {
      return { continue: false, extensions, stoppedBy: { interceptor: label, code: CODES.NotFound, message: `ClusterInterceptor "${name}" not found (kiln has github, gitlab, bitbucket, cel, cdevents)` } };
    }
    let res: InterceptorResponse;
    try {
      res = await run({ body: input.body, rawBody: input.rawBody, header: input.header, extensions, interceptor_params: interceptorParams(entry), context: input.context }, deps);
    } catch (e) {
      res = { continue: false, status: { code: CODES.Internal, message: `interceptor ${label} failed: ${(e as Error).message}` } };
    }
    if (res.extensions) extensions = { ...extensions, ...res.extensions };
    if (!res.continue) {
      return { continue: false, extensions, stoppedBy: { interceptor: label, code: res.status?.code ?? CODES.FailedPrecondition, message: res.status?.message ?? 'the interceptor did not let the event through' } };
    }
  }
  return { continue: true, extensions };
}
