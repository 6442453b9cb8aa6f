// The JSONPath subset of CRDs' additionalPrinterColumns: `.spec.replicas`, `.a.b[0]`, `.a[*].b`,
// `.status.conditions[?(@.type=="Ready")].status`, `.metadata.labels['app\.kubernetes\.io/name']`.
// Pure; a path it cannot read yields no values (an empty cell), never an exception.
import { isPlainObject } from '../normalize.ts';

type Step = { key: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

/** Splits a path into steps; undefined when it is not in the supported subset. */
export function parseJsonPath(path: string): Step[] | undefined {
  const steps: Step[] = [];
  let rest = path.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '');
  while (rest.length) {
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z0-9_-]+)/.exec(rest))) steps.push({ key: m[1] });
    else if ((m = /^\[(\d+)\]/.exec(rest))) steps.push({ index: Number(m[1]) });
    else if ((m = /^\[\*\]/.exec(rest))) steps.push({ all: true });
    else if ((m = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest)) || (m = /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest))) steps.push({ key: m[1].replace(/\\(.)/g, '$1') });
    else if ((m = /^\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*==\s*(?:"([^"]*)"|'([^']*)')\)\]/.exec(rest))) {
      steps.push({ filter: { path: m[1].slice(1).split('.'), value: m[2] ?? m[3] } });
    } else return undefined;
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/** Every value `path` reaches in `obj` (none when the path is unsupported or leads nowhere). */
export function evalJsonPath(obj: unknown, path: string): unknown[] {
  const steps = parseJsonPath(path);
  if (!steps) return [];
  let current: unknown[] = [obj];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('key' in step) { if (isPlainObject(v) && Object.hasOwn(v, step.key)) next.push(v[step.key]); }
      else if ('index' in step) { if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]); }
      else if ('all' in step) { if (Array.isArray(v)) next.push(...v); else if (isPlainObject(v)) next.push(...Object.values(v)); }
      else if (Array.isArray(v)) {
        next.push(...v.filter((x) => String(step.filter.path.reduce<unknown>((o, k) => (isPlainObject(o) ? o[k] : undefined), x)) === step.filter.value));
      }
    }
    current = next;
  }
  return current.filter((v) => v !== undefined);
}
