// Multi-document YAML → checked objects, every problem with file:line:col and a field path.
// api/ parses text it is given; reading files is the caller's job.
import { LEGACY_SEGMENTS, LEGACY_SKIP } from './convert.ts';
import type { Document, Node, YAMLError } from 'yaml';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { RunDefaults } from './config.ts';
import type { FieldError } from './errors.ts';
import type { KObject } from './meta.ts';
import { isPlainObject } from './normalize.ts';
import { prepareObject, type FieldValidation } from './prepare.ts';
import { parseYamlDocuments, type LinePos } from './yamlparse.ts';

export type Position = LinePos;

/** 1-based line:col of an offset in the text being loaded. */
type PosOf = (offset: number) => Position;

export interface LoadedObject {
  /** converted to the storage version, defaulted */
  object: KObject;
  file: string;
  /** where the object starts (1-based) */
  line: number;
  col: number;
  /** position of a field path like 'spec.steps[1].image' in the source, nearest existing ancestor if absent */
  locate(path: string): Position;
  /** a field path of `object` as the file spells it (v1beta1 names for v1beta1 input) */
  sourcePath(path: string): string;
}

export interface LoadResult { objects: LoadedObject[]; errors: FieldError[]; warnings: FieldError[] }

export interface LoadOptions {
  /** unknown fields: `Strict` errors, `Warn` warnings (default, or `Strict` when `strict`), `Ignore` dropped */
  fieldValidation?: FieldValidation;
  /** unknown fields are errors instead of warnings */
  strict?: boolean;
  /** config-defaults overrides (timeout, service account) */
  defaults?: Partial<RunDefaults>;
}

/**
 * Loads every object of a YAML stream (`---`-separated documents; `kind: List` items expanded;
 * empty documents skipped). Each object is normalised, converted, defaulted and validated
 * (see prepare.ts). YAML syntax errors and every other problem are FieldErrors carrying `file`,
 * `line`, `col` and a path ('' for document-level problems). Objects with validation errors are
 * still returned; treat any error as fatal. Never throws on user input.
 */
export function loadManifests(text: string, file: string, opts: LoadOptions = {}): LoadResult {
  const result: LoadResult = { objects: [], errors: [], warnings: [] };
  let docs: Document.Parsed[];
  let posOf: PosOf;
  try {
    ({ docs, linePos: posOf } = parseYamlDocuments(text, { merge: true }));
  } catch (e) {
    result.errors.push({ path: '', message: `YAML: ${(e as Error).message}`, file, line: 1, col: 1, severity: 'error' });
    return result;
  }
  for (const doc of docs) loadDocument(doc, posOf, file, opts, result);
  result.errors.sort(byPosition);
  result.warnings.sort(byPosition);
  return result;
}

function loadDocument(doc: Document.Parsed, posOf: PosOf, file: string, opts: LoadOptions, out: LoadResult): void {
  for (const w of doc.warnings) out.warnings.push(yamlProblem(w, posOf, file, 'warning'));
  if (doc.errors.length) {
    for (const e of doc.errors) out.errors.push(yamlProblem(e, posOf, file, 'error'));
    return;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    out.errors.push({ path: '', message: `YAML: ${(e as Error).message}`, ...pos(doc.contents, posOf), file, severity: 'error' });
    return;
  }
  if (value === null || value === undefined) return; // empty document
  const root = doc.contents as Node | null;
  if (isPlainObject(value) && typeof value.kind === 'string' && value.kind === 'List' && 'items' in value) {
    const items = Array.isArray(value.items) ? value.items : [];
    const itemsNode = isMap(root) ? (root.get('items', true) as Node | undefined) : undefined;
    if (!Array.isArray(value.items)) {
      out.errors.push({ path: 'items', message: 'invalid type: expected list', ...locateIn(root, 'items', posOf), file, severity: 'error' });
    }
    items.forEach((item, i) => loadObject(item, isSeq(itemsNode) ? (itemsNode.items[i] as Node) : root, posOf, file, opts, out));
    return;
  }
  loadObject(value, root, posOf, file, opts, out);
}

function loadObject(value: unknown, node: Node | null | undefined, posOf: PosOf, file: string, opts: LoadOptions, out: LoadResult): void {
  const prepared = prepareObject(value, opts);
  const locate = (path: string): Position => locateIn(node, path, posOf);
  const place = (e: FieldError): FieldError => ({ ...locate(e.path), ...e, file });
  out.errors.push(...prepared.errors.map(place));
  out.warnings.push(...prepared.warnings.map(place));
  const sourcePath = prepared.sourcePath ?? ((path: string) => path);
  if (prepared.object) out.objects.push({ object: prepared.object, file, ...pos(node, posOf), locate, sourcePath });
}

function byPosition(a: FieldError, b: FieldError): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

function yamlProblem(e: YAMLError, posOf: PosOf, file: string, severity: 'error' | 'warning'): FieldError {
  const p = e.linePos?.[0] ?? posOf(e.pos[0]);
  const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return { path: '', message: `YAML: ${message}`, file, line: p.line, col: p.col, severity };
}

function pos(node: Node | null | undefined, posOf: PosOf): Position {
  const offset = node?.range?.[0] ?? 0;
  return posOf(offset);
}

/** v1 path segments spelled differently in v1beta1 input, and v1 segments with no node there (convert.ts). */
const LEGACY_KEYS = LEGACY_SEGMENTS;

/** The position of `path` under `root` (the key of a mapping entry; the item of a list), else of the nearest ancestor. */
export function locateIn(root: Node | null | undefined, path: string, posOf: PosOf): Position {
  let node: unknown = root;
  let best: Position = pos(root, posOf);
  const segs = splitPath(path);
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (typeof seg === 'number') {
      if (!isSeq(node) || !node.items[seg]) break;
      node = node.items[seg];
      best = pos(node as Node, posOf);
      continue;
    }
    if (!isMap(node)) break;
    let pair = findPair(node.items, seg);
    // keys with dots (labels, data keys) were split by splitPath: join them back
    for (let j = i + 1; !pair && j < segs.length && typeof segs[j] === 'string'; j++) {
      pair = findPair(node.items, segs.slice(i, j + 1).join('.'));
      if (pair) i = j;
    }
    if (!pair) {
      if (LEGACY_SKIP.has(seg)) continue;
      break;
    }
    best = pos(pair.key as Node, posOf);
    node = pair.value;
  }
  return best;
}

function findPair(items: unknown[], seg: string): { key: unknown; value: unknown } | undefined {
  const pairs = items.filter(isPair);
  const keyOf = (p: { key: unknown }) => (isScalar(p.key) ? String(p.key.value) : undefined);
  return pairs.find((p) => keyOf(p) === seg)
    ?? pairs.find((p) => keyOf(p)?.toLowerCase() === seg.toLowerCase())
    ?? pairs.find((p) => (LEGACY_KEYS[seg] ?? []).includes(keyOf(p) ?? ''));
}

/** `spec.steps[1].image` → ['spec', 'steps', 1, 'image']. */
export function splitPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}
