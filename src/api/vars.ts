// Tekton variable expressions `$(…)`: extraction and parsing of the forms validation needs.
import type { ParamValue } from './param.types.ts';

/** The inner text of every `$(…)` in `s`, in order. */
export function expressionsIn(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/\$\(([^()]*)\)/g)) out.push(m[1]);
  return out;
}

/** Every string inside a param value (the value itself, array items or object values). */
export function stringsOf(v: ParamValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string');
  return Object.values(v).filter((x) => typeof x === 'string');
}

export interface ParamRef { name: string; key?: string; index?: string }

/**
 * Parses `params.x`, `params.x[*]`, `params.x[0]`, `params.obj.key`, `params['a.b']`,
 * `params["a.b"][*]`; undefined for other expressions.
 */
export function parseParamRef(expr: string): ParamRef | undefined {
  let m = /^params\[(['"])(.+?)\1\](?:\[(\*|\d+)\])?$/.exec(expr);
  if (m) return { name: m[2], index: m[3] };
  m = /^params\.([^.[\]]+)(?:\[(\*|\d+)\]|\.(.+))?$/.exec(expr);
  if (m) return { name: m[1], index: m[2], key: m[3] };
  return undefined;
}

export interface TaskVarRef {
  /** `tasks` or `finally` */
  scope: 'tasks' | 'finally';
  task: string;
  /** what is referenced: results, matrix, status, reason, outputs, inputs */
  what: string;
}

/** Parses `tasks.<t>.results.<r>…`, `tasks.<t>.status`, `finally.<t>.results.<r>` …; `tasks.status` gives undefined. */
export function parseTaskVarRef(expr: string): TaskVarRef | undefined {
  const m = /^(tasks|finally)\.([^.[\]]+)\.(results|matrix|status|reason|outputs|inputs)(?:$|[.[])/.exec(expr);
  if (!m) return undefined;
  return { scope: m[1] as 'tasks' | 'finally', task: m[2], what: m[3] };
}

/** Is this string (e.g. an `onError`) a whole `$(params…)` reference? */
export function isParamReference(s: string): boolean {
  return s.startsWith('$(params.') || s.startsWith('$(params[');
}
