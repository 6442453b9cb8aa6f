// Resolves a host path as the kernel will when it is bound: each existing component's symbolic
// link followed (dangling ones too, into where they point), `..` taken from the resolved parent,
// and what does not exist yet appended as written (kiln creates it). The IO half of
// api/hostpolicy.ts's `resolvePath`.
import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Links followed before giving up, as Linux's MAXSYMLINKS. */
const MAX_LINKS = 40;

/**
 * The absolute path `path` (absolute, or relative to `/`) reaches: the realpath of its longest
 * existing prefix, the rest normalised. Throws ELOOP after 40 links.
 */
export function resolveHostPath(path: string): string {
  const todo = path.split('/').filter((p) => p !== '' && p !== '.');
  let cur = '/';
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '..') {
      cur = dirname(cur); // cur holds no link: its parent is the kernel's `..`
      continue;
    }
    const next = join(cur, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      cur = next; // missing: kiln creates it (a later `..` may come back to what exists, so keep looking)
      continue;
    }
    if (!isLink) {
      cur = next;
      continue;
    }
    if (++links > MAX_LINKS) throw new Error(`ELOOP: too many symbolic links resolving ${path}`);
    const target = readlinkSync(next);
    todo.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
    if (target.startsWith('/')) cur = '/';
  }
  return cur;
}
