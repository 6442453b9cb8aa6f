// `kiln conformance --resolver-config FILE`: where the resolvers' remotes are served from instead
// (stand-ins on loopback: a git daemon, an http server, a hub API), and the hub resolver's API
// bases. YAML or JSON:
//   rewrites: [{from: https://github.com/, to: git://127.0.0.1:9418/}]   # URL prefix → stand-in
//   hub: {artifact: http://127.0.0.1:8080, tekton: http://127.0.0.1:8080}
//   bundles: [{from: ghcr.io/o/task@sha256:…, to: 127.0.0.1:5000/o/task:v1}]   # exact bundle reference → stand-in
// `--hub-artifact-url` / `--hub-tekton-url` (run, serve, conformance) set the hub bases alone.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CliError, EXIT } from './exit.ts';

/** A remote URL prefix and the stand-in serving it (the resolvers' UrlRewrite). */
export interface UrlRewrite { from: string; to: string }
/** The hub resolver's API bases (the resolvers' HubUrls). */
export interface HubUrls { artifact?: string; tekton?: string }

/**
 * A bundle reference and the stand-in served instead when a run names exactly that reference (as
 * `--images` maps digest-pinned images: a stand-in cannot have the upstream digest).
 */
export interface BundleMapping { from: string; to: string }

export interface ResolverConfig { rewrites: UrlRewrite[]; hub: HubUrls; bundles: BundleMapping[] }

/** An http(s) URL flag's value, or a CliError naming the flag. */
export function hubUrlOf(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^/]/i.test(value) || !URL.canParse(value)) throw new CliError(EXIT.invalid, `${flag} ${value}: expected an http:// or https:// URL`);
  return value;
}

/** The hub bases of `--hub-artifact-url` / `--hub-tekton-url` (absent flags left out). */
export function hubUrlsOf(o: { hubArtifactUrl?: string; hubTektonUrl?: string }): HubUrls {
  const artifact = hubUrlOf('--hub-artifact-url', o.hubArtifactUrl);
  const tekton = hubUrlOf('--hub-tekton-url', o.hubTektonUrl);
  return { ...(artifact ? { artifact } : {}), ...(tekton ? { tekton } : {}) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

const TOP_FIELDS = ['rewrites', 'hub', 'bundles'];

/** The `{from, to}` entries of list `field` (absent: none; `unique`: one per `from`); problems pushed to `errors` with their path. */
function fromToList(field: string, value: unknown, errors: string[], unique = false): Array<{ from: string; to: string }> {
  const list: Array<{ from: string; to: string }> = [];
  const seen = new Map<string, number>();
  if (value === undefined || value === null) return list;
  if (!Array.isArray(value)) {
    errors.push(`${field}: expected a list of {from, to}`);
    return list;
  }
  value.forEach((r: unknown, i) => {
    if (!isObject(r)) return errors.push(`${field}[${i}]: expected {from, to}`);
    for (const k of Object.keys(r)) if (k !== 'from' && k !== 'to') errors.push(`${field}[${i}].${k}: unknown field (from, to)`);
    for (const k of ['from', 'to'] as const) if (typeof r[k] !== 'string' || !r[k]) errors.push(`${field}[${i}].${k}: expected a non-empty string`);
    if (unique && typeof r.from === 'string' && seen.has(r.from)) return errors.push(`${field}[${i}].from: ${r.from} is mapped already (${field}[${seen.get(r.from)}])`);
    if (typeof r.from === 'string') seen.set(r.from, i);
    if (typeof r.from === 'string' && typeof r.to === 'string' && r.from && r.to) list.push({ from: r.from, to: r.to });
  });
  return list;
}

/** Checks a parsed config; every problem names its field path. */
export function checkResolverConfig(value: unknown): { config: ResolverConfig } | { errors: string[] } {
  const errors: string[] = [];
  const config: ResolverConfig = { rewrites: [], hub: {}, bundles: [] };
  if (value === null || value === undefined) return { config };
  if (!isObject(value)) return { errors: ['expected a mapping with rewrites, hub and/or bundles'] };
  for (const k of Object.keys(value)) if (!TOP_FIELDS.includes(k)) errors.push(`${k}: unknown field (${TOP_FIELDS.join(', ')})`);
  config.rewrites = fromToList('rewrites', value.rewrites, errors);
  config.bundles = fromToList('bundles', value.bundles, errors, true);
  const hub = value.hub ?? {};
  if (!isObject(hub)) errors.push('hub: expected {artifact, tekton}');
  else {
    for (const [k, v] of Object.entries(hub)) {
      if (k !== 'artifact' && k !== 'tekton') errors.push(`hub.${k}: unknown field (artifact, tekton)`);
      else if (typeof v !== 'string' || !/^https?:\/\/[^/]/i.test(v) || !URL.canParse(v)) errors.push(`hub.${k}: expected an http:// or https:// URL`);
      else config.hub[k] = v;
    }
  }
  return errors.length ? { errors } : { config };
}

/** Reads `--resolver-config FILE`; a CliError lists every problem. */
export function readResolverConfig(path: string): ResolverConfig {
  let value: unknown;
  try {
    value = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(EXIT.invalid, `--resolver-config ${path}: ${(e as Error).message}`);
  }
  const checked = checkResolverConfig(value);
  if ('errors' in checked) throw new CliError(EXIT.invalid, `--resolver-config ${path}: invalid`, checked.errors);
  return checked.config;
}
