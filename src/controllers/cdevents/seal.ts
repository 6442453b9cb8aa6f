// Outbox entries are sealed with a key only kiln serve holds (in its data directory, 0600): an
// entry created through the API (the kind is served, and a CRD's objects can be written by whoever
// may write in the namespace) carries no valid seal and is never delivered, so nobody sends
// events to the sinks in kiln's name by writing an outbox entry.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { OutboxEntry } from './outbox.ts';

/** The annotation holding an entry's seal: HMAC-SHA256 of its spec, hex. */
export const ANNOTATION_SEAL = 'cdevents.kiln.dev/seal';

/** The seal of `spec` under `key`. */
export function sealOf(key: Buffer, spec: OutboxEntry['spec']): string {
  return createHmac('sha256', key).update(JSON.stringify(spec)).digest('hex');
}

/** Whether `entry` carries the seal of its spec under `key`. */
export function isSealed(key: Buffer, entry: OutboxEntry): boolean {
  const got = Buffer.from(entry.metadata.annotations?.[ANNOTATION_SEAL] ?? '', 'hex');
  const want = Buffer.from(sealOf(key, entry.spec), 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The key in `path` (created, 32 random bytes, 0600, when absent). */
export function readOrCreateSealKey(path: string): Buffer {
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}
