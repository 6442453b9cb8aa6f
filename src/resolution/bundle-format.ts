// The Tekton bundle format (Tekton's bundle contract, as `tkn bundle push` writes it): an image
// whose every layer is one Tekton object — a gzip'd tar of one file holding the object's JSON —
// annotated with dev.tekton.image.apiVersion / kind (lowercase) / name; at most 20 layers.
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { DOCKER_MANIFEST, sha256Digest } from '../registry/oci.ts';
import { firstTarFile, tarOneFile } from './tar.ts';

export const ANNOTATION_API_VERSION = 'dev.tekton.image.apiVersion';
export const ANNOTATION_KIND = 'dev.tekton.image.kind';
export const ANNOTATION_NAME = 'dev.tekton.image.name';
/** At most this many objects in a bundle (Tekton's MaximumBundleObjects). */
export const MAX_BUNDLE_OBJECTS = 20;
/** The media types of an image `tkn bundle push` writes (go-containerregistry's empty image: Docker v2). */
export const BUNDLE_CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json';
export const BUNDLE_LAYER_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }
export interface ImageManifest { schemaVersion: number; mediaType?: string; config: Descriptor; layers: Descriptor[] }

/** One object to put in a bundle: its apiVersion, kind, name and JSON text. */
export interface BundleObject { apiVersion: string; kind: string; name: string; json: string }

/** A built bundle: blobs by digest (config and layers) and the manifest's bytes. */
export interface BuiltBundle { blobs: Map<string, Buffer>; manifest: Buffer; mediaType: string }

/** The version part of an apiVersion (`tekton.dev/v1` → `v1`), as Tekton's annotation holds it. */
function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
}

/**
 * Builds the image of a bundle: one layer per object, ordered by the sha256 of the object's JSON
 * (deterministic, as tkn orders its inputs), a Docker image config naming the layers' diff ids.
 */
export function buildBundle(objects: readonly BundleObject[], created: Date): BuiltBundle {
  if (objects.length === 0) throw new Error('a bundle needs at least one object');
  if (objects.length > MAX_BUNDLE_OBJECTS) throw new Error(`a bundle holds at most ${MAX_BUNDLE_OBJECTS} objects, got ${objects.length}`);
  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind.toLowerCase()}/${o.name}`;
    if (seen.has(key)) throw new Error(`${o.kind} "${o.name}" is given twice; a bundle holds each kind and name once`);
    seen.add(key);
  }
  const digestOf = (s: string) => createHash('sha256').update(s).digest('hex');
  const sorted = [...objects].sort((a, b) => (digestOf(a.json) < digestOf(b.json) ? -1 : 1));
  const blobs = new Map<string, Buffer>();
  const layers: Descriptor[] = [];
  const diffIds: string[] = [];
  for (const o of sorted) {
    const tar = tarOneFile(o.name, Buffer.from(o.json));
    const gz = gzipSync(tar);
    const digest = sha256Digest(gz);
    blobs.set(digest, gz);
    diffIds.push(sha256Digest(tar));
    layers.push({
      mediaType: BUNDLE_LAYER_TYPE, size: gz.length, digest,
      annotations: { [ANNOTATION_API_VERSION]: versionOf(o.apiVersion), [ANNOTATION_KIND]: o.kind.toLowerCase(), [ANNOTATION_NAME]: o.name },
    });
  }
  const config = Buffer.from(JSON.stringify({
    architecture: '', created: created.toISOString(), os: '',
    rootfs: { type: 'layers', diff_ids: diffIds }, config: {},
  }));
  const configDigest = sha256Digest(config);
  blobs.set(configDigest, config);
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: BUNDLE_CONFIG_TYPE, size: config.length, digest: configDigest }, layers };
  return { blobs, manifest: Buffer.from(JSON.stringify(manifest)), mediaType: DOCKER_MANIFEST };
}

/** Parses an image manifest; throws naming what is missing. */
export function parseManifest(body: Buffer): ImageManifest {
  let m: ImageManifest;
  try {
    m = JSON.parse(body.toString('utf8')) as ImageManifest;
  } catch (e) {
    throw new Error(`the manifest is not JSON: ${(e as Error).message}`);
  }
  if (!m || typeof m !== 'object' || !m.config || !Array.isArray(m.layers)) throw new Error('the manifest is not an image manifest (no config and layers)');
  return m;
}

/**
 * Checks the bundle contract (at most 20 layers, each with the three annotations, kind lowercase
 * and singular) and finds the layer of `kind` (lowercase) and `name`.
 */
export function findBundleLayer(m: ImageManifest, kind: string, name: string): Descriptor {
  if (m.layers.length > MAX_BUNDLE_OBJECTS) throw new Error(`contained more than the maximum ${MAX_BUNDLE_OBJECTS} allow objects`);
  m.layers.forEach(function compliant(l, i) {
    const a = l.annotations ?? {};
    for (const key of [ANNOTATION_API_VERSION, ANNOTATION_NAME, ANNOTATION_KIND]) {
      if (typeof a[key] !== 'string') throw new Error(`the layer ${i} does not contain a ${key} annotation`);
    }
    const k = a[ANNOTATION_KIND];
    if (k.toLowerCase().replace(/s$/, '') !== k) throw new Error(`the layer ${i} the annotation ${ANNOTATION_KIND} must be lowercased and singular, found ${k}`);
  });
  const found = m.layers.find((l) => l.annotations![ANNOTATION_KIND] === kind && l.annotations![ANNOTATION_NAME] === name);
  if (!found) throw new Error(`could not find object in image with kind: ${kind} and name: ${name}`);
  return found;
}

/** The object a layer's blob holds: gunzipped when gzip'd, the first file when a tar, else the bytes as they are. */
export function layerContent(blob: Buffer, maxBytes = 4 << 20): Buffer {
  let data = blob;
  if (blob.length >= 2 && blob[0] === 0x1f && blob[1] === 0x8b) {
    try {
      data = gunzipSync(blob, { maxOutputLength: maxBytes });
    } catch (e) {
      throw new Error(`the layer is gzip'd but cannot be read: ${(e as Error).message}`);
    }
  }
  return firstTarFile(data) ?? data;
}
