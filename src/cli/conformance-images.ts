// `kiln conformance --images FILE`: image references replaced before a file's objects are created,
// as Tekton's own e2e harness replaces images on architectures the upstream ones lack. Used where
// the examples pin images by digest that no reachable registry serves (see conformance/images.tsv).
import { readFileSync } from 'node:fs';
import { CliError, EXIT } from './exit.ts';

/** Reads `upstream<TAB or spaces>replacement` lines (# comments, blank lines skipped); errors name file:line. */
export function readImageMap(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.invalid, `--images ${path}: ${(e as Error).message}`);
  }
  const map = new Map<string, string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    if (parts.length !== 2) throw new CliError(EXIT.invalid, `${path}:${i + 1}: expected "upstream-image replacement-image", got ${JSON.stringify(line)}`);
    if (map.has(parts[0])) throw new CliError(EXIT.invalid, `${path}:${i + 1}: ${parts[0]} is mapped twice`);
    map.set(parts[0], parts[1]);
  }
  return map;
}

/**
 * Replaces, in place, every `image` string field that `map` names anywhere in `value` outside
 * `metadata` (steps, sidecars, stepTemplate, embedded specs); returns the references replaced.
 */
export function replaceImages(value: unknown, map: ReadonlyMap<string, string>, replaced: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) replaceImages(v, map, replaced);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'image' && typeof v === 'string' && map.has(v)) {
        o[k] = map.get(v);
        replaced.add(v);
      } else if (k !== 'metadata') replaceImages(v, map, replaced);
    }
  }
  return replaced;
}
