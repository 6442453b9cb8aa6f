// The live object as it would be after applying the desired one, in the manner of kubectl's three-way
// merge that Argo CD's default diff uses: fields the desired object sets win; fields the last-applied
// configuration had but the desired object dropped go; fields only the live object has (server
// defaults, other writers) stay. Lists of objects merge by a key (name, containerPort, …) or, for
// lists of equal length without one, item by item; other lists are replaced.
import { clone, deepEqual, isObj, type JObj, type Json } from './json.ts';

/** Keys Kubernetes' strategic merge uses for lists of objects, tried in this order. */
const MERGE_KEYS = ['name', 'containerPort', 'port', 'mountPath', 'devicePath', 'ip', 'type', 'topologyKey'] as const;

/** `desired` without null fields (a null in an applied object means "absent"). */
function withoutNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!isObj(v)) return v;
  const out: JObj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
  return out;
}

function mergeKeyOf(items: Json[]): string | undefined {
  if (!items.length || !items.every(isObj)) return undefined;
  return MERGE_KEYS.find(function unique(k) {
    const vals = (items as JObj[]).map((i) => i[k]);
    return vals.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(vals).size === vals.length;
  });
}

function mergeList(live: Json[], desired: Json[], orig: Json[] | undefined): Json[] {
  const key = mergeKeyOf(desired);
  if (key && live.every(isObj)) {
    const id = (o: Json) => JSON.stringify((o as JObj)[key] ?? null);
    const liveBy = new Map(live.map((l) => [id(l), l]));
    const origIds = new Set((orig ?? []).filter(isObj).map(id));
    const origBy = new Map((orig ?? []).filter(isObj).map((o) => [id(o), o]));
    const wanted = new Set(desired.map(id));
    const out = desired.map((d) => (liveBy.has(id(d)) ? mergeValue(liveBy.get(id(d))!, d, origBy.get(id(d))) : withoutNulls(d)));
    // items another writer added stay; items this configuration applied before and dropped now go
    for (const l of live) if (!wanted.has(id(l)) && !origIds.has(id(l))) out.push(l);
    return out;
  }
  if (live.length === desired.length && desired.every(isObj) && live.every(isObj)) {
    return desired.map((d, i) => mergeValue(live[i], d, orig?.[i]));
  }
  return withoutNulls(desired) as Json[];
}

/** The merge of one value: `live` as `desired` (and `orig`, the last-applied value) would leave it. */
export function mergeValue(live: Json | undefined, desired: Json, orig: Json | undefined): Json {
  if (isObj(desired)) {
    if (!isObj(live)) return withoutNulls(desired);
    const out: JObj = { ...live };
    for (const [k, d] of Object.entries(desired)) {
      if (d === null) {
        if (out[k] !== null) delete out[k];
      } else {
        out[k] = Object.hasOwn(live, k) ? mergeValue(live[k], d, isObj(orig) ? orig[k] : undefined) : withoutNulls(d);
      }
    }
    if (isObj(orig)) for (const k of Object.keys(orig)) if (!Object.hasOwn(desired, k)) delete out[k];
    return out;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return withoutNulls(desired);
    return mergeList(live, desired, Array.isArray(orig) ? orig : undefined);
  }
  return desired;
}

/** The predicted live object: `live` after applying `desired` with `orig` as the last-applied configuration. */
export function predictLive(orig: JObj, desired: JObj, live: JObj): JObj {
  return mergeValue(clone(live), desired, orig) as JObj;
}

/** Whether applying would change anything. */
export function changes(predicted: JObj, live: JObj): boolean {
  return !deepEqual(predicted, live);
}
