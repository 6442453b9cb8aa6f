// Paths resolved beneath a trusted directory without following symbolic links. Steps (and
// sidecars running at the same time, and other TaskRuns sharing a claim) can replace anything in
// the directories they see with a link; kiln must never write, read, create or bind through one.
// Each component is opened relative to its already-open parent as `/proc/self/fd/<parent>/<name>`
// (the kernel resolves the magic link to that very directory, then `name` with O_NOFOLLOW): an
// openat() emulation, race-free since nothing is looked up again by path. `..` is refused.
import { closeSync, constants, fstatSync, ftruncateSync, lchownSync, lstatSync, mkdirSync, openSync, readFile, readdirSync, writeSync } from 'node:fs';

const { O_RDONLY, O_WRONLY, O_CREAT, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
/** Opens a directory component: never through a link. */
const DIR = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** Opens a final component: never through a link, never blocking on a FIFO a step left there. */
const FINAL = O_NOFOLLOW | O_NONBLOCK;

/** What kiln says when a component is a symbolic link. */
export const LINK_REFUSED = 'is a symbolic link; kiln does not follow links a step could have planted';

const WHY: Record<string, string> = {
  ELOOP: LINK_REFUSED,
  ENOTDIR: 'is not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'does not exist',
  ENXIO: 'is not a regular file',
  EACCES: 'is not accessible',
};

/** A path refused (or missing): `path` as users see it (e.g. `/workspace/w/out.txt`), `why`, and the errno `code` when there is one. */
export class BeneathError extends Error {
  readonly path: string;
  readonly why: string;
  readonly code: string | undefined;
  constructor(path: string, why: string, code?: string) {
    super(`${path} ${why}`);
    this.name = 'BeneathError';
    this.path = path;
    this.why = why;
    this.code = code;
  }
}

/** An open trusted directory and how paths beneath it are shown in messages (`''`: relative). */
export interface Dir {
  fd: number;
  shown: string;
}

/** The path through which the kernel resolves `name` inside the open directory `fd`. */
export function fdPath(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

function shownOf(at: Dir, parts: readonly string[], upto: number): string {
  const rel = parts.slice(0, upto + 1).join('/');
  return at.shown ? `${at.shown.replace(/\/+$/, '')}/${rel}` : rel;
}

/** The components of `rel` (`''`, `.` and empty ones dropped); `..` is refused. */
function split(at: Dir, rel: string): string[] {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  const up = parts.indexOf('..');
  if (up >= 0) throw new BeneathError(shownOf(at, parts, up), 'leaves its directory (..)');
  return parts;
}

/**
 * The BeneathError for a failed system call on `shown`. Opening a link with O_DIRECTORY|O_NOFOLLOW
 * fails with ENOTDIR, as a file would: `probe` (the component's fd path) tells the two apart.
 */
function refuse(e: unknown, shown: string, probe?: string): BeneathError {
  let code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' && probe && isLink(probe)) code = 'ELOOP';
  return new BeneathError(shown, (code && WHY[code]) ?? (e as Error).message, code);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Closes `fd`, ignoring errors (it is being given up). */
export function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** Who owns the directories kiln creates for steps (the unprivileged step user when kiln is root). */
let owner: { uid: number; gid: number } | undefined;

/** Directories created from now on are owned by `o` (undefined: by kiln itself). Process-wide. */
export function ownCreatedDirs(o: { uid: number; gid: number } | undefined): void {
  owner = o;
}

/** The owner set by {@link ownCreatedDirs}, if any. */
export function createdDirsOwner(): { uid: number; gid: number } | undefined {
  return owner;
}

/** mkdir through the trusted parent's descriptor, then (when set) hands it to the step user: lchown never follows the new entry. */
function makeDirAt(path: string): void {
  mkdirSync(path);
  if (owner) lchownSync(path, owner.uid, owner.gid);
}

/** Opens component `i` of `parts` in `parent`, creating it first when `create` (a directory). */
function step(at: Dir, parent: number, parts: readonly string[], i: number, create: boolean): number {
  const path = fdPath(parent, parts[i]);
  try {
    return openSync(path, DIR);
  } catch (e) {
    if (!create || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw refuse(e, shownOf(at, parts, i), path);
  }
  try {
    makeDirAt(path); // never follows a link in its last component: EEXIST, then ELOOP below
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw refuse(e, shownOf(at, parts, i), path);
  }
  try {
    return openSync(path, DIR);
  } catch (e) {
    throw refuse(e, shownOf(at, parts, i), path);
  }
}

/** Walks `parts[0..count)` from `at`: the directory reached (`at.fd` itself when count is 0; see {@link done}). */
function walk(at: Dir, parts: readonly string[], count: number, create: boolean): number {
  let fd = at.fd;
  for (let i = 0; i < count; i++) {
    let next: number;
    try {
      next = step(at, fd, parts, i, create);
    } finally {
      done(at, fd);
    }
    fd = next;
  }
  return fd;
}

/** Closes a descriptor {@link walk} returned, unless it is `at`'s own. */
function done(at: Dir, fd: number): void {
  if (fd !== at.fd) closeSync(fd);
}

/** A new descriptor of the directory `at` itself. */
function reopen(at: Dir): number {
  try {
    return openSync(fdPath(at.fd), O_RDONLY | O_DIRECTORY);
  } catch (e) {
    throw refuse(e, at.shown || '.');
  }
}

/** How `rel` beneath `at` is shown in messages. */
function shownRel(at: Dir, parts: readonly string[]): string {
  return parts.length ? shownOf(at, parts, parts.length - 1) : at.shown || '.';
}

/** Opens directory `rel` beneath `at` (creating missing ones when `create`); the caller closes it. */
export function openDirBeneath(at: Dir, rel: string, create = false): number {
  const parts = split(at, rel);
  if (parts.length === 0) return reopen(at);
  return walk(at, parts, parts.length, create);
}

/** Creates directory `rel` beneath `at` and every missing parent, following no link. */
export function mkdirBeneath(at: Dir, rel: string): void {
  closeSync(openDirBeneath(at, rel, true));
}

/**
 * Creates each of `rels` beneath `at` (parents first), following no link; an existing entry must
 * be a directory. Parents are opened once however many children they get.
 */
export function mkdirsBeneath(at: Dir, rels: readonly string[]): void {
  const open = new Map<string, number>();
  function dirOf(parts: readonly string[], count: number): number {
    if (count === 0) return at.fd;
    const key = parts.slice(0, count).join('/');
    let fd = open.get(key);
    if (fd === undefined) {
      fd = step(at, dirOf(parts, count - 1), parts, count - 1, true);
      open.set(key, fd);
    }
    return fd;
  }
  try {
    for (const rel of rels) {
      const parts = split(at, rel);
      if (parts.length === 0) continue;
      const parent = dirOf(parts, parts.length - 1);
      try {
        makeDirAt(fdPath(parent, parts[parts.length - 1]));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw refuse(e, shownOf(at, parts, parts.length - 1));
        dirOf(parts, parts.length); // it exists: it must be a directory, not a link
      }
    }
  } finally {
    for (const fd of open.values()) closeQuietly(fd);
  }
}

/** Opens the last component of `rel` in its parent with `flags` (parents walked, created when `create`). */
function openFinal(at: Dir, rel: string, flags: number, mode: number | undefined, create: boolean): { fd: number; shown: string } {
  const parts = split(at, rel);
  if (parts.length === 0) throw new BeneathError(at.shown || '.', 'is a directory', 'EISDIR');
  const shown = shownRel(at, parts);
  const dir = walk(at, parts, parts.length - 1, create);
  try {
    return { fd: openSync(fdPath(dir, parts[parts.length - 1]), flags, mode), shown };
  } catch (e) {
    throw refuse(e, shown);
  } finally {
    done(at, dir);
  }
}

/** Throws unless `fd` is a regular file (closing it then). */
function mustBeFile(fd: number, shown: string): void {
  if (fstatSync(fd).isFile()) return;
  closeQuietly(fd);
  throw new BeneathError(shown, 'is not a regular file');
}

/** Opens `rel` beneath `at` for appending (creating it and missing parents); the caller closes it. */
export function appendBeneath(at: Dir, rel: string): number {
  const { fd, shown } = openFinal(at, rel, O_WRONLY | O_APPEND | O_CREAT | FINAL, 0o666, true);
  mustBeFile(fd, shown);
  return fd;
}

/** Replaces the content of file `rel` beneath `at` (created with `mode` when missing; parents must exist). */
export function writeBeneath(at: Dir, rel: string, data: string, mode = 0o644): void {
  const { fd, shown } = openFinal(at, rel, O_WRONLY | O_CREAT | FINAL, mode, false);
  mustBeFile(fd, shown);
  try {
    ftruncateSync(fd, 0);
    const buf = Buffer.from(data);
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens `rel` beneath `at` to bind it into a sandbox (bwrap `--bind-fd`): a directory, created
 * with its missing parents when absent, or an existing regular file. The caller closes it.
 */
export function bindSourceBeneath(at: Dir, rel: string): number {
  const parts = split(at, rel);
  if (parts.length === 0) return reopen(at);
  const shown = shownRel(at, parts);
  const dir = walk(at, parts, parts.length - 1, true);
  let fd: number;
  try {
    fd = step(at, dir, parts, parts.length - 1, true);
  } catch (e) {
    if ((e as BeneathError).code !== 'ENOTDIR') throw e;
    try {
      fd = openSync(fdPath(dir, parts[parts.length - 1]), O_RDONLY | FINAL);
    } catch (e2) {
      throw refuse(e2, shown);
    }
    mustBeFile(fd, shown);
  } finally {
    done(at, dir);
  }
  return fd;
}

function readFd(fd: number): Promise<string> {
  return new Promise((resolve, reject) => readFile(fd, 'utf8', (e, text) => (e ? reject(e) : resolve(text))));
}

/** The text of regular file `rel` beneath `at`, or undefined when it (or a parent) does not exist. */
export async function readBeneath(at: Dir, rel: string): Promise<string | undefined> {
  let opened: { fd: number; shown: string };
  try {
    opened = openFinal(at, rel, O_RDONLY | FINAL, undefined, false);
  } catch (e) {
    if ((e as BeneathError).code === 'ENOENT') return undefined;
    throw e;
  }
  const { fd } = opened;
  mustBeFile(fd, opened.shown);
  try {
    return await readFd(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The text of every regular file in directory `rel` beneath `at` (no size limit), by name; {}
 * when the directory does not exist. Other entries (directories, FIFOs) are skipped; a link is refused.
 */
export async function readAllBeneath(at: Dir, rel: string): Promise<Record<string, string>> {
  let dir: number;
  try {
    dir = openDirBeneath(at, rel);
  } catch (e) {
    if ((e as BeneathError).code === 'ENOENT') return {};
    throw e;
  }
  const here: Dir = { fd: dir, shown: shownRel(at, split(at, rel)) };
  const fds: number[] = [];
  try {
    const entries = readdirSync(fdPath(dir), { withFileTypes: true });
    const link = entries.find((e) => e.isSymbolicLink());
    if (link) throw new BeneathError(shownOf(here, [link.name], 0), LINK_REFUSED, 'ELOOP');
    const names = entries.filter((e) => e.isFile()).map((e) => e.name).sort();
    for (const name of names) {
      const fd = openFinal(here, name, O_RDONLY | FINAL, undefined, false).fd;
      fds.push(fd);
      mustBeFile(fd, shownOf(here, [name], 0));
    }
    const texts = await Promise.all(fds.map(readFd));
    return Object.fromEntries(names.map((n, i) => [n, texts[i]]));
  } finally {
    closeSync(dir);
    for (const fd of fds) closeQuietly(fd);
  }
}

/**
 * Descriptors of trusted directories (kiln's attempt directory, volume and claim directories, a
 * user's hostDir) by path, each opened once (following links: these paths are configuration, not
 * something a step can change) and closed together.
 */
export class TrustedDirs {
  readonly #fds = new Map<string, number>();
  readonly #kept = new Map<string, number>();

  /** The open directory at `path`, shown in messages as `shown`. */
  dir(path: string, shown: string): Dir {
    let fd = this.#fds.get(path);
    if (fd === undefined) {
      try {
        fd = openSync(path, O_RDONLY | O_DIRECTORY);
      } catch (e) {
        throw refuse(e, path);
      }
      this.#fds.set(path, fd);
    }
    return { fd, shown };
  }

  /**
   * Trusts `path` as the directory `rel` beneath the trusted `root`, opened (created when missing)
   * following no link: from then on {@link dir} of `path` is that directory, wherever a link
   * planted later would lead.
   */
  pin(path: string, root: string, rel: string): void {
    if (this.#fds.has(path)) return;
    this.#fds.set(path, openDirBeneath(this.dir(root, root), rel, true));
  }

  /**
   * Directory `rel` beneath the trusted directory `root`, opened once without following links
   * (created when missing) and kept open: only for directories no step can rename or replace.
   */
  kept(root: string, rel: string): number {
    const key = `${root}\0${rel}`;
    let fd = this.#kept.get(key);
    if (fd === undefined) {
      fd = openDirBeneath(this.dir(root, ''), rel, true);
      this.#kept.set(key, fd);
    }
    return fd;
  }

  close(): void {
    for (const fd of [...this.#fds.values(), ...this.#kept.values()]) closeQuietly(fd);
    this.#fds.clear();
    this.#kept.clear();
  }
}

/**
 * The message for `e` about `what` (e.g. `stdoutConfig.path /workspace/w/out.txt`, whose path is
 * `whole`): the component is named only when it is not the whole path.
 */
export function refusal(what: string, whole: string, e: unknown): string {
  if (!(e instanceof BeneathError)) return `${what}: ${(e as Error).message}`;
  return e.path === whole ? `${what}: ${e.why}` : `${what}: ${e.path} ${e.why}`;
}
