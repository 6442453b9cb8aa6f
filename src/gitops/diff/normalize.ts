// Argo CD's normalisation before comparing: drop creationTimestamp, fold a Secret's stringData into
// base64 data; and, for display, drop what the server sets (uid, resourceVersion, generation,
// managedFields, selfLink, the kubectl last-applied annotation, status the desired object does not set).
import { isObj, type JObj } from './json.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function isSecret(o: JObj): boolean {
  return o.apiVersion === 'v1' && o.kind === 'Secret';
}

/** UTF-8 → base64, without node:buffer. */
export function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** In place: the normalisation Argo CD applies to desired, live and last-applied alike. */
export function normalizeInPlace(o: JObj): void {
  const meta = o.metadata;
  if (isObj(meta)) delete meta.creationTimestamp;
  if (isSecret(o)) normalizeSecret(o);
}

/** stringData values become base64 `data` (non-strings are kept as they are, so an invalid Secret differs); null data values become "". */
function normalizeSecret(o: JObj): void {
  if (isObj(o.stringData)) {
    const data: JObj = isObj(o.data) ? o.data : {};
    for (const [k, v] of Object.entries(o.stringData)) data[k] = typeof v === 'string' ? base64(v) : v;
    o.data = data;
    delete o.stringData;
  }
  if (isObj(o.data)) for (const [k, v] of Object.entries(o.data)) if (v === null) o.data[k] = '';
}

const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'managedFields', 'selfLink', 'creationTimestamp'] as const;

/** In place, for display: removes server-set fields; `status` only when the desired object has none. */
export function stripServerFields(o: JObj, desiredHasStatus: boolean): void {
  const meta = o.metadata;
  if (isObj(meta)) {
    for (const f of SERVER_METADATA) delete meta[f];
    if (isObj(meta.annotations)) {
      delete meta.annotations[LAST_APPLIED];
      if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
    }
  }
  if (!desiredHasStatus) delete o.status;
}

/** Copies of two Secrets with every data value replaced by `+` runs (equal values, equal runs), so a diff shows which keys changed but not their values. */
export function maskSecrets(a: JObj | null, b: JObj | null): [JObj | null, JObj | null] {
  const secret = (a && isSecret(a)) || (b && isSecret(b));
  if (!secret) return [a, b];
  const codes = new Map<string, string>();
  function mask(o: JObj | null): JObj | null {
    if (!o) return o;
    const c = structuredClone(o);
    for (const field of ['data', 'stringData']) {
      const d = c[field];
      if (!isObj(d)) continue;
      for (const [k, v] of Object.entries(d)) {
        const key = JSON.stringify(v);
        if (!codes.has(key)) codes.set(key, '+'.repeat(8 + codes.size));
        d[k] = codes.get(key)!;
      }
    }
    const ann = isObj(c.metadata) && isObj(c.metadata.annotations) ? c.metadata.annotations : undefined;
    if (ann && typeof ann[LAST_APPLIED] === 'string') ann[LAST_APPLIED] = '++++++++';
    return c;
  }
  return [mask(a), mask(b)];
}
