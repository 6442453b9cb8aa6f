// PodApi over a Kubernetes API with @kubernetes/client-node: a cluster's, or anything that speaks
// its protocol (kiln's own API server in the tests).
import { Writable } from 'node:stream';
import { ApiException, CoreV1Api, KubeConfig, Log, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { PodApi } from './executor.ts';
import type { PodStatus } from './status.ts';

/** Before a watch that ended is started again. */
const WATCH_RETRY_MS = 500;

export interface ClientPodApiOptions {
  /** before a container's log is asked for again when the API refused it (default 500 ms) */
  logRetryMs?: number;
  /** refusals in a row after which a container's log is given up (default 20: the container is followed once it runs) */
  logTries?: number;
}

function message(e: unknown): string {
  if (e instanceof ApiException) {
    const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? '');
    try { return (JSON.parse(body) as { message?: string }).message ?? `HTTP ${e.code}`; } catch { return body.slice(0, 500) || `HTTP ${e.code}`; }
  }
  return (e as Error).message ?? String(e);
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((r) => {
  const t = setTimeout(r, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true });
});

/** A PodApi for the cluster `kc` points at. */
export function clientPodApi(kc: KubeConfig, { logRetryMs = 500, logTries = 20 }: ClientPodApiOptions = {}): PodApi {
  const core = kc.makeApiClient(CoreV1Api);
  const watcher = new Watch(kc);
  const logs = new Log(kc);

  async function read(namespace: string, name: string): Promise<{ status?: PodStatus; resourceVersion?: string } | undefined> {
    try {
      const pod = await core.readNamespacedPod({ namespace, name });
      return { status: (pod.status ?? {}) as PodStatus, resourceVersion: pod.metadata?.resourceVersion };
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      throw e;
    }
  }

  return {
    async create(pod) {
      try {
        const made = await core.createNamespacedPod({ namespace: (pod.metadata as { namespace: string }).namespace, body: pod as never });
        return made.metadata?.uid;
      } catch (e) {
        throw new Error(message(e));
      }
    },

    watch(namespace, name, on) {
      let stopped = false;
      let current: AbortController | undefined;
      const loop = async () => {
        while (!stopped) {
          try {
            // the state now, then every change from there; a watch that ends is read and started again
            const now = await read(namespace, name);
            if (stopped) return;
            on(now?.status);
            if (!now) return;
            await new Promise<void>((resolve) => {
              void watcher.watch(`/api/v1/namespaces/${namespace}/pods`, { fieldSelector: `metadata.name=${name}`, resourceVersion: now.resourceVersion }, (type, obj: { status?: PodStatus }) => {
                if (stopped) return;
                if (type === 'DELETED') on(undefined);
                else if (type === 'ADDED' || type === 'MODIFIED') on((obj.status ?? {}) as PodStatus);
              }, () => resolve()).then((ac) => { current = ac; if (stopped) ac.abort(); }, () => resolve());
            });
          } catch {
            // the API unreachable for a moment: read again below
          }
          await sleep(WATCH_RETRY_MS);
        }
      };
      void loop();
      return { stop: () => { stopped = true; current?.abort(); } };
    },

    async createSecret(secret) {
      try {
        await core.createNamespacedSecret({ namespace: (secret.metadata as { namespace: string }).namespace, body: secret as never });
      } catch (e) {
        throw new Error(message(e));
      }
    },

    async deleteSecret(namespace, name) {
      try {
        await core.deleteNamespacedSecret({ namespace, name });
      } catch (e) {
        if (!(e instanceof ApiException && e.code === 404)) throw new Error(message(e));
      }
    },

    async annotate(namespace, name, annotations) {
      try {
        await core.patchNamespacedPod({ namespace, name, body: { metadata: { annotations } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      } catch (e) {
        throw new Error(message(e));
      }
    },

    async delete(namespace, name) {
      try {
        await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
      } catch (e) {
        if (!(e instanceof ApiException && e.code === 404)) throw new Error(message(e));
      }
    },

    async log(namespace, name, container, onChunk, signal) {
      // from the container's start until it ends; a refusal (not started yet) or a break is tried again
      let sent = 0;
      for (let refused = 0; !signal.aborted && refused < logTries;) {
        let seen = 0;
        const sink = new Writable({
          write(chunk: Buffer, _enc, cb) {
            // a log read again starts from the beginning: what was passed on already is skipped
            const skip = Math.max(0, Math.min(chunk.length, sent - seen));
            seen += chunk.length;
            if (skip < chunk.length) { onChunk(chunk.subarray(skip)); sent += chunk.length - skip; }
            cb();
          },
        });
        const finished = new Promise<boolean>((resolve) => { sink.on('finish', () => resolve(true)); sink.on('error', () => resolve(false)); });
        try {
          const ac = await logs.log(namespace, name, container, sink, { follow: true });
          signal.addEventListener('abort', () => ac.abort(), { once: true });
          if (await finished) return;
          refused++;
        } catch (e) {
          if (e instanceof ApiException && e.code === 404 && (await read(namespace, name).catch(() => undefined)) === undefined) return;
          refused++;
        }
        await sleep(logRetryMs, signal);
      }
    },
  };
}
