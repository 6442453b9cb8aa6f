// How the CLI names a TaskRun of a PipelineRun in log prefixes: its pipeline task, and for a
// matrix instance the combination it runs (`build(os=linux,arch=arm64)`), like tkn's
// `[build(os=linux,arch=arm64) : step]`.
import type { KObject } from '../api/meta.ts';
import type { PipelineSpec } from '../api/pipeline.types.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The matrix index of a TaskRun `<pipelinerun>-<task>-<i>` (the name Tekton gives combination i),
 * or undefined for a task's only TaskRun `<pipelinerun>-<task>` (names shortened with a hash
 * because they exceed 63 characters are not recognised).
 */
export function matrixIndex(tr: KObject): number | undefined {
  const pr = tr.metadata.labels?.['tekton.dev/pipelineRun'];
  const task = tr.metadata.labels?.['tekton.dev/pipelineTask'];
  if (!pr || !task) return undefined;
  const m = /^-(\d+)$/.exec((tr.metadata.name ?? '').slice(`${pr}-${task}`.length));
  return m && tr.metadata.name!.startsWith(`${pr}-${task}-`) ? Number(m[1]) : undefined;
}

/**
 * The label of a TaskRun in its PipelineRun: the pipeline task (or the TaskRun's name when it has
 * none); a matrix instance adds its matrix params' values as the TaskRun got them
 * (`build(os=linux,arch=arm64)`), or its index (`build(0)`) when the Pipeline is not known.
 */
export function taskLabel(tr: KObject, pipelineRun?: KObject): string {
  const task = tr.metadata.labels?.['tekton.dev/pipelineTask'];
  if (!task) return tr.metadata.name ?? '';
  const i = matrixIndex(tr);
  if (i === undefined) return task;
  const spec = (pipelineRun?.status as { pipelineSpec?: PipelineSpec } | undefined)?.pipelineSpec;
  const pt = [...(spec?.tasks ?? []), ...(spec?.finally ?? [])].find((t) => t.name === task);
  const names = new Set([
    ...(pt?.matrix?.params ?? []).map((p) => p.name),
    ...(pt?.matrix?.include ?? []).flatMap((inc) => (inc.params ?? []).map((p) => p.name)),
  ]);
  const params = ((tr.spec as { params?: Array<{ name: string; value: unknown }> } | undefined)?.params ?? []).filter((p) => names.has(p.name));
  return params.length ? `${task}(${params.map((p) => `${p.name}=${str(p.value)}`).join(',')})` : `${task}(${i})`;
}

/** Runs in the order they ran: by status.startTime, those not started last (then by creation, name). */
export function byStartTime(a: KObject, b: KObject): number {
  const start = (o: KObject) => (o.status as { startTime?: string } | undefined)?.startTime ?? '\uffff';
  return start(a).localeCompare(start(b))
    || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')
    || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The newest of some objects by creationTimestamp (then name), or undefined when there are none. */
export function newest(items: KObject[]): KObject | undefined {
  return [...items].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (b.metadata.name ?? '').localeCompare(a.metadata.name ?? ''))[0];
}
