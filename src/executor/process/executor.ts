// The process executor: runs each step as a local process, inside a bubblewrap sandbox that puts
// the attempt's directories where Tekton puts them, or with paths rewritten when bwrap is absent.
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { attemptBook } from './attempts.ts';
import type { ExecutionHandle, ExecutionPlan, Executor, Unsupported } from '../executor.ts';
import { startAttempt } from './attempt.ts';
import type { AttemptHandle } from './attempt.ts';
import { checkPlan } from './check.ts';
import { DEFAULT_PATH, ROOT_ALLOW, busyboxApplets, createWhich, probeBwrap, scanRoot } from './host.ts';
import { ownCreatedDirs } from './beneath.ts';
import { findDropper } from './dropper.ts';
import { knownDataDirs, registerDataDir } from './datadirs.ts';
import type { NetworkTools } from './network.ts';
import type { HostTools } from './prepare.ts';
import { SANDBOX_BUSYBOX } from './prepare.ts';
import { ashBuiltins, hostFirstCommands, hostFirstPrelude } from './hostfirst.ts';
import type { RootOp } from './sandbox.ts';
import type { SpawnTrace } from './launch.ts';

/** Options of `createProcessExecutor`. */
export interface ProcessExecutorOptions {
  /** kiln's data directory: attempts live in `<dataDir>/runs/…`, claims in `<dataDir>/claims/…`; hidden from steps */
  dataDir: string;
  /** bwrap binary; default: found on PATH and verified once; false: never sandbox (path substitution) */
  bwrap?: string | false;
  /** busybox binary for `sh`-family scripts and busybox-like images; default: found on PATH; false: none */
  busybox?: string | false;
  /** clock for snapshot timestamps (default: `() => new Date()`) */
  now?: () => Date;
  /** more host paths to hide from steps (besides dataDir, /root and /home) */
  maskPaths?: string[];
  /** grace between SIGTERM and SIGKILL when stopping a process group (default 2000 ms) */
  graceMs?: number;
  /** observer of every process started (used by benchmarks to replay steps outside kiln) */
  trace?: (spawned: SpawnTrace) => void;
  /** host uid/gid steps run as; default when kiln runs as root: 65534:65534 (nobody); false: kiln's own (tests only) */
  stepUser?: { uid: number; gid: number } | false;
  /** kiln as root: the kiln-step-enter binary to drop with (dropper.ts; default: the one `npm ci` built, when it works); false: setpriv */
  dropper?: string | false;
  /** steps' network beyond their attempt's own loopback: 'outside' (default, user-mode NAT via slirp4netns) or 'none' */
  network?: 'outside' | 'none';
}

/** The uid/gid steps run as when kiln is root and no `stepUser` is given. */
export const DEFAULT_STEP_USER = { uid: 65534, gid: 65534 } as const;

/** Paths always hidden from steps (besides kiln's data directory). */
export const DEFAULT_MASKS: readonly string[] = ['/root', '/home'];

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Resolves the bwrap binary: explicit, or auto-detected and probed; the reason when unusable. */
function detectBwrap(opt: string | false | undefined, which: (n: string) => string | undefined): { bwrap?: string; notice?: string; why?: string } {
  if (opt === false) return { why: 'bwrap disabled', notice: 'bwrap disabled: steps run as plain processes with /workspace and /tekton paths rewritten; read-only mounts are not enforced and mount paths elsewhere cannot be honoured' };
  if (opt) return { bwrap: opt };
  const found = which('bwrap');
  if (!found) return { why: 'bwrap not found (Debian package bubblewrap)', notice: 'bwrap not found (Debian package bubblewrap): steps run as plain processes with /workspace and /tekton paths rewritten; the host is not protected from steps, read-only mounts are not enforced and mount paths elsewhere cannot be honoured' };
  const why = probeBwrap(found);
  if (why) return { why: `bwrap at ${found} cannot create a sandbox here (${why})`, notice: `bwrap at ${found} cannot create a sandbox here (${why}): steps run as plain processes with paths rewritten` };
  return { bwrap: found };
}

/** The tools of the attempts' own networks, or undefined (each container then gets an empty network, and says so once). */
function networkTools(which: (n: string, p?: string) => string | undefined, PATH: string, busybox: string | undefined, privileged: boolean, mode: 'outside' | 'none', notices: string[]): NetworkTools | undefined {
  const unshare = which('unshare', PATH);
  const nsenter = which('nsenter', PATH);
  if (!unshare || !nsenter || !busybox) {
    notices.push('unshare, nsenter (util-linux) or busybox missing: each step and sidecar gets an empty network of its own (no outside access; sidecars are not reachable on localhost)');
    return undefined;
  }
  const slirp = mode === 'outside' ? which('slirp4netns', PATH) : undefined;
  if (mode === 'outside' && !slirp) notices.push('slirp4netns not found (Debian package slirp4netns): steps have no outside network, only their attempt\'s loopback');
  return { unshare, nsenter, busybox, slirp, privileged };
}

/** Creates the process executor (see ARCHITECTURE.md "Step execution (process executor)"). */
export function createProcessExecutor(opts: ProcessExecutorOptions): Executor {
  const { now = () => new Date(), graceMs = 2000 } = opts;
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const which = createWhich();
  const notices: string[] = [];
  const hostPATH = process.env.PATH || DEFAULT_PATH;
  const sandbox = detectBwrap(opts.bwrap, (n) => which(n, hostPATH));
  if (sandbox.notice) notices.push(sandbox.notice);
  const busybox = opts.busybox === false ? undefined : opts.busybox || which('busybox', hostPATH);
  if (!busybox && opts.busybox !== false) notices.push('busybox not found (Debian package busybox-static): #!/bin/sh scripts run with the host /bin/sh');
  const realData = realOrSelf(dataDir);
  registerDataDir(realData);
  // every kiln data directory on the machine, where steps could otherwise see it (the allow-list)
  const masks = [...new Set([realData, ...knownDataDirs(), ...DEFAULT_MASKS, ...(opts.maskPaths ?? []).map(realOrSelf)])]
    .filter((m) => existsSync(m) && ROOT_ALLOW.has(m.split('/')[1]))
    .sort((a, b) => a.length - b.length);
  const root = process.getuid?.() === 0;
  const user = opts.stepUser === false || !root ? undefined : opts.stepUser ?? DEFAULT_STEP_USER;
  const setpriv = user ? which('setpriv', DEFAULT_PATH) : undefined;
  if (user && sandbox.bwrap && !setpriv) {
    notices.push('setpriv (util-linux) not found under /usr/bin or /bin: kiln runs as root and cannot drop steps to an unprivileged user; steps run unsandboxed with paths rewritten');
    sandbox.bwrap = undefined;
    sandbox.why = 'setpriv (util-linux) not found: kiln runs as root and cannot drop steps to an unprivileged user';
  }
  // kiln-step-enter when built and working (else setpriv, and nsenter to join an attempt's network, as without it)
  const dropper = user && setpriv && sandbox.bwrap && opts.dropper !== false ? findDropper(user, opts.dropper).dropper : undefined;
  const identity = user && setpriv ? { ...user, setpriv, unshare: which('unshare', DEFAULT_PATH), dropper } : undefined;
  ownCreatedDirs(sandbox.bwrap ? identity : undefined);
  const network = networkTools(which, hostPATH, busybox, root, opts.network ?? 'outside', notices);
  let rootOps: RootOp[] | undefined;
  let applets: Set<string> | undefined;
  const tools: HostTools = {
    bwrap: sandbox.bwrap,
    busybox,
    which,
    masks,
    identity,
    network: sandbox.bwrap ? network : undefined,
    root: () => (rootOps ??= scanRoot()),
    applets: () => (applets ??= busybox ? busyboxApplets(busybox) : new Set()),
    hostFirst: () => (hostFirst ??= busybox ? writeHostFirst() : ''),
  };
  let hostFirst: string | undefined;
  /**
   * The prelude that makes `busybox sh` run the host's tools (hostfirst.ts): it depends on the
   * busybox binary only, so it is written into the data dir once per binary (two spawns) and found
   * there by every later kiln.
   */
  function writeHostFirst(): string {
    const seenAs = sandbox.bwrap ? SANDBOX_BUSYBOX : busybox!;
    const st = statSync(busybox!);
    const key = createHash('sha256').update(`${busybox}\0${st.size}\0${st.mtimeMs}\0${seenAs}`).digest('hex').slice(0, 16);
    const path = join(dataDir, `host-first-${key}.sh`);
    if (existsSync(path)) return path;
    const all = tools.applets();
    const text = hostFirstPrelude(seenAs, hostFirstCommands(all, ashBuiltins(busybox!, all)));
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
    return path;
  }
  const attempts = new Map<string, AttemptHandle>();
  const deps = { dataDir, tools, now, graceMs, trace: opts.trace };
  return {
    name: 'process',
    check: (plan: ExecutionPlan): Unsupported[] => checkPlan(tools, dataDir, plan),
    start: function start(plan: ExecutionPlan, onChange: () => void): ExecutionHandle {
      const existing = attempts.get(plan.id);
      if (existing) {
        existing.listen(onChange);
        return existing;
      }
      const handle = startAttempt(deps, plan, onChange);
      attempts.set(plan.id, handle);
      return handle;
    },
    get: (id: string) => attempts.get(id),
    notices: () => [...notices],
    uncontained: () => (sandbox.bwrap ? undefined : sandbox.why ?? 'no sandbox'),
    ...attemptBook(dataDir, attempts),
  };
}
