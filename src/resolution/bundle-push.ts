// `kiln bundle push`'s work: builds the bundle image of some Tekton objects and pushes it to a
// registry (blobs, then the manifest under the tag), with credentials from a docker config.
import { buildBundle, type BundleObject } from './bundle-format.ts';
import { createRegistryClient, RegistryError, type RegistryClient } from '../registry/oci.ts';
import { dockerConfigCredentials, parseImageRef, repositoryName, type Credentials } from '../registry/oci-ref.ts';

export interface BundlePushRequest {
  /** where to push: `registry/repository[:tag]` (tag `latest` when none) */
  reference: string;
  objects: readonly BundleObject[];
  /** a docker config's JSON (`~/.docker/config.json`, `$REGISTRY_AUTH_FILE`) with the registry's credentials */
  dockerConfig?: string;
  /** the image's creation time (default now) */
  created?: Date;
  signal?: AbortSignal;
}

export interface BundlePushResult {
  /** `registry/repository@sha256:…`, the reference that names exactly what was pushed */
  pushed: string;
  digest: string;
}

/** A push that cannot be done, in words for the user. */
export class BundlePushError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundlePushError';
  }
}

/** Pushes the bundle; throws BundlePushError with the reason. */
export async function pushBundle(req: BundlePushRequest, client: (o: { registry: string; repository: string; credentials?: Credentials; actions: string; signal?: AbortSignal }) => RegistryClient = createRegistryClient): Promise<BundlePushResult> {
  const ref = parseImageRef(req.reference);
  if (typeof ref === 'string') throw new BundlePushError(`invalid image reference ${ref}`);
  if (ref.digest) throw new BundlePushError(`${req.reference}: push to a tag, not a digest (the digest is known after the push)`);
  let credentials: Credentials | undefined;
  try {
    credentials = req.dockerConfig ? dockerConfigCredentials(req.dockerConfig, ref.registry) : undefined;
  } catch (e) {
    throw new BundlePushError(`registry credentials: ${(e as Error).message}`);
  }
  let built;
  try {
    built = buildBundle(req.objects, req.created ?? new Date());
  } catch (e) {
    throw new BundlePushError((e as Error).message);
  }
  const registry = client({ registry: ref.registry, repository: ref.repository, credentials, actions: 'pull,push', signal: req.signal });
  try {
    for (const blob of built.blobs.values()) await registry.putBlob(blob);
    const digest = await registry.putManifest(ref.tag ?? 'latest', built.manifest, built.mediaType);
    return { pushed: `${repositoryName(ref)}@${digest}`, digest };
  } catch (e) {
    if (e instanceof RegistryError) throw new BundlePushError(`pushing ${req.reference}: ${e.message}`);
    throw e;
  }
}
