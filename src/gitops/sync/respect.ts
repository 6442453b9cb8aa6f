// RespectIgnoreDifferences=true: fields ignoreDifferences ignores keep their live value when syncing, as Argo
// CD does it: both sides normalised by the rules, the merge patch from the normalised live object back to the
// live object (exactly the ignored fields) applied to the normalised target.
import { applyIgnoreRules, matchingRules, type IgnoreRule, type JqEngine } from '../diff/ignore.ts';
import type { JObj } from '../diff/json.ts';
import { identityOf } from './tracking.ts';
import type { Obj } from './types.ts';

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** RFC 7386 merge patch turning `from` into `to`. */
export function mergePatch(from: Record<string, unknown>, to: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(to)) {
    if (!Object.hasOwn(from, k)) patch[k] = v;
    else if (isObj(v) && isObj(from[k])) {
      const sub = mergePatch(from[k] as Record<string, unknown>, v);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (!same(from[k], v)) patch[k] = v;
  }
  for (const k of Object.keys(from)) if (!Object.hasOwn(to, k)) patch[k] = null;
  return patch;
}

/** Applies an RFC 7386 merge patch (null deletes), returning a new object. */
export function applyMergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObj(v)) out[k] = applyMergePatch(isObj(out[k]) ? (out[k] as Record<string, unknown>) : {}, v);
    else out[k] = v;
  }
  return out;
}

/** The target with the live values of the fields the matching rules ignore (unchanged when no rule matches). */
export function respectIgnoreDifferences(target: Obj, live: Obj, rules: readonly IgnoreRule[], jq?: JqEngine): { target: Obj; warnings: string[] } {
  const id = identityOf(target);
  const matching = matchingRules(rules, id.group, id.kind, id.name, id.namespace);
  if (!matching.length) return { target, warnings: [] };
  const t = applyIgnoreRules(structuredClone(target) as JObj, matching, jq);
  const l = applyIgnoreRules(structuredClone(live) as JObj, matching, jq);
  const patch = mergePatch(l.obj, live);
  return { target: applyMergePatch(t.obj, patch), warnings: [...new Set([...t.warnings, ...l.warnings])] };
}
