// kiln-step-enter (dropper/kiln-step-enter.c): a static program that, as a root step sandbox's
// first process, joins the attempt's namespaces and drops to the step user in one exec — what
// `busybox nsenter` + `setpriv` do in two or three (docs/decisions/0012, addendum "kiln-step-enter").
// Built at install time (scripts/build-dropper.mjs) when a C compiler is present; used when the
// built binary matches its source and works (checked once per process), else setpriv as before.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dropper, DropperFds } from './sandbox.ts';

/** The program's source, the binary `npm ci` builds from it, and the stamp (the source's sha256) written beside it. */
export const DROPPER_SOURCE = fileURLToPath(new URL('./dropper/kiln-step-enter.c', import.meta.url));
export const DROPPER_BINARY = fileURLToPath(new URL('../../../build/kiln-step-enter', import.meta.url));

/** Exit status of kiln-step-enter when it refused or a step of the drop failed (the command never ran). */
export const DROPPER_REFUSED = 125;

/** The sha256 of `file`'s bytes, or undefined when it cannot be read. */
function sha256(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

const checked = new Map<string, { dropper?: Dropper; why?: string }>();

/**
 * The dropper at `binary` when it was built from `source` as it is now (its `.sha256` stamp) and
 * really drops to `user` here (one run: `--uid --gid -- /bin/true` must exit 0); else why not.
 * Checked once per process and binary.
 */
export function findDropper(user: { uid: number; gid: number }, binary = DROPPER_BINARY, source = DROPPER_SOURCE): { dropper?: Dropper; why?: string } {
  const key = `${binary}\0${user.uid}\0${user.gid}`;
  let found = checked.get(key);
  if (!found) {
    found = check(user, binary, source);
    checked.set(key, found);
  }
  return found;
}

function check(user: { uid: number; gid: number }, binary: string, source: string): { dropper?: Dropper; why?: string } {
  let stamp: string;
  try {
    stamp = readFileSync(`${binary}.sha256`, 'utf8').trim();
  } catch {
    return { why: `${binary} is not built (npm run build:dropper; it needs a C compiler and a static libc)` };
  }
  if (stamp !== sha256(source)) return { why: `${binary} was built from another version of ${source} (npm run build:dropper)` };
  const run = spawnSync(binary, ['--uid', String(user.uid), '--gid', String(user.gid), '--', '/bin/true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  if (run.error || run.status !== 0) {
    const said = run.stderr?.toString().trim().split('\n')[0];
    return { why: `${binary} does not work here (${run.error?.message ?? said ?? `exit ${run.status}`})` };
  }
  return { dropper: { path: binary, fd: openSync(binary, 'r') } };
}

/**
 * One container's descriptors for kiln-step-enter, added with `inherit` (which returns the number
 * the process sees): the dropper itself (kiln's, shared), and the attempt's namespaces `ns` opened
 * for this container alone (closed by launch once it started: a later attempt can never reuse
 * them). Returns the message when a namespace cannot be opened (its holder gone).
 */
export function dropperFds(d: Dropper, ns: { net: string; ipc: string } | undefined, inherit: (fd: number, path: string, owned: boolean) => number): DropperFds | string {
  const self = inherit(d.fd, d.path, false);
  if (!ns) return { self };
  let net: number | undefined;
  try {
    net = openSync(ns.net, 'r');
    const ipc = openSync(ns.ipc, 'r');
    return { self, net: inherit(net, ns.net, true), ipc: inherit(ipc, ns.ipc, true) };
  } catch (e) {
    if (net !== undefined) closeSync(net);
    return `cannot open the attempt's namespaces: ${(e as Error).message}`;
  }
}
