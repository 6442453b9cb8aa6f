// After an attempt that reads Secrets: the result files whose text carried a secret value are
// unlinked. The status keeps them masked (see ../mask.ts); no copy in clear stays in the run's
// directory once the attempt is over.
import { unlinkSync } from 'node:fs';
import { closeQuietly, fdPath, openDirBeneath } from './beneath.ts';
import type { Dir } from './beneath.ts';

/** A results directory beneath the attempt, its files as read, and as reported (masked). */
export interface ReadResults {
  rel: string;
  raw: Record<string, string>;
  shown: Record<string, string> | undefined;
}

/**
 * Unlinks, in each directory, the files whose reported text differs from what was read; nothing
 * is followed through a link (the directory is opened beneath `at`, each name unlinked in it).
 * Best effort: returns the names it could not remove.
 */
export function dropUnmasked(at: Dir, dirs: readonly ReadResults[]): string[] {
  const left: string[] = [];
  for (const { rel, raw, shown } of dirs) {
    const names = Object.keys(raw).filter((n) => raw[n] !== shown?.[n]);
    if (names.length === 0) continue;
    let fd: number | undefined;
    try {
      fd = openDirBeneath(at, rel);
      for (const n of names) {
        try {
          unlinkSync(fdPath(fd, n));
        } catch {
          left.push(`${rel}/${n}`);
        }
      }
    } catch {
      left.push(...names.map((n) => `${rel}/${n}`));
    } finally {
      closeQuietly(fd);
    }
  }
  return left;
}
