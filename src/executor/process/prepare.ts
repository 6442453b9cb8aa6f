// Turns one PlanContainer into what spawn.ts runs: argv (inside bwrap, or with paths rewritten to
// the host when there is no bwrap), env, working directory, log and tee files, script file.
import { join } from 'node:path';
import type { ExecutionPlan, PlanContainer } from '../executor.ts';
import { imageArgv, lookupImage } from './images.ts';
import type { ImageInfo } from './images.ts';
import { DEFAULT_PATH, shadowOps } from './host.ts';
import type { AttemptLayout } from './layout.ts';
import { mountSource } from './layout.ts';
import { bwrapArgs, hostPath, pathRewriter } from './sandbox.ts';
import type { Bind, RootOp } from './sandbox.ts';
import { SH_FAMILY, scriptArgv, scriptText } from './script.ts';
import type { OutputFilter } from './spawn.ts';

/** What the executor knows about the machine (computed once per executor). */
export interface HostTools {
  /** bwrap binary, or undefined: fall back to path substitution */
  bwrap?: string;
  busybox?: string;
  which(name: string, path?: string): string | undefined;
  applets(): ReadonlySet<string>;
  root(): readonly RootOp[];
  /** host paths hidden from steps */
  masks: readonly string[];
}

/** One attempt's fixed facts. */
export interface AttemptContext {
  plan: ExecutionPlan;
  layout: AttemptLayout;
  /** volume name → host directory */
  volumes: ReadonlyMap<string, string>;
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
  /** script file to write before starting */
  script?: { path: string; text: string };
  /** host directories to create before starting (working directory) */
  mkdirs: string[];
  /** descriptors inherited as 3, 4, … (see ProcessSpec.fds) */
  fds?: number[];
  /** host uid / gid to run as (default: kiln's own) */
  uid?: number;
  gid?: number;
  /** filter of each output stream written to the log (see ProcessSpec.filter) */
  filter?: () => OutputFilter;
  error?: string;
}

/** Where busybox is bound inside the sandbox (like Tekton's /tekton/bin tools). */
export const SANDBOX_BUSYBOX = '/tekton/bin/busybox';
/** Shell builtins: never reported as missing commands. */
export const SHELL_BUILTINS: ReadonlySet<string> = new Set([
  '.', ':', '[', 'alias', 'break', 'cd', 'command', 'continue', 'echo', 'eval', 'exec', 'exit', 'export', 'false',
  'getopts', 'hash', 'kill', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'set', 'shift', 'source',
  'test', 'times', 'trap', 'true', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait',
]);

/** The binds every container of the attempt gets, then its own mounts (which win at equal paths). */
export function containerBinds(tools: HostTools, actx: AttemptContext, c: PlanContainer, role: ContainerRole): { binds: Bind[]; errors: string[] } {
  const { layout: l } = actx;
  const base: Bind[] = [
    { dest: '/workspace', src: l.workspace },
    { dest: '/tekton/home', src: l.home },
    { dest: '/tekton/results', src: l.results },
    { dest: '/tekton/steps', src: l.steps, readOnly: true },
    { dest: '/tekton/run', src: l.run, readOnly: true },
    { dest: '/tekton/scripts', src: l.scripts, readOnly: true },
    { dest: '/tekton/creds', src: l.creds },
    { dest: '/tekton/artifacts', src: l.artifacts },
  ];
  if (role.kind === 'step') {
    base.push({ dest: `/tekton/steps/${c.containerName}`, src: join(l.steps, c.containerName) });
    base.push({ dest: `/tekton/run/${role.index}`, src: join(l.run, String(role.index)) });
  }
  if (tools.bwrap && tools.busybox) base.push({ dest: SANDBOX_BUSYBOX, src: tools.busybox, readOnly: true });
  const errors: string[] = [];
  const mounts: Bind[] = [];
  for (const m of c.mounts) {
    const src = mountSource(m, actx.volumes);
    if (typeof src !== 'string') {
      errors.push(src.error);
      continue;
    }
    const files = actx.plan.volumes.find((v) => v.name === m.volume)?.source.type === 'files';
    mounts.push({ dest: m.mountPath.replace(/\/+$/, '') || '/', src, readOnly: m.readOnly === true || files });
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

/** The absolute in-sandbox working directory (default /workspace; relative ones are under it). */
export function workingDir(c: PlanContainer): string {
  const wd = c.workingDir?.trim();
  if (!wd) return '/workspace';
  return wd.startsWith('/') ? wd : `/workspace/${wd}`;
}

/**
 * The in-sandbox argv of a container before any sandbox wrapping: its script (written to
 * `scriptPath`), its command + args, or the image's ENTRYPOINT/CMD; then `sh`/`ash` of
 * busybox-like images and busybox applets missing on the host run under busybox.
 */
export function resolveArgv(tools: HostTools, c: PlanContainer, scriptPath: string, busybox: string | undefined, PATH: string, command?: string[]): { argv: string[]; info?: ImageInfo; scriptText?: string } | { error: string } {
  const args = c.args ?? [];
  const info = lookupImage(c.image);
  if (command) return { argv: adaptShell(tools, command, info, busybox, PATH), info };
  if (c.script !== undefined && c.script !== '') {
    const text = scriptText(c.script);
    return { argv: scriptArgv(text, scriptPath, args, busybox), info, scriptText: text };
  }
  const argv = c.command?.length ? [...c.command, ...args] : imageArgv(info, args, (w) => tools.which(w, PATH) !== undefined);
  if (!argv) return { error: `image ${c.image}: kiln does not know its entrypoint; give the step a command or script` };
  return { argv: adaptShell(tools, argv, info, busybox, PATH), info };
}

function adaptShell(tools: HostTools, argv: string[], info: ImageInfo | undefined, busybox: string | undefined, PATH: string): string[] {
  if (!busybox || argv.length === 0) return argv;
  const [first, ...rest] = argv;
  const base = first.slice(first.lastIndexOf('/') + 1);
  const plainShell = first === base || first === `/bin/${base}` || first === `/usr/bin/${base}`;
  if (plainShell && (base === 'ash' || (info?.busybox && SH_FAMILY.has(base)))) return [busybox, 'sh', ...rest];
  if (info?.busybox && !first.includes('/') && !tools.which(first, PATH) && tools.applets().has(first)) return [busybox, first, ...rest];
  return argv;
}

/** Builds everything needed to run container `c` of the attempt (no IO but a few lstat calls for mount paths under host directories). */
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
  const prepared: Prepared = { argv: [], env, logFile, mkdirs: [] };
  if ('error' in r) return { ...prepared, error: r.error };
  if (errors.length > 0) return { ...prepared, error: errors.join('; ') };
  const argv = r.argv;
  if (r.scriptText !== undefined) prepared.script = { path: join(layout.scripts, scriptName), text: rewrite(r.scriptText) };
  if (!role.command) {
    prepared.stdoutTee = c.stdoutPath ? hostPath(binds, c.stdoutPath) : undefined;
    prepared.stderrTee = c.stderrPath ? hostPath(binds, c.stderrPath) : undefined;
  }
  const cwd = workingDir(c);
  const cwdHost = hostPath(binds, cwd);
  if (cwdHost) prepared.mkdirs.push(cwdHost);
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
  const spec = { root: shadows.length ? [...root, ...shadows] : root, masks: tools.masks, binds, dirs, cwd, argv };
  return { ...prepared, argv: [tools.bwrap!, ...bwrapArgs(spec)] };
}
