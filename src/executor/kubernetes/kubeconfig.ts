// The cluster the kubernetes executor creates Pods in: a kubeconfig file, or client-node's default
// ($KUBECONFIG, ~/.kube/config, or the in-cluster service account).
import { KubeConfig } from '@kubernetes/client-node';

/** A KubeConfig from `file` (default: client-node's search), at `context` (default its current one); throws a readable error. */
export function kubeConfigOf(file?: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (e) {
    throw new Error(`${file ? `--kubeconfig ${file}` : 'the default kubeconfig'}: ${(e as Error).message}`);
  }
  if (context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new Error(`--context ${context}: not in ${file ?? 'the default kubeconfig'} (its contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`${file ? `--kubeconfig ${file}` : 'the default kubeconfig'}: its current context names no cluster`);
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    // client-node speaks plain HTTP only with skipTLSVerify (there is no TLS to verify then)
    kc.loadFromOptions({ clusters: kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c)), users: kc.users, contexts: kc.contexts, currentContext: kc.getCurrentContext() });
  }
  return kc;
}
