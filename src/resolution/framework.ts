// The resolution framework: resolvers by name, one timeout for every request, a cache of
// resolved objects keyed by the digest of the request, and the decoding of what a resolver
// fetched into a checked object (converted, defaulted, validated like a local one).
import { createHash } from 'node:crypto';
import { loadManifests } from '../api/load.ts';
import type { KObject } from '../api/meta.ts';
import type { Param } from '../api/param.types.ts';
import { formatFieldError } from '../api/errors.ts';
import type { RefSource, RemoteResolution, ResolutionRequest, ResolutionResult, ResolvableKind } from './resolver.ts';

/** What a resolver fetched: the text of one object and where it came from. */
export interface Fetched {
  data: string;
  refSource: RefSource;
  /** names the origin in error messages, e.g. `https://host/repo.git@<commit>:task/x.yaml` */
  source: string;
}

export interface ResolveContext {
  namespace: string;
  kind: ResolvableKind;
  signal: AbortSignal;
}

/** A resolver failure; `unsupported` when the remote cannot be reached from here at all. */
export class ResolverError extends Error {
  readonly unsupported: boolean;
  constructor(message: string, { unsupported = false } = {}) {
    super(message);
    this.name = 'ResolverError';
    this.unsupported = unsupported;
  }
}

export interface Resolver {
  /** the name Tekton gives the resolver in messages: `Git`, `Http`, `Cluster` */
  title: string;
  /** the request names content that cannot change (a commit, a digest): cached by default */
  immutable?(params: ReadonlyMap<string, string>): boolean;
  /**
   * this resolver's own limit for a request, in ms (the git resolver's `fetch-timeout`); the
   * service's timeout stays the maximum
   */
  timeoutMs?(params: ReadonlyMap<string, string>): number | undefined;
  /** fetches the object; throws ResolverError (or any Error) with the reason */
  fetch(params: ReadonlyMap<string, string>, ctx: ResolveContext): Promise<Fetched>;
}

export interface ResolutionOptions {
  resolvers: Record<string, Resolver>;
  /** every request ends within this (default 60 s, Tekton's global maximum) */
  timeoutMs?: number;
  /** cached resolved objects at most (default 1000, as Tekton's resolver cache) */
  cacheSize?: number;
}

interface CacheEntry { object: KObject; refSource: RefSource; data: string }

/** The digest of a request: resolver, namespace, kind and params (sorted by name). */
export function requestDigest(req: ResolutionRequest): string {
  const params = [...req.params].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((p) => [p.name, p.value]);
  return createHash('sha256').update(JSON.stringify([req.resolver, req.namespace, req.kind, params])).digest('hex');
}

/**
 * The name of the ResolutionRequest recording `req`: `<resolver>-<md5>`, the md5 of the owner's
 * `namespace/name` then each param's name and value (sorted by name), as Tekton names them; without
 * an owner, the start of the request digest.
 */
export function requestName(req: ResolutionRequest): string {
  if (!req.owner) return `${req.resolver}-${requestDigest(req).slice(0, 32)}`;
  const h = createHash('md5').update(`${req.namespace}/${req.owner.name}`);
  for (const p of [...req.params].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(p.name).update(typeof p.value === 'string' ? p.value : JSON.stringify(p.value));
  }
  return `${req.resolver}-${h.digest('hex')}`;
}

/** String params by name; the name of the first param that is not a string, if any. */
function stringParams(params: readonly Param[]): { map: Map<string, string>; wrong?: string } {
  const map = new Map<string, string>();
  for (const p of params) {
    if (typeof p.value !== 'string') return { map, wrong: p.name };
    map.set(p.name, p.value);
  }
  return { map };
}

/**
 * Whether to cache: the `cache` param (`always`, `never`, default `auto`); `auto` caches what
 * cannot change (a commit, a digest), so a branch is fetched again on each run.
 */
function cacheable(resolver: Resolver, params: ReadonlyMap<string, string>): boolean {
  const mode = params.get('cache') ?? 'auto';
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return !!resolver.immutable?.(params);
}

/** Decodes fetched text into exactly one object of the kind asked for, checked as a local one is. */
export function decodeFetched(f: Fetched, kind: ResolvableKind): { object: KObject } | { message: string } {
  const loaded = loadManifests(f.data, f.source);
  if (loaded.errors.length) return { message: `invalid ${kind}: ${loaded.errors.map(formatFieldError).join('; ')}` };
  const objects = loaded.objects.map((o) => o.object);
  if (objects.length !== 1) return { message: `${f.source} holds ${objects.length} objects; a resolver must return exactly one ${kind}` };
  const obj = objects[0];
  if (obj.kind !== kind) return { message: `${f.source} holds a ${obj.kind} "${obj.metadata.name ?? ''}", not a ${kind}` };
  return { object: obj };
}

function seconds(ms: number): string {
  return ms % 1000 ? `${ms}ms` : `${ms / 1000}s`;
}

/** The resolution service: one per kiln, shared by the controllers. */
export function createResolution({ resolvers, timeoutMs = 60_000, cacheSize = 1000 }: ResolutionOptions): RemoteResolution & { cacheSize(): number } {
  const cache = new Map<string, CacheEntry>();
  /** requests being resolved, so runs asking for the same thing at once share one fetch */
  const inflight = new Map<string, Promise<ResolutionResult>>();

  function remember(key: string, entry: CacheEntry): void {
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  }

  async function fetchWithin(resolver: Resolver, params: ReadonlyMap<string, string>, req: ResolutionRequest): Promise<Fetched> {
    const own = resolver.timeoutMs?.(params);
    const limit = own !== undefined && own < timeoutMs ? own : timeoutMs;
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(function timeout() {
        reject(new ResolverError(`resolution took longer than the timeout of ${seconds(limit)}`));
        ac.abort(); // after: the race is already lost to the timeout
      }, limit);
    });
    try {
      return await Promise.race([resolver.fetch(params, { namespace: req.namespace, kind: req.kind, signal: ac.signal }), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A failure with the resolver's own message (resolve() names the request around it). */
  async function resolveNow(resolver: Resolver, req: ResolutionRequest, key: string): Promise<ResolutionResult> {
    const { map, wrong } = stringParams(req.params);
    const failure = (message: string, unsupported = false): ResolutionResult => ({ ok: false, unsupported, message });
    if (wrong) return failure(`param "${wrong}" must be a string`);
    let fetched: Fetched;
    try {
      fetched = await fetchWithin(resolver, map, req);
    } catch (e) {
      return failure((e as Error).message, e instanceof ResolverError && e.unsupported);
    }
    const decoded = decodeFetched(fetched, req.kind);
    if ('message' in decoded) return failure(decoded.message);
    if (cacheable(resolver, map)) remember(key, { object: decoded.object, refSource: fetched.refSource, data: fetched.data });
    return { ok: true, object: decoded.object, refSource: fetched.refSource, data: fetched.data };
  }

  async function resolve(req: ResolutionRequest): Promise<ResolutionResult> {
    const resolver = resolvers[req.resolver];
    const known = Object.keys(resolvers).sort().join(', ');
    if (!resolver) return { ok: false, unsupported: true, message: `resolver "${req.resolver}" is not available in kiln (available: ${known})` };
    const key = requestDigest(req);
    const hit = cache.get(key);
    if (hit) return { ok: true, object: structuredClone(hit.object), refSource: { ...hit.refSource }, data: hit.data };
    let running = inflight.get(key);
    if (!running) {
      running = resolveNow(resolver, req, key).finally(() => inflight.delete(key));
      inflight.set(key, running);
    }
    const r = await running;
    if (!r.ok) return { ...r, message: `error requesting remote resource: error getting "${resolver.title}" "${req.namespace}/${requestName(req)}": ${r.message}` };
    return { ok: true, object: structuredClone(r.object), refSource: { ...r.refSource }, data: r.data };
  }

  return { resolve, cacheSize: () => cache.size };
}
