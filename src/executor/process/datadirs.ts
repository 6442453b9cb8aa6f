// Every kiln data directory on the machine, so that each sandbox hides all of them, not only its
// own executor's: each kiln records its data directory in a small registry file when it starts.
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** The registry: /var/lib/kiln/data-dirs for root, else $XDG_STATE_HOME (~/.local/state)/kiln/data-dirs; `KILN_DATA_DIRS` overrides. */
export function registryPath(env: Record<string, string | undefined> = process.env): string {
  if (env.KILN_DATA_DIRS) return env.KILN_DATA_DIRS;
  if (process.getuid?.() === 0) return '/var/lib/kiln/data-dirs';
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'kiln', 'data-dirs');
}

/** The data directories listed in `file` that still exist (absolute, real paths; garbage lines ignored). */
export function knownDataDirs(file = registryPath()): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const p = line.trim();
    if (!p || !isAbsolute(p) || !existsSync(p)) continue;
    try {
      out.add(realpathSync(p));
    } catch {
      // vanished
    }
  }
  return [...out];
}

/** Adds `dir` (a real path) to the registry unless listed; best effort: a registry kiln cannot write is not fatal. */
export function registerDataDir(dir: string, file = registryPath()): void {
  try {
    if (knownDataDirs(file).includes(dir)) return;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${dir}\n`, { mode: 0o600 });
  } catch {
    // e.g. a read-only home: this data dir is still masked by its own executor
  }
}
