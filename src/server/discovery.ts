// Discovery documents for kubectl: /api (APIVersions), /api/v1 and /apis/{g}/{v}
// (APIResourceList), /apis (APIGroupList), /apis/{g} (APIGroup) and /version.
// kubectl 1.32 first asks /api and /apis for aggregated discovery (apidiscovery.k8s.io/v2); these
// answer the legacy documents with a plain application/json Content-Type, and kubectl falls back to
// fetching each group version.
import { FIXED_KINDS, type KindRegistry } from '../api/generic/kinds.ts';
import { sortVersions } from '../api/generic/versions.ts';
import type { KindInfo } from '../api/registry.ts';
import { apiVersionOf, kindsIn, subresourcesOf } from './paths.ts';

/** The Kubernetes release kiln's API imitates (kubectl warns on skew beyond one minor version). */
export const KUBE_MAJOR = '1';
export const KUBE_MINOR = '32';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** The categories Tekton's CRDs declare (`kubectl get tekton` lists them all). */
const CATEGORIES: Record<string, string[]> = { 'tekton.dev': ['tekton', 'tekton-pipelines'], 'triggers.tekton.dev': ['tekton', 'tekton-triggers'] };

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** Groups other than core, each with its versions, preferred (the storage version of its first kind) first. */
export function apiGroups(kinds: KindRegistry = FIXED_KINDS): Array<{ name: string; versions: string[]; preferred: string }> {
  const groups = new Map<string, string[]>();
  for (const k of kinds.all()) {
    if (!k.group) continue;
    const vs = groups.get(k.group) ?? [];
    for (const v of k.versions) if (!vs.includes(v)) vs.push(v);
    groups.set(k.group, vs);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: sortVersions(versions), preferred: sortVersions(versions)[0] }));
}

export { sortVersions };

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(g: { name: string; versions: string[]; preferred: string }): unknown {
  return {
    name: g.name,
    versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.name}/${g.preferred}`, version: g.preferred },
  };
}

/** authorization.k8s.io/v1: SelfSubjectAccessReviews, for `kubectl auth can-i` (served by access.ts, stores nothing). */
const AUTHORIZATION = { name: 'authorization.k8s.io', versions: ['v1'], preferred: 'v1' };
const AUTHORIZATION_RESOURCES: APIResource[] = [
  { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
];

/** Every group of the discovery documents: the stored kinds' groups, then authorization.k8s.io. */
function servedGroups(kinds: KindRegistry): Array<{ name: string; versions: string[]; preferred: string }> {
  return [...apiGroups(kinds), AUTHORIZATION];
}

/** The APIGroupList (`kinds`: the served kinds, default those served without CRDs; so for every function here). */
export function apiGroupList(kinds: KindRegistry = FIXED_KINDS): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: servedGroups(kinds).map(apiGroup) };
}

/** The APIGroup document of `name`, or undefined when the server does not serve it. */
export function apiGroupDocument(name: string, kinds: KindRegistry = FIXED_KINDS): unknown {
  const g = servedGroups(kinds).find((x) => x.name === name);
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(g) as object) };
}

function resourcesOf(info: KindInfo): APIResource[] {
  const main: APIResource = {
    name: info.plural,
    singularName: info.singular,
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: VERBS,
  };
  if (info.shortNames.length) main.shortNames = [...info.shortNames];
  if (info.categories?.length) main.categories = [...info.categories];
  else if (Object.hasOwn(CATEGORIES, info.group)) main.categories = CATEGORIES[info.group];
  const subs = subresourcesOf(info).map((sub): APIResource => ({
    name: `${info.plural}/${sub}`,
    singularName: '',
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
  }));
  return [main, ...subs];
}

/** The APIResourceList of a group version, or undefined when the server does not serve it. */
export function apiResourceList(group: string, version: string, kinds: KindRegistry = FIXED_KINDS): unknown {
  if (group === AUTHORIZATION.name && version === 'v1') {
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'authorization.k8s.io/v1', resources: AUTHORIZATION_RESOURCES };
  }
  const served = kindsIn(group, version, kinds);
  if (served.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(group, version),
    resources: served.flatMap(resourcesOf),
  };
}

/** The /version document; `kilnVersion` goes in the semver build metadata of gitVersion. */
export function versionInfo(kilnVersion?: string): unknown {
  const build = kilnVersion ? `+${kilnVersion.replace(/[^0-9A-Za-z.-]/g, '-')}` : '';
  return {
    major: KUBE_MAJOR,
    minor: KUBE_MINOR,
    gitVersion: `v${KUBE_MAJOR}.${KUBE_MINOR}.0-kiln${build}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'kiln',
    platform: `${process.platform}/${process.arch}`,
  };
}
