// The error shape engine functions return (never throw): a Tekton reason and a message.

/** A problem that fails a run; `reason` is the Condition reason Tekton would report. */
export interface EngineError {
  reason: string;
  message: string;
}
