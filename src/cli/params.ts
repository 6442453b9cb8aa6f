// `-p name=value` and `-w name=DIR` as tkn spells them.
import type { Param, ParamSpec, ParamValue } from '../api/param.types.ts';
import type { WorkspaceBinding } from '../api/workspace.types.ts';
import { CliError, EXIT } from './exit.ts';

function splitPair(s: string, flag: string): [string, string] {
  const i = s.indexOf('=');
  if (i <= 0) throw new CliError(EXIT.invalid, `${flag} ${s}: expected name=value`);
  return [s.slice(0, i), s.slice(i + 1)];
}

/**
 * Parses `-p` values. The declared type decides the shape: arrays `a,b,c`, objects `k1:v1,k2:v2`,
 * strings verbatim. Undeclared params are strings.
 */
export function parseParams(flags: string[], specs: ParamSpec[] = []): Param[] {
  const out: Param[] = [];
  for (const f of flags) {
    const [name, raw] = splitPair(f, '-p');
    const spec = specs.find((s) => s.name === name);
    const type = spec?.type ?? (spec?.properties ? 'object' : Array.isArray(spec?.default) ? 'array' : 'string');
    let value: ParamValue = raw;
    if (type === 'array') value = raw === '' ? [] : raw.split(',');
    else if (type === 'object') {
      const obj: Record<string, string> = {};
      for (const kv of raw.split(',')) {
        const j = kv.indexOf(':');
        if (j <= 0) throw new CliError(EXIT.invalid, `-p ${f}: object param "${name}" expects key:value pairs separated by commas`);
        obj[kv.slice(0, j)] = kv.slice(j + 1);
      }
      value = obj;
    }
    const existing = out.findIndex((p) => p.name === name);
    if (existing >= 0) out.splice(existing, 1);
    out.push({ name, value });
  }
  return out;
}

/** Parses `-w name=DIR` into host-directory bindings (paths made absolute by the caller's resolver). */
export function parseWorkspaces(flags: string[], resolvePath: (p: string) => string): WorkspaceBinding[] {
  return flags.map((f) => {
    const [name, dir] = splitPair(f, '-w');
    if (!dir) throw new CliError(EXIT.invalid, `-w ${f}: expected name=DIR`);
    return { name, hostPath: { path: resolvePath(dir) } };
  });
}

/** Replaces or adds params by name. */
export function mergeParams(base: Param[] | undefined, extra: Param[]): Param[] {
  const out = (base ?? []).filter((p) => !extra.some((e) => e.name === p.name));
  return [...out, ...extra];
}
