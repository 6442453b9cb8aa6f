// A stand-in Kubernetes cluster on this machine (test code, not product; no cluster can be
// installed here): a `kiln serve` as the API server (it stores Pods, ConfigMaps, Secrets, status
// included), the test pod runner as the one node (it runs the Pods with podman), and one address
// in front of both (apifront.ts), written into a kubeconfig. Used by the kubernetes executor's
// tests and by conformance/kube.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Podman } from '../../src/executor/podman/cli.ts';
import { startServe } from '../e2e/serve-helpers.ts';
import { startApiFront } from './apifront.ts';
import { startPodRunner } from './podrunner.ts';

export interface StandInCluster {
  /** the API address (pods/log included) */
  url: string;
  /** a kubeconfig naming `url` */
  kubeconfig: string;
  stop(): Promise<void>;
}

/** Starts the stand-in cluster with its state under `dir` (`api/`, `node/`, `kubeconfig`). */
export async function startStandInCluster(o: { dir: string; podman: Podman; network?: 'none' | 'outside' }): Promise<StandInCluster> {
  const api = await startServe(join(o.dir, 'api'));
  const stops: Array<() => Promise<unknown>> = [() => api.stop()];
  const stop = async () => { for (const s of stops.reverse()) await s(); };
  try {
    const node = await startPodRunner({ apiUrl: api.url, workDir: join(o.dir, 'node'), podman: o.podman, network: o.network });
    stops.push(() => node.stop());
    const front = await startApiFront({ apiUrl: api.url, nodeUrl: node.url });
    stops.push(() => front.stop());
    const kubeconfig = join(o.dir, 'kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: stand-in, cluster: {server: "${front.url}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: stand-in, context: {cluster: stand-in, user: u}}]\ncurrent-context: stand-in\n`);
    return { url: front.url, kubeconfig, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
