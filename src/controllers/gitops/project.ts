// An AppProject's limits on an Application, as Argo CD enforces them: sourceRepos (globs) and
// destinations (server or name, and namespace, globs; `!` negates).
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
