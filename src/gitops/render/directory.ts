// A plain directory source: every .yaml, .yml and .json file (recursing when asked), multi-document,
// each object remembering its file:line. The checkout is hostile: a link that leaves the repository
// is an error, never followed.
import { lstat, readFile, readdir, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseYamlDocuments } from '../../api/yamlparse.ts';
import type { ApplicationSource, RenderedManifest } from '../types.ts';
import { ComparisonError } from './errors.ts';
import { included } from './glob.ts';

const MANIFEST = /\.(ya?ml|json)$/i;
/** A file larger than this is refused (Argo CD limits manifest sizes too). */
const MAX_FILE_BYTES = 8 << 20;

/** Whether `path` (real) lies within `root` (real). */
export function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The manifests of the directory `appDir` (inside `repoRoot`), files named relative to `repoRoot`. */
export async function renderDirectory(repoRoot: string, appDir: string, dir: ApplicationSource['directory'] = {}): Promise<RenderedManifest[]> {
  const root = await realpath(repoRoot);
  const out: RenderedManifest[] = [];
  const walk = async (abs: string): Promise<void> => {
    const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name === '.git') continue;
      const p = join(abs, e.name);
      const rel = relative(appDir, p);
      const repoRel = relative(root, p);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        let target: string;
        try { target = await realpath(p); } catch { throw new ComparisonError(`${repoRel}: a link to nothing`); }
        if (!within(root, target)) throw new ComparisonError(`${repoRel}: a link out of the repository (illegal file path)`);
        const st = await lstat(target);
        isDir = st.isDirectory();
        isFile = st.isFile();
        if (isDir) continue; // links to directories are not walked (no cycles)
      }
      if (isDir) { if (dir.recurse) await walk(p); continue; }
      if (!isFile || !MANIFEST.test(e.name) || !included(rel, dir.include, dir.exclude)) continue;
      out.push(...(await parseFile(p, repoRel)));
    }
  };
  await walk(appDir);
  return out;
}

async function parseFile(abs: string, file: string): Promise<RenderedManifest[]> {
  const st = await lstat(abs);
  if (st.size > MAX_FILE_BYTES) throw new ComparisonError(`${file}: ${st.size} bytes, more than the ${MAX_FILE_BYTES} a manifest file may have`);
  const text = await readFile(abs, 'utf8');
  return parseManifests(text, file);
}

/** The objects of YAML/JSON `text` (every document; `List` kinds expanded), each with `file` and its line. */
export function parseManifests(text: string, file: string): RenderedManifest[] {
  const out: RenderedManifest[] = [];
  const { docs, linePos } = parseYamlDocuments(text);
  for (const doc of docs) {
    const start = doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0;
    const line = linePos(start).line;
    const err = doc.errors[0];
    if (err) throw new ComparisonError(`${file}:${linePos(err.pos[0]).line}: ${err.message.split('\n')[0]}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new ComparisonError(`${file}:${line}: a document must be a Kubernetes object, not ${Array.isArray(value) ? 'a list' : typeof value}`);
    const obj = value as Record<string, unknown>;
    for (const field of ['apiVersion', 'kind'] as const) {
      if (typeof obj[field] !== 'string' || !obj[field]) throw new ComparisonError(`${file}:${line}: ${field} is missing`);
    }
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
      obj.items.forEach((item, i) => {
        if (!item || typeof item !== 'object') throw new ComparisonError(`${file}:${line}: items[${i}] is not an object`);
        out.push({ object: item as Record<string, unknown>, file, line });
      });
      continue;
    }
    out.push({ object: obj, file, line });
  }
  return out;
}
