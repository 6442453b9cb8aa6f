// The bubblewrap command line for one step (pure), and the same bind table used as a path map
// when there is no mount namespace (rewrite `/workspace/…`, `/tekton/…` to host directories).

/** A host directory or file seen at `dest` inside the sandbox. */
export interface Bind {
  dest: string;
  /** the host path (messages, the path map without bwrap; bound by path only when there is no `fd`) */
  src: string;
  readOnly?: boolean;
  /**
   * `src` is `rel` beneath the trusted directory `root`: opened without following links (beneath.ts);
   * `kept`: a directory of the attempt's own that no step can rename or replace, opened once per attempt
   */
  beneath?: { root: string; rel: string; kept?: boolean };
  /** the opened source as the child process's descriptor: bound with `--bind-fd` / `--ro-bind-fd` */
  fd?: number;
}

/** How the sandbox root is assembled, in order, before anything else is mounted. */
export type RootOp =
  | { op: 'ro-bind'; path: string }
  | { op: 'symlink'; path: string; target: string }
  | { op: 'tmpfs'; path: string };

/** Everything that decides a step's bwrap command line. */
export interface SandboxSpec {
  /** the host's top-level entries (and any shadowed directories), see host.ts `scanRoot` */
  root: readonly RootOp[];
  /** host paths hidden under an empty tmpfs (kiln's data directory, /root, /home, …) */
  masks: readonly string[];
  /** writable/read-only binds; sorted here so parents are mounted before their children */
  binds: readonly Bind[];
  /** directories to create inside the sandbox (e.g. a working directory outside every bind) */
  dirs?: readonly string[];
  cwd: string;
  argv: readonly string[];
}

/** Path depth: `/` is 0, `/a` 1, `/a/b` 2. */
function depth(p: string): number {
  return p === '/' ? 0 : p.split('/').length - 1;
}

/** Binds ordered parents first (stable: of two binds at one path, the later wins). */
export function sortBinds(binds: readonly Bind[]): Bind[] {
  return binds
    .map((b, i) => ({ b, i, d: depth(b.dest) }))
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .map((x) => x.b);
}

/**
 * bwrap arguments (without the bwrap binary) that run `spec.argv`: a tmpfs root holding the host's
 * top-level entries read-only, fresh /proc, /dev and /tmp, masks, `/tekton`, then the binds.
 * The network is shared; the step gets its own PID namespace and dies with kiln.
 */
export function bwrapArgs(spec: SandboxSpec): string[] {
  const args: string[] = [];
  for (const r of spec.root) {
    if (r.op === 'ro-bind') args.push('--ro-bind', r.path, r.path);
    else if (r.op === 'symlink') args.push('--symlink', r.target, r.path);
    else args.push('--tmpfs', r.path);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const m of spec.masks) args.push('--tmpfs', m);
  args.push('--dir', '/tekton');
  for (const b of sortBinds(spec.binds)) {
    if (b.fd !== undefined) args.push(b.readOnly ? '--ro-bind-fd' : '--bind-fd', String(b.fd), b.dest);
    else args.push(b.readOnly ? '--ro-bind' : '--bind', b.src, b.dest);
  }
  for (const d of spec.dirs ?? []) args.push('--dir', d);
  args.push('--chdir', spec.cwd, '--unshare-pid', '--die-with-parent', '--', ...spec.argv);
  return args;
}

/** The bind whose `dest` is the longest prefix of `path` (later binds win ties), if any. */
export function bindFor(binds: readonly Bind[], path: string): Bind | undefined {
  let best: Bind | undefined;
  for (const b of binds) {
    if (path === b.dest || path.startsWith(b.dest.endsWith('/') ? b.dest : b.dest + '/')) {
      if (!best || b.dest.length >= best.dest.length) best = b;
    }
  }
  return best;
}

/** Where an in-sandbox absolute path lives on the host, or undefined outside every bind. */
export function hostPath(binds: readonly Bind[], path: string): string | undefined {
  const b = bindFor(binds, path);
  return b && b.src + path.slice(b.dest.length);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A function rewriting every in-sandbox path prefix (`/workspace/src/x`, `/tekton/results/r`, …)
 * found in a string to its host location; used when there is no mount namespace. A prefix only
 * matches at a path boundary (`$HOME/workspace` and `/workspaces` are left alone).
 */
export function pathRewriter(binds: readonly Bind[]): (text: string) => string {
  const byDest = new Map<string, string>();
  for (const b of binds) byDest.set(b.dest, b.src);
  if (byDest.size === 0) return (t) => t;
  const alts = [...byDest.keys()].sort((a, b) => b.length - a.length).map(escapeRe);
  const re = new RegExp(`(?<![\\w.\\-/])(${alts.join('|')})(?=/|$|[^\\w.\\-])`, 'g');
  return function rewrite(text: string): string {
    return text.includes('/') ? text.replace(re, (m) => byDest.get(m) ?? m) : text;
  };
}
