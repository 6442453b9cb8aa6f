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
  /**
   * network and IPC namespaces of its own (only loopback); false: the ones it was started in (the
   * attempt's, joined with nsenter — shared by the attempt's steps and sidecars, as a pod's are)
   */
  ownNetwork?: boolean;
  /** kiln is root: drop to this user inside (instead of a user namespace) */
  dropTo?: DropTo;
  /**
   * kiln is root and `dropTo.dropper` is used: its inherited descriptors (itself, and the attempt's
   * namespaces it joins, when `ownNetwork` is false and no nsenter runs before bwrap)
   */
  enter?: DropperFds;
  /**
   * the uid/gid the container sees (securityContext runAsUser/runAsGroup): in its user namespace,
   * mapped to kiln's user (kiln not root) or to the step user (kiln root); default root (kiln not
   * root) or the step user itself (kiln root)
   */
  seenAs?: SeenAs;
}

/** Ids inside the container's user namespace. */
export interface SeenAs { uid: number; gid: number }

/** Everyone's confinement: an own PID namespace, and the container dies with kiln (IPC: see ownNetwork). */
const ALWAYS: readonly string[] = ['--unshare-pid', '--die-with-parent'];

/**
 * kiln not root: bwrap runs as kiln's own user and gives the container its own user namespace,
 * root inside (kiln's user outside), with no capability at all.
 */
export const CONFINEMENT: readonly string[] = ['--unshare-user', '--uid', '0', '--gid', '0', '--cap-drop', 'ALL', ...ALWAYS];

/** {@link CONFINEMENT} with other ids seen inside. */
function confinement(seenAs: SeenAs | undefined): readonly string[] {
  if (!seenAs) return CONFINEMENT;
  return ['--unshare-user', '--uid', String(seenAs.uid), '--gid', String(seenAs.gid), '--cap-drop', 'ALL', ...ALWAYS];
}

/** The unprivileged host user a container runs as when kiln is root, and the setpriv that makes it so. */
export interface DropTo {
  uid: number;
  gid: number;
  setpriv: string;
  /** util-linux unshare (≥ 2.38: --map-user): a user namespace of the step user's own, for containers asking for other ids */
  unshare?: string;
  /** kiln-step-enter, built and checked (dropper.ts): it drops in place of setpriv, joining the attempt's namespaces too */
  dropper?: Dropper;
}

/** kiln-step-enter, checked once (dropper.ts): kiln keeps it open and passes it to every root step, which bwrap executes as `/proc/self/fd/N`. */
export interface Dropper {
  path: string;
  /** kiln's descriptor of the binary (read-only; kept for the process' life) */
  fd: number;
}

/** One container's inherited descriptors for kiln-step-enter: itself, and the attempt's namespaces to join. */
export interface DropperFds {
  self: number;
  net?: number;
  ipc?: number;
}

/**
 * The argv prefix (up to and including `--`) that makes the step `uid`:`gid` with no capability
 * and no-new-privileges, having first joined the namespaces in `fds`: kiln-step-enter executed
 * through its inherited descriptor (the sandbox shows no host path of it).
 */
export function dropperArgv(fds: DropperFds, user: { uid: number; gid: number }): string[] {
  const join = [...(fds.net !== undefined ? ['--net-fd', String(fds.net)] : []), ...(fds.ipc !== undefined ? ['--ipc-fd', String(fds.ipc)] : [])];
  return [`/proc/self/fd/${fds.self}`, ...join, '--uid', String(user.uid), '--gid', String(user.gid), '--'];
}

/**
 * kiln root: bwrap (root, so it can reach kiln's private directories) builds the mounts, then the
 * container's first process drops to the step user for good: every capability set emptied
 * (bounding, inheritable, ambient; setuid clears the rest), supplementary groups cleared,
 * no-new-privileges (setuid binaries give nothing). That process is setpriv, or kiln-step-enter
 * given its descriptors `enter` (which also joins the attempt's namespaces: dropper.ts).
 */
export function dropArgv(d: DropTo, seenAs?: SeenAs, enter?: DropperFds): string[] {
  const drop = enter ? dropperArgv(enter, d)
    : [d.setpriv, `--reuid=${d.uid}`, `--regid=${d.gid}`, '--clear-groups', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--no-new-privs', '--'];
  if (!seenAs || !d.unshare) return drop;
  // then, still the step user on the host, a user namespace where it is seen as the asked ids; a
  // new user namespace starts with every capability (its own): kept across the exec of setpriv
  // (--keep-caps) only for setpriv to empty every set again, bounding set included
  const userns = [d.unshare, '--user', '--keep-caps', `--map-user=${seenAs.uid}`, `--map-group=${seenAs.gid}`, '--'];
  const again = [d.setpriv, '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--'];
  return [...drop, ...userns, ...again];
}

/**
 * The ids a container asking for `runAs` sees, or undefined for the default (root inside a user
 * namespace when kiln is not root; the step user itself when kiln is root, which is not root and
 * so already satisfies runAsNonRoot). Unset ids default as the kubelet's do: gid 0, and a
 * runAsNonRoot container without a runAsUser runs as 65534.
 */
export function seenAsFor(runAs: { uid?: number; gid?: number; nonRoot?: boolean } | undefined, kilnRoot: boolean): SeenAs | undefined {
  if (!runAs) return undefined;
  if (kilnRoot && runAs.uid === undefined && runAs.gid === undefined) return undefined;
  if (!kilnRoot && runAs.uid === undefined && runAs.gid === undefined && !runAs.nonRoot) return undefined;
  const defaultUser = runAs.uid === undefined && (kilnRoot || runAs.nonRoot);
  return { uid: runAs.uid ?? (defaultUser ? 65534 : 0), gid: runAs.gid ?? (defaultUser ? 65534 : 0) };
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
 * Confined as {@link CONFINEMENT} (or, kiln being root, {@link dropArgv}) says; the network is an
 * empty namespace unless `ownNetwork` is false.
 */
export function bwrapArgs(spec: SandboxSpec): string[] {
  const args: string[] = [];
  for (const r of spec.root) {
    if (r.op === 'ro-bind') args.push('--ro-bind', r.path, r.path);
    else if (r.op === 'symlink') args.push('--symlink', r.target, r.path);
    else args.push('--tmpfs', r.path);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp');
  for (const m of spec.masks) args.push('--tmpfs', m);
  args.push('--dir', '/tekton');
  // parents of mount points outside the host's entries: 0755 (bwrap would make them 0700, which the
  // unprivileged step user could not pass)
  const hostTops = new Set(spec.root.map((r) => '/' + r.path.split('/')[1]));
  const made = new Set<string>(['/tekton']);
  const inBind = (dir: string) => spec.binds.some((b) => dir === b.dest || dir.startsWith(b.dest + '/'));
  for (const b of spec.binds) {
    const parts = b.dest.split('/').filter(Boolean);
    if (parts.length < 2 || hostTops.has(`/${parts[0]}`)) continue;
    for (let i = 1; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/');
      if (made.has(dir) || inBind(dir)) continue; // inside a bind: the directory is the volume's own
      args.push('--dir', dir);
      made.add(dir);
    }
  }
  for (const b of sortBinds(spec.binds)) {
    if (b.fd !== undefined) args.push(b.readOnly ? '--ro-bind-fd' : '--bind-fd', String(b.fd), b.dest);
    else args.push(b.readOnly ? '--ro-bind' : '--bind', b.src, b.dest);
  }
  // working directories outside every bind are scratch space in the sandbox: writable by whoever runs there
  for (const d of spec.dirs ?? []) args.push('--perms', '1777', '--dir', d);
  args.push('--chdir', spec.cwd, ...(spec.dropTo ? ALWAYS : confinement(spec.seenAs)));
  if (spec.ownNetwork !== false) args.push('--unshare-ipc', '--unshare-net');
  args.push('--', ...(spec.dropTo ? dropArgv(spec.dropTo, spec.seenAs, spec.enter) : []), ...spec.argv);
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
