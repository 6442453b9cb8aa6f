// Kubernetes REST paths → what they name. Pure: no fastify, no store.
//   /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
//   /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]   (core kinds)
//   /api/v1/namespaces[/{name}[/status]]                         (cluster-scoped Namespace)
import type { KindInfo } from '../api/registry.ts';
import { KINDS } from '../api/registry.ts';
import { notFound } from './errors.ts';

export interface ResourceTarget {
  info: KindInfo;
  /** the version named by the path (one of info.versions) */
  version: string;
  /** undefined for cluster-scoped kinds and all-namespaces lists */
  namespace?: string;
  /** undefined for collections */
  name?: string;
  /** `status`, `log` (kiln: TaskRun logs) */
  subresource?: string;
}

/** The subresources each kind serves besides the object itself. */
export function subresourcesOf(info: KindInfo): string[] {
  if (info.kind === 'Namespace') return ['status'];
  if (info.group === 'tekton.dev') return info.kind === 'TaskRun' ? ['status', 'log'] : ['status'];
  if (info.kind === 'PersistentVolumeClaim') return ['status'];
  return [];
}

/** Kinds served under a group/version: every kind of the group that accepts the version. */
export function kindsIn(group: string, version: string): KindInfo[] {
  return KINDS.filter((k) => k.group === group && k.versions.includes(version));
}

/** Every group/version the server serves (core `v1` has group ''). */
export function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const k of KINDS) for (const v of k.versions) seen.set(`${k.group}/${v}`, { group: k.group, version: v });
  return [...seen.values()];
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** The version objects of a kind are stored and answered in (its first version). */
export function storageVersion(info: KindInfo): string {
  return info.versions[0];
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Splits a URL path (no query) into decoded, non-empty segments. */
export function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '').map(decodeSegment);
}

/**
 * Resolves the segments after `/apis/{group}/{version}` or `/api/v1` to a resource target;
 * throws HttpError NotFound for anything the server does not serve.
 */
export function resolveResource(group: string, version: string, rest: readonly string[]): ResourceTarget {
  const kinds = kindsIn(group, version);
  if (kinds.length === 0) throw notFound();
  const find = (plural: string | undefined) => kinds.find((k) => k.plural === plural);
  // /namespaces/{ns}/{plural}/... (a namespaced resource); /namespaces[/{name}[/status]] (Namespace itself)
  if (rest[0] === 'namespaces' && rest.length >= 3 && find(rest[2])) {
    const info = find(rest[2])!;
    if (!info.namespaced || rest.length > 5) throw notFound();
    return withSubresource({ info, version, namespace: rest[1], name: rest[3] }, rest[4]);
  }
  const info = find(rest[0]);
  if (!info || rest.length > 3) throw notFound();
  if (info.namespaced) {
    if (rest.length > 1) throw notFound(); // a named object needs its namespace
    return { info, version };
  }
  return withSubresource({ info, version, name: rest[1] }, rest[2]);
}

function withSubresource(t: ResourceTarget, sub: string | undefined): ResourceTarget {
  if (sub === undefined) return t;
  if (!subresourcesOf(t.info).includes(sub)) throw notFound();
  return { ...t, subresource: sub };
}
