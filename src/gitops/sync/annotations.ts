// Reading the annotations that steer a sync: sync-options, sync-wave, Argo CD and Helm hooks, and the
// app-level syncOptions list, as gitops-engine reads them (comma-separated, trimmed, de-duplicated).
import { HOOK_TYPES, type HookDeletePolicy, type HookType, type Obj, type SyncPhase } from './types.ts';

export const ANN_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const ANN_COMPARE_OPTIONS = 'argocd.argoproj.io/compare-options';
export const ANN_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ANN_HOOK = 'argocd.argoproj.io/hook';
export const ANN_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
export const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';
const HELM_HOOK = 'helm.sh/hook';
const HELM_WEIGHT = 'helm.sh/hook-weight';
const HELM_DELETE_POLICY = 'helm.sh/hook-delete-policy';

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** metadata.annotations as strings (non-string values ignored). */
export function annotations(o: Obj | null | undefined): Record<string, string> {
  const a = o && isObj(o.metadata) ? o.metadata.annotations : undefined;
  if (!isObj(a)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The comma-separated values of an annotation, trimmed, empty ones and repeats dropped. */
export function annotationCSV(o: Obj | null | undefined, key: string): string[] {
  const raw = annotations(o)[key];
  if (raw === undefined) return [];
  return [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
}

/** Whether the object's `key` annotation lists `value` (e.g. sync-options has `Prune=false`). */
export function hasAnnotationOption(o: Obj | null | undefined, key: string, value: string): boolean {
  return annotationCSV(o, key).includes(value);
}

/** Whether an app-level syncOptions list holds `option` exactly (`CreateNamespace=true`). */
export function hasOption(list: readonly string[] | undefined, option: string): boolean {
  return !!list?.some((o) => o.trim() === option);
}

/** The value of `Key=value` in an app-level syncOptions list, if present. */
export function optionValue(list: readonly string[] | undefined, key: string): string | undefined {
  const hit = list?.map((o) => o.trim()).find((o) => o.startsWith(key + '='));
  return hit?.slice(key.length + 1);
}

function helmHookTypes(o: Obj): SyncPhase[] {
  const out: SyncPhase[] = [];
  for (const t of annotationCSV(o, HELM_HOOK)) {
    if (t === 'pre-install' || t === 'pre-upgrade') out.push('PreSync');
    else if (t === 'post-install' || t === 'post-upgrade') out.push('PostSync');
  }
  return out;
}

/** The hook types of an object: Argo CD's annotation wins; else Helm's hooks mapped as Argo CD maps them. */
export function hookTypes(o: Obj): HookType[] {
  const argo = annotationCSV(o, ANN_HOOK).filter((t): t is HookType => (HOOK_TYPES as readonly string[]).includes(t));
  return argo.length ? argo : helmHookTypes(o);
}

/** `Skip` alone means "do not apply this object". */
export function isSkipped(o: Obj): boolean {
  const t = hookTypes(o);
  return t.length === 1 && t[0] === 'Skip';
}

/** Whether the object is a hook (Argo CD annotation not Skip alone, or a Helm hook other than crd-install). */
export function isHook(o: Obj): boolean {
  const a = annotations(o);
  if (a[ANN_HOOK] !== undefined) return !isSkipped(o);
  return a[HELM_HOOK] !== undefined && a[HELM_HOOK] !== 'crd-install';
}

/** The sync phases an object runs in: none when skipped, its hook phases when a hook, else Sync. */
export function syncPhasesOf(o: Obj): SyncPhase[] {
  if (isSkipped(o)) return [];
  if (!isHook(o)) return ['Sync'];
  const phases = hookTypes(o).filter((t): t is SyncPhase => t === 'PreSync' || t === 'Sync' || t === 'PostSync' || t === 'SyncFail');
  return [...new Set(phases)];
}

/** Hook delete policies (Argo CD's, then Helm's mapped); BeforeHookCreation when none is given. */
export function deletePoliciesOf(o: Obj): HookDeletePolicy[] {
  const out: HookDeletePolicy[] = [];
  for (const p of annotationCSV(o, ANN_HOOK_DELETE_POLICY)) {
    if (p === 'HookSucceeded' || p === 'HookFailed' || p === 'BeforeHookCreation') out.push(p);
  }
  const helm: Record<string, HookDeletePolicy> = { 'before-hook-creation': 'BeforeHookCreation', 'hook-succeeded': 'HookSucceeded', 'hook-failed': 'HookFailed' };
  for (const p of annotationCSV(o, HELM_DELETE_POLICY)) if (helm[p]) out.push(helm[p]);
  return out.length ? [...new Set(out)] : ['BeforeHookCreation'];
}

function intOf(s: string | undefined): number | undefined {
  if (s === undefined || !/^\s*[+-]?\d+\s*$/.test(s)) return undefined;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The sync wave: `argocd.argoproj.io/sync-wave`, else `helm.sh/hook-weight`, else 0 (unparsable values count as absent). */
export function waveOf(o: Obj): number {
  const a = annotations(o);
  return intOf(a[ANN_SYNC_WAVE]) ?? intOf(a[HELM_WEIGHT]) ?? 0;
}

/** A problem with the wave annotation worth reporting (Argo CD silently uses 0). */
export function waveWarning(o: Obj): string | undefined {
  const v = annotations(o)[ANN_SYNC_WAVE];
  return v !== undefined && intOf(v) === undefined ? `metadata.annotations["${ANN_SYNC_WAVE}"]: "${v}" is not an integer; wave 0 used` : undefined;
}
