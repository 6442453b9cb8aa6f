// Update predicates: which updates of a watched object are worth a reconcile.
import type { KObject } from '../api/meta.ts';

/**
 * False for updates that only touch status — for a controller's primary kind those are its own
 * writes coming back and need no reconcile. Spec (generation), labels, annotations, finalizers
 * and deletion count.
 */
export function notOnlyStatus(oldObj: KObject, newObj: KObject): boolean {
  const o = oldObj.metadata;
  const n = newObj.metadata;
  return o.generation !== n.generation
    || o.deletionTimestamp !== n.deletionTimestamp
    || JSON.stringify([o.labels, o.annotations, o.finalizers]) !== JSON.stringify([n.labels, n.annotations, n.finalizers]);
}
