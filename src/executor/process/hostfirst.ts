// busybox as the shell only. busybox's ash runs its own applet for a command name before searching
// PATH (it is built "standalone"), so under `busybox sh` a script's `tar --exclude …` or `ls
// --time-style` got busybox's reduced tools although the host has GNU's. The prelude sourced before
// a script defines, for each applet, a function that runs the first executable of that name on the
// script's PATH at call time, and the applet only when PATH has none. Shell builtins (echo, test,
// printf, …) and the shells themselves are left alone.
import { spawnSync } from 'node:child_process';

/** Names never wrapped: nested shells stay busybox's ash (the semantics scripts were written for). */
const KEEP = new Set(['sh', 'ash', 'busybox']);

/** The applets among `applets` that are ash builtins in `busybox` (one spawn, one `type` of them all). */
export function ashBuiltins(busybox: string, applets: ReadonlySet<string>): Set<string> {
  const names = [...applets].filter((a) => /^[A-Za-z0-9_.[-]+$/.test(a));
  const r = spawnSync(busybox, ['sh', '-c', 'type "$@" 2>&1; true', 'sh', ...names], { encoding: 'utf8', timeout: 10_000 });
  const out = new Set<string>();
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^(\S+) is a (?:special )?shell builtin$/.exec(line);
    if (m && applets.has(m[1])) out.add(m[1]);
  }
  return out;
}

/** Applet names a shell function may take (ash's names: no `-`, `.` or `[`; e.g. run-parts stays the applet). */
function functionName(n: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(n);
}

/**
 * The prelude's text: `__kiln_host NAME ARGS…` runs NAME from PATH (the applet of `busybox` when
 * PATH has none), and one function per name of `commands` calls it.
 */
export function hostFirstPrelude(busybox: string, commands: Iterable<string>): string {
  const fns = [...commands].filter((c) => !KEEP.has(c) && functionName(c)).sort().map((c) => `${c}() { __kiln_host ${c} "$@"; }`);
  return [
    '# kiln: host tools before busybox applets (see src/executor/process/hostfirst.ts)',
    '__kiln_host() {',
    '  local __c="$1" __p="$PATH:" __d',
    '  shift',
    '  while [ -n "$__p" ]; do',
    '    __d="${__p%%:*}"; __p="${__p#*:}"',
    '    if [ -f "${__d:-.}/$__c" ] && [ -x "${__d:-.}/$__c" ]; then "${__d:-.}/$__c" "$@"; return; fi',
    '  done',
    `  ${busybox} "$__c" "$@"`,
    '}',
    ...fns,
    '',
  ].join('\n');
}

/**
 * The applets to wrap: every one that is not an ash builtin (nor a shell). Not only those the host
 * has now: each function looks PATH up when called, so a tool installed later is found too, and
 * the prelude depends on busybox alone (it is cached per busybox binary).
 */
export function hostFirstCommands(applets: ReadonlySet<string>, builtins: ReadonlySet<string>): string[] {
  return [...applets].filter((a) => !builtins.has(a) && !KEEP.has(a));
}
