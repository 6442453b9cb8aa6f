// securityContext.runAsUser / runAsGroup / runAsNonRoot of one step or sidecar: the container's
// own values over the TaskRun podTemplate's (as the kubelet merges a Pod's), checked the way the
// API server and the kubelet check them (ids 0…2147483647; runAsNonRoot refuses uid 0); and
// securityContext.capabilities, passed on to the executor as lists of names.
import type { PlanContainer, RunAs } from '../../executor/executor.ts';

const MAX_ID = 2147483647;

/** The merged request and the problems found (`field: message`, the field relative to `path`). */
export interface RunAsResult { runAs?: RunAs; problems: string[] }

function record(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

/**
 * `containerSC` is the container's securityContext at `path` (e.g. `spec.taskSpec.steps[0]`),
 * `podSC` the TaskRun's `spec.podTemplate.securityContext`.
 */
export function runAsOf(containerSC: unknown, podSC: unknown, path: string): RunAsResult {
  const problems: string[] = [];
  const c = record(containerSC) ?? {};
  const p = record(podSC) ?? {};
  function id(key: 'runAsUser' | 'runAsGroup'): number | undefined {
    for (const [sc, at] of [[c, `${path}.securityContext`], [p, 'spec.podTemplate.securityContext']] as const) {
      const v = sc[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_ID) {
        problems.push(`${at}.${key}: must be an integer between 0 and ${MAX_ID}, not ${JSON.stringify(v)}`);
        return undefined;
      }
      return v;
    }
    return undefined;
  }
  const uid = id('runAsUser');
  const gid = id('runAsGroup');
  const nr = c.runAsNonRoot ?? p.runAsNonRoot;
  const nrField = c.runAsNonRoot !== undefined ? `${path}.securityContext.runAsNonRoot` : 'spec.podTemplate.securityContext.runAsNonRoot';
  if (nr !== undefined && nr !== null && typeof nr !== 'boolean') problems.push(`${nrField}: must be true or false, not ${JSON.stringify(nr)}`);
  const nonRoot = nr === true;
  if (nonRoot && uid === 0) problems.push(`${nrField}: runAsUser is 0 (root), which runAsNonRoot forbids`);
  if (uid === undefined && gid === undefined && !nonRoot) return { problems };
  const runAs: RunAs = {};
  if (uid !== undefined) runAs.uid = uid;
  if (gid !== undefined) runAs.gid = gid;
  if (nonRoot) runAs.nonRoot = true;
  return { runAs, problems };
}

/**
 * securityContext.capabilities (at `field`) as the executor gets it: lists of names, which names
 * exist being the executor's question; or why its shape is wrong, naming the field.
 */
export function capabilitiesOf(v: unknown, field: string): { capabilities?: PlanContainer['capabilities']; problem?: string } {
  if (v === undefined || v === null) return {};
  const c = record(v);
  if (!c) return { problem: `${field}: expected an object with add and drop lists, not ${JSON.stringify(v)}` };
  const out: NonNullable<PlanContainer['capabilities']> = {};
  for (const key of ['add', 'drop'] as const) {
    const list = c[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || list.some((n) => typeof n !== 'string')) return { problem: `${field}.${key}: expected a list of capability names, not ${JSON.stringify(list)}` };
    if (list.length) out[key] = list as string[];
  }
  return out.add || out.drop ? { capabilities: out } : {};
}
