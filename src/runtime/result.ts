// The reconcile contract: what a reconciler is given and what it returns.
// Retry policy lives in the return value (controller-runtime): `{requeueAfter}` for a timed
// requeue, a thrown error for rate-limited retry, a TerminalError for no retry at all.

/** Identifies the object to reconcile; the reconciler reads its current state from the store. */
export interface Request {
  /** '' for cluster-scoped kinds */
  namespace: string;
  name: string;
}

/** `{requeueAfter: ms}` reconciles the key again after that long; nothing means done until the next event. */
export type Result = { requeueAfter?: number } | void;

/** Brings the world in line with the object named by `req`; must be safe to run twice. */
export interface Reconciler {
  reconcile(req: Request): Promise<Result>;
}

/** An error retrying cannot fix (bad user input, a missing referenced kind): logged, never requeued. */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** True for a TerminalError, also one from another copy of this module (matched by name). */
export function isTerminalError(e: unknown): boolean {
  return e instanceof TerminalError || (e instanceof Error && e.name === 'TerminalError');
}

/** The work-queue key of a request: `namespace/name` (`/name` for cluster-scoped kinds). */
export function requestKey(req: Request): string {
  return `${req.namespace}/${req.name}`;
}

/** The request of a work-queue key (inverse of requestKey; a key without '/' is a bare name). */
export function requestFromKey(key: string): Request {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
