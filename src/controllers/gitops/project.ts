// An AppProject's limits on an Application, as Argo CD enforces them: sourceRepos (globs),
// destinations (server or name, and namespace, globs; `!` negates), and the kinds it may sync
// (cluster/namespace resource white- and blacklists of group + kind globs).
import type { KObject } from '../../api/meta.ts';
import type { ApplicationSource } from '../../gitops/types.ts';
import { globToRegExp } from '../../gitops/render/index.ts';

function matches(pattern: string, value: string): boolean {
  return pattern === '*' || globToRegExp(pattern).test(value);
}

function allowedBy(patterns: readonly string[], value: string): boolean {
  const deny = patterns.filter((p) => p.startsWith('!')).some((p) => matches(p.slice(1), value));
  return !deny && patterns.filter((p) => !p.startsWith('!')).some((p) => matches(p, value));
}

/** Why `project` refuses these sources or this destination (undefined = allowed). */
export function permitted(project: KObject, sources: readonly ApplicationSource[], dest: { server?: string; name?: string; namespace?: string }): string | undefined {
  const spec = (project as { spec?: { sourceRepos?: string[]; destinations?: Array<{ server?: string; name?: string; namespace?: string }> } }).spec ?? {};
  const name = project.metadata.name;
  for (const s of sources) {
    if (!allowedBy(spec.sourceRepos ?? [], s.repoURL)) return `application repo ${s.repoURL} is not permitted in project '${name}'`;
  }
  const ns = dest.namespace ?? '';
  const ok = (spec.destinations ?? []).some((d) => {
    const serverOk = dest.server ? matches(d.server ?? '', dest.server) : dest.name ? matches(d.name ?? '', dest.name) : false;
    return serverOk && matches(d.namespace ?? '', ns);
  });
  if (!ok) return `application destination {${dest.server ?? dest.name} ${ns}} is not permitted in project '${name}'`;
  return undefined;
}

interface GroupKind { group?: string; kind?: string }

function inList(group: string, kind: string, list: readonly GroupKind[]): boolean {
  return list.some((r) => matches(r.group ?? '', group) && matches(r.kind ?? '', kind));
}

/**
 * Why `project` refuses syncing objects of group/kind (undefined = allowed), as Argo CD decides:
 * a cluster-scoped kind must be in clusterResourceWhitelist (empty = none) and not in its blacklist;
 * a namespaced kind must be in namespaceResourceWhitelist when one is given (absent = all) and not
 * in namespaceResourceBlacklist.
 */
export function kindPermitted(project: KObject, group: string, kind: string, namespaced: boolean): string | undefined {
  const spec = (project as { spec?: Record<string, GroupKind[] | undefined> }).spec ?? {};
  const [white, black] = namespaced
    ? [spec.namespaceResourceWhitelist, spec.namespaceResourceBlacklist]
    : [spec.clusterResourceWhitelist, spec.clusterResourceBlacklist];
  const whitelisted = namespaced && white === undefined ? true : inList(group, kind, white ?? []);
  if (whitelisted && !inList(group, kind, black ?? [])) return undefined;
  return `resource ${group}:${kind} is not permitted in project ${project.metadata.name}`;
}
