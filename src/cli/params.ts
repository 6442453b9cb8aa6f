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

/**
 * Parses tkn's `-w` forms for a run on a server: `name=ws,emptyDir=`, `name=ws,claimName=pvc`,
 * `name=ws,config=cm[,item=key=path]`, `name=ws,secret=s[,item=key=path]`, each with an optional
 * `subPath=`. (A host directory, `-w ws=DIR`, is for `kiln run` on this machine only.)
 */
export function parseRemoteWorkspaces(flags: string[]): WorkspaceBinding[] {
  return flags.map(function binding(f): WorkspaceBinding {
    const parts = new Map<string, string>();
    const items: Array<{ key: string; path: string }> = [];
    for (const kv of f.split(',')) {
      const [k, v] = splitPair(kv, '-w');
      if (k === 'item') {
        const [key, path] = splitPair(v, `-w ${f}: item`);
        items.push({ key, path });
      } else parts.set(k, v);
    }
    const name = parts.get('name');
    const usage = 'expected name=WS,emptyDir= | name=WS,claimName=PVC | name=WS,config=CM | name=WS,secret=S (each may add subPath=…)';
    if (!name) throw new CliError(EXIT.invalid, `-w ${f}: ${usage}`);
    const b: WorkspaceBinding = { name };
    const sub = parts.get('subPath');
    if (sub) b.subPath = sub;
    const withItems = <T extends object>(src: T) => (items.length ? { ...src, items } : src);
    if (parts.has('emptyDir')) b.emptyDir = {};
    else if (parts.get('claimName')) b.persistentVolumeClaim = { claimName: parts.get('claimName')! };
    else if (parts.get('config')) b.configMap = withItems({ name: parts.get('config')! });
    else if (parts.get('secret')) b.secret = withItems({ secretName: parts.get('secret')! });
    else throw new CliError(EXIT.invalid, `-w ${f}: ${usage}`);
    return b;
  });
}
