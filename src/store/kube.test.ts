// store/kube against kiln's own API server (it speaks the Kubernetes REST protocol): the shared
// suite against an in-process server per case (a fresh memory store behind it, no controllers),
// checks against a real `kiln serve` reached through the kubeconfig it writes (TLS, CA, token), and
// the same checks against a real cluster when KILN_TEST_KUBECONFIG names its kubeconfig.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { tempDir } from '../../test/e2e/helpers.ts';
import { startServe, type Served } from '../../test/e2e/serve-helpers.ts';
import { createServer } from '../server/server.ts';
import { createMemoryStore } from './memory.ts';
import { createKubeStore, type KubeStoreOptions } from './kube.ts';
import { runKubeChecks } from './kube-checks.ts';
import { KubeRequestError } from './kube-http.ts';
import { runStoreSuite } from './suite.ts';
import type { ResourceType, Store } from './store.ts';

const TOKEN = 'kube-store-test-token';
const CONFIGMAPS: ResourceType = { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };

/** A client-node KubeConfig for a plain-HTTP server with a bearer token. */
function httpKubeConfig(url: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

/** A store/kube over a fresh in-process kiln API server; closing the store closes the server. */
async function kubeOverKilnServer(historySize: number, opts: Partial<KubeStoreOptions> = {}): Promise<Store> {
  const app = createServer({ store: createMemoryStore({ historySize }), token: TOKEN });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const store = await createKubeStore({ ...opts, kubeConfig: httpKubeConfig(`http://127.0.0.1:${port}`, TOKEN) });
  return {
    ...store,
    async close() {
      await store.close();
      await app.close();
    },
  };
}

const NO_CONFIGMAP_STATUS = 'ConfigMaps have no status subresource in the Kubernetes API (the case writes one through updateStatus)';

/** Cases whose rules are the embedded stores', not an API server's (which validates and defaults what it stores). */
export const API_SERVER_SKIPS: Record<string, string> = {
  'watch delivers ADDED, MODIFIED and DELETED in resourceVersion order': NO_CONFIGMAP_STATUS,
  'generation increments only when content other than metadata and status changes': NO_CONFIGMAP_STATUS,
  'mutating returned objects does not change the store': NO_CONFIGMAP_STATUS,
  'an update that changes nothing keeps the resourceVersion and emits no event': NO_CONFIGMAP_STATUS,
  'update replaces labels, annotations and spec and bumps resourceVersion': 'the API server defaults a TaskRun\'s spec (timeout, serviceAccountName, taskRef.kind) as Tekton\'s webhook does',
  'a generated name keeps at most 58 characters of generateName (a DNS label with the suffix, as Kubernetes)': 'the API server refuses a generateName longer than 253 characters (Invalid) rather than cutting it',
};

runStoreSuite('kube (kiln API server)', () => kubeOverKilnServer(16), { historySize: 16, skipWithReason: API_SERVER_SKIPS });

// one in-process server for the checks (a resuming store of its own is not needed: any server works)
runKubeChecks('kiln\'s API server (in process)', () => kubeOverKilnServer(1000), {
  resumingStore: () => kubeOverKilnServer(1000, { watchTimeoutSeconds: 1, watchRetryMs: 50 }),
});

// a real `kiln serve` (TLS, its CA and token, every controller running), through the kubeconfig it writes
let served: Served | undefined;
async function servedKubeConfig(): Promise<KubeConfig> {
  served ??= await startServe(tempDir('kiln-kube-store-'), []);
  const kc = new KubeConfig();
  kc.loadFromFile(join(served.dataDir, 'kubeconfig'));
  return kc;
}
after(async () => {
  await served?.stop();
});
runKubeChecks('kiln serve', async () => createKubeStore({ kubeConfig: await servedKubeConfig() }), {
  resumingStore: async () => createKubeStore({ kubeConfig: await servedKubeConfig(), watchTimeoutSeconds: 1, watchRetryMs: 50 }),
});

// a real cluster, when asked for: the checks only (they keep to a namespace of their own). The shared
// suite is not run there: it owns the whole store (lists every ConfigMap and Event, writes in
// `default`), while a cluster has its own (kube-root-ca.crt in each namespace, its Events, Tekton's CRDs to install first).
const clusterConfig = process.env.KILN_TEST_KUBECONFIG;
function clusterKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(clusterConfig!);
  return kc;
}
runKubeChecks('a real cluster (KILN_TEST_KUBECONFIG)', () => createKubeStore({ kubeConfig: clusterKubeConfig() }), {
  skip: clusterConfig ? undefined : 'KILN_TEST_KUBECONFIG is not set (a kubeconfig of a cluster to test against)',
  resumingStore: () => createKubeStore({ kubeConfig: clusterKubeConfig(), watchTimeoutSeconds: 1, watchRetryMs: 50 }),
});

describe('store/kube with credentials the server refuses', () => {
  it('requests and watches fail with the server\'s 401, not a retry loop', async () => {
    const app = createServer({ store: createMemoryStore(), token: TOKEN });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const store = await createKubeStore({ kubeConfig: httpKubeConfig(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, 'wrong') });
    try {
      const refused = (e: unknown) => e instanceof KubeRequestError && e.code === 401;
      await assert.rejects(store.get(CONFIGMAPS, 'default', 'a'), refused);
      const w = store.watch(CONFIGMAPS, { resourceVersion: '0' });
      await assert.rejects(w[Symbol.asyncIterator]().next(), refused);
    } finally {
      await store.close();
      await app.close();
    }
  });
});
