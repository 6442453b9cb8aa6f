// `kiln get events`: core/v1 Events (runs' Started/Running/Succeeded/Failed, trigger records) in
// the order they happened, oldest first as `kubectl events` prints them, with kubectl's columns
// and the delivery id of the webhook delivery a trigger record is about.
import type { KObject } from '../api/meta.ts';

/** The annotation the webhook sink puts the delivery id in (`X-Github-Delivery:…`); the server's ANNOTATION_DELIVERY. */
export const DELIVERY_ANNOTATION = 'kiln.dev/delivery-id';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const field = (o: unknown, k: string): unknown => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);

/** When an Event last happened: lastTimestamp, else eventTime, firstTimestamp, creationTimestamp ('' when none). */
export function lastSeen(e: KObject): string {
  return text(e.lastTimestamp) || text(e.eventTime) || text(e.firstTimestamp) || (e.metadata.creationTimestamp ?? '');
}

/** The store's order of writes, for Events recorded within the same millisecond (Started before Running). */
function writeOrder(a: KObject, b: KObject): number {
  const ra = a.metadata.resourceVersion ?? '';
  const rb = b.metadata.resourceVersion ?? '';
  if (/^\d+$/.test(ra) && /^\d+$/.test(rb)) return ra.length - rb.length || (ra < rb ? -1 : ra > rb ? 1 : 0);
  return 0;
}

/** Oldest first by when each Event last happened (timestamps compared as instants), then as written, then by name. */
export function byTime(a: KObject, b: KObject): number {
  const ta = Date.parse(lastSeen(a));
  const tb = Date.parse(lastSeen(b));
  const t = (Number.isNaN(ta) ? -Infinity : ta) - (Number.isNaN(tb) ? -Infinity : tb);
  return (Number.isNaN(t) ? 0 : Math.sign(t)) || writeOrder(a, b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** kubectl's columns for Events, with DELIVERY (empty for Events that are not about a webhook delivery) before MESSAGE. */
export const EVENT_HEAD = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'DELIVERY', 'MESSAGE'];

/** One row under EVENT_HEAD; `age` formats how long ago an instant was. */
export function eventRow(e: KObject, age: (iso: string | undefined) => string): string[] {
  const involved = e.involvedObject;
  return [
    age(lastSeen(e) || undefined),
    text(e.type),
    text(e.reason),
    `${text(field(involved, 'kind')).toLowerCase()}/${text(field(involved, 'name'))}`,
    e.metadata.annotations?.[DELIVERY_ANNOTATION] ?? '',
    text(e.message),
  ];
}
