// The `cdevents` interceptor (kiln's own ClusterInterceptor, `ref: {name: cdevents}`): lets a
// trigger through only for a CDEvent (carried as a CloudEvent, binary or structured mode, or
// posted as plain JSON) whose type and subject match its params, and adds the event to the
// extensions for bindings. Params (each optional; a list matches when any entry matches):
//   eventTypes:     CDEvent types; `dev.cdevents.artifact.published` (any version), a full type
//                   with its version, or a prefix ending in `*` (`dev.cdevents.artifact.*`)
//   subjectIds:     subject.id patterns (`*` matches any run of characters)
//   subjectSources: subject.source patterns (the context's source when the subject has none)
//   sources:        context.source patterns
//   subjectContent: {dotted.path: value or [values]} compared with subject.content as strings
// Extensions: `cdevent` {id, type, subjectType, predicate, version, source, chainId, subjectId,
// subjectSource, content, customData} and `cloudevent` (the CloudEvent's attributes, when it was one).
import { isCloudEvent, readCloudEvent, type CloudEventAttributes } from './cdevents-cloudevent.ts';
import { CODES, rejected, type Interceptor, type InterceptorResponse } from './types.ts';

/** The cdevents interceptor's params, read. */
export interface CDEventsInterceptorParams {
  eventTypes?: string[];
  subjectIds?: string[];
  subjectSources?: string[];
  sources?: string[];
  subjectContent?: Record<string, string[]>;
}

type Obj = Record<string, unknown>;

function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) throw new Error(`${field}: expected a list of strings`);
  return v as string[];
}

/** Reads the params, or says which one is wrong. */
export function readCDEventsParams(p: Obj): CDEventsInterceptorParams | string {
  try {
    const content = p.subjectContent;
    let subjectContent: Record<string, string[]> | undefined;
    if (content !== undefined && content !== null) {
      if (typeof content !== 'object' || Array.isArray(content)) throw new Error('subjectContent: expected an object of field path to value(s)');
      subjectContent = {};
      for (const [k, v] of Object.entries(content as Obj)) {
        const vs = Array.isArray(v) ? v : [v];
        if (vs.some((x) => x === null || typeof x === 'object')) throw new Error(`subjectContent.${k}: expected a value or a list of values`);
        subjectContent[k] = vs.map(String);
      }
    }
    return {
      eventTypes: stringList(p.eventTypes, 'eventTypes'),
      subjectIds: stringList(p.subjectIds, 'subjectIds'),
      subjectSources: stringList(p.subjectSources, 'subjectSources'),
      sources: stringList(p.sources, 'sources'),
      subjectContent,
    };
  } catch (e) {
    return (e as Error).message;
  }
}

/** `*` matches any run of characters; everything else is literal. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(value);
}

const TYPE = /^dev\.cdevents\.([a-z]+)\.([a-z]+)\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;

/** Whether `type` is one of the `wanted` types (version-less names match every version). */
export function typeMatches(wanted: readonly string[], type: string): boolean {
  const unversioned = type.replace(/\.\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, '');
  return wanted.some((w) => (w.includes('*') ? globMatch(w, type) : w === type || w === unversioned));
}

function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[k];
  }
  return cur;
}

/** What a received CDEvent says, for matching and for the `cdevent` extension. */
export interface ReceivedCDEvent {
  id: string;
  type: string;
  subjectType: string;
  predicate: string;
  version: string;
  source: string;
  timestamp: string;
  chainId?: string;
  subjectId: string;
  subjectSource: string;
  content: Obj;
  customData?: unknown;
}

/** The CDEvent in `data`, or why it is not one (naming the field). */
export function readCDEvent(data: unknown): ReceivedCDEvent | string {
  const e = data as Obj | undefined;
  const c = e?.context as Obj | undefined;
  if (!c || typeof c !== 'object') return 'context: missing (the body is not a CDEvent)';
  for (const f of ['id', 'source', 'type', 'timestamp'] as const) if (typeof c[f] !== 'string' || c[f] === '') return `context.${f}: expected a non-empty string`;
  const m = TYPE.exec(c.type as string);
  if (!m) return `context.type: ${JSON.stringify(c.type)} is not a CDEvent type (dev.cdevents.<subject>.<predicate>.<version>)`;
  const s = e!.subject as Obj | undefined;
  if (!s || typeof s.id !== 'string' || s.id === '') return 'subject.id: expected a non-empty string';
  const content = s.content && typeof s.content === 'object' && !Array.isArray(s.content) ? s.content as Obj : {};
  return {
    id: c.id as string, type: c.type as string, subjectType: m[1], predicate: m[2], version: m[3],
    source: c.source as string, timestamp: c.timestamp as string, chainId: typeof c.chainId === 'string' ? c.chainId : undefined,
    subjectId: s.id, subjectSource: typeof s.source === 'string' && s.source ? s.source : c.source as string,
    content, customData: e!.customData,
  };
}

/** Why `ev` does not match `p`, or undefined when it does. */
export function mismatch(p: CDEventsInterceptorParams, ev: ReceivedCDEvent): string | undefined {
  if (p.eventTypes && !typeMatches(p.eventTypes, ev.type)) return `event type ${ev.type} is not allowed`;
  const any = (pats: string[] | undefined, v: string) => !pats || pats.some((x) => globMatch(x, v));
  if (!any(p.subjectIds, ev.subjectId)) return `subject.id ${JSON.stringify(ev.subjectId)} matches none of ${JSON.stringify(p.subjectIds)}`;
  if (!any(p.subjectSources, ev.subjectSource)) return `subject.source ${JSON.stringify(ev.subjectSource)} matches none of ${JSON.stringify(p.subjectSources)}`;
  if (!any(p.sources, ev.source)) return `context.source ${JSON.stringify(ev.source)} matches none of ${JSON.stringify(p.sources)}`;
  for (const [path, values] of Object.entries(p.subjectContent ?? {})) {
    const v = at(ev.content, path);
    const s = v === undefined || v === null ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (s === undefined || !values.includes(s)) return `subject.content.${path} is ${s === undefined ? 'absent' : JSON.stringify(s)}, not ${values.map((x) => JSON.stringify(x)).join(' or ')}`;
  }
  return undefined;
}

/**
 * The `cdevents` interceptor: InvalidArgument when its params or the event cannot be read (not a
 * CloudEvent nor a CDEvent, or the CloudEvent's type differs from the CDEvent's), FailedPrecondition
 * when the event does not match; else `continue` with the `cdevent` (and `cloudevent`) extensions.
 */
export const cdeventsInterceptor: Interceptor = async function cdevents(req): Promise<InterceptorResponse> {
  const p = readCDEventsParams(req.interceptor_params ?? {});
  if (typeof p === 'string') return rejected(CODES.InvalidArgument, `failed to parse interceptor params: ${p}`);
  let data: unknown;
  let cloudevent: CloudEventAttributes | undefined;
  try {
    if (isCloudEvent(req.header ?? {})) {
      const r = readCloudEvent(req.header ?? {}, req.body);
      cloudevent = r.attributes;
      data = r.data;
    } else {
      data = JSON.parse(req.body);
    }
  } catch (e) {
    return rejected(CODES.InvalidArgument, `cannot read the event: ${(e as Error).message}`);
  }
  const ev = readCDEvent(data);
  if (typeof ev === 'string') return rejected(CODES.InvalidArgument, `not a CDEvent: ${ev}`);
  if (cloudevent && cloudevent.type !== ev.type) return rejected(CODES.InvalidArgument, `the CloudEvent's type ${cloudevent.type} differs from its CDEvent's context.type ${ev.type}`);
  const why = mismatch(p, ev);
  if (why) return rejected(CODES.FailedPrecondition, why);
  return { continue: true, extensions: { cdevent: ev, ...(cloudevent ? { cloudevent } : {}) } };
};
