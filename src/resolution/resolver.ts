// Remote resolution as the controllers see it: an interface (the IO lives behind it, wired in
// main.ts) and the pure helpers around a reference: Tekton's description of a resolver
// reference in messages, and `$(params.x)` substitution into the resolver's params.
import type { KObject } from '../api/meta.ts';
import type { Param, ParamValue } from '../api/param.types.ts';

/** What a reference through a resolver may name. */
export type ResolvableKind = 'Task' | 'Pipeline' | 'StepAction';

/** Where resolved content came from, as Tekton records it in `status.provenance.refSource`. */
export interface RefSource {
  uri: string;
  digest: Record<string, string>;
  entryPoint?: string;
}

export interface ResolutionRequest {
  /** `git`, `http`, `cluster`, … */
  resolver: string;
  params: readonly Param[];
  /** the namespace of the run asking (Secrets and the cluster resolver's default namespace) */
  namespace: string;
  kind: ResolvableKind;
  /**
   * the run asking: the request is recorded as a ResolutionRequest it owns (named from the owner and
   * the params, as Tekton names them), which a later reconcile of the same run reads instead of
   * resolving again; absent: nothing is recorded
   */
  owner?: RequestOwner;
}

/** The run a resolution is for (an ownerReference's fields). */
export interface RequestOwner { apiVersion: string; kind: string; name: string; uid: string }

/** The owner of a resolution: the run itself, when it has a uid (stored). */
export function ownerOf(run: KObject): RequestOwner | undefined {
  const { name, uid } = run.metadata;
  return name && uid ? { apiVersion: run.apiVersion, kind: run.kind, name, uid } : undefined;
}

export type ResolutionResult =
  /** `object` is converted to v1, defaulted and validated; the caller owns it (a copy); `data` is the text fetched */
  | { ok: true; object: KObject; refSource: RefSource; data?: string }
  /** `unsupported`: the resolver or its remote is not available here (no network, resolver missing) */
  | { ok: false; message: string; unsupported?: boolean };

/** Resolves references through resolvers; never throws for user input. */
export interface RemoteResolution {
  resolve(req: ResolutionRequest): Promise<ResolutionResult>;
}

/**
 * A resolver reference as Tekton names it in `Couldn't retrieve Task "…"`: the resolver type,
 * then one `name = value` line per param.
 */
export function describeRef(resolver: string, params: readonly Param[] = []): string {
  return `resolver type ${resolver}\n${params.map((p) => `${p.name} = ${typeof p.value === 'string' ? p.value : JSON.stringify(p.value)}\n`).join('')}`;
}

const PARAM_REF = /\$\(params(?:\.([A-Za-z0-9_.-]+)|\['([^']+)'\]|\["([^"]+)"\])\)/g;

/**
 * The resolver's params with `$(params.x)` (and `$(params['x'])`) replaced by the string
 * values given; references to absent or non-string params stay as they are.
 */
export function substituteParams(params: readonly Param[] | undefined, values: ReadonlyMap<string, ParamValue>): Param[] {
  const replace = (s: string) => s.replace(PARAM_REF, function one(whole, a?: string, b?: string, c?: string) {
    const v = values.get(a ?? b ?? c ?? '');
    return typeof v === 'string' ? v : whole;
  });
  return (params ?? []).map((p) => ({ name: p.name, value: typeof p.value === 'string' ? replace(p.value) : p.value }));
}

/** A `$(…)` reference left in a resolver param (after substitution): a value not known here. */
export function unresolvedParam(params: readonly Param[]): Param | undefined {
  return params.find((p) => typeof p.value === 'string' && p.value.includes('$('));
}

/** Values by name: declared defaults, then the given params over them. */
export function paramValues(specs: ReadonlyArray<{ name: string; default?: ParamValue }> | undefined, given: readonly Param[] | undefined): Map<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  for (const s of specs ?? []) if (s.default !== undefined) out.set(s.name, s.default);
  for (const p of given ?? []) out.set(p.name, p.value);
  return out;
}
