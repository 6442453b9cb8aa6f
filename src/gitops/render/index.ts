// Rendering an Application's source at a checked-out commit, as Argo CD detects its type: a
// kustomization → kustomize, a Chart.yaml → helm, else a plain directory. The source's path must
// stay inside the repository (no `..`, no link out). Results are cached by commit + path + options.
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { ApplicationSource, RenderedManifest } from '../types.ts';
import { renderDirectory, within } from './directory.ts';
import { ComparisonError } from './errors.ts';
import { renderHelm, renderKustomize } from './tools.ts';

export { ComparisonError } from './errors.ts';
export { globToRegExp, included } from './glob.ts';
export { parseManifests } from './directory.ts';
export { which } from './tools.ts';

export interface RenderOptions { appName: string; namespace?: string }
export type SourceType = 'Directory' | 'Kustomize' | 'Helm';

async function isFile(p: string): Promise<boolean> {
  try { return (await stat(p)).isFile(); } catch { return false; }
}

/** The directory `source.path` names inside `repoRoot`, refusing paths and links that leave it. */
export async function appDirOf(repoRoot: string, path: string | undefined): Promise<string> {
  const p = normalize(path ?? '.');
  if (isAbsolute(p) || p === '..' || p.startsWith('..' + sep)) throw new ComparisonError(`path ${JSON.stringify(path)} leaves the repository`);
  const root = await realpath(repoRoot);
  let real: string;
  try { real = await realpath(join(root, p)); } catch { throw new ComparisonError(`path ${JSON.stringify(path)}: no such directory in the repository`); }
  if (!within(root, real)) throw new ComparisonError(`path ${JSON.stringify(path)} leads out of the repository through a link`);
  if (!(await stat(real)).isDirectory()) throw new ComparisonError(`path ${JSON.stringify(path)} is not a directory`);
  return real;
}

/** The source type Argo CD would detect at `appDir`. */
export async function sourceTypeOf(appDir: string, src: ApplicationSource): Promise<SourceType> {
  if (src.helm || (await isFile(join(appDir, 'Chart.yaml')))) return 'Helm';
  for (const f of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) if (await isFile(join(appDir, f))) return 'Kustomize';
  if (src.kustomize) return 'Kustomize';
  return 'Directory';
}

/** The manifests of `src` in the checkout `repoRoot`. */
export async function render(repoRoot: string, src: ApplicationSource, opts: RenderOptions): Promise<{ type: SourceType; manifests: RenderedManifest[] }> {
  const root = await realpath(repoRoot);
  const appDir = await appDirOf(root, src.path);
  const type = await sourceTypeOf(appDir, src);
  if (type === 'Helm') return { type, manifests: await renderHelm(root, appDir, src, opts) };
  if (type === 'Kustomize') return { type, manifests: await renderKustomize(root, appDir, src) };
  return { type, manifests: await renderDirectory(root, appDir, src.directory) };
}

/** `spec.sources` when given, else `[spec.source]` (Argo CD accepts either). */
export function sourcesOf(spec: { source?: ApplicationSource; sources?: ApplicationSource[] }): ApplicationSource[] {
  if (Array.isArray(spec.sources) && spec.sources.length > 0) return spec.sources;
  return spec.source ? [spec.source] : [];
}

/** An LRU cache of renders keyed by commit + path + options (a commit's files never change). */
export function createRenderCache(max = 256) {
  const entries = new Map<string, Promise<{ type: SourceType; manifests: RenderedManifest[] }>>();
  return {
    /** `hard`: render again even when cached (a hard refresh) */
    render(commit: string, repoRoot: string, src: ApplicationSource, opts: RenderOptions, hard = false) {
      const { repoURL: _url, targetRevision: _rev, ...rest } = src;
      const key = JSON.stringify([commit, rest, opts]);
      if (hard) entries.delete(key);
      const hit = entries.get(key);
      if (hit) { entries.delete(key); entries.set(key, hit); return hit; }
      const p = render(repoRoot, src, opts);
      p.catch(() => entries.delete(key));
      entries.set(key, p);
      while (entries.size > max) entries.delete(entries.keys().next().value as string);
      return p;
    },
    get size() { return entries.size; },
  };
}
