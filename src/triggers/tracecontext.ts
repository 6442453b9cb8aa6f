// W3C Trace Context (https://www.w3.org/TR/trace-context/) as an EventListener passes it on: the
// `traceparent` header of a delivery becomes an annotation of what its triggers create, and a
// PipelineRun passes its annotations to its TaskRuns, so each run's spans join the caller's trace.

/** The annotation holding the W3C traceparent a run's trace continues. */
export const ANNOTATION_TRACEPARENT = 'kiln.dev/traceparent';

/** A parsed traceparent: version 00, 32-hex trace id, 16-hex parent span id, flags. */
export interface TraceParent { traceId: string; spanId: string; flags: string }

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The traceparent in `value`, or undefined when it is not a valid one (all-zero ids, version ff, junk). */
export function parseTraceParent(value: string | undefined): TraceParent | undefined {
  const m = TRACEPARENT.exec((value ?? '').trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

/** `00-<trace>-<span>-<flags>`. */
export function formatTraceParent(t: TraceParent): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}
