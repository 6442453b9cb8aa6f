// Custom health checks as Argo CD users configure them in the argocd-cm ConfigMap:
//   resource.customizations.health.<group>_<kind>: <lua>     (core group: just <kind>; `*` globs, e.g. <group>_*)
//   resource.customizations: |  <group>/<kind>: {health.lua: <lua>}   (the older single-key form)
import { parse } from 'yaml';

/** One configured check: the group/kind pattern it answers for, the script, and where it came from. */
export interface HealthCustomization {
  /** `group/kind`, or `kind` for the core group; `*` matches any run of characters */
  pattern: string;
  script: string;
  /** the argocd-cm key it was read from (named in errors) */
  source: string;
}

export interface ParsedCustomizations {
  checks: HealthCustomization[];
  /** problems with keys or values, each naming the key */
  errors: string[];
}

const PREFIX = 'resource.customizations.health.';

/** `group_kind` (or `Kind`) from an argocd-cm key suffix → `group/kind` (or `Kind`); undefined when malformed. */
function overrideKey(suffix: string): string | undefined {
  const parts = suffix.split('_');
  if (parts.length === 2 && parts[0] && parts[1]) return `${parts[0]}/${parts[1]}`;
  if (parts.length === 1 && parts[0]) return parts[0];
  return undefined;
}

/** Reads the health checks of an argocd-cm ConfigMap's `data`. */
export function parseHealthCustomizations(data: Record<string, unknown> | undefined): ParsedCustomizations {
  const checks: HealthCustomization[] = [];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(data ?? {})) {
    if (key.startsWith(PREFIX)) {
      const pattern = overrideKey(key.slice(PREFIX.length));
      if (!pattern) errors.push(`data.${key}: expected ${PREFIX}<group>_<kind> (or <kind> for the core group)`);
      else if (typeof value !== 'string') errors.push(`data.${key}: expected a Lua script (string)`);
      else checks.push({ pattern, script: value, source: key });
    } else if (key === 'resource.customizations') {
      readLegacy(key, value, checks, errors);
    }
  }
  return { checks, errors };
}

function readLegacy(key: string, value: unknown, checks: HealthCustomization[], errors: string[]): void {
  let doc: unknown;
  try {
    doc = typeof value === 'string' ? parse(value) : undefined;
  } catch (e) {
    errors.push(`data.${key}: not YAML: ${(e as Error).message}`);
    return;
  }
  if (!doc || typeof doc !== 'object') return;
  for (const [gk, o] of Object.entries(doc as Record<string, unknown>)) {
    const script = o && typeof o === 'object' ? (o as Record<string, unknown>)['health.lua'] : undefined;
    if (script === undefined) continue;
    if (typeof script !== 'string') errors.push(`data.${key}.${gk}.health.lua: expected a Lua script (string)`);
    else checks.push({ pattern: gk, script, source: `${key}.${gk}` });
  }
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** The check for a group and kind: an exact key first, else the most specific (longest) matching glob. */
export function findCustomization(checks: readonly HealthCustomization[], group: string, kind: string): HealthCustomization | undefined {
  const key = group ? `${group}/${kind}` : kind;
  const exact = checks.find((c) => c.pattern === key);
  if (exact) return exact;
  return checks.filter((c) => c.pattern.includes('*') && globToRegExp(c.pattern).test(key))
    .sort((a, b) => b.pattern.length - a.pattern.length || a.pattern.localeCompare(b.pattern))[0];
}
