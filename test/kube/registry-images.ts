// The stand-in cluster's images from a registry on loopback (test code): the kubernetes executor
// reads the ENTRYPOINT and CMD of a step naming no command from its image's registry, and the test
// pod runner runs images from local podman storage only. So each stand-in image of an images map
// (conformance/images.tsv: upstream reference → local image) is tagged `<registry>/<path>` here,
// pushed to Debian's docker-registry on 127.0.0.1, and a map naming those tags is written: the
// executor finds the configs in the registry, the runner the same names in local storage.
import { readFileSync, writeFileSync } from 'node:fs';
import { podmanRun, type Podman } from '../../src/executor/podman/cli.ts';
import { startRegistry, type LoopbackRegistry } from '../../src/executor/podman/registry.ts';

export interface RegistryImages {
  /** `127.0.0.1:PORT` */
  host: string;
  /** the images map naming the pushed tags */
  map: string;
  stop(): Promise<void>;
}

/** `localhost/kiln-conformance/bash` → `127.0.0.1:PORT/kiln-conformance/bash`. */
export const registryName = (host: string, local: string) => `${host}/${local.replace(/^[^/]*[.:][^/]*\/|^localhost\//, '')}`;

/** Pushes the local images of map `tsv` to a new loopback registry; writes the map of their pushed names to `out`. */
export async function serveImages(podman: Podman, tsv: string, out: string): Promise<RegistryImages> {
  const registry: LoopbackRegistry = await startRegistry();
  const tagged: Array<{ local: string; to: string }> = [];
  // the registry goes, and the tags made for it (the local images keep their own names)
  const stop = async () => {
    for (const t of tagged) await podmanRun(podman, ['untag', t.local, t.to]);
    await registry.stop();
  };
  try {
    const lines: string[] = [];
    for (const line of readFileSync(tsv, 'utf8').split('\n')) {
      const [from, local] = line.split('\t');
      if (!from || line.startsWith('#') || !local) continue;
      const to = registryName(registry.host, local.trim());
      for (const args of [['tag', local.trim(), to], ['push', '--quiet', '--tls-verify=false', to]]) {
        const r = await podmanRun(podman, args, 10 * 60_000);
        if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr.trim()}`);
        if (args[0] === 'tag') tagged.push({ local: local.trim(), to });
      }
      lines.push(`${from}\t${to}`);
    }
    writeFileSync(out, `${lines.join('\n')}\n`);
    return { host: registry.host, map: out, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
