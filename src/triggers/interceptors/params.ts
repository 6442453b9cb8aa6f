// What the core interceptors share: reading `secretRef` and `eventTypes` params the way Go's
// json.Unmarshal into the params struct would, and fetching the secret in the trigger's namespace.
import { CODES, namespaceOfTriggerId, rejected, type InterceptorDeps, type InterceptorRequest, type InterceptorResponse } from '../types.ts';

/** `{secretName, secretKey}` of a secret in the trigger's namespace. */
export interface SecretRef {
  secretName: string;
  secretKey: string;
}

/** A param that could not be read: the response is InvalidArgument "failed to parse interceptor params: …". */
export class ParamError extends Error {}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** `eventTypes`: undefined when absent or null (no filter); an empty list allows nothing, as in Tekton. */
export function readEventTypes(params: Record<string, unknown>, struct: string): string[] | undefined {
  const v = params.eventTypes;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) {
    const bad = Array.isArray(v) ? v.find((e) => typeof e !== 'string') : v;
    throw new ParamError(`json: cannot unmarshal ${kindOf(bad)} into Go struct field ${struct}.eventTypes of type ${Array.isArray(v) ? 'string' : '[]string'}`);
  }
  return v as string[];
}

/** A secretRef-shaped param (`secretRef`, `personalAccessToken`): undefined when absent or null. */
export function readSecretRef(v: unknown, field: string): SecretRef | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ParamError(`json: cannot unmarshal ${kindOf(v)} into Go struct field ${field} of type v1beta1.SecretRef`);
  const r = v as Record<string, unknown>;
  for (const k of ['secretName', 'secretKey'] as const) {
    if (r[k] !== undefined && r[k] !== null && typeof r[k] !== 'string') {
      throw new ParamError(`json: cannot unmarshal ${kindOf(r[k])} into Go struct field ${field}.${k} of type string`);
    }
  }
  return { secretName: (r.secretName as string | undefined) ?? '', secretKey: (r.secretKey as string | undefined) ?? '' };
}

/** The event type check every provider does: FailedPrecondition "event type <x> is not allowed". */
export function eventTypeRejection(allowed: string[] | undefined, actual: string): InterceptorResponse | undefined {
  if (allowed === undefined || allowed.includes(actual)) return undefined;
  return rejected(CODES.FailedPrecondition, `event type ${actual} is not allowed`);
}

/** Fetches a secret in the trigger's namespace: the value, or the reason it could not be read. */
export async function getSecret(req: InterceptorRequest, deps: InterceptorDeps, ref: SecretRef): Promise<{ value: string } | { error: string }> {
  const ns = namespaceOfTriggerId(req.context.trigger_id);
  try {
    const value = await deps.secret(ns, ref.secretName, ref.secretKey);
    if (value === undefined) return { error: `secret ${JSON.stringify(ref.secretName)} with key ${JSON.stringify(ref.secretKey)} not found in namespace ${JSON.stringify(ns)}` };
    return { value };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Runs an interceptor body, turning a ParamError into InvalidArgument and any other throw into Internal. */
export async function guarded(run: () => Promise<InterceptorResponse>): Promise<InterceptorResponse> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ParamError) return rejected(CODES.InvalidArgument, `failed to parse interceptor params: ${e.message}`);
    return rejected(CODES.Internal, `interceptor failed: ${(e as Error).message}`);
  }
}
