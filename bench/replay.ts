// Replaying recorded step processes outside kiln (executor traces: argv, env, directory and the
// descriptors they inherited by path), joining a fresh attempt network when they joined one.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import type { SpawnTrace } from '../src/executor/process/launch.ts';
import { createWhich } from '../src/executor/process/host.ts';
import type { AttemptNetwork, NetworkTools } from '../src/executor/process/network.ts';

/** `t`'s inherited descriptors reopened from their paths: the spawn's stdio from 3 on, and a close() once it started. */
export function openFds(t: Pick<SpawnTrace, 'fds'>): { extra: ('ignore' | number)[]; close(): void } {
  const fds = (t.fds ?? []).map((f) => ({ fd: f.fd, opened: openSync(f.path, 'r') }));
  const extra: ('ignore' | number)[] = [];
  for (const f of fds) {
    while (extra.length < f.fd - 3) extra.push('ignore');
    extra[f.fd - 3] = f.opened;
  }
  return { extra, close: () => fds.forEach((f) => closeSync(f.opened)) };
}

/** Runs `t` to completion (exit 0 expected), its descriptors reopened from their paths. */
export function runDirect(t: SpawnTrace): Promise<void> {
  const fds = openFds(t);
  return new Promise((resolve, reject) => {
    const child = spawn(t.argv[0], t.argv.slice(1), { env: t.env, cwd: t.cwd, stdio: ['ignore', 'ignore', 'ignore', ...fds.extra], detached: true });
    fds.close();
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${t.argv.join(' ')} exited ${code}`))));
  });
}

/**
 * `t` with its inherited descriptors renumbered 3, 4, … (their numbers in the argv too: the
 * dropper's `/proc/self/fd/N`, `--net-fd`, `--ipc-fd`), so that a POSIX shell can open them
 * (`3<path`: one digit) — and those redirections.
 */
export function forShell(t: SpawnTrace): { argv: string[]; redirections: string[] } {
  const renumber = new Map((t.fds ?? []).map((f, i) => [f.fd, 3 + i]));
  if (renumber.size > 7) throw new Error(`${renumber.size} inherited descriptors: more than a shell redirects with one digit`);
  const argv = t.argv.map((a, i) => {
    const self = /^\/proc\/self\/fd\/(\d+)$/.exec(a);
    if (self && renumber.has(Number(self[1]))) return `/proc/self/fd/${renumber.get(Number(self[1]))}`;
    if ((t.argv[i - 1] === '--net-fd' || t.argv[i - 1] === '--ipc-fd') && renumber.has(Number(a))) return String(renumber.get(Number(a)));
    return a;
  });
  return { argv, redirections: (t.fds ?? []).map((f) => `${renumber.get(f.fd)}<${f.path}`) };
}

/** The tools kiln's executor uses for attempt networks, found the same way. */
export function networkTools(): NetworkTools | undefined {
  const which = createWhich();
  const [unshare, nsenter, busybox] = ['unshare', 'nsenter', 'busybox'].map((n) => which(n, process.env.PATH));
  if (!unshare || !nsenter || !busybox) return undefined;
  return { unshare, nsenter, busybox, slirp: which('slirp4netns', process.env.PATH), privileged: process.getuid?.() === 0 };
}

/** Where a recorded argv joined its attempt's network (`busybox nsenter -n… -F --`): the prefix length, or 0. */
export function enterLength(argv: readonly string[]): number {
  return argv[1] === 'nsenter' ? argv.indexOf('--') + 1 : 0;
}

const NS = /^\/proc\/\d+\/ns\/(net|ipc)$/;

/** Whether `t` joined its attempt's network: with nsenter first, or kiln-step-enter given the namespaces. */
export function joins(t: SpawnTrace): boolean {
  return enterLength(t.argv) > 0 || (t.fds ?? []).some((f) => NS.test(f.path));
}

/** `t` joining `net` instead of the (gone) network it was recorded with. */
export function rejoin(t: SpawnTrace, net: AttemptNetwork | undefined): SpawnTrace {
  if (!net) return t;
  const k = enterLength(t.argv);
  const fds = t.fds?.map((f) => (NS.test(f.path) && net.ns ? { ...f, path: f.path.endsWith('/net') ? net.ns.net : net.ns.ipc } : f));
  return { ...t, argv: k ? [...net.enter, ...t.argv.slice(k)] : t.argv, fds };
}

/** The executor removes secret-bearing directories (creds/) when an attempt ends: puts back the ones `traces` bind. */
export function restoreBinds(traces: readonly SpawnTrace[]): void {
  for (const t of traces) {
    t.argv.forEach((a, i) => { if (a === '--bind' && !existsSync(t.argv[i + 1])) mkdirSync(t.argv[i + 1], { recursive: true }); });
  }
}
