// The bundles resolver (Tekton's `bundles`): `bundle` (an image reference, by tag or digest),
// `name`, `kind` (task by default, pipeline, stepaction) and an optional `secret` (a
// kubernetes.io/dockerconfigjson Secret of the run's namespace with the registry's credentials).
// The layer annotated with that kind and name is read from the image; the manifest's digest is
// recorded as the run's provenance. A `bundle` equal to a mapping's `from` is read from its `to`
// instead (stand-ins on loopback, as `kiln conformance --images` maps digest-pinned images: a
// stand-in cannot have the upstream digest); what was read is what is recorded.
import { findBundleLayer, layerContent, parseManifest } from './bundle-format.ts';
import { ResolverError, type Fetched, type ResolveContext, type Resolver } from './framework.ts';
import { createRegistryClient, OCI_INDEX, DOCKER_MANIFEST_LIST, RegistryError, type RegistryClient } from '../registry/oci.ts';
import { dockerConfigCredentials, formatImageRef, isLoopbackRegistry, parseImageRef, repositoryName, type Credentials, type ImageRef } from '../registry/oci-ref.ts';

/** A bundle reference and the stand-in read when a run names exactly that reference. */
export interface BundleMapping { from: string; to: string }

export interface BundlesResolverOptions {
  /** the value of `key` in Secret `name` of `namespace`, or undefined when either is absent */
  secretValue(namespace: string, name: string, key: string): Promise<string | undefined>;
  /** no network here: a registry beyond this machine is unsupported */
  offline?: boolean;
  /** kind when none is given (Tekton's default-kind: task) */
  defaultKind?: string;
  /** a layer larger than this fails (default 4 MiB) */
  maxLayerBytes?: number;
  /** bundle references served from stand-ins (exact match of the `bundle` param) */
  mappings?: readonly BundleMapping[];
  /** the registry client (tests) */
  client?: (o: { registry: string; repository: string; credentials?: Credentials; signal: AbortSignal }) => RegistryClient;
}

const KINDS: Record<string, string> = { task: 'Task', pipeline: 'Pipeline', stepaction: 'StepAction' };
/** The keys of a docker config in a Secret: kubernetes.io/dockerconfigjson, then the older kubernetes.io/dockercfg. */
const SECRET_KEYS = ['.dockerconfigjson', '.dockercfg'];

/** The reference to read for `bundle`: a mapping's `to` when `bundle` is exactly its `from`. */
export function mappedBundle(bundle: string, mappings: readonly BundleMapping[] = []): string {
  return mappings.find((m) => m.from === bundle)?.to ?? bundle;
}

/** The bundles resolver's params, checked: the reference (mapped, then parsed), the kind lowercase. */
export function bundleParams(params: ReadonlyMap<string, string>, defaultKind = 'task', mappings: readonly BundleMapping[] = []): { ref: ImageRef; name: string; kind: string; secret?: string } {
  const bundle = params.get('bundle');
  const name = params.get('name');
  if (!bundle) throw new ResolverError('parameter "bundle" required');
  if (!name) throw new ResolverError('parameter "name" required');
  const mapped = mappedBundle(bundle, mappings);
  const ref = parseImageRef(mapped);
  if (typeof ref === 'string') throw new ResolverError(mapped === bundle ? `invalid bundle reference: ${ref}` : `invalid stand-in reference for ${bundle}: ${ref}`);
  const kind = (params.get('kind') || defaultKind).toLowerCase();
  if (!KINDS[kind]) throw new ResolverError(`unknown or unsupported resource kind '${kind}' (task, pipeline or stepaction)`);
  return { ref, name, kind, ...(params.get('secret') ? { secret: params.get('secret') } : {}) };
}

export function createBundlesResolver({ secretValue, offline = false, defaultKind = 'task', maxLayerBytes = 4 << 20, mappings = [], client = createRegistryClient }: BundlesResolverOptions): Resolver {
  async function credentialsOf(secret: string | undefined, ref: ImageRef, namespace: string): Promise<Credentials | undefined> {
    if (!secret) return undefined;
    for (const key of SECRET_KEYS) {
      const json = await secretValue(namespace, secret, key);
      if (json === undefined) continue;
      try {
        return dockerConfigCredentials(json, ref.registry);
      } catch (e) {
        throw new ResolverError(`secret "${secret}" (key "${key}") in namespace "${namespace}": ${(e as Error).message}`);
      }
    }
    throw new ResolverError(`secret "${secret}" with a key ${SECRET_KEYS.join(' or ')} not found in namespace "${namespace}"`);
  }

  async function fetch(params: ReadonlyMap<string, string>, ctx: ResolveContext): Promise<Fetched> {
    const { ref, name, kind, secret } = bundleParams(params, defaultKind, mappings);
    if (KINDS[kind] !== ctx.kind) throw new ResolverError(`kind "${kind}" asked for where a ${ctx.kind} is referenced`);
    const shown = formatImageRef(ref);
    if (offline && !isLoopbackRegistry(ref.registry)) {
      throw new ResolverError(`pulling ${shown} needs the network, which this machine does not have (push the bundle to a registry on loopback)`, { unsupported: true });
    }
    const credentials = await credentialsOf(secret, ref, ctx.namespace);
    const registry = client({ registry: ref.registry, repository: ref.repository, credentials, signal: ctx.signal });
    try {
      const manifest = await registry.getManifest(ref.digest ?? ref.tag ?? 'latest');
      if (manifest.mediaType === OCI_INDEX || manifest.mediaType === DOCKER_MANIFEST_LIST) {
        throw new ResolverError(`cannot retrieve the oci image: ${shown} is an image index, not a Tekton bundle image`);
      }
      const layer = findOrExplain(manifest.body, kind, name, params.get('bundle')!);
      const data = layerContent(await registry.getBlob(layer.digest, maxLayerBytes), maxLayerBytes);
      const [algorithm, hex] = manifest.digest.split(':');
      return {
        data: data.toString('utf8'),
        refSource: { uri: repositoryName(ref), digest: { [algorithm]: hex }, entryPoint: name },
        source: `${repositoryName(ref)}@${manifest.digest} (${kind} ${name})`,
      };
    } catch (e) {
      if (e instanceof RegistryError) throw new ResolverError(registryMessage(e, shown, authHint(secret, ref, credentials)));
      throw e;
    }
  }

  return {
    title: 'bundleresolver',
    immutable: (params) => parseImageRefDigest(params.get('bundle') && mappedBundle(params.get('bundle')!, mappings)),
    fetch,
  };
}

function parseImageRefDigest(bundle: string | undefined): boolean {
  const ref = bundle ? parseImageRef(bundle) : undefined;
  return typeof ref === 'object' && !!ref.digest;
}

function findOrExplain(body: Buffer, kind: string, name: string, bundle: string) {
  try {
    return findBundleLayer(parseManifest(body), kind, name);
  } catch (e) {
    const msg = (e as Error).message;
    throw new ResolverError(msg.startsWith('could not find') ? msg : `invalid tekton bundle ${bundle}, error: ${msg}`);
  }
}

/** What to do about a refusal: give a Secret, put this registry in it, or check its credentials. */
function authHint(secret: string | undefined, ref: ImageRef, credentials: Credentials | undefined): string {
  if (!secret) return 'give registry credentials with the "secret" param';
  return credentials ? `check the credentials of secret "${secret}"` : `secret "${secret}" holds no credentials for ${ref.registry}`;
}

/** A registry failure in words: not found, refused, unreachable. */
function registryMessage(e: RegistryError, shown: string, hint: string): string {
  if (e.status === 404 || e.code === 'MANIFEST_UNKNOWN' || e.code === 'NAME_UNKNOWN') return `cannot retrieve the oci image: ${shown} not found (${e.message})`;
  if (e.status === 401 || e.status === 403) return `cannot retrieve the oci image: ${shown}: access denied (${e.message}); ${hint}`;
  return `cannot retrieve the oci image: ${e.message}`;
}
