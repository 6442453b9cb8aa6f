// Clusters as Argo CD registers them: Secrets labelled `argocd.argoproj.io/secret-type: cluster` with
// `server`, `name` and `config` (JSON: bearerToken, tlsClientConfig). `https://kubernetes.default.svc`
// or the name `in-cluster` is the API the controller itself runs beside (kiln's own).
import { secretField as field, SECRET_TYPE_LABEL, type SecretLike } from '../secrets.ts';
import type { ClusterConfig } from './destination.ts';

export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
export const IN_CLUSTER_NAME = 'in-cluster';

/** The clusters the `cluster` Secrets among `secrets` register; a Secret with a broken config is reported, not thrown. */
export function clustersFromSecrets(secrets: readonly SecretLike[]): { clusters: ClusterConfig[]; problems: string[] } {
  const clusters: ClusterConfig[] = [];
  const problems: string[] = [];
  for (const s of secrets) {
    if (s.metadata?.labels?.[SECRET_TYPE_LABEL] !== 'cluster') continue;
    const server = field(s, 'server');
    if (!server) { problems.push(`Secret ${s.metadata?.name}: data.server is missing`); continue; }
    let config: Partial<ClusterConfig> = {};
    const raw = field(s, 'config');
    if (raw) {
      try { config = JSON.parse(raw) as Partial<ClusterConfig>; } catch (e) { problems.push(`Secret ${s.metadata?.name}: data.config is not JSON: ${(e as Error).message}`); continue; }
    }
    clusters.push({ server: server.replace(/\/+$/, ''), name: field(s, 'name') ?? server, bearerToken: config.bearerToken, tlsClientConfig: config.tlsClientConfig });
  }
  return { clusters, problems };
}

/** The cluster `destination` names (by server or by name), kiln's own for in-cluster, or an error message. */
export function clusterFor(destination: { server?: string; name?: string }, clusters: readonly ClusterConfig[], inCluster: ClusterConfig | undefined): ClusterConfig | string {
  const server = destination.server?.replace(/\/+$/, '');
  if (server && destination.name) return 'spec.destination: give server or name, not both';
  const registered = server ? clusters.find((c) => c.server === server) : clusters.find((c) => c.name === destination.name);
  if (registered) return registered;
  if (server === IN_CLUSTER_SERVER || destination.name === IN_CLUSTER_NAME) {
    return inCluster ?? 'the in-cluster destination is not available here';
  }
  if (!server && !destination.name) return 'spec.destination: server or name is required';
  return server ? `cluster ${server} is not registered (no Secret labelled argocd.argoproj.io/secret-type: cluster names it)` : `there is no cluster named ${destination.name}`;
}
