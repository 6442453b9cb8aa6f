// The CDEvents v0.5.1 envelope: types, the event type strings kiln emits, stable ids, and one
// generic builder every typed builder (runs.ts, tests.ts, scm.ts, artifacts.ts) goes through.
// Pure: no clock and no randomness; the caller passes the timestamp, ids derive from the cause.
import { createHash } from 'node:crypto';

/** The CDEvents specification version kiln speaks (context.specversion). */
export const CDEVENTS_SPEC_VERSION = '0.5.1';

/** The v0.5.1 event types kiln builds (schemas under cdevents/schemas). */
export const CDEventType = {
  PipelineRunQueued: 'dev.cdevents.pipelinerun.queued.0.3.0',
  PipelineRunStarted: 'dev.cdevents.pipelinerun.started.0.3.0',
  PipelineRunFinished: 'dev.cdevents.pipelinerun.finished.0.3.0',
  TaskRunStarted: 'dev.cdevents.taskrun.started.0.3.0',
  TaskRunFinished: 'dev.cdevents.taskrun.finished.0.3.0',
  TestSuiteRunStarted: 'dev.cdevents.testsuiterun.started.0.3.0',
  TestSuiteRunFinished: 'dev.cdevents.testsuiterun.finished.0.3.0',
  TestCaseRunStarted: 'dev.cdevents.testcaserun.started.0.3.0',
  TestCaseRunFinished: 'dev.cdevents.testcaserun.finished.0.3.0',
  ChangeCreated: 'dev.cdevents.change.created.0.4.0',
  ChangeMerged: 'dev.cdevents.change.merged.0.3.0',
  RepositoryModified: 'dev.cdevents.repository.modified.0.3.0',
  BranchCreated: 'dev.cdevents.branch.created.0.3.0',
  BranchDeleted: 'dev.cdevents.branch.deleted.0.3.0',
  ArtifactPackaged: 'dev.cdevents.artifact.packaged.0.3.0',
  ArtifactPublished: 'dev.cdevents.artifact.published.0.3.0',
} as const;

/** An outcome as the 0.5.1 schemas spell it. */
export type Outcome = 'success' | 'failure' | 'cancel' | 'error';

/** A reference to another subject (`{id, source}` in the schemas). */
export interface SubjectRef { id: string; source?: string }

/** An embedded link (schemas/links/embedded*.json). */
export type CDEventLink =
  | { linkType: 'PATH'; from: { contextId: string }; tags?: Record<string, string> }
  | { linkType: 'END'; from: { contextId: string }; tags?: Record<string, string> }
  | { linkType: 'RELATION'; linkKind: string; target: { contextId: string }; tags?: Record<string, string> };

export interface CDEventContext {
  specversion: string;
  id: string;
  source: string;
  type: string;
  timestamp: string;
  schemaUri?: string;
  chainId?: string;
  links?: CDEventLink[];
}

/** A CDEvent as sent on the wire (the CloudEvent's data). */
export interface CDEvent<C extends object = Record<string, unknown>> {
  context: CDEventContext;
  subject: { id: string; source?: string; content: C };
  customData?: unknown;
  customDataContentType?: string;
}

/** What every builder needs besides the subject: where and when, and how the event ties to others. */
export interface EventMeta {
  /** context.source: names the kiln instance (e.g. `/kiln/<host>` or its API URL) */
  source: string;
  /** context.timestamp, RFC 3339 */
  timestamp: string;
  /** context.id (default: derived by the typed builder from its cause, see {@link stableId}) */
  id?: string;
  chainId?: string;
  links?: CDEventLink[];
  schemaUri?: string;
}

/**
 * A UUID-shaped id (version 8, RFC 9562 "custom") from a SHA-256 of `parts`: the same cause gives
 * the same id, so a re-delivery of an event (after a crash, a retry) carries the id it had.
 */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Drops undefined members (and empty objects/strings the schemas would accept but say nothing). */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== '') out[k] = v;
  return out as T;
}

/** Builds the envelope of an event of `type` about `subject`, with the meta given. */
export function buildCDEvent<C extends object>(
  type: string,
  meta: EventMeta & { id: string },
  subject: { id: string; source?: string; content: C },
  custom?: { data: unknown; contentType?: string },
): CDEvent<C> {
  const context: CDEventContext = compact({
    specversion: CDEVENTS_SPEC_VERSION,
    id: meta.id,
    chainId: meta.chainId,
    source: meta.source,
    type,
    timestamp: meta.timestamp,
    schemaUri: meta.schemaUri,
    links: meta.links?.length ? meta.links : undefined,
  });
  const event: CDEvent<C> = { context, subject: compact({ id: subject.id, source: subject.source, content: subject.content }) };
  if (custom?.data !== undefined) event.customData = custom.data;
  if (custom?.contentType) event.customDataContentType = custom.contentType;
  return event;
}

/** The parts of a received CDEvent a builder takes back (the inverse of {@link buildCDEvent}). */
export function parseCDEvent(value: unknown): { type: string; meta: EventMeta & { id: string }; subject: { id: string; source?: string; content: Record<string, unknown> }; custom?: { data: unknown; contentType?: string } } {
  const e = value as Partial<CDEvent>;
  const c = e?.context;
  if (!c || typeof c !== 'object') throw new Error('context: missing');
  for (const f of ['specversion', 'id', 'source', 'type', 'timestamp'] as const) {
    if (typeof c[f] !== 'string' || c[f] === '') throw new Error(`context.${f}: expected a non-empty string`);
  }
  if (!e.subject || typeof e.subject.id !== 'string') throw new Error('subject.id: expected a string');
  const custom = e.customData !== undefined || e.customDataContentType ? { data: e.customData, contentType: e.customDataContentType } : undefined;
  return {
    type: c.type,
    meta: { id: c.id, source: c.source, timestamp: c.timestamp, chainId: c.chainId, links: c.links, schemaUri: c.schemaUri },
    subject: { id: e.subject.id, source: e.subject.source, content: (e.subject.content ?? {}) as Record<string, unknown> },
    custom,
  };
}
