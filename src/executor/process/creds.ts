// Writes the credentials of a plan (Tekton's creds-init files, see ExecutionPlan.credentials) to
// the attempt's /tekton/creds and /tekton/home, and takes them away again when the attempt ends.
// Every file is opened beneath the attempt's directory without following a link (beneath.ts):
// /tekton/home is shared by the attempt's steps, and whatever is in it could be a planted link.
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, ftruncateSync, openSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { posix } from 'node:path';
import type { ExecutionPlan } from '../executor.ts';
import { BeneathError, LINK_REFUSED, closeQuietly, createdDirsOwner, fdPath, openDirBeneath } from './beneath.ts';
import { TrustedDirs } from './beneath.ts';
import type { Dir } from './beneath.ts';
import type { AttemptLayout } from './layout.ts';

const { O_WRONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Where steps see the credentials directory in the plan's contents. */
const CREDS_PREFIX = '/tekton/creds/';

/** The attempt's directories credentials go to, as steps see them. */
const TARGETS = [['creds', '/tekton/creds'], ['home', '/tekton/home']] as const;

/** Content with `/tekton/creds/` naming `credsPath` instead (steps that see host paths). */
export function credsContent(content: string, credsPath?: string): string {
  return credsPath ? content.replaceAll(CREDS_PREFIX, `${credsPath.replace(/\/+$/, '')}/`) : content;
}

/** Writes `content` to `name` in the open directory `dir`: 0600, the step user's (or `owner`'s), never through a link. */
function writeFileAt(dir: number, name: string, shown: string, content: string, owner = createdDirsOwner()): void {
  let fd: number;
  try {
    fd = openSync(fdPath(dir, name), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BeneathError(shown, code === 'ELOOP' ? LINK_REFUSED : (e as Error).message, code);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new BeneathError(shown, 'is not a regular file');
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, 0o600);
    ftruncateSync(fd, 0);
    const buf = Buffer.from(content);
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
  } finally {
    closeSync(fd);
  }
}

/** Opens directory `rel` (created when missing, 0700) beneath `at`; the caller closes it. */
function openSubdir(at: Dir, rel: string): number {
  const fd = openDirBeneath(at, rel, true);
  if (rel !== '.' && rel !== '') fchmodSync(fd, 0o700);
  return fd;
}

/**
 * Writes the plan's credentials to the attempt's creds and home directories (before any container
 * starts). `credsPath`: where steps see /tekton/creds when they see host paths (no sandbox).
 */
export function writeCredentials(layout: AttemptLayout, plan: ExecutionPlan, trusted: TrustedDirs, credsPath?: string): void {
  const files = Object.entries(plan.credentials ?? {});
  if (files.length === 0) return;
  for (const [sub, shown] of TARGETS) {
    const at: Dir = { fd: trusted.kept(layout.root, sub), shown };
    for (const [rel, content] of files) {
      const dir = openSubdir(at, posix.dirname(rel));
      try {
        writeFileAt(dir, posix.basename(rel), `${shown}/${rel}`, credsContent(content, credsPath));
      } finally {
        closeQuietly(dir);
      }
    }
  }
}

/** Where {@link writeOwnCredentials} puts each container's own /tekton/creds, beneath the attempt's directory. */
export const OWN_CREDS_DIR = 'creds-own';

/**
 * Writes the plan's credentials to a /tekton/creds of one container's own, `<OWN_CREDS_DIR>/<name>`
 * beneath the attempt's directory (returned, relative), every directory and file owned by `owner`:
 * for a container whose user is not the one the shared directory belongs to. Tekton gives each
 * step a /tekton/creds of its own, written by its entrypoint as the step's user, which may then
 * change what is in it (authenticating-git-commands.yaml replaces known_hosts as uid 1000).
 */
export function writeOwnCredentials(layout: AttemptLayout, plan: ExecutionPlan, trusted: TrustedDirs, name: string, owner: { uid: number; gid: number }): string {
  const rel = `${OWN_CREDS_DIR}/${name}`;
  const top = openDirBeneath(trusted.dir(layout.root, ''), rel, true);
  try {
    fchownSync(top, owner.uid, owner.gid);
    fchmodSync(top, 0o700);
    const at: Dir = { fd: top, shown: '/tekton/creds' };
    for (const [file, content] of Object.entries(plan.credentials ?? {})) {
      const dir = openSubdir(at, posix.dirname(file));
      try {
        fchownSync(dir, owner.uid, owner.gid);
        writeFileAt(dir, posix.basename(file), `/tekton/creds/${file}`, content, owner);
      } finally {
        closeQuietly(dir);
      }
    }
  } finally {
    closeQuietly(top);
  }
  return rel;
}

/**
 * Removes the credential files from the attempt's home (the creds directory goes whole with the
 * layout): each file unlinked in its directory opened without following a link, then the
 * directories they were in when empty. Whatever cannot be removed is left.
 */
export function removeCredentials(layout: AttemptLayout, plan: ExecutionPlan): void {
  const files = Object.keys(plan.credentials ?? {});
  if (files.length === 0) return;
  const trusted = new TrustedDirs();
  let home: number;
  try {
    home = openDirBeneath(trusted.dir(layout.root, ''), 'home');
  } catch {
    return; // the attempt's directory is gone: nothing to remove
  } finally {
    trusted.close();
  }
  try {
    const at: Dir = { fd: home, shown: '/tekton/home' };
    for (const rel of files) {
      let dir: number | undefined;
      try {
        dir = openDirBeneath(at, posix.dirname(rel));
        unlinkSync(fdPath(dir, posix.basename(rel)));
      } catch {
        // gone already, or a link in the way: nothing of ours is there
      } finally {
        closeQuietly(dir);
      }
    }
    for (const d of new Set(files.map((f) => posix.dirname(f)).filter((d) => d !== '.'))) {
      try {
        rmdirSync(fdPath(home, d));
      } catch {
        // not empty (the step's own files), or not a directory
      }
    }
  } finally {
    closeQuietly(home);
  }
}
