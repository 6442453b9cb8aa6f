// Turns one PlanContainer into what spawn.ts runs: argv (inside bwrap, or with paths rewritten to
// the host when there is no bwrap), env, working directory, log and tee files, script file.
import { join, posix } from 'node:path';
import type { ExecutionPlan, PlanContainer } from '../executor.ts';
import { appendBeneath, bindSourceBeneath, closeQuietly, fdPath, mkdirBeneath, openDirBeneath, refusal } from './beneath.ts';
import type { Dir, TrustedDirs } from './beneath.ts';
import { imageArgv, lookupImage } from './images.ts';
import type { ImageInfo } from './images.ts';
import { DEFAULT_PATH, shadowOps } from './host.ts';
import { dropperFds } from './dropper.ts';
import type { AttemptLayout } from './layout.ts';
import { mountSource, subPathWhat } from './layout.ts';
import { bindFor, bwrapArgs, hostPath, pathRewriter, seenAsFor } from './sandbox.ts';
import type { Bind, DropTo, RootOp } from './sandbox.ts';
import { SH_FAMILY, scriptArgv, scriptText, shQuote } from './script.ts';
import type { OutputFilter } from './spawn.ts';
import { planMasker } from '../mask.ts';
import type { AttemptNetwork, NetworkTools } from './network.ts';

/** What the executor knows about the machine (computed once per executor). */
export interface HostTools {
  /** bwrap binary, or undefined: fall back to path substitution */
  bwrap?: string;
  busybox?: string;
  which(name: string, path?: string): string | undefined;
  applets(): ReadonlySet<string>;
  /** the host path of the prelude sourced before scripts under busybox sh (hostfirst.ts); '' without busybox */
  hostFirst?(): string;
  root(): readonly RootOp[];
  /** host paths hidden from steps */
  masks: readonly string[];
  /** kiln is root: the unprivileged host user steps run as, and setpriv; undefined: kiln's own user in a user namespace */
  identity?: DropTo;
  /** how to give an attempt its own network shared by its containers; undefined: each container gets an empty one */
  network?: NetworkTools;
}

/** One attempt's fixed facts. */
export interface AttemptContext {
  plan: ExecutionPlan;
  layout: AttemptLayout;
  /** volume name → host directory */
  volumes: ReadonlyMap<string, string>;
  /** the attempt's and the volumes' directories, open: everything beneath them is opened without following links */
  trusted: TrustedDirs;
  /** the attempt's own network namespace, shared by its steps and sidecars; undefined: each container gets an empty one */
  net?: AttemptNetwork;
}

/** Which container of the attempt: steps get their own writable /tekton/steps/<c> and /tekton/run/<i>. */
export interface ContainerRole {
  kind: 'step' | 'sidecar';
  index: number;
  /** run this instead of the container's command (probes) */
  command?: string[];
}

/** Everything needed to start the process, or `error` when it cannot be started. */
export interface Prepared {
  argv: string[];
  env: Record<string, string>;
  /** host cwd for spawn (only without bwrap) */
  cwd?: string;
  logFile: string;
  stdoutTee?: string;
  stderrTee?: string;
  /** script file to write before starting: host `path`, `rel` beneath the attempt's directory */
  script?: { path: string; rel: string; text: string };
  /** descriptors inherited as 3, 4, … (see ProcessSpec.fds; add with {@link inherit}) */
  fds?: number[];
  /** host path of each of `fds`, where known (the trace shows fd binds by path, to be replayed without kiln) */
  fdPaths?: (string | undefined)[];
  /** descriptors kiln holds until the process started (binds' sources, the tee files reopened by spawn through /proc/self/fd); closed by launch */
  held?: number[];
  /** host uid / gid to run as (default: kiln's own) */
  uid?: number;
  gid?: number;
  /** filter of each output stream written to the log (see ProcessSpec.filter) */
  filter?: () => OutputFilter;
  error?: string;
}

/** Where busybox is bound inside the sandbox (like Tekton's /tekton/bin tools). */
export const SANDBOX_BUSYBOX = '/tekton/bin/busybox';
/** Where the host-first prelude (hostfirst.ts) is bound inside the sandbox. */
export const SANDBOX_HOST_FIRST = '/tekton/bin/host-first';
/** Shell builtins: never reported as missing commands. */
export const SHELL_BUILTINS: ReadonlySet<string> = new Set([
  '.', ':', '[', 'alias', 'break', 'cd', 'command', 'continue', 'echo', 'eval', 'exec', 'exit', 'export', 'false',
  'getopts', 'hash', 'kill', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'set', 'shift', 'source',
  'test', 'times', 'trap', 'true', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait',
]);

/** The binds every container of the attempt gets, then its own mounts (which win at equal paths). */
export function containerBinds(tools: HostTools, actx: AttemptContext, c: PlanContainer, role: ContainerRole): { binds: Bind[]; errors: string[] } {
  const { layout: l } = actx;
  const own = (dest: string, rel: string, readOnly?: boolean): Bind => ({ dest, src: join(l.root, rel), beneath: { root: l.root, rel, kept: true }, ...(readOnly ? { readOnly } : {}) });
  const base: Bind[] = [
    own('/workspace', 'workspace'),
    own('/tekton/home', 'home'),
    own('/tekton/results', 'results'),
    own('/tekton/steps', 'steps', true),
    own('/tekton/run', 'run', true),
    own('/tekton/scripts', 'scripts', true),
    own('/tekton/creds', 'creds'),
    own('/tekton/artifacts', 'artifacts'),
  ];
  if (role.kind === 'step') {
    base.push(own(`/tekton/steps/${c.containerName}`, `steps/${c.containerName}`));
    base.push(own(`/tekton/run/${role.index}`, `run/${role.index}`));
  }
  if (tools.bwrap && tools.busybox) base.push({ dest: SANDBOX_BUSYBOX, src: tools.busybox, readOnly: true });
  const prelude = tools.bwrap && tools.busybox ? tools.hostFirst?.() : undefined;
  if (prelude) base.push({ dest: SANDBOX_HOST_FIRST, src: prelude, readOnly: true });
  const errors: string[] = [];
  const mounts: Bind[] = [];
  for (const m of c.mounts) {
    const src = mountSource(m, actx.volumes);
    if ('error' in src) {
      errors.push(src.error);
      continue;
    }
    const files = actx.plan.volumes.find((v) => v.name === m.volume)?.source.type === 'files';
    mounts.push({ dest: mountDest(m.mountPath), src: src.src, readOnly: m.readOnly === true || files, beneath: { root: src.root, rel: src.rel } });
  }
  const taken = new Set(mounts.map((m) => m.dest));
  return { binds: [...base.filter((b) => !taken.has(b.dest)), ...mounts], errors };
}

/** The container's env: plan env, then HOME=/tekton/home and the default PATH unless set. */
export function containerEnv(c: PlanContainer, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env) env[e.name] = e.value;
  env.HOME ??= home;
  env.PATH ??= DEFAULT_PATH;
  return env;
}

/** An absolute in-sandbox path as the step's own file system resolves it: `..` and `.` applied, no trailing `/`. */
export function sandboxPath(path: string): string {
  return posix.normalize(path).replace(/\/+$/, '') || '/';
}

/** Where a mount is seen in the sandbox. */
function mountDest(mountPath: string): string {
  return mountPath.replace(/\/+$/, '') || '/';
}

/** The absolute in-sandbox working directory (default /workspace; relative ones are under it). */
export function workingDir(c: PlanContainer): string {
  const wd = c.workingDir?.trim();
  if (!wd) return '/workspace';
  return sandboxPath(wd.startsWith('/') ? wd : `/workspace/${wd}`);
}

/**
 * The in-sandbox argv of a container before any sandbox wrapping: its script (written to
 * `scriptPath`), its command + args, or the image's ENTRYPOINT/CMD; then `sh`/`ash` of
 * busybox-like images and busybox applets missing on the host run under busybox.
 */
export function resolveArgv(tools: HostTools, c: PlanContainer, scriptPath: string, busybox: string | undefined, PATH: string, command?: string[]): { argv: string[]; info?: ImageInfo; scriptText?: string } | { error: string } {
  const args = c.args ?? [];
  const info = lookupImage(c.image);
  // busybox is the shell only: the host's tools come first (hostfirst.ts)
  const prelude = busybox ? (tools.bwrap ? SANDBOX_HOST_FIRST : tools.hostFirst?.()) || undefined : undefined;
  if (command) return { argv: adaptShell(tools, command, info, busybox, PATH, prelude), info };
  if (c.script !== undefined && c.script !== '') {
    const text = scriptText(c.script);
    return { argv: scriptArgv(text, scriptPath, args, busybox, prelude), info, scriptText: text };
  }
  const argv = c.command?.length ? [...c.command, ...args] : imageArgv(info, args, (w) => tools.which(w, PATH) !== undefined);
  if (!argv) return { error: `image ${c.image}: kiln does not know its entrypoint; give the step a command or script` };
  return { argv: adaptShell(tools, argv, info, busybox, PATH, prelude), info };
}

function adaptShell(tools: HostTools, argv: string[], info: ImageInfo | undefined, busybox: string | undefined, PATH: string, prelude?: string): string[] {
  if (!busybox || argv.length === 0) return argv;
  const [first, ...rest] = argv;
  const base = first.slice(first.lastIndexOf('/') + 1);
  const plainShell = first === base || first === `/bin/${base}` || first === `/usr/bin/${base}`;
  if (plainShell && (base === 'ash' || (info?.busybox && SH_FAMILY.has(base)))) return [busybox, 'sh', ...withPrelude(rest, prelude)];
  if (info?.busybox && !first.includes('/') && !tools.which(first, PATH) && tools.applets().has(first)) return [busybox, first, ...rest];
  return argv;
}

/**
 * `sh` arguments with the host-first prelude sourced first: `-c TEXT …` gets it before TEXT, a
 * script file `FILE ARGS…` is sourced after it (with $0 and $@ as they were); options or nothing
 * (an interactive shell reading stdin) are left as they are.
 */
export function withPrelude(args: readonly string[], prelude: string | undefined): string[] {
  if (!prelude) return [...args];
  const c = args.indexOf('-c');
  if (c >= 0 && c + 1 < args.length && args.slice(0, c).every((a) => a.startsWith('-'))) {
    return [...args.slice(0, c + 1), `. ${shQuote(prelude)}\n${args[c + 1]}`, ...args.slice(c + 2)];
  }
  let i = 0;
  while (i < args.length && args[i].startsWith('-') && args[i] !== '-' && args[i] !== '--') i++;
  if (args[i] === '--') i++;
  if (i >= args.length || args[i] === '-' || args.slice(0, i).some((a) => /^-.*s/.test(a))) return [...args];
  return [...args.slice(0, i).filter((a) => a !== '--'), '-c', `. ${shQuote(prelude)}; . "$0"`, ...args.slice(i)];
}

/**
 * Adds `fd` (opened at host `path`) to the descriptors the process inherits; returns its number
 * there (3, 4, …). An `owned` one is closed by launch once the process started.
 */
export function inherit(p: Prepared, fd: number, path?: string, owned = true): number {
  (p.fds ??= []).push(fd);
  (p.fdPaths ??= [])[p.fds.length - 1] = path;
  if (owned) (p.held ??= []).push(fd);
  return 2 + p.fds.length;
}

/** Closes every descriptor `p` holds; launch does once the process started. */
export function releasePrepared(p: Prepared): void {
  for (const fd of p.held ?? []) closeQuietly(fd);
  p.held = undefined;
}

/** What a bind is called in messages: its mount's subPath, or its destination. */
function bindWhat(c: PlanContainer, b: Bind): string {
  const m = c.mounts.find((m) => m.subPath && mountDest(m.mountPath) === b.dest);
  return m ? subPathWhat(m) : `mount ${b.dest}`;
}

/**
 * The IO of preparing `c`, none of it through a link (see beneath.ts): with bwrap every bind's
 * source is opened (`b.fd`: bound with --bind-fd, so bwrap follows no path either); the working
 * directory is created and the tee files opened beneath the bind they are in. Returns the
 * refusal, having closed what it opened, or undefined.
 */
function openSources(actx: AttemptContext, c: PlanContainer, role: ContainerRole, binds: Bind[], cwd: string, sandboxed: boolean, p: Prepared): string | undefined {
  const opened = new Map<Bind, number>();
  const top = (b: Bind): Dir => actx.trusted.dir(b.beneath!.root, '');
  /** The attempt's own directories are opened once per attempt (see `kept`); the rest once per use. */
  function source(b: Bind): { fd: number; owned: boolean } {
    const { root, rel, kept } = b.beneath!;
    if (kept) return { fd: actx.trusted.kept(root, rel), owned: false };
    return { fd: sandboxed ? bindSourceBeneath(top(b), rel) : openDirBeneath(top(b), rel, true), owned: true };
  }
  function dirOf(b: Bind): Dir {
    let fd = opened.get(b);
    if (fd === undefined) {
      const s = source(b);
      if (s.owned) (p.held ??= []).push(s.fd);
      opened.set(b, (fd = s.fd));
    }
    return { fd, shown: b.dest };
  }
  let what = '';
  let whole = '';
  try {
    if (sandboxed) {
      for (const b of binds) {
        if (!b.beneath) continue;
        [what, whole] = [bindWhat(c, b), b.beneath.rel];
        const { fd, owned } = source(b);
        b.fd = inherit(p, fd, b.src, owned);
        opened.set(b, fd);
      }
    }
    const wd = bindFor(binds, cwd);
    [what, whole] = [`workingDir ${cwd}`, cwd];
    if (wd?.beneath && cwd !== wd.dest) mkdirBeneath(dirOf(wd), cwd.slice(wd.dest.length));
    const tees = role.command ? [] : ([['stdoutConfig', c.stdoutPath, 'stdoutTee'], ['stderrConfig', c.stderrPath, 'stderrTee']] as const);
    for (const [field, path, key] of tees) {
      if (!path) continue;
      const at = sandboxPath(path);
      const b = bindFor(binds, at);
      if (!b?.beneath || at === b.dest) continue;
      [what, whole] = [`${field}.path ${path}`, at];
      const fd = appendBeneath(dirOf(b), at.slice(b.dest.length));
      (p.held ??= []).push(fd);
      p[key] = fdPath(fd);
    }
    return undefined;
  } catch (e) {
    releasePrepared(p);
    return refusal(what, whole, e);
  }
}

/** Builds everything needed to run container `c` of the attempt; its only IO opens what it binds and writes beneath trusted directories (see openSources). */
export function prepareContainer(tools: HostTools, actx: AttemptContext, c: PlanContainer, role: ContainerRole): Prepared {
  const { layout } = actx;
  const sandboxed = tools.bwrap !== undefined;
  const { binds, errors } = containerBinds(tools, actx, c, role);
  const rewrite = sandboxed ? (s: string) => s : pathRewriter(binds);
  const scriptName = `${c.containerName}-${role.index}`;
  const env = containerEnv(c, '/tekton/home');
  for (const k of Object.keys(env)) env[k] = rewrite(env[k]);
  const busybox = sandboxed ? (tools.busybox ? SANDBOX_BUSYBOX : undefined) : tools.busybox;
  const scriptPath = sandboxed ? `/tekton/scripts/${scriptName}` : join(layout.scripts, scriptName);
  const command = role.command?.map(rewrite);
  const words = sandboxed ? c : { ...c, command: c.command?.map(rewrite), args: c.args?.map(rewrite) };
  const r = resolveArgv(tools, words, scriptPath, busybox, env.PATH, command);
  const logFile = join(layout.logs, `${c.containerName}.log`);
  const prepared: Prepared = { argv: [], env, logFile, filter: planMasker(actx.plan)?.filter };
  if ('error' in r) return { ...prepared, error: r.error };
  if (errors.length > 0) return { ...prepared, error: errors.join('; ') };
  const argv = r.argv;
  if (r.scriptText !== undefined) prepared.script = { path: join(layout.scripts, scriptName), rel: `scripts/${scriptName}`, text: rewrite(r.scriptText) };
  const cwd = workingDir(c);
  const cwdHost = hostPath(binds, cwd);
  const refused = openSources(actx, c, role, binds, cwd, sandboxed, prepared);
  if (refused) return { ...prepared, error: refused };
  if (!sandboxed) return { ...prepared, argv, cwd: cwdHost ?? cwd };
  const dirs: string[] = [];
  const shadows: RootOp[] = [];
  const needed = [...binds.filter((b) => !b.dest.startsWith('/tekton/') && b.dest !== '/workspace').map((b) => b.dest)];
  if (!cwdHost) {
    needed.push(cwd);
    dirs.push(cwd);
  }
  const root = tools.root();
  for (const p of needed) {
    if (shadows.some((s) => s.op === 'tmpfs' && p.startsWith(s.path + '/'))) continue;
    shadows.push(...shadowOps(p, root, tools.masks));
  }
  const seenAs = seenAsFor(c.runAs, tools.identity !== undefined);
  if (seenAs && tools.identity && !tools.identity.unshare) {
    releasePrepared(prepared);
    return { ...prepared, error: `securityContext asks for uid ${seenAs.uid} gid ${seenAs.gid}: unshare (util-linux) is not installed, so this container can only run as the step user` };
  }
  // kiln root with kiln-step-enter: it joins the attempt's namespaces itself (no nsenter before bwrap)
  const enter = tools.identity?.dropper && (!actx.net || actx.net.ns) ? dropperFds(tools.identity.dropper, actx.net?.ns, (fd, path, owned) => inherit(prepared, fd, path, owned)) : undefined;
  if (typeof enter === 'string') {
    releasePrepared(prepared);
    return { ...prepared, error: enter };
  }
  const spec = { root: shadows.length ? [...root, ...shadows] : root, masks: tools.masks, binds, dirs, cwd, argv, ownNetwork: !actx.net, dropTo: tools.identity, seenAs, enter };
  return { ...prepared, argv: [...(enter ? [] : actx.net?.enter ?? []), tools.bwrap!, ...bwrapArgs(spec)] };
}
