// Pure helpers of the run lists and links (no DOM): what the server is asked, what a hash means.

/** Escapes a field selector value (`\`, `,` and `=` are special there). */
function escapeField(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * The field selector a run list sends for its Pipeline (Task) and status filters, so the server
 * filters before it pages: `spec.pipelineRef.name=ci,status.state=Failed`; '' when none.
 */
export function runFieldSelector(kind: 'pipelineruns' | 'taskruns', owner: string, state: string): string {
  const terms: string[] = [];
  const ref = kind === 'pipelineruns' ? 'spec.pipelineRef.name' : 'spec.taskRef.name';
  if (owner.trim()) terms.push(`${ref}=${escapeField(owner.trim())}`);
  if (state) terms.push(`status.state=${escapeField(state)}`);
  return terms.join(',');
}

/** A hash route as path segments and query: `#/runs/ns/a%2Fb?x=1` → ['runs', 'ns', 'a/b'], x=1. */
export function parseHash(hash: string): { path: string[]; query: URLSearchParams } {
  const [path, query] = hash.replace(/^#\/?/, '').split('?');
  const decode = (s: string) => { try { return decodeURIComponent(s); } catch { return s; } };
  return { path: path ? path.split('/').map(decode) : [''], query: new URLSearchParams(query ?? '') };
}

/** The deep link of an object's page: `#/runs/NS/NAME`, `#/taskruns/…`, `#/apps/…`. */
export function pageLink(page: string, ns: string, name: string): string {
  return `#/${page}/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
}
