// kiln's resolvers wired together: git (clone mode: cache under the data dir; API mode: tokens
// from the store's Secrets), http (passwords from the store's Secrets), cluster (the same store),
// hub (Artifact Hub / Tekton Hub APIs), bundles (OCI registries; credentials from Secrets); each
// request of a run recorded as a ResolutionRequest it owns (requests.ts).
import { join } from 'node:path';
import type { Secret } from '../api/core.types.ts';
import { SECRET } from '../api/registry.ts';
import type { Store } from '../store/store.ts';
import { orUndefined } from '../store/store.ts';
import { createBundlesResolver, type BundleMapping } from './bundles.ts';
import { createClusterResolver } from './cluster.ts';
import { createResolution } from './framework.ts';
import { createGitResolver } from './git.ts';
import { createGitApiResolver, withGitApiMode, type GitApiConfig } from './gitapi.ts';
import type { GitConfig } from './gitconfig.ts';
import { createHttpResolver } from './http.ts';
import { createHubResolver } from './hub.ts';
import type { UrlRewrite } from './remote.ts';
import { recordResolutions } from './requests.ts';
import type { RemoteResolution } from './resolver.ts';

export interface KilnResolutionOptions {
  store: Store;
  /** kiln's data directory: the git cache is `<dataDir>/resolution/git` */
  dataDir: string;
  /** no network: remotes beyond this machine are unsupported */
  offline?: boolean;
  /** remote URL prefixes served from elsewhere (stand-ins, e.g. a loopback git daemon) */
  rewrites?: readonly UrlRewrite[];
  /** namespaces the cluster resolver may read (default: all) */
  clusterNamespaces?: readonly string[];
  /** per request (default 60 s) */
  timeoutMs?: number;
  /** why a git repository on this machine may not be read (default: any may), see GitResolverOptions */
  localRepository?: (path: string) => string | undefined;
  /** git may use the credentials of the user kiln runs as (default true) */
  ambientCredentials?: boolean;
  /** the git resolver's API mode: server-wide scm type, server URL, token Secret, org (the `default` configuration) */
  gitApi?: GitApiConfig;
  /** the git resolver's configurations by `configKey` (Tekton's git-resolver-config, see gitconfig.ts); replaces gitApi */
  gitConfigs?: Readonly<Record<string, GitConfig>>;
  /** the hub resolver's API bases (default the public Artifact Hub and Tekton Hub) */
  hub?: HubUrls;
  /** bundle references served from stand-ins: a `bundle` param equal to a `from` reads its `to` */
  bundles?: readonly BundleMapping[];
}

export type { BundleMapping };

/** The hub resolver's API bases: `--hub-artifact-url`, `--hub-tekton-url`. */
export interface HubUrls { artifact?: string; tekton?: string }

/** The value of `key` in a Secret (data is base64; stringData as written). */
export async function secretValue(store: Store, namespace: string, name: string, key: string): Promise<string | undefined> {
  const s = await orUndefined(store.get<Secret>(SECRET, namespace, name));
  if (s?.stringData?.[key] !== undefined) return s.stringData[key];
  const b64 = s?.data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

/** The resolution service kiln runs with (`kiln run` and `kiln serve` alike). */
export function createKilnResolution({ store, dataDir, offline = false, rewrites = [], clusterNamespaces, timeoutMs, localRepository, ambientCredentials, gitApi, gitConfigs, hub, bundles = [] }: KilnResolutionOptions): RemoteResolution {
  const secrets = (ns: string, name: string, key: string) => secretValue(store, ns, name, key);
  const configs = gitConfigs ?? (gitApi ? { default: gitApi } : {});
  return recordResolutions(createResolution({
    timeoutMs,
    resolvers: {
      git: withGitApiMode(
        createGitResolver({ cacheDir: join(dataDir, 'resolution', 'git'), configs, secretValue: secrets, offline, rewrites, localRepository, ambientCredentials }),
        createGitApiResolver({ configs, secretValue: secrets, offline, rewrites }),
      ),
      http: createHttpResolver({ secretValue: secrets, offline, rewrites }),
      cluster: createClusterResolver({ store, allowedNamespaces: clusterNamespaces }),
      hub: createHubResolver({ artifactHubUrl: hub?.artifact, tektonHubUrl: hub?.tekton, offline, rewrites }),
      bundles: createBundlesResolver({ secretValue: (ns, name, key) => secretValue(store, ns, name, key), offline, mappings: bundles }),
    },
  }), { store });
}
