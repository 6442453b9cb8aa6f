// Report files (JUnit XML) the steps wrote to declared workspace paths, read once the last step has
// ended. Steps, sidecars and other TaskRuns sharing a claim can leave links anywhere in a
// workspace: every directory and file is opened relative to its already-open parent with
// O_NOFOLLOW (as beneath.ts does), a link that a pattern reaches is reported and never followed,
// and what is read is bounded (files, bytes, directory entries visited).
import { closeSync, constants, fstatSync, opendirSync, openSync, read, type Dirent } from 'node:fs';
import { promisify } from 'node:util';
import type { PlanReportFiles, ReportFile } from '../executor.ts';
import { componentMatcher } from '../../api/junitfiles.ts';
import { BeneathError, closeQuietly, fdPath, LINK_REFUSED, openDirBeneath, type TrustedDirs } from './beneath.ts';
import { cleanSubPath } from './layout.ts';
import type { Masker } from '../mask.ts';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
const readAsync = promisify(read);

/** Bounds on what one attempt's report files may cost (defaults: 100 files, 1 MiB each, 8 MiB in all, 10,000 entries visited). */
export interface ReportLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  maxEntries: number;
}

export const REPORT_LIMITS: ReportLimits = { maxFiles: 100, maxFileBytes: 1 << 20, maxTotalBytes: 8 << 20, maxEntries: 10_000 };

const size = (n: number) => (n >= 1 << 20 ? `${+(n / (1 << 20)).toFixed(2)} MiB` : `${n} bytes`);

/**
 * Reads the files of `specs` beneath the volumes' host directories (`volumes`: name → directory,
 * opened through `trusted`), in order, each match once; a pattern that matches nothing is reported.
 */
export async function readReportFiles(specs: readonly PlanReportFiles[], volumes: ReadonlyMap<string, string>, trusted: TrustedDirs, limits: ReportLimits = REPORT_LIMITS): Promise<ReportFile[]> {
  const out: ReportFile[] = [];
  const seen = new Set<string>();
  const budget = { files: limits.maxFiles, bytes: limits.maxTotalBytes, entries: limits.maxEntries };

  async function readOne(dir: number, name: string, path: string): Promise<void> {
    if (budget.files-- <= 0) return void out.push({ path, error: `not read: over the ${limits.maxFiles} report files kiln reads per TaskRun` });
    let fd: number | undefined;
    try {
      fd = openSync(fdPath(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      const st = fstatSync(fd);
      if (!st.isFile()) return void out.push({ path, error: 'is not a regular file' });
      const max = Math.min(limits.maxFileBytes, budget.bytes);
      const buf = Buffer.alloc(Math.min(st.size, max) + 1);
      let got = 0;
      for (let n = 1; n > 0 && got < buf.length; got += n) n = (await readAsync(fd, buf, got, buf.length - got, got)).bytesRead;
      if (got > max) {
        const why = st.size <= limits.maxFileBytes && max < limits.maxFileBytes ? `over the ${size(limits.maxTotalBytes)} of reports kiln reads per TaskRun` : `is larger than ${size(limits.maxFileBytes)}`;
        return void out.push({ path, error: `not read: ${why}` });
      }
      budget.bytes -= got;
      out.push({ path, text: buf.subarray(0, got).toString('utf8') });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      out.push({ path, error: code === 'ELOOP' ? LINK_REFUSED : (e as Error).message });
    } finally {
      closeQuietly(fd);
    }
  }

  /** The entries of `dir` by name, read one by one so a directory with millions costs no more than the budget. */
  function list(dir: number): Dirent[] {
    const d = opendirSync(fdPath(dir));
    const entries: Dirent[] = [];
    try {
      for (let e = d.readSync(); e; e = d.readSync()) {
        if (--budget.entries < 0) throw new Error(`over the ${limits.maxEntries} directory entries kiln looks at for reports`);
        entries.push(e);
      }
    } finally {
      d.closeSync();
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Matches `parts[i..]` in the open directory `dir`, shown as `shown`; `dir` stays the caller's. */
  async function walk(dir: number, shown: string, parts: readonly string[], i: number, depth: number): Promise<number> {
    const part = parts[i];
    const last = i === parts.length - 1;
    let matched = 0;
    if (part === '**') {
      matched += await walk(dir, shown, parts, i + 1, depth); // no directory at all
      if (depth >= 16) return matched;
      for (const e of list(dir)) if (e.isDirectory()) matched += await into(dir, e.name, `${shown}/${e.name}`, parts, i, depth + 1);
      return matched;
    }
    const re = componentMatcher(part);
    for (const e of list(dir).filter((x) => re.test(x.name))) {
      const path = `${shown}/${e.name}`;
      if (e.isSymbolicLink()) {
        out.push({ path, error: LINK_REFUSED });
        matched++;
      } else if (last && e.isFile()) {
        matched++;
        if (!seen.has(path)) {
          seen.add(path);
          await readOne(dir, e.name, path);
        }
      } else if (!last && e.isDirectory()) matched += await into(dir, e.name, path, parts, i + 1, depth);
    }
    return matched;
  }

  async function into(dir: number, name: string, shown: string, parts: readonly string[], i: number, depth: number): Promise<number> {
    let fd: number;
    try {
      fd = openSync(fdPath(dir, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (e) {
      out.push({ path: shown, error: (e as NodeJS.ErrnoException).code === 'ENOTDIR' || (e as NodeJS.ErrnoException).code === 'ELOOP' ? LINK_REFUSED : (e as Error).message });
      return 1;
    }
    try {
      return await walk(fd, shown, parts, i, depth);
    } finally {
      closeSync(fd);
    }
  }

  for (const spec of specs) {
    const whole = `${spec.mountPath.replace(/\/+$/, '')}/${spec.pattern}`;
    const root = volumes.get(spec.volume);
    const sub = cleanSubPath(spec.subPath ?? '');
    if (root === undefined || sub === undefined) {
      out.push({ path: whole, error: root === undefined ? `no volume "${spec.volume}"` : `subPath "${spec.subPath}" leaves the volume` });
      continue;
    }
    let base: number | undefined;
    try {
      base = openDirBeneath(trusted.dir(root, spec.mountPath), sub);
      const matched = await walk(base, spec.mountPath.replace(/\/+$/, ''), spec.pattern.split('/'), 0, 0);
      if (matched === 0) out.push({ path: whole, error: 'no file matches' });
    } catch (e) {
      out.push({ path: e instanceof BeneathError ? e.path : whole, error: e instanceof BeneathError ? e.why : (e as Error).message });
    } finally {
      closeQuietly(base);
    }
  }
  return out;
}

/** `files` with every secret value masked in their text (as results are). */
export function maskReportFiles(files: ReportFile[], masker: Masker | undefined): ReportFile[] {
  return masker ? files.map((f) => (f.text === undefined ? f : { ...f, text: masker.mask(f.text) })) : files;
}
