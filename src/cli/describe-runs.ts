// The TaskRuns section of `kiln describe pr`, like `tkn pr describe`: every TaskRun of the
// PipelineRun in the order they ran, with its status, reason, duration, params, results and
// workspaces.
import type { KObject, Condition } from '../api/meta.ts';
import { duration } from './duration.ts';
import { byStartTime, taskLabel } from './task-label.ts';

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** One workspace binding as tkn prints it: `name (emptyDir)`, `name (pvc: claim)`, `name (configMap: cm)`… */
function workspaceText(w: Record<string, unknown>): string {
  const pick = (k: string, inner: string) => (w[k] as Record<string, unknown> | undefined)?.[inner];
  const src = w.emptyDir !== undefined ? 'emptyDir'
    : w.persistentVolumeClaim ? `pvc: ${text(pick('persistentVolumeClaim', 'claimName'))}`
    : w.configMap ? `configMap: ${text(pick('configMap', 'name'))}`
    : w.secret ? `secret: ${text(pick('secret', 'secretName'))}`
    : w.volumeClaimTemplate ? 'volumeClaimTemplate'
    : w.projected ? 'projected' : w.csi ? 'csi' : w.hostPath ? 'hostPath' : 'unknown';
  return `${text(w.name)} (${src}${w.subPath ? `, subPath: ${text(w.subPath)}` : ''})`;
}

/** Lines for the TaskRuns of a PipelineRun (none when there are none). */
export function taskRunsSection(pipelineRun: KObject, taskRuns: KObject[], now = new Date().toISOString()): string[] {
  if (!taskRuns.length) return [];
  const lines = ['TaskRuns:'];
  for (const tr of [...taskRuns].sort(byStartTime)) {
    const st = (tr.status ?? {}) as { conditions?: Condition[]; startTime?: string; completionTime?: string; results?: Array<{ name: string; value: unknown }> };
    const spec = (tr.spec ?? {}) as { params?: Array<{ name: string; value: unknown }>; workspaces?: Array<Record<string, unknown>> };
    const c = st.conditions?.find((x) => x.type === 'Succeeded');
    const status = c ? (c.status === 'True' ? 'Succeeded' : c.status === 'False' ? 'Failed' : 'Running') : 'Pending';
    const took = st.startTime ? duration(st.startTime, st.completionTime ?? now) : '---';
    lines.push(`  ${taskLabel(tr, pipelineRun)}: ${tr.metadata.name}`);
    lines.push(`    Status:      ${status}${c?.reason ? ` (${c.reason})` : ''}   Duration: ${took}`);
    if (c?.status === 'False' && c.message) lines.push(`    Message:     ${c.message}`);
    if (spec.params?.length) lines.push(`    Params:      ${spec.params.map((p) => `${p.name}=${text(p.value)}`).join(', ')}`);
    if (st.results?.length) lines.push(`    Results:     ${st.results.map((r) => `${r.name}=${text(r.value)}`).join(', ')}`);
    if (spec.workspaces?.length) lines.push(`    Workspaces:  ${spec.workspaces.map(workspaceText).join(', ')}`);
  }
  return lines;
}
