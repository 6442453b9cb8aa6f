// Which Kubernetes Events a change of a run's Succeeded condition yields, as Tekton emits them:
// Started when a run first gets a condition, then the condition's own reason while it is Unknown
// (Running, Pending, ToBeRetried…), Succeeded when it turns True, Failed (a Warning) when False.
// Pure: the recorder (recorder.ts) writes what this returns.
import type { Condition } from '../../api/meta.ts';

/** core/v1 Event types. */
export type EventType = 'Normal' | 'Warning';

/** One Event to record about a run. */
export interface RunEvent {
  type: EventType;
  reason: string;
  message: string;
}

/** Tekton's reasons for the Events of a run's start and end. */
export const EventReason = {
  Started: 'Started',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
} as const;

/** Equal for Events: same status, reason and message (a new lastTransitionTime alone is no change). */
function sameCondition(a: Condition, b: Condition): boolean {
  return a.status === b.status && (a.reason ?? '') === (b.reason ?? '') && (a.message ?? '') === (b.message ?? '');
}

/**
 * The Events the change of a run's Succeeded condition from `before` to `after` yields, in order
 * (none when `after` is absent or equal to `before`). A run's first condition yields Started
 * (empty message) before what that condition says, since kiln may write Running (or a final
 * condition) in the run's first status, where Tekton writes Started first and Running next:
 * - Unknown: the condition's reason and message (Normal), except a first condition whose
 *   reason is Started (or empty), which is the Started event itself;
 * - True: Succeeded with the condition's message (Normal);
 * - False: Failed with the condition's message (Warning).
 */
export function transitionEvents(before: Condition | undefined, after: Condition | undefined): RunEvent[] {
  if (!after || (before && sameCondition(before, after))) return [];
  const out: RunEvent[] = [];
  if (!before) out.push({ type: 'Normal', reason: EventReason.Started, message: '' });
  const message = after.message ?? '';
  switch (after.status) {
    case 'True':
      out.push({ type: 'Normal', reason: EventReason.Succeeded, message });
      break;
    case 'False':
      out.push({ type: 'Warning', reason: EventReason.Failed, message });
      break;
    default: {
      const reason = after.reason ?? '';
      if (before || (reason !== '' && reason !== EventReason.Started)) out.push({ type: 'Normal', reason: reason || 'Unknown', message });
    }
  }
  return out;
}
