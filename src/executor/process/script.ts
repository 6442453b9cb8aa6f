// Step scripts as Tekton writes them (pkg/pod/script.go), and how kiln runs them on the host.

/** Tekton's preamble for a script without a shebang (`defaultScriptPreamble`). */
export const SCRIPT_PREAMBLE = '#!/bin/sh\nset -e\n';

/** The script file's text: the script itself, or the preamble + script when it has no `#!`. */
export function scriptText(script: string): string {
  return script.trimStart().startsWith('#!') ? script.trimStart() : SCRIPT_PREAMBLE + script;
}

/** A parsed `#!` line: the interpreter path, its one optional argument, and the program it names. */
export interface Shebang {
  interpreter: string;
  arg?: string;
  /** what actually runs: the interpreter's base name, or for `/usr/bin/env X` X's name */
  program: string;
}

/** Parses the first line of a script file's text (as returned by `scriptText`). */
export function parseShebang(text: string): Shebang | undefined {
  if (!text.startsWith('#!')) return undefined;
  const end = text.indexOf('\n');
  const line = text.slice(2, end < 0 ? undefined : end).trim();
  const m = /^(\S+)(?:\s+(.*))?$/.exec(line);
  if (!m) return undefined;
  const interpreter = m[1];
  const arg = m[2]?.trim() || undefined;
  const base = interpreter.slice(interpreter.lastIndexOf('/') + 1);
  if (base === 'env' && arg) {
    const words = arg.split(/\s+/).filter((w) => w !== '-S' && !w.includes('='));
    return { interpreter, arg, program: words[0] ?? base };
  }
  return { interpreter, arg, program: base };
}

/** Shells busybox stands in for (upstream examples rely on ash semantics: `==`, `[[`). */
export const SH_FAMILY: ReadonlySet<string> = new Set(['sh', 'ash']);

/**
 * The argv that runs the script file at `path` (as the process will see it) with `args`:
 * sh-family shebangs run under `busybox sh` when `busybox` is given; anything else is exec'd
 * directly so the kernel honours the shebang with the host's interpreter.
 */
export function scriptArgv(text: string, path: string, args: readonly string[], busybox?: string, prelude?: string): string[] {
  const sb = parseShebang(text);
  if (sb && busybox && SH_FAMILY.has(sb.program)) {
    const extra = sb.arg && sb.program === sb.interpreter.slice(sb.interpreter.lastIndexOf('/') + 1) ? [sb.arg] : [];
    // with a prelude (hostfirst.ts): sourced first, then the script, its $0 and $@ unchanged
    if (prelude) return [busybox, 'sh', ...extra, '-c', `. ${shQuote(prelude)}; . "$0"`, path, ...args];
    return [busybox, 'sh', ...extra, path, ...args];
  }
  return [path, ...args];
}

/** `s` as one sh word. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
