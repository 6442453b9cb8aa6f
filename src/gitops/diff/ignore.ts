// ignoreDifferences as Argo CD applies them: per Application (spec.ignoreDifferences) and system-wide
// (argocd-cm resource.customizations.ignoreDifferences.<group>_<kind> / .all). JSON pointers and jq path
// expressions remove fields from both sides before comparing; managedFieldsManagers drop the fields
// those managers own in the live object wherever desired and live disagree on them.
import { parse } from 'yaml';
import { clone, deepEqual, isObj, parsePointer, removeAt, type JObj, type Json } from './json.ts';

/** One ignoreDifferences entry (Application spec or argocd-cm). */
export interface IgnoreRule {
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers?: string[];
  jqPathExpressions?: string[];
  managedFieldsManagers?: string[];
}

/** jq with `del(path)`: returns the object without the paths `expr` selects; throws on a bad expression. */
export interface JqEngine {
  deletePaths(obj: JObj, expr: string): JObj;
}

function glob(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined || pattern === '') return value === '';
  if (!pattern.includes('*')) return pattern === value;
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
}

/** The rules that apply to an object of this group/kind/name/namespace. */
export function matchingRules(rules: readonly IgnoreRule[], group: string, kind: string, name: string, namespace: string): IgnoreRule[] {
  return rules.filter((r) => glob(r.group ?? '', group) && glob(r.kind, kind)
    && (!r.name || r.name === name) && (!r.namespace || glob(r.namespace, namespace)));
}

/** In place: removes what the rules' JSON pointers and jq expressions select; returns problems (bad pointer, jq error). */
export function applyIgnoreRules(o: JObj, rules: readonly IgnoreRule[], jq?: JqEngine): { obj: JObj; warnings: string[] } {
  const warnings: string[] = [];
  let obj = o;
  for (const r of rules) {
    for (const p of r.jsonPointers ?? []) {
      try {
        removeAt(obj, parsePointer(p));
      } catch (e) {
        warnings.push(`ignoreDifferences jsonPointers ${p}: ${(e as Error).message}`);
      }
    }
    for (const expr of r.jqPathExpressions ?? []) {
      if (!jq) {
        warnings.push(`ignoreDifferences jqPathExpressions ${expr}: no jq engine loaded`);
        continue;
      }
      try {
        obj = jq.deletePaths(obj, expr);
      } catch (e) {
        warnings.push(`ignoreDifferences jqPathExpressions ${expr}: ${(e as Error).message}`);
      }
    }
  }
  return { obj, warnings };
}

type Step = { field: string } | { key: JObj } | { value: Json } | { index: number };

/** Leaf paths of a managedFields `fieldsV1` set (f:field, k:{key}, v:value, i:index; `.` is the node itself). */
export function fieldPaths(set: unknown, prefix: Step[] = []): Step[][] {
  if (!isObj(set)) return [];
  const children = Object.entries(set).filter(([k]) => k !== '.');
  if (!children.length) return prefix.length ? [prefix] : [];
  const out: Step[][] = [];
  for (const [k, sub] of children) {
    const rest = k.slice(2);
    let step: Step | undefined;
    try {
      if (k.startsWith('f:')) step = { field: rest };
      else if (k.startsWith('k:')) step = { key: JSON.parse(rest) as JObj };
      else if (k.startsWith('v:')) step = { value: JSON.parse(rest) as Json };
      else if (k.startsWith('i:')) step = { index: Number(rest) };
    } catch {
      step = undefined;
    }
    if (step) out.push(...fieldPaths(sub, [...prefix, step]));
  }
  return out;
}

/** The container and index/key of the value a path ends at, or undefined. */
function locate(root: Json, path: Step[]): { parent: JObj | Json[]; at: string | number } | undefined {
  let cur: Json = root;
  let found: { parent: JObj | Json[]; at: string | number } | undefined;
  for (const s of path) {
    if ('field' in s) {
      if (!isObj(cur) || !Object.hasOwn(cur, s.field)) return undefined;
      found = { parent: cur, at: s.field };
      cur = cur[s.field];
    } else {
      if (!Array.isArray(cur)) return undefined;
      const i = 'index' in s ? s.index
        : 'key' in s ? cur.findIndex((x) => isObj(x) && Object.entries(s.key).every(([k, v]) => deepEqual(x[k], v)))
          : cur.findIndex((x) => deepEqual(x, s.value));
      if (i < 0 || i >= cur.length) return undefined;
      found = { parent: cur, at: i };
      cur = cur[i];
    }
  }
  return found;
}

function valueAt(l: { parent: JObj | Json[]; at: string | number }): Json {
  return Array.isArray(l.parent) ? l.parent[l.at as number] : l.parent[l.at as string];
}

function remove(l: { parent: JObj | Json[]; at: string | number }): void {
  if (Array.isArray(l.parent)) l.parent.splice(l.at as number, 1);
  else delete l.parent[l.at as string];
}

/**
 * Copies of live and desired without the fields that a trusted manager owns in live and on which the two
 * disagree (so another controller's value, e.g. an autoscaler's replicas, is not a difference).
 */
export function normalizeManagedFields(live: JObj, desired: JObj, managers: readonly string[]): { live: JObj; desired: JObj } {
  const l = clone(live), d = clone(desired);
  const entries = Array.isArray(isObj(live.metadata) ? live.metadata.managedFields : undefined) ? (live.metadata as JObj).managedFields as Json[] : [];
  const paths = entries.filter((e) => isObj(e) && managers.includes(String(e.manager))).flatMap((e) => fieldPaths((e as JObj).fieldsV1));
  // deepest first, so removing an item of a list does not shift a path still to be visited
  for (const p of paths.sort((a, b) => b.length - a.length)) {
    const inLive = locate(l, p), inDesired = locate(d, p);
    if (inLive && inDesired && !deepEqual(valueAt(inLive), valueAt(inDesired))) {
      remove(inLive);
      remove(inDesired);
    }
  }
  return { live: l, desired: d };
}

const SYSTEM_PREFIX = 'resource.customizations.ignoreDifferences.';

/** System-wide rules from an argocd-cm ConfigMap's data; `errors` name the key at fault. */
export function parseSystemIgnoreRules(data: Record<string, unknown> | undefined): { rules: IgnoreRule[]; errors: string[] } {
  const rules: IgnoreRule[] = [];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(data ?? {})) {
    if (!key.startsWith(SYSTEM_PREFIX)) continue;
    const suffix = key.slice(SYSTEM_PREFIX.length);
    let group = '*', kind = '*';
    if (suffix !== 'all') {
      const parts = suffix.split('_');
      if (parts.length === 2 && parts[0] && parts[1]) [group, kind] = parts;
      else if (parts.length === 1 && parts[0]) [group, kind] = ['', parts[0]];
      else { errors.push(`data.${key}: expected ${SYSTEM_PREFIX}<group>_<kind>, <kind> or all`); continue; }
    }
    let doc: unknown;
    try {
      doc = typeof value === 'string' ? parse(value) : value;
    } catch (e) {
      errors.push(`data.${key}: not YAML: ${(e as Error).message}`);
      continue;
    }
    if (!isObj(doc as Json)) { errors.push(`data.${key}: expected a map with jsonPointers, jqPathExpressions or managedFieldsManagers`); continue; }
    const o = doc as JObj;
    const list = (f: string): string[] | undefined => {
      const v = o[f];
      if (v === undefined || v === null) return undefined;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      errors.push(`data.${key}.${f}: expected a list of strings`);
      return undefined;
    };
    rules.push({ group, kind, jsonPointers: list('jsonPointers'), jqPathExpressions: list('jqPathExpressions'), managedFieldsManagers: list('managedFieldsManagers') });
  }
  return { rules, errors };
}
