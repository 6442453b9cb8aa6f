// The composition root's part for `--executor kubernetes` (main.ts imports it lazily): the executor
// for the cluster a kubeconfig names, and what `kiln conformance` puts in that cluster besides the
// Pods. client-node loads only when one of them is asked for.
import type { KObject } from './api/meta.ts';
import type { ConformanceCluster } from './cli/conformance.ts';
import type { Executor } from './executor/executor.ts';
import { kubeConfigOf } from './executor/kubernetes/kubeconfig.ts';
import { clientPodApi } from './executor/kubernetes/clientapi.ts';
import { createKubernetesExecutor } from './executor/kubernetes/executor.ts';
import type { StepCapabilities } from './executor/podman/capabilities.ts';
import { destinationOf } from './gitops/cluster/destination.ts';

/** The busybox image a Pod's prepare and report containers run when `--tools-image` names none. */
export const DEFAULT_TOOLS_IMAGE = 'docker.io/library/busybox:1.36';

/** `--step-capabilities` and `--allow-privileged` as the Pods carry them (podspec.ts). */
export interface KubernetesSecurity { capabilities?: StepCapabilities; allowPrivileged?: boolean }

/** `--executor kubernetes`: a Pod per TaskRun attempt in the cluster of `kubeconfig`. */
export function kubernetesExecutor(dataDir: string, kubeconfig: string | undefined, toolsImage = DEFAULT_TOOLS_IMAGE, context?: string, security: KubernetesSecurity = {}): { executor: Executor; warning?: string } | { error: string } {
  try {
    const { capabilities, allowPrivileged } = security;
    const podOptions = capabilities === 'kubernetes' ? () => ({ capabilities, allowPrivileged }) : undefined;
    return { executor: createKubernetesExecutor({ api: clientPodApi(kubeConfigOf(kubeconfig, context)), dataDir, toolsImage, ...(podOptions ? { podOptions } : {}) }) };
  } catch (e) {
    return { error: `--executor kubernetes: ${(e as Error).message}` };
  }
}

/** The kinds a file's Pods read from their cluster (volumes, env): applied there as `kubectl apply` would. */
const FOR_PODS = new Set(['ConfigMap', 'Secret']);

/**
 * What `kiln conformance --executor kubernetes` puts in the cluster for each file: its namespace
 * (the Pods are created there) and the file's ConfigMaps and Secrets (the Pods' configMap and secret
 * volumes name them), removed with the namespace when the file is done.
 */
export function conformanceCluster(kubeconfig: string | undefined): ConformanceCluster {
  let kc;
  try {
    kc = kubeConfigOf(kubeconfig);
  } catch (e) {
    throw new Error(`--executor kubernetes: ${(e as Error).message}`);
  }
  const dest = destinationOf(kc, kc.getCurrentCluster()!.server);
  const req = { fieldManager: 'kiln-conformance', force: true };
  return {
    async prepare(namespace: string, objects: readonly KObject[]) {
      await dest.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, req);
      for (const o of objects) {
        if (!FOR_PODS.has(o.kind) || (o.apiVersion ?? 'v1') !== 'v1') continue;
        const { uid: _u, resourceVersion: _rv, creationTimestamp: _c, ...metadata } = o.metadata as Record<string, unknown>;
        await dest.apply({ ...o, metadata: { ...metadata, namespace } }, req);
      }
    },
    async remove(namespace: string) {
      await dest.delete({ apiVersion: 'v1', kind: 'Namespace', namespace: '', name: namespace }, 'background');
    },
    close: () => dest.close?.(),
  };
}
