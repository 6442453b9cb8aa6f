// A destination from a kubeconfig file (`kiln install --kubeconfig FILE [--context C]`): whatever
// the file says — certificates, tokens, exec plugins — through the same client as GitOps.
import { destinationOf, PooledKubeConfig, type Destination } from './destination.ts';

/** The destination `file`'s context (`context`, default its current one) points at; throws a readable error. */
export function kubeconfigDestination(file: string, context?: string): Destination {
  const kc = new PooledKubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (e) {
    throw new Error(`--kubeconfig ${file}: ${(e as Error).message}`);
  }
  if (context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new Error(`--context ${context}: not in ${file} (its contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`--kubeconfig ${file}: its context ${JSON.stringify(kc.getCurrentContext())} names no cluster`);
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    // client-node talks plain HTTP only with skipTLSVerify (there is no TLS to verify then)
    kc.loadFromOptions({
      clusters: kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c)),
      users: kc.users, contexts: kc.contexts, currentContext: kc.getCurrentContext(),
    });
  }
  return destinationOf(kc, cluster.server);
}
