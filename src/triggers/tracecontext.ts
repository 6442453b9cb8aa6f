// W3C Trace Context (https://www.w3.org/TR/trace-context/) as an EventListener passes it on: the
// `traceparent` header of a delivery becomes an annotation of what its triggers create, and a
// PipelineRun passes its annotations to its TaskRuns, so each run's spans join the caller's trace.
// The ids of a run's spans derive from its uid, so the span of a step is known before it runs
// (its TRACEPARENT) and is the same whoever computes it (the tracing controller, the plan).
import { createHash } from 'node:crypto';
import type { KObject } from '../api/meta.ts';

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

function hex(bytes: number, ...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, bytes * 2);
}

/** The uid of the PipelineRun that owns `run`, if any. */
function ownerRunUid(run: KObject): string | undefined {
  return run.metadata.ownerReferences?.find((o) => o.kind === 'PipelineRun' && o.controller)?.uid
    ?? run.metadata.ownerReferences?.find((o) => o.kind === 'PipelineRun')?.uid;
}

/** The trace context a run carries (its annotation), if a valid one. */
export function runTraceParent(run: KObject): TraceParent | undefined {
  return parseTraceParent(run.metadata.annotations?.[ANNOTATION_TRACEPARENT]);
}

/**
 * The trace a run belongs to: the one its trace context names, else one derived from the
 * PipelineRun that owns it (or from itself), so a PipelineRun and its TaskRuns share a trace.
 */
export function runTraceId(run: KObject): string {
  return runTraceParent(run)?.traceId ?? hex(16, 'kiln-trace', ownerRunUid(run) ?? run.metadata.uid ?? '');
}

/** The span id of the run of `uid`. */
export function runSpanId(uid: string): string {
  return hex(8, 'kiln-span', uid);
}

/** The span id of step `step` of attempt `attempt` of the TaskRun of `uid`. */
export function stepSpanId(uid: string, attempt: number, step: string): string {
  return hex(8, 'kiln-step', uid, String(attempt), step);
}

/**
 * The parent of a run's span: the PipelineRun that owns it, else the caller's span its trace
 * context names (a remote parent), else none (a root span).
 */
export function runParentSpan(run: KObject): { spanId: string; remote: boolean } | undefined {
  const owner = ownerRunUid(run);
  if (owner) return { spanId: runSpanId(owner), remote: false };
  const tp = runTraceParent(run);
  return tp ? { spanId: tp.spanId, remote: true } : undefined;
}

/**
 * The TRACEPARENT a step gets: its own span in the run's trace, when the run carries a trace
 * context or kiln exports traces (`always`); sampled as the run's trace context says (default yes).
 */
export function stepTraceParent(run: KObject, attempt: number, step: string, always: boolean): string | undefined {
  const tp = runTraceParent(run);
  if (!tp && !always) return undefined;
  return formatTraceParent({ traceId: runTraceId(run), spanId: stepSpanId(run.metadata.uid ?? '', attempt, step), flags: tp?.flags ?? '01' });
}
