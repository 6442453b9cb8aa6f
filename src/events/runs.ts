// CDEvents of runs, derived from a run's stored state (level-based, like a reconciler): a
// PipelineRun is queued once it exists, started once it has a startTime, finished once its
// Succeeded condition is True or False; a TaskRun's attempts each start and finish (archived
// attempts in status.retriesStatus included). Everything in an event (ids, timestamps, links)
// comes from the run itself, so deriving the events of one state twice gives the same events:
// that is what lets the outbox record them idempotently after a crash.
import type { Condition, KObject } from '../api/meta.ts';
import type { PipelineRun } from '../api/pipelinerun.types.ts';
import type { TaskRun, TaskRunStatus } from '../api/taskrun.types.ts';
import { buildCDEvent, CDEventType, stableId, type CDEvent, type CDEventLink, type Outcome } from './cdevent.ts';

/** Where the events come from: kiln's instance, and the base of the API URLs runs get as `uri`. */
export interface EventSource {
  /** context.source (uri-reference), e.g. the server's URL */
  source: string;
  /** absolute base URL of the API (`uri` fields), e.g. `https://127.0.0.1:7443` */
  apiBase: string;
}

/** The label Tekton Triggers puts on what a delivery created (and runs pass to their children). */
export const LABEL_TRIGGER_EVENT_ID = 'triggers.tekton.dev/triggers-eventid';

/** The subject id of a run: `namespace/name`, as the spec's examples. */
export function runSubjectId(run: KObject): string {
  return `${run.metadata.namespace ?? 'default'}/${run.metadata.name ?? ''}`;
}

/** context.id of the event of `type` about the run of `uid`, for its attempt. */
export function runEventId(uid: string, type: string, attempt = 0): string {
  return stableId(uid, type, String(attempt));
}

/** context.id of the first CDEvent a trigger delivery yields (the change/branch/repository event). */
export function triggerEventId(deliveryId: string): string {
  return stableId('trigger', deliveryId);
}

/**
 * The annotation naming the CDEvent that caused a run (context.id): the change/branch/repository
 * event of the webhook delivery that created it, or the CDEvent an EventListener received. Set
 * on what a trigger creates; a PipelineRun passes its annotations to its TaskRuns.
 */
export const ANNOTATION_TRIGGER_EVENT = 'cdevents.kiln.dev/trigger-event';

/** The annotation carrying the chainId a received CDEvent had: the runs it starts continue that chain. */
export const ANNOTATION_CHAIN_ID = 'cdevents.kiln.dev/chain-id';

/**
 * One delivery's chain: the chain of the CDEvent that started the run (annotation), else the
 * trigger delivery that caused it, else the run tree's PipelineRun.
 */
export function chainIdOf(run: KObject): string {
  const chain = run.metadata.annotations?.[ANNOTATION_CHAIN_ID];
  if (chain) return chain;
  const delivery = run.metadata.labels?.[LABEL_TRIGGER_EVENT_ID];
  if (delivery) return stableId('chain', delivery);
  return stableId('chain', parentPipelineRunUid(run) ?? run.metadata.uid ?? '');
}

/** The uid of the PipelineRun controlling `run`, if any. */
export function parentPipelineRunUid(run: KObject): string | undefined {
  return run.metadata.ownerReferences?.find((o) => o.kind === 'PipelineRun' && o.controller)?.uid
    ?? run.metadata.ownerReferences?.find((o) => o.kind === 'PipelineRun')?.uid;
}

function succeeded(status: { conditions?: Condition[] } | undefined): Condition | undefined {
  return status?.conditions?.find((c) => c.type === 'Succeeded');
}

const CANCEL = /cancel|StoppedRunFinally/i;
const ERROR = /ValidationFailed|CouldntGet|Resolution|Invalid|Unsupported|ExecutorLost|PodCreationFailed|CreateContainerConfigError|Couldnt/;

/** The CDEvents outcome of a final Succeeded condition. */
export function outcomeOf(c: Condition): Outcome {
  if (c.status === 'True') return 'success';
  if (CANCEL.test(c.reason ?? '')) return 'cancel';
  if (ERROR.test(c.reason ?? '')) return 'error';
  return 'failure';
}

function runUri(src: EventSource, run: KObject, plural: string): string {
  const base = src.apiBase.replace(/\/+$/, '');
  const ns = encodeURIComponent(run.metadata.namespace ?? 'default');
  return `${base}/apis/tekton.dev/v1/namespaces/${ns}/${plural}/${encodeURIComponent(run.metadata.name ?? '')}`;
}

function isFinal(c: Condition | undefined): c is Condition {
  return !!c && (c.status === 'True' || c.status === 'False');
}

/** The name a PipelineRun runs: its pipelineRef, Tekton's label, else the run's own name (embedded spec). */
export function pipelineNameOf(pr: PipelineRun): string {
  return pr.spec?.pipelineRef?.name ?? pr.metadata.labels?.['tekton.dev/pipeline'] ?? pr.metadata.name ?? '';
}

/** The name of the Task a TaskRun runs: its taskRef, Tekton's labels, else the run's own name. */
export function taskNameOf(tr: TaskRun): string {
  return tr.spec?.taskRef?.name ?? tr.metadata.labels?.['tekton.dev/pipelineTask'] ?? tr.metadata.labels?.['tekton.dev/task'] ?? tr.metadata.name ?? '';
}

/** The events a PipelineRun's current state implies, in the order they happened. */
export function pipelineRunEvents(pr: PipelineRun, src: EventSource): CDEvent[] {
  const uid = pr.metadata.uid ?? '';
  const subject = { id: runSubjectId(pr), source: undefined };
  const chainId = chainIdOf(pr);
  const pipelineName = pipelineNameOf(pr);
  const uri = runUri(src, pr, 'pipelineruns');
  const meta = (type: string, timestamp: string, links: CDEventLink[]) => ({ id: runEventId(uid, type), source: src.source, timestamp, chainId, links });
  const queuedId = runEventId(uid, CDEventType.PipelineRunQueued);
  const startedId = runEventId(uid, CDEventType.PipelineRunStarted);
  const trigger = pr.metadata.annotations?.[ANNOTATION_TRIGGER_EVENT];
  const parent = parentPipelineRunUid(pr);
  const cause: CDEventLink[] = trigger && !parent
    ? [{ linkType: 'RELATION', linkKind: 'TRIGGER', target: { contextId: trigger } }]
    : parent ? [{ linkType: 'PATH', from: { contextId: runEventId(parent, CDEventType.PipelineRunStarted) } }] : [];
  const out: CDEvent[] = [
    buildCDEvent(CDEventType.PipelineRunQueued, meta(CDEventType.PipelineRunQueued, pr.metadata.creationTimestamp ?? pr.status?.startTime ?? '', cause), { ...subject, content: { pipelineName, uri } }),
  ];
  const st = pr.status;
  if (!st?.startTime) return out;
  out.push(buildCDEvent(CDEventType.PipelineRunStarted, meta(CDEventType.PipelineRunStarted, st.startTime, [{ linkType: 'PATH', from: { contextId: queuedId } }]), { ...subject, content: { pipelineName, uri } }));
  const c = succeeded(st);
  if (!isFinal(c)) return out;
  const outcome = outcomeOf(c);
  const content = { pipelineName, uri, outcome, errors: outcome === 'success' ? undefined : c.message || c.reason };
  out.push(buildCDEvent(CDEventType.PipelineRunFinished, meta(CDEventType.PipelineRunFinished, st.completionTime ?? c.lastTransitionTime ?? st.startTime, [{ linkType: 'END', from: { contextId: startedId } }]), { ...subject, content: dropUndefined(content) }));
  return out;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/** The attempts of a TaskRun, oldest first: the archived ones, then the current one. */
export function attemptsOf(tr: TaskRun): TaskRunStatus[] {
  const st = tr.status ?? {};
  return [...(st.retriesStatus ?? []), st];
}

/** The events a TaskRun's current state implies: each attempt's started and finished, in order. */
export function taskRunEvents(tr: TaskRun, src: EventSource): CDEvent[] {
  const uid = tr.metadata.uid ?? '';
  const subjectId = runSubjectId(tr);
  const chainId = chainIdOf(tr);
  const taskName = taskNameOf(tr);
  const uri = runUri(src, tr, 'taskruns');
  const parent = parentPipelineRunUid(tr);
  const prName = tr.metadata.labels?.['tekton.dev/pipelineRun'];
  const pipelineRun = parent && prName ? { id: `${tr.metadata.namespace ?? 'default'}/${prName}` } : undefined;
  const out: CDEvent[] = [];
  attemptsOf(tr).forEach(function attemptEvents(st, attempt) {
    if (!st.startTime) return;
    const startedId = runEventId(uid, CDEventType.TaskRunStarted, attempt);
    const from = attempt > 0
      ? runEventId(uid, CDEventType.TaskRunFinished, attempt - 1)
      : parent ? runEventId(parent, CDEventType.PipelineRunStarted) : undefined;
    const links: CDEventLink[] = from ? [{ linkType: 'PATH', from: { contextId: from } }] : [];
    out.push(buildCDEvent(CDEventType.TaskRunStarted, { id: startedId, source: src.source, timestamp: st.startTime, chainId, links }, { id: subjectId, content: dropUndefined({ taskName, uri, pipelineRun }) }));
    const c = succeeded(st);
    if (!isFinal(c)) return;
    const outcome = outcomeOf(c);
    out.push(buildCDEvent(CDEventType.TaskRunFinished, {
      id: runEventId(uid, CDEventType.TaskRunFinished, attempt), source: src.source, timestamp: st.completionTime ?? c.lastTransitionTime ?? st.startTime, chainId,
      links: [{ linkType: 'PATH', from: { contextId: startedId } }],
    }, { id: subjectId, content: dropUndefined({ taskName, uri, pipelineRun, outcome, errors: outcome === 'success' ? undefined : c.message || c.reason }) }));
  });
  return out;
}
