// A request refused for the size of its body (413) is answered once the rest of the body has been
// read and thrown away, up to a bound. Closing a connection while the client is still sending
// leaves unread data in the kernel, which then resets the connection (RST): the client sees
// ECONNRESET or EPIPE instead of the 413. Draining first lets every client read the answer.
import type { Readable } from 'node:stream';

/** How much of a refused body is read and thrown away before giving up on it (64 MiB). */
export const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
/** How long a refused body may pause before giving up on it (5 s). */
export const DISCARD_IDLE_MS = 5_000;

export interface DiscardLimits {
  /** bytes to read at most (default DISCARD_MAX_BYTES) */
  maxBytes?: number;
  /** give up after this long without data (default DISCARD_IDLE_MS) */
  idleMs?: number;
}

/**
 * How a discard ended: `end` (the whole body was read), `limit` (more than maxBytes), `idle` (no
 * data for idleMs), `closed` (the connection went first).
 */
export type DiscardEnd = 'end' | 'limit' | 'idle' | 'closed';

/** Reads the rest of a request body and throws it away; never rejects. */
export function discardBody(body: Readable & { complete?: boolean }, { maxBytes = DISCARD_MAX_BYTES, idleMs = DISCARD_IDLE_MS }: DiscardLimits = {}): Promise<DiscardEnd> {
  if (body.readableEnded || body.complete === true) return Promise.resolve('end');
  if (body.destroyed) return Promise.resolve('closed');
  return new Promise((resolve) => {
    let read = 0;
    let timer = setTimeout(() => finish('idle'), idleMs);
    function onData(chunk: Buffer | string): void {
      read += chunk.length;
      if (read > maxBytes) return finish('limit');
      clearTimeout(timer);
      timer = setTimeout(() => finish('idle'), idleMs);
    }
    const onEnd = () => finish('end');
    const onClose = () => finish('closed');
    function finish(how: DiscardEnd): void {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('close', onClose);
      body.off('error', onClose);
      if (how === 'limit' || how === 'idle') body.pause();
      resolve(how);
    }
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('close', onClose);
    body.once('error', onClose);
    body.resume();
  });
}
