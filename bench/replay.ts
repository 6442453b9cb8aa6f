// Replaying recorded step processes outside kiln (executor traces: argv, env, directory and the
// descriptors they inherited by path), joining a fresh attempt network when they joined one.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import type { SpawnTrace } from '../src/executor/process/launch.ts';
import { createWhich } from '../src/executor/process/host.ts';
import type { AttemptNetwork, NetworkTools } from '../src/executor/process/network.ts';

/** Runs `t` to completion (exit 0 expected), its descriptors reopened from their paths. */
export function runDirect(t: SpawnTrace): Promise<void> {
  const fds = (t.fds ?? []).map((f) => ({ fd: f.fd, opened: openSync(f.path, 'r') }));
  const stdio: ('ignore' | number)[] = ['ignore', 'ignore', 'ignore'];
  for (const f of fds) {
    while (stdio.length < f.fd) stdio.push('ignore');
    stdio[f.fd] = f.opened;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(t.argv[0], t.argv.slice(1), { env: t.env, cwd: t.cwd, stdio, detached: true });
    for (const f of fds) closeSync(f.opened);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${t.argv.join(' ')} exited ${code}`))));
  });
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
