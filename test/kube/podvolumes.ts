// The test pod runner's downward API volumes (test code, not product): refreshed when the Pod
// changes, as a kubelet does (kiln's answers to waiting steps come as annotations).
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
