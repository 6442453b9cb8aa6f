// The hub resolver (Tekton's `hub`): a Task or Pipeline of a catalog on Artifact Hub (type
// `artifact`, the default) or Tekton Hub (type `tekton`), by name and version; the version may
// be a constraint (`>= 0.5.0`, `>= 0.7.0, < 2.0.0`): the hub's versions are listed and the
// highest one it allows is fetched. The sha256 of the content is recorded as provenance.
import { createHash } from 'node:crypto';
import { ResolverError, type Fetched, type ResolveContext, type Resolver } from './framework.ts';
import { isLocal, rewriteUrl, type UrlRewrite } from './remote.ts';
import { compareVersions, isConstraint, parseConstraint, parseVersion } from './semver.ts';

export interface HubResolverOptions {
  /** Artifact Hub's API base (default https://artifacthub.io) */
  artifactHubUrl?: string;
  /** Tekton Hub's API base (default https://api.hub.tekton.dev) */
  tektonHubUrl?: string;
  rewrites?: readonly UrlRewrite[];
  /** no network here: a hub beyond this machine is unsupported */
  offline?: boolean;
  /** responses larger than this fail (default 4 MiB) */
  maxBytes?: number;
}

export const DEFAULT_ARTIFACT_HUB_URL = 'https://artifacthub.io';
export const DEFAULT_TEKTON_HUB_URL = 'https://api.hub.tekton.dev';

/** Catalogs when the `catalog` param is absent, as Tekton's hubresolver-config ships them. */
const DEFAULT_CATALOGS = { artifact: { task: 'tekton-catalog-tasks', pipeline: 'tekton-catalog-pipelines' }, tekton: { task: 'Tekton', pipeline: 'Tekton' } };

type HubType = 'artifact' | 'tekton';
type HubKind = 'task' | 'pipeline';

export interface HubParams { type: HubType; kind: HubKind; catalog: string; name: string; version: string }

/** Tekton's hub params with defaults (type artifact, kind task, the type's default catalog). */
export function hubParams(params: ReadonlyMap<string, string>): HubParams {
  const missing = ['name', 'version'].filter((p) => !params.get(p));
  if (missing.length) throw new ResolverError(`missing required hub resolver params: ${missing.join(', ')}`);
  const type = params.get('type') || 'artifact';
  if (type !== 'artifact' && type !== 'tekton') throw new ResolverError(`type param must be artifact or tekton, not "${type}"`);
  const kind = params.get('kind') || 'task';
  if (kind !== 'task' && kind !== 'pipeline') throw new ResolverError(`kind param must be task or pipeline, not "${kind}"`);
  const catalog = params.get('catalog') || DEFAULT_CATALOGS[type][kind];
  const name = params.get('name')!;
  for (const [p, v] of [['catalog', catalog], ['name', name]]) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v)) throw new ResolverError(`${p} "${v}" is not a hub ${p} (letters, digits, '.', '_' and '-')`);
  }
  return { type, kind, catalog, name, version: params.get('version')! };
}

/**
 * The version as the hub names it: Artifact Hub's are `major.minor.patch` (`0.10` → `0.10.0`),
 * Tekton Hub's `major.minor` (`0.10.0` → `0.10`).
 */
export function hubVersion(version: string, type: HubType): string {
  const parts = version.split('.');
  if (type === 'artifact' && parts.length === 2) return `${version}.0`;
  if (type === 'tekton' && parts.length > 2) return parts.slice(0, 2).join('.');
  return version;
}

async function readLimited(res: Response, url: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) throw new ResolverError(`${url} answered more than the limit of ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The string at `path` of a JSON value, or undefined. */
function pick(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export function createHubResolver({ artifactHubUrl = DEFAULT_ARTIFACT_HUB_URL, tektonHubUrl = DEFAULT_TEKTON_HUB_URL, rewrites = [], offline = false, maxBytes = 4 << 20 }: HubResolverOptions = {}): Resolver {
  const bases: Record<HubType, string> = { artifact: artifactHubUrl.replace(/\/+$/, ''), tekton: tektonHubUrl.replace(/\/+$/, '') };
  const hubName: Record<HubType, string> = { artifact: 'Artifact Hub', tekton: 'Tekton Hub' };

  /** GETs a hub API URL and parses its JSON; a non-200 answer is "not found", as Tekton says. */
  async function getJson(url: string, type: HubType, signal: AbortSignal): Promise<unknown> {
    const target = rewriteUrl(url, rewrites);
    if (offline && !isLocal(target)) {
      throw new ResolverError(`fetching ${target} needs the network, which this machine does not have (serve the hub API on loopback and point kiln at it)`, { unsupported: true });
    }
    let res: Response;
    try {
      res = await fetch(target, { signal, headers: { accept: 'application/json' }, redirect: 'follow' });
    } catch (e) {
      throw new ResolverError(`fail to fetch ${hubName[type]} resource: requesting ${url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new ResolverError(`fail to fetch ${hubName[type]} resource: requested resource '${url}' not found on hub (status ${res.status})`);
    }
    const text = await readLimited(res, url, maxBytes);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ResolverError(`fail to fetch ${hubName[type]} resource: ${url} did not answer JSON: ${(e as Error).message}`);
    }
  }

  /** The highest version the hub lists that the constraint allows (Artifact Hub's prereleases skipped). */
  async function chooseVersion(p: HubParams, signal: AbortSignal): Promise<string> {
    const allowed = parseConstraint(p.version);
    if ('error' in allowed) throw new ResolverError(`version "${p.version}": ${allowed.error}`);
    const url = p.type === 'artifact'
      ? `${bases.artifact}/api/v1/packages/tekton-${p.kind}/${p.catalog}/${p.name}`
      : `${bases.tekton}/v1/resource/${p.catalog}/${p.kind}/${p.name}`;
    const body = await getJson(url, p.type, signal);
    const listed = p.type === 'artifact' ? pick(body, ['available_versions']) : pick(body, ['data', 'versions']);
    if (!Array.isArray(listed)) throw new ResolverError(`${url} lists no versions (expected ${p.type === 'artifact' ? 'available_versions' : 'data.versions'})`);
    let best: string | undefined;
    for (const entry of listed) {
      const v = pick(entry, ['version']);
      if (typeof v !== 'string' || pick(entry, ['prerelease']) === true) continue;
      const parsed = parseVersion(v);
      if (!parsed || parsed.pre || !allowed.check(parsed)) continue;
      if (best === undefined || compareVersions(v, best) > 0) best = v;
    }
    if (best === undefined) throw new ResolverError(`no version found for constraint ${p.version}`);
    return best;
  }

  async function fetchHub(params: ReadonlyMap<string, string>, ctx: ResolveContext): Promise<Fetched> {
    const p = hubParams(params);
    const want = p.kind === 'task' ? 'Task' : 'Pipeline';
    if (want !== ctx.kind) throw new ResolverError(`kind "${p.kind}" asked for where a ${ctx.kind} is referenced`);
    if (!isConstraint(p.version) && !parseVersion(p.version)) throw new ResolverError(`version "${p.version}" is neither a version nor a constraint (e.g. "0.9", ">= 0.5.0, < 1.0.0")`);
    const version = hubVersion(isConstraint(p.version) ? await chooseVersion(p, ctx.signal) : p.version, p.type);
    const url = p.type === 'artifact'
      ? `${bases.artifact}/api/v1/packages/tekton-${p.kind}/${p.catalog}/${p.name}/${version}`
      : `${bases.tekton}/v1/resource/${p.catalog}/${p.kind}/${p.name}/${version}/yaml`;
    const body = await getJson(url, p.type, ctx.signal);
    const field = p.type === 'artifact' ? ['data', 'manifestRaw'] : ['data', 'yaml'];
    const data = pick(body, field);
    if (typeof data !== 'string' || !data.trim()) throw new ResolverError(`${url} holds no manifest (expected a string at ${field.join('.')})`);
    return {
      data,
      refSource: { uri: url, digest: { sha256: createHash('sha256').update(data).digest('hex') } },
      source: url,
    };
  }

  return { title: 'Hub', fetch: fetchHub };
}
