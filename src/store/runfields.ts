// Fields a PipelineRun or TaskRun list selects on beyond metadata, so that a run list's filters
// (the Pipeline or Task run, the run's state) are applied by the server before `limit`/`continue`:
//   spec.pipelineRef.name / spec.taskRef.name   the referenced definition ('' when embedded)
//   status.state   Succeeded | Failed | Cancelled | Running | Pending, from the Succeeded condition
//                  (a kiln extension: Tekton's runs have no such field; it is derived, never stored)
import type { KObject } from '../api/meta.ts';

/** A computed field value: '' when absent. */
export type FieldOf = (obj: KObject) => string;

interface Condition { type?: string; status?: string; reason?: string }

/** One word for a run's state, as the dashboard and `status.state=` say it. */
export function runState(obj: KObject): string {
  const status = (obj as { status?: { conditions?: Condition[]; startTime?: string } }).status;
  const c = status?.conditions?.find((x) => x?.type === 'Succeeded');
  if (c?.status === 'True') return 'Succeeded';
  if (c?.status === 'False') return /Cancel/i.test(c.reason ?? '') ? 'Cancelled' : 'Failed';
  return status?.startTime ? 'Running' : 'Pending';
}

function refName(obj: KObject, ref: 'pipelineRef' | 'taskRef'): string {
  const name = (obj as { spec?: Record<string, { name?: unknown } | undefined> }).spec?.[ref]?.name;
  return typeof name === 'string' ? name : '';
}

/** Per kind: field name → its value. */
export const RUN_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldOf>>>> = {
  PipelineRun: { 'spec.pipelineRef.name': (o) => refName(o, 'pipelineRef'), 'status.state': runState },
  TaskRun: { 'spec.taskRef.name': (o) => refName(o, 'taskRef'), 'status.state': runState },
};
