// A destination whose client (@kubernetes/client-node, the largest module kiln loads) is imported at its
// first use, not when `kiln serve` starts: a server without Applications never loads it.
import type { ClusterConfig, Destination, DestinationOptions } from './destination.ts';

type Module = { createDestination(c: ClusterConfig, o?: DestinationOptions): Destination };

export function lazyDestinations(load: () => Promise<Module>): (c: ClusterConfig, o?: DestinationOptions) => Destination {
  return (c, o) => {
    let real: Promise<Destination> | undefined;
    const d = () => (real ??= load().then((m) => m.createDestination(c, o)));
    return {
      server: c.server,
      namespaced: async (apiVersion, kind) => (await d()).namespaced(apiVersion, kind),
      get: async (ref) => (await d()).get(ref),
      list: async (apiVersion, kind, labelSelector, namespace) => (await d()).list(apiVersion, kind, labelSelector, namespace),
      apply: async (obj, req) => (await d()).apply(obj, req),
      mergePatch: async (patch) => (await d()).mergePatch(patch),
      delete: async (ref, policy) => (await d()).delete(ref, policy),
      tracked: async (apiVersion, kind, value) => (await d()).tracked?.(apiVersion, kind, value),
      watch: (apiVersion, kind) => void d().then((x) => x.watch?.(apiVersion, kind)),
      close: () => void real?.then((x) => x.close?.()),
    };
  };
}
