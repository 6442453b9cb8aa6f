// The CDEvents a stored run implies (runs.ts, tests.ts, artifacts.ts), or an Argo CD-style
// Application's deployments (gitops.ts), in the order they happened.
import type { KObject } from '../api/meta.ts';
import type { PipelineRun } from '../api/pipelinerun.types.ts';
import type { TaskRun } from '../api/taskrun.types.ts';
import { artifactEvents } from './artifacts.ts';
import type { CDEvent } from './cdevent.ts';
import { applicationEvents, type ApplicationLike } from './gitops.ts';
import { pipelineRunEvents, taskRunEvents, type EventSource } from './runs.ts';
import { testEvents } from './tests.ts';

/**
 * Every CDEvent the current state of a PipelineRun or TaskRun implies (other kinds: none): a
 * PipelineRun's queued/started/finished; a TaskRun's started/finished per attempt, then, once it
 * has finished, its tests' events and its images' artifact events; an Application's deployments.
 */
export function eventsOfRun(run: KObject, src: EventSource): CDEvent[] {
  if (run.kind === 'PipelineRun') return pipelineRunEvents(run as PipelineRun, src);
  if (run.kind === 'Application') return applicationEvents(run as ApplicationLike, src);
  if (run.kind !== 'TaskRun') return [];
  const tr = run as TaskRun;
  return [...taskRunEvents(tr, src), ...testEvents(tr, src), ...artifactEvents(tr, src)];
}
