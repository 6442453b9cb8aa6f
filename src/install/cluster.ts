// Installing into and uninstalling from a Kubernetes API, through the destination client GitOps
// uses (server-side apply: a re-run is an upgrade, nothing is duplicated). The API, the clock and
// the pause between polls are injected, so this is tested without a cluster. Pure.
import type { KObject } from '../api/meta.ts';
import type { Destination, ObjectRef } from '../gitops/cluster/destination.ts';
import { describeObject, manifests, uninstallPlan, type UninstallChoices } from './manifests.ts';
import type { InstallOptions } from './options.ts';

/** What installing needs of a Kubernetes API. */
export type InstallTarget = Pick<Destination, 'get' | 'apply' | 'delete' | 'server'>;

/** Who kiln install's changes are recorded as (server-side apply's field manager). */
export const INSTALL_MANAGER = 'kiln-install';
/** `app.kubernetes.io/managed-by` values of objects kiln made: install's, and the CRDs `kiln serve` stores itself. */
const OURS = new Set(['kiln-install', 'kiln']);

export interface InstallRun {
  target: InstallTarget;
  log: (line: string) => void;
  /** take over CRDs something else installed (Tekton's, Argo CD's) */
  force?: boolean;
  /** how long to wait for the CRDs to be Established (default 60 s) */
  timeoutMs?: number;
  now?: () => number;
  sleep: (ms: number) => Promise<void>;
}

const refOf = (o: KObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name! });
const managedBy = (o: Record<string, unknown> | null) => ((o?.metadata as KObject['metadata'] | undefined)?.labels ?? {})['app.kubernetes.io/managed-by'];
type Condition = { type?: string; status?: string; reason?: string; message?: string };

/** Applies every object (CRDs first), waits for the CRDs, and removes what an older install made that this one does not. Resolves with the exit code. */
export async function install(o: InstallOptions, run: InstallRun): Promise<number> {
  const objects = manifests(o);
  const crds = objects.filter((x) => x.kind === 'CustomResourceDefinition');
  const foreign = [];
  for (const c of crds) {
    const live = await run.target.get(refOf(c));
    if (live && !OURS.has(String(managedBy(live))) && !run.force) foreign.push(describeObject(c));
  }
  if (foreign.length) {
    run.log(`error: ${foreign.join(', ')} exist and were not installed by kiln (Tekton or Argo CD runs here?); --force takes them over`);
    return 1;
  }
  for (const obj of objects) {
    const live = await run.target.get(refOf(obj));
    await run.target.apply(obj as unknown as Record<string, unknown>, { fieldManager: INSTALL_MANAGER, force: true });
    run.log(`${describeObject(obj)} ${live ? 'configured' : 'created'}`);
    if (obj === crds[crds.length - 1]) {
      const stuck = await waitEstablished(crds, run);
      if (stuck) return 1;
    }
  }
  await prune(o, objects, run);
  run.log(`kiln installed in namespace ${o.namespace} on ${run.target.server}`);
  return 0;
}

/**
 * Waits (bounded) until every CRD is Established, or the API says it will not be. An API that
 * serves a kind itself (kiln's own server) says so as NamesAccepted=False, reason ServedByKiln: that
 * kind is there. Resolves true when a CRD's names were refused (a conflict on the cluster).
 */
async function waitEstablished(crds: KObject[], run: InstallRun): Promise<boolean> {
  const now = run.now ?? Date.now;
  const end = now() + (run.timeoutMs ?? 60_000);
  let pending = crds;
  let refused = false;
  while (pending.length) {
    const next: KObject[] = [];
    for (const c of pending) {
      const live = await run.target.get(refOf(c));
      const conds = ((live?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
      const names = conds.find((x) => x.type === 'NamesAccepted');
      if (conds.some((x) => x.type === 'Established' && x.status === 'True')) continue;
      if (names?.status === 'False' && names.reason === 'ServedByKiln') continue;
      if (names?.status === 'False') {
        run.log(`error: ${describeObject(c)}: names not accepted: ${names.message ?? names.reason ?? ''}`);
        refused = true;
        continue;
      }
      next.push(c);
    }
    pending = next;
    if (!pending.length) break;
    if (now() >= end) {
      run.log(`warning: not Established after ${Math.round((run.timeoutMs ?? 60_000) / 1000)}s: ${pending.map((c) => c.metadata.name).join(', ')} (continuing; check with kubectl get crds)`);
      break;
    }
    await run.sleep(500);
  }
  return refused;
}

/** Deletes what an install with other options made and this one does not (never a CRD, never the data). */
async function prune(o: InstallOptions, wanted: KObject[], run: InstallRun): Promise<void> {
  const names = new Set(wanted.map(describeObject));
  const every = manifests({ ...o, gitops: true, gitopsInCluster: true });
  for (const obj of every) {
    if (obj.kind === 'CustomResourceDefinition' || names.has(describeObject(obj))) continue;
    const live = await run.target.get(refOf(obj));
    if (live && managedBy(live) === INSTALL_MANAGER && (await run.target.delete(refOf(obj)))) run.log(`${describeObject(obj)} deleted (no longer wanted)`);
  }
}

/** Deletes what install made (objects it did not make are left alone), then says what it kept. Resolves with the exit code. */
export async function uninstall(o: InstallOptions, choices: UninstallChoices, run: Pick<InstallRun, 'target' | 'log'>): Promise<number> {
  const plan = uninstallPlan({ ...o, gitops: true, gitopsInCluster: true }, choices);
  for (const obj of plan.remove) {
    const live = await run.target.get(refOf(obj));
    if (!live) continue;
    if (!OURS.has(String(managedBy(live)))) {
      run.log(`${describeObject(obj)} kept: not installed by kiln`);
      continue;
    }
    if (await run.target.delete(refOf(obj), 'background')) run.log(`${describeObject(obj)} deleted`);
  }
  for (const k of uninstallPlan(o, choices).kept) run.log(`kept: ${k}`);
  run.log(`kiln uninstalled from namespace ${o.namespace} on ${run.target.server}`);
  return 0;
}
