// After an attempt that reads Secrets: the files kiln reads back from its steps (results,
// artifacts) and the scripts it wrote for them (step artifacts are substituted into later ones)
// are unlinked when their text carries a secret value. The status keeps results and artifacts
// masked (see ../mask.ts); no copy in clear stays in the run's directory once the attempt is over.
import { unlinkSync } from 'node:fs';
import { closeQuietly, fdPath, openDirBeneath, readAllBeneath } from './beneath.ts';
import type { Dir } from './beneath.ts';
import type { Masker } from '../mask.ts';

/** The directories scrubbed after an attempt whose steps are `containers` (relative to the attempt's directory). */
export function scrubbedDirs(containers: readonly string[]): string[] {
  return ['results', 'artifacts', 'scripts', ...containers.flatMap((c) => [`steps/${c}/results`, `steps/${c}/artifacts`])];
}

/**
 * Unlinks, in each directory `rels` beneath `at`, the regular files whose text `masker` changes;
 * nothing is followed through a link (each directory is opened beneath `at`, each name unlinked
 * in it). Best effort: returns the files it could not read or remove.
 */
export async function scrubAttempt(at: Dir, masker: Masker, rels: readonly string[]): Promise<string[]> {
  const left: string[] = [];
  for (const rel of rels) {
    let files: Record<string, string>;
    try {
      files = await readAllBeneath(at, rel);
    } catch {
      left.push(rel);
      continue;
    }
    const names = Object.keys(files).filter((n) => masker.mask(files[n]) !== files[n]);
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
