// diffResource: Argo CD's comparison of one desired object (from Git) with its live object. Both are
// normalised (creationTimestamp, Secret stringData, ignoreDifferences, managed fields of trusted
// managers); the live object is then predicted after applying the desired one (three-way with the
// kubectl last-applied annotation when present, else with the desired object as the last applied), and
// the resource is OutOfSync when the prediction differs from the live object. Fields only the live
// object has (server defaults, status, uid…) are therefore never a difference.
import { applySchemeDefaults } from './defaults.ts';
import { applyIgnoreRules, matchingRules, normalizeManagedFields, type IgnoreRule, type JqEngine } from './ignore.ts';
import { clone, deepEqual, isObj, type JObj } from './json.ts';
import { predictLive } from './merge.ts';
import { LAST_APPLIED, maskSecrets, normalizeInPlace, stripServerFields } from './normalize.ts';
import { unifiedDiff } from './unified.ts';

export interface DiffOptions {
  /** the Application's spec.ignoreDifferences plus the system-wide rules; only those matching the object apply */
  ignoreDifferences?: readonly IgnoreRule[];
  /** needed when a rule has jqPathExpressions (see gitops/jq.ts loadJq) */
  jq?: JqEngine;
}

export interface DiffResult {
  /** true = OutOfSync */
  modified: boolean;
  /** unified diff of the live and predicted objects as YAML, '' when in sync; Secret values masked */
  diff: string;
  /** the live object after normalisation, server fields dropped, Secret values masked (null when missing) */
  normalizedLive: JObj | null;
  /** the live object as it would be after a sync, same treatment (null when the object is to be pruned) */
  normalizedDesired: JObj | null;
  /** ignoreDifferences that could not be applied, a broken last-applied annotation… */
  warnings: string[];
}

export type SyncStatus = 'Synced' | 'OutOfSync';

/** Synced / OutOfSync of a diff result. */
export function syncStatusOf(r: DiffResult): SyncStatus {
  return r.modified ? 'OutOfSync' : 'Synced';
}

function identity(o: JObj): { group: string; kind: string; name: string; namespace: string } {
  const av = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  const meta = isObj(o.metadata) ? o.metadata : {};
  return {
    group: av.includes('/') ? av.slice(0, av.indexOf('/')) : '',
    kind: String(o.kind ?? ''),
    name: String(meta.name ?? ''),
    namespace: String(meta.namespace ?? ''),
  };
}

/** A display name: `group/Kind/namespace/name` (core group and cluster scope left out). */
export function resourceName(o: JObj): string {
  const id = identity(o);
  return [id.group, id.kind, id.namespace, id.name].filter(Boolean).join('/');
}

/** Namespace and empty annotations go from the applied sides: the live namespace is never compared. */
function withoutNamespace(o: JObj): JObj {
  const c = clone(o);
  if (isObj(c.metadata)) {
    delete c.metadata.namespace;
    const a = c.metadata.annotations;
    if (a === null || (isObj(a) && Object.keys(a).length === 0)) delete c.metadata.annotations;
  }
  return c;
}

function lastApplied(live: JObj, warnings: string[]): JObj | undefined {
  const raw = isObj(live.metadata) && isObj(live.metadata.annotations) ? live.metadata.annotations[LAST_APPLIED] : undefined;
  if (typeof raw !== 'string') return undefined;
  try {
    const o = JSON.parse(raw) as unknown;
    return isObj(o as JObj) ? (o as JObj) : undefined;
  } catch (e) {
    warnings.push(`metadata.annotations["${LAST_APPLIED}"]: not JSON (${(e as Error).message}); compared two-way`);
    return undefined;
  }
}

/** Compares desired (null: the object is to be pruned) with live (null: missing). Pure; never throws on user input. */
export function diffResource(desired: JObj | null, live: JObj | null, opts: DiffOptions = {}): DiffResult {
  const warnings: string[] = [];
  const subject = desired ?? live;
  if (!subject) return { modified: false, diff: '', normalizedLive: null, normalizedDesired: null, warnings };
  const id = identity(subject);
  const rules = matchingRules(opts.ignoreDifferences ?? [], id.group, id.kind, id.name, id.namespace);
  let d = desired ? clone(desired) : null;
  let l = live ? clone(live) : null;
  const managers = rules.flatMap((r) => r.managedFieldsManagers ?? []);
  if (d && l && managers.length) ({ live: l, desired: d } = normalizeManagedFields(l, d, managers));
  function normalize(o: JObj): JObj {
    normalizeInPlace(o);
    const r = applyIgnoreRules(o, rules, opts.jq);
    warnings.push(...r.warnings.filter((w) => !warnings.includes(w)));
    return r.obj;
  }
  if (d) d = normalize(d);
  if (l) l = normalize(l);
  let predicted: JObj | null = d;
  if (d && l) {
    const orig = lastApplied(l, warnings);
    predicted = predictLive(withoutNamespace(orig ? normalize(orig) : d), withoutNamespace(d), l);
    applySchemeDefaults(predicted);
    applySchemeDefaults(l);
  }
  const modified = !d || !l || !deepEqual(predicted, l);
  const desiredHasStatus = !!desired && desired.status !== undefined;
  const shown = [l, predicted].map(function display(o) {
    if (!o) return null;
    const c = clone(o);
    stripServerFields(c, desiredHasStatus);
    return c;
  });
  const diff = modified ? unifiedDiff(resourceName(subject), shown[0], shown[1]) : '';
  const [normalizedLive, normalizedDesired] = maskSecrets(shown[0], shown[1]);
  return { modified, diff, normalizedLive, normalizedDesired, warnings };
}
