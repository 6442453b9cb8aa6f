// The ENTRYPOINT and CMD of a step's image, read from its registry as Tekton's entrypoint lookup
// does: the manifest its reference names (an image index or manifest list → the linux/amd64
// manifest), then that manifest's config blob. Credentials come from the run's docker config
// (`plan.registryAuth`: its ServiceAccount's and podTemplate's imagePullSecrets); configs are kept
// in memory by image manifest digest (a reference pinning a digest is not asked again at all).
import { createRegistryClient, DOCKER_MANIFEST_LIST, OCI_INDEX, RegistryError, type RegistryClientOptions, type RegistryClient } from '../../registry/oci.ts';
import { dockerConfigCredentials, formatImageRef, parseImageRef } from '../../registry/oci-ref.ts';
import type { ExecutionPlan } from '../executor.ts';
import type { PodOptions } from './podspec.ts';

/** An image's ENTRYPOINT and CMD (empty when it sets none). */
export interface ImageEntrypoint { entrypoint: string[]; cmd: string[] }

/** Reads image `image`'s entrypoint with the docker config `registryAuth`; rejects with a message naming the image. */
export type EntrypointLookup = (image: string, registryAuth?: string, signal?: AbortSignal) => Promise<ImageEntrypoint>;

/** The platform Tekton's Pods run on here. */
const PLATFORM = { os: 'linux', architecture: 'amd64' };
const MAX_CONFIG_BYTES = 4 << 20;

type Descriptor = { digest?: unknown; platform?: { os?: unknown; architecture?: unknown } };

function json(body: Buffer, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* said below */ }
  throw new Error(`${what} is not a JSON object`);
}

const strings = (v: unknown): string[] => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : []);

/** The entrypoint of an image config blob (`{config: {Entrypoint, Cmd}}`). */
export function parseImageConfig(body: Buffer): ImageEntrypoint {
  const config = (json(body, 'the image config').config ?? {}) as { Entrypoint?: unknown; Cmd?: unknown };
  return { entrypoint: strings(config.Entrypoint), cmd: strings(config.Cmd) };
}

/** The linux/amd64 manifest's digest in an image index or manifest list. */
export function platformDigest(index: Buffer): string {
  const manifests = (json(index, 'the image index').manifests ?? []) as Descriptor[];
  const m = Array.isArray(manifests) ? manifests.find((d) => d?.platform?.os === PLATFORM.os && d.platform.architecture === PLATFORM.architecture) : undefined;
  if (!m || typeof m.digest !== 'string') throw new Error(`the image index has no ${PLATFORM.os}/${PLATFORM.architecture} manifest`);
  return m.digest;
}

/** A registry failure in words: not found, refused, unreachable. */
function registryWords(e: RegistryError): string {
  if (e.status === 404 || e.code === 'MANIFEST_UNKNOWN' || e.code === 'NAME_UNKNOWN') return `not found in its registry (${e.message})`;
  if (e.status === 401 || e.status === 403) return `its registry refused access (${e.message}); give the TaskRun's service account or podTemplate an imagePullSecret for it`;
  return e.message;
}

export interface RegistryLookupOptions {
  /** makes the registry client (tests: another base URL) */
  client?: (o: RegistryClientOptions) => RegistryClient;
}

/** The lookup through the registries themselves, with its cache (one per executor). */
export function registryEntrypointLookup({ client = createRegistryClient }: RegistryLookupOptions = {}): EntrypointLookup {
  /** `registry/repository@digest` of an image manifest → its entrypoint */
  const cache = new Map<string, Promise<ImageEntrypoint>>();

  return async function lookup(image, registryAuth, signal) {
    const ref = parseImageRef(image);
    try {
      if (typeof ref === 'string') throw new Error(ref);
      const credentials = registryAuth ? dockerConfigCredentials(registryAuth, ref.registry) : undefined;
      const registry = client({ registry: ref.registry, repository: ref.repository, credentials, signal });
      const name = `${ref.registry}/${ref.repository}`;
      const cached = ref.digest && cache.get(`${name}@${ref.digest}`);
      if (cached) return await cached;
      let manifest = await registry.getManifest(ref.digest ?? ref.tag ?? 'latest');
      if (manifest.mediaType === OCI_INDEX || manifest.mediaType === DOCKER_MANIFEST_LIST) manifest = await registry.getManifest(platformDigest(manifest.body));
      const keys = [`${name}@${manifest.digest}`, ...(ref.digest ? [`${name}@${ref.digest}`] : [])];
      let entry = cache.get(keys[0]);
      if (!entry) {
        const body = manifest.body;
        entry = (async () => {
          const config = (json(body, 'the image manifest').config ?? {}) as { digest?: unknown };
          if (typeof config.digest !== 'string') throw new Error('the image manifest names no config');
          return parseImageConfig(await registry.getBlob(config.digest, MAX_CONFIG_BYTES));
        })();
        // a failure is not kept: the next attempt asks again
        entry.catch(() => { for (const k of keys) if (cache.get(k) === entry) cache.delete(k); });
      }
      for (const k of keys) cache.set(k, entry);
      return await entry;
    } catch (e) {
      if (signal?.aborted) throw e;
      const shown = typeof ref === 'string' ? image : formatImageRef(ref);
      const why = e instanceof RegistryError ? registryWords(e) : (e as Error).message;
      throw new Error(`cannot read the entrypoint of image ${shown}: ${why}`, { cause: e });
    }
  };
}

/**
 * The images of `plan`'s steps that name neither command nor script and whose entrypoint `known`
 * lacks (a sidecar runs no wrapper: the kubelet starts its image's own entrypoint).
 */
export function imagesToLookUp(plan: ExecutionPlan, known: PodOptions['entrypoints'] = {}): string[] {
  const images = plan.steps.filter((c) => c.script === undefined && !c.command?.length && !known[c.image]).map((c) => c.image);
  return [...new Set(images)];
}
