// The size of the embedded store for /metrics: the SQLite file (with its WAL) in bytes and the
// objects it holds per resource, read through a read-only connection of its own at scrape time.
import { statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

/** What the store holds now. */
export interface StoreStats {
  /** bytes on disk (database, WAL and shared-memory files) */
  bytes: number;
  /** objects per resource (`group/plural`, core kinds as `core/plural`) */
  objects: Record<string, number>;
}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Reads the stats of the SQLite store at `path` (opened read-only on first use, closed by `close`). */
export function sqliteStoreStats(path: string): { read(): StoreStats; close(): void } {
  let db: DatabaseSync | undefined;
  return {
    read() {
      db ??= new DatabaseSync(path, { readOnly: true });
      const rows = db.prepare('SELECT type, count(*) AS n FROM objects GROUP BY type').all() as Array<{ type: string; n: number }>;
      const objects: Record<string, number> = {};
      for (const r of rows) objects[r.type.startsWith('/') ? `core${r.type}` : r.type] = Number(r.n);
      return { bytes: size(path) + size(`${path}-wal`) + size(`${path}-shm`), objects };
    },
    close() {
      db?.close();
      db = undefined;
    },
  };
}
