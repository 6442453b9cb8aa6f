// Kubernetes REST paths → what they name. Pure: no fastify, no store.
//   /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
//   /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]   (core kinds)
//   /api/v1/namespaces[/{name}[/status]]                         (cluster-scoped Namespace)
import { FIXED_KINDS, type KindRegistry } from '../api/generic/kinds.ts';
import type { KindInfo } from '../api/registry.ts';
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
  if (info.subresources) return [...info.subresources];
  if (info.kind === 'Namespace') return ['status'];
  if (info.group === 'tekton.dev') return info.kind === 'TaskRun' ? ['status', 'log'] : ['status'];
  if (info.kind === 'PersistentVolumeClaim') return ['status'];
  return [];
}

/** Kinds served under a group/version: every kind of the group that accepts the version (`kinds`: default the fixed ones). */
export function kindsIn(group: string, version: string, kinds: KindRegistry = FIXED_KINDS): KindInfo[] {
  return kinds.inGroupVersion(group, version);
}

/** Every group/version the server serves (core `v1` has group ''). */
export function groupVersions(kinds: KindRegistry = FIXED_KINDS): Array<{ group: string; version: string }> {
  return kinds.groupVersions();
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
 * Resolves the segments after `/apis/{group}/{version}` or `/api/v1` to a resource target among
 * `registry`'s kinds (default: those served without CRDs); throws HttpError NotFound for anything the server does not serve.
 */
export function resolveResource(group: string, version: string, rest: readonly string[], registry: KindRegistry = FIXED_KINDS): ResourceTarget {
  const kinds = kindsIn(group, version, registry);
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
