// The test pod runner's volume files (test code, not product): downward API volumes, refreshed
// when the Pod changes as a kubelet does (kiln's answers to waiting steps come as annotations);
// configMap and secret volumes; projected volumes (their sources written once into one directory).
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The part of a Pod a downward API item reads. */
export interface PodMeta { name: string; namespace: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface DownwardItem { path: string; fieldRef?: { fieldPath: string } }

/** The value of a downward API `fieldPath` for `meta` (what a kubelet supports of metadata). */
function field(meta: PodMeta, path: string): string | undefined {
  const m = /^metadata\.(annotations|labels)\['([^']+)'\]$/.exec(path);
  if (m) return (m[1] === 'annotations' ? meta.annotations : meta.labels)?.[m[2]] ?? '';
  const whole = (o: Record<string, string> | undefined) => Object.entries(o ?? {}).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n');
  if (path === 'metadata.annotations') return whole(meta.annotations);
  if (path === 'metadata.labels') return whole(meta.labels);
  if (path === 'metadata.name' || path === 'metadata.namespace' || path === 'metadata.uid') return meta[path.slice('metadata.'.length) as 'name'];
  return undefined;
}

/** Writes a file in place as a kubelet does: whole or not at all (a reader never sees it half written). */
function put(dir: string, path: string, content: string, mode: number): void {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, content);
  chmodSync(`${file}.tmp`, mode);
  renameSync(`${file}.tmp`, file);
}

/** Writes (or rewrites) the files of downward API volume `v` in `dir`; the error when a field is not one this runner knows. */
export function writeDownward(dir: string, v: { items?: DownwardItem[]; defaultMode?: number }, meta: PodMeta): string | undefined {
  for (const item of v.items ?? []) {
    const value = item.fieldRef ? field(meta, item.fieldRef.fieldPath) : undefined;
    if (value === undefined) return `downwardAPI item ${item.path}: only metadata fields are run here`;
    put(dir, item.path, value, v.defaultMode ?? 0o644);
  }
  return undefined;
}

/** What a configMap or secret (volume or projected source) names: its object, the keys as files, their modes. */
export interface KeySource { name: string; items?: Array<{ key: string; path: string; mode?: number }>; defaultMode?: number; optional?: boolean }
/** A projected volume's sources (configMap, secret, downwardAPI, serviceAccountToken). */
export interface ProjectedSource {
  defaultMode?: number;
  sources?: Array<{ configMap?: KeySource; secret?: KeySource; downwardAPI?: { items?: DownwardItem[] }; serviceAccountToken?: { path: string; audience?: string } }>;
}
/** Reads a ConfigMap or Secret of the Pod's namespace; undefined when there is none. */
export type ReadObject = (kind: 'configmaps' | 'secrets', name: string) => Promise<Record<string, unknown> | undefined>;

const badPath = (p: string) => !p || p.startsWith('/') || p.split('/').includes('..');

/** A configMap or secret source's files in `dir`, as the kubelet projects them (items, modes, optional); or why not. */
export async function writeKeys(dir: string, volume: string, kind: 'configmaps' | 'secrets', src: KeySource, read: ReadObject, defaultMode?: number): Promise<string | undefined> {
  const obj = await read(kind, src.name);
  const what = kind === 'configmaps' ? 'configmap' : 'secret';
  if (!obj) return src.optional ? undefined : `MountVolume.SetUp failed for volume "${volume}" : ${what} "${src.name}" not found`;
  const files = new Map<string, Buffer>();
  for (const [k, val] of Object.entries((obj.data ?? {}) as Record<string, string>)) files.set(k, kind === 'configmaps' ? Buffer.from(val) : Buffer.from(val, 'base64'));
  for (const [k, val] of Object.entries((obj.binaryData ?? {}) as Record<string, string>)) files.set(k, Buffer.from(val, 'base64'));
  const items = src.items ?? [...files.keys()].map((key) => ({ key, path: key, mode: undefined }));
  for (const it of items) {
    const data = files.get(it.key);
    if (!data) {
      if (src.optional) continue;
      return `MountVolume.SetUp failed for volume "${volume}" : ${what} references non-existent config key: ${it.key}`;
    }
    if (badPath(it.path)) return `volume ${volume}: item path ${it.path} must be relative without ".."`;
    const file = join(dir, it.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
    chmodSync(file, it.mode ?? src.defaultMode ?? defaultMode ?? 0o644);
  }
  return undefined;
}

/**
 * A projected volume's sources, one after the other in `dir`: configMap, secret, downwardAPI
 * (written once: not refreshed as the plain downward API volumes are) and serviceAccountToken (a
 * placeholder token: this runner issues none); or why not.
 */
export async function writeProjected(dir: string, volume: string, p: ProjectedSource, meta: PodMeta, read: ReadObject): Promise<string | undefined> {
  for (const s of p.sources ?? []) {
    let why: string | undefined;
    if (s.configMap) why = await writeKeys(dir, volume, 'configmaps', s.configMap, read, p.defaultMode);
    else if (s.secret) why = await writeKeys(dir, volume, 'secrets', s.secret, read, p.defaultMode);
    else if (s.downwardAPI) why = writeDownward(dir, { items: s.downwardAPI.items, defaultMode: p.defaultMode }, meta);
    else if (s.serviceAccountToken) {
      const path = String(s.serviceAccountToken.path ?? '');
      if (badPath(path)) return `volume ${volume}: serviceAccountToken path ${path} must be relative without ".."`;
      put(dir, path, `kiln-test-token.${meta.namespace}.${s.serviceAccountToken.audience ?? 'api'}`, p.defaultMode ?? 0o644);
    } else why = `a projected source of kind ${Object.keys(s).join(', ')} is not run here`;
    if (why) return why.startsWith('MountVolume') ? why : `volume ${volume}: ${why}`;
  }
  return undefined;
}
